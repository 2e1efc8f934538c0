import re
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import KIM_ROLES, Role


def public_id():
    """A random URL-safe id (11 characters) that never starts with "-": an id starting with
    one is read as an option by command lines (`simpul api_token revoke --id -x...`)."""
    while True:
        value = secrets.token_urlsafe(8)
        if not value.startswith("-"):
            return value


def normalise_phone(raw):
    """'0812-3456-7890', '62812...', '+62 812...' -> '+628123456789'. Raises ValidationError."""
    if not raw:
        return ""
    digits = re.sub(r"[^\d+]", "", str(raw))
    if digits.startswith("+62"):
        rest = digits[3:]
    elif digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    elif digits.startswith("8"):
        rest = digits
    else:
        raise ValidationError(
            _("Nomor telepon harus nomor Indonesia, mis. 0812 3456 7890."), code="phone"
        )
    if not rest.isdigit() or not 8 <= len(rest) <= 12:
        raise ValidationError(
            _("Nomor telepon tidak valid: tulis 9 sampai 13 angka, mis. 0812 3456 7890."),
            code="phone",
        )
    return "+62" + rest


def mask_phone(phone):
    """'+6281234567890' -> '+62812****890': enough to recognise, not enough to call."""
    if not phone:
        return ""
    return phone[:6] + "*" * max(len(phone) - 9, 0) + phone[-3:]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_superuser=True, is_staff=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("nomor telepon"), max_length=16, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Hanya superuser yang memakai admin Django.")
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.lower()
        self.phone = normalise_phone(self.phone)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Office(models.Model):
    class Kind(models.TextChoices):
        KOMDIGI = "komdigi", _("Komdigi")
        DISKOMINFO_PROVINSI = "diskominfo_provinsi", _("Diskominfo provinsi")
        DISKOMINFO_KABKOTA = "diskominfo_kabkota", _("Diskominfo kabupaten/kota")
        KECAMATAN = "kecamatan", _("Kantor kecamatan")
        DESA = "desa", _("Kantor desa/nagari/kelurahan")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    name = models.CharField(_("nama kantor"), max_length=200)
    unit = models.CharField(_("bidang"), max_length=200, blank=True, help_text=_("mis. Bidang IKP"))
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True, db_index=True)
    email = models.EmailField(_("e-mail kantor"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("kantor")
        verbose_name_plural = _("kantor")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "kind", "name", "unit"], name="office_unique_per_region"
            )
        ]

    def __str__(self):
        return f"{self.name} — {self.unit}" if self.unit else self.name


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now)


class RoleAssignment(models.Model):
    """A role held at a wilayah code (any level; '' = all of Indonesia) or at one KIM.

    Officials rotate: an assignment ends (ends_at) instead of being deleted, and it
    belongs to an office, not to a person's name.
    """

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    region_code = models.CharField(_("kode wilayah"), max_length=13, null=True, blank=True)
    kim = models.ForeignKey(
        "registry.Kim", null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("penugasan peran")
        verbose_name_plural = _("penugasan peran")
        indexes = [models.Index(fields=["region_code"]), models.Index(fields=["user", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(region_code__isnull=False) & Q(kim__isnull=True))
                | (Q(region_code__isnull=True) & Q(kim__isnull=False)),
                name="role_at_region_xor_kim",
            )
        ]

    def __str__(self):
        where = self.kim if self.kim_id else (self.region_code or "Indonesia")
        return f"{self.user} — {self.get_role_display()} @ {where}"

    def clean(self):
        if self.role in KIM_ROLES and not self.kim_id:
            raise ValidationError({"kim": _("Peran ini dipegang di satu KIM: pilih KIM-nya.")})
        if self.role not in KIM_ROLES and self.kim_id:
            raise ValidationError({"kim": _("Peran ini dipegang di wilayah, bukan di KIM.")})
