"""The KIM registry: profiles, legality (SK), members, channels, rules per wilayah.

Every owned row carries `region_code` (the KIM's wilayah) and, below the KIM, `kim_id`,
so scope filters stay single-column prefix tests (DESIGN.md, tenancy).
"""

import re
import secrets
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simpul.accounts.models import public_id
from simpul.core.choices import display

from .crypto import EncryptedTextField

FULL_PREFIX = "Kelompok Informasi Masyarakat"

# Indonesia's bounding box, a little generous (Sabang to Merauke, Miangas to Rote).
LAT_RANGE = (Decimal("-11.5"), Decimal("6.5"))
LON_RANGE = (Decimal("94.5"), Decimal("141.5"))


def normalise_kim_name(name):
    """'KIM  Tujuh-Koto Talago' or the full name -> 'tujuh koto talago' (for matching)."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    text = re.sub(r"^(kelompok|komunitas) informasi masyarakat\b", "", text).strip()
    text = re.sub(r"^kim\b", "", text).strip()
    return text


def full_kim_name(name):
    """Always the full name in titles: in Sumbar "KIM" is also Kesenian Irama Minang."""
    name = re.sub(r"\s+", " ", (name or "").strip())
    rest = re.sub(
        r"^(kim|kelompok informasi masyarakat|komunitas informasi masyarakat)\b\s*",
        "",
        name,
        flags=re.IGNORECASE,
    )
    return f"{FULL_PREFIX} {rest}".strip()


class Sector(models.Model):
    """Managed list of focus sectors (seeded: pertanian, pariwisata, UMKM, ...)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("sektor")
        verbose_name_plural = _("sektor")

    def __str__(self):
        return self.name


class Kim(models.Model):
    class Status(models.TextChoices):
        PENGAJUAN = "pengajuan", _("Pengajuan")
        AKTIF = "aktif", _("Aktif")
        KURANG_AKTIF = "kurang_aktif", _("Kurang aktif")
        VAKUM = "vakum", _("Vakum")
        NONAKTIF = "nonaktif", _("Nonaktif")
        DITOLAK = "ditolak", _("Ditolak")

    PUBLIC_STATUSES = (Status.AKTIF, Status.KURANG_AKTIF, Status.VAKUM, Status.NONAKTIF)
    # Counted as "a KIM is there" on the coverage page.
    ACTIVE_STATUSES = (Status.AKTIF, Status.KURANG_AKTIF)

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    name = models.CharField(_("nama lengkap"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    slug = models.SlugField(max_length=220, unique=True)
    region_code = models.CharField(_("kode wilayah"), max_length=13, db_index=True)
    address = models.CharField(_("alamat sekretariat"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LAT_RANGE[0]), MaxValueValidator(LAT_RANGE[1])],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LON_RANGE[0]), MaxValueValidator(LON_RANGE[1])],
    )
    founded_on = models.DateField(_("tanggal berdiri"), null=True, blank=True)
    description = models.TextField(_("tentang KIM"), blank=True, max_length=2000)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="kims", verbose_name=_("sektor fokus")
    )
    kimid_id = models.CharField(_("ID KIM.id"), max_length=40, null=True, blank=True, unique=True)
    kimid_url = models.URLField(_("alamat KIM.id"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="kim/logo/", blank=True)
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=Status.choices,
        default=Status.PENGAJUAN,
        db_index=True,
    )
    get_status_display = display("status", Status.choices)
    status_note = models.TextField(_("catatan status"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from the current SK, for lists: refreshed by services on every SK change.
    legality_ends_on = models.DateField(null=True, blank=True)
    has_sk = models.BooleanField(default=False)
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("KIM")
        verbose_name_plural = _("KIM")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "normalised_name"], name="kim_unique_name_per_wilayah"
            ),
        ]
        indexes = [models.Index(fields=["region_code", "status"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Matching and the unique-name rule rely on it, however the row is created.
        self.normalised_name = normalise_kim_name(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "normalised_name"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                {"longitude": _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.")}
            )

    @property
    def is_public(self):
        return self.status in self.PUBLIC_STATUSES

    @property
    def legality(self):
        """'berlaku', 'segera_berakhir' (<= 60 days), 'berakhir', 'tanpa_sk'."""
        if not self.has_sk:
            return "tanpa_sk"
        if self.legality_ends_on is None:
            return "berlaku"
        days = (self.legality_ends_on - timezone.localdate()).days
        if days < 0:
            return "berakhir"
        return "segera_berakhir" if days <= 60 else "berlaku"

    LEGALITY_LABELS = {
        "berlaku": _("SK berlaku"),
        "segera_berakhir": _("SK segera berakhir"),
        "berakhir": _("SK berakhir"),
        "tanpa_sk": _("Belum ada SK"),
    }

    @property
    def legality_label(self):
        return self.LEGALITY_LABELS[self.legality]

    @staticmethod
    def random_suffix():
        return secrets.token_hex(2)


class Channel(models.Model):
    class Kind(models.TextChoices):
        WEBSITE = "website", _("Situs web")
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        TIKTOK = "tiktok", "TikTok"
        WHATSAPP = "whatsapp", _("Grup WhatsApp")
        TELEGRAM = "telegram", _("Kanal Telegram")
        RADIO = "radio", _("Radio komunitas")
        PAPAN = "papan", _("Papan informasi")
        BULETIN = "buletin", _("Buletin")

    kim = models.ForeignKey(Kim, on_delete=models.CASCADE, related_name="channels")
    region_code = models.CharField(max_length=13, db_index=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    get_kind_display = display("kind", Kind.choices)
    handle = models.CharField(_("akun atau alamat"), max_length=300, blank=True)
    audience = models.PositiveIntegerField(_("jumlah pengikut/anggota"), null=True, blank=True)
    last_updated_on = models.DateField(_("terakhir diperbarui"), null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("saluran media")
        verbose_name_plural = _("saluran media")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.handle}"

    @property
    def url(self):
        h = self.handle.strip()
        if h.startswith(("http://", "https://")):
            return h
        return ""


def decree_upload_to(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"kim/sk/{instance.kim.public_id}/{secrets.token_hex(8)}.{ext}"


class Decree(models.Model):
    """A Surat Keputusan (SK) for a KIM. The current SK is the one issued last."""

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    kim = models.ForeignKey(Kim, on_delete=models.CASCADE, related_name="decrees")
    region_code = models.CharField(max_length=13, db_index=True)
    number = models.CharField(_("nomor SK"), max_length=120)
    issued_on = models.DateField(_("tanggal SK"))
    signatory_office = models.CharField(
        _("kantor penandatangan"), max_length=200, help_text=_("mis. Wali Nagari Koto Tuo")
    )
    signatory_name = models.CharField(_("nama penandatangan"), max_length=150, blank=True)
    term_ends_on = models.DateField(_("masa berlaku sampai"), null=True, blank=True)
    scan = models.FileField(_("pindaian SK (PDF/JPG)"), upload_to=decree_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("SK")
        verbose_name_plural = _("SK")
        constraints = [
            models.UniqueConstraint(fields=["kim", "number"], name="decree_number_unique_per_kim")
        ]

    def __str__(self):
        return self.number

    def clean(self):
        if self.term_ends_on and self.issued_on and self.term_ends_on <= self.issued_on:
            raise ValidationError({"term_ends_on": _("Masa berlaku harus sesudah tanggal SK.")})


class DecreeReminder(models.Model):
    """One row per SK and reminder (60 or 14 days): the reminder task sends each once."""

    decree = models.ForeignKey(Decree, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decree", "days_before"], name="decree_reminder_once")
        ]

    def __str__(self):
        return f"{self.decree} -{self.days_before}d"


class Member(models.Model):
    class Position(models.TextChoices):
        KETUA = "ketua", _("Ketua")
        WAKIL_KETUA = "wakil_ketua", _("Wakil ketua")
        SEKRETARIS = "sekretaris", _("Sekretaris")
        BENDAHARA = "bendahara", _("Bendahara")
        BIDANG_PENGUMPULAN = "bidang_pengumpulan", _("Bidang pengumpulan informasi")
        BIDANG_PENGOLAHAN = "bidang_pengolahan", _("Bidang pengolahan informasi")
        BIDANG_PENYEBARAN = "bidang_penyebaran", _("Bidang penyebaran informasi")
        ANGGOTA = "anggota", _("Anggota")

    OFFICER_POSITIONS = (
        Position.KETUA,
        Position.WAKIL_KETUA,
        Position.SEKRETARIS,
        Position.BENDAHARA,
        Position.BIDANG_PENGUMPULAN,
        Position.BIDANG_PENGOLAHAN,
        Position.BIDANG_PENYEBARAN,
    )

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    kim = models.ForeignKey(Kim, on_delete=models.CASCADE, related_name="members")
    region_code = models.CharField(max_length=13, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kim_memberships",
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    position = models.CharField(
        _("jabatan"), max_length=20, choices=Position.choices, default=Position.ANGGOTA
    )
    get_position_display = display("position", Position.choices)
    started_on = models.DateField(_("mulai"), default=timezone.localdate)
    ended_on = models.DateField(_("berakhir"), null=True, blank=True)
    phone = EncryptedTextField(_("nomor telepon"), blank=True)
    consent_on = models.DateField(_("tanggal persetujuan"), null=True, blank=True)
    consent_purpose = models.CharField(_("tujuan persetujuan"), max_length=300, blank=True)
    listed_publicly = models.BooleanField(
        _("boleh ditampilkan di profil publik"),
        default=False,
        help_text=_("Hanya nama dan jabatan, dan hanya dengan persetujuan orangnya."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ended_on", "position", "full_name"]
        verbose_name = _("anggota")
        verbose_name_plural = _("anggota")
        indexes = [models.Index(fields=["kim", "ended_on"])]

    def __str__(self):
        return f"{self.full_name} ({self.get_position_display()})"

    @property
    def is_current(self):
        return self.ended_on is None or self.ended_on > timezone.localdate()

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("Tanggal berakhir harus sesudah tanggal mulai.")})
        if self.listed_publicly and not self.consent_on:
            raise ValidationError(
                {"listed_publicly": _("Catat dulu tanggal persetujuan orangnya.")}
            )


class MembershipRule(models.Model):
    """Rules per wilayah (the most specific code wins; none = settings.SIMPUL_KIM_RULES).

    They produce warnings on the KIM's page, never errors: a KIM that misses a rule still works.
    """

    region_code = models.CharField(
        _("kode wilayah"),
        max_length=13,
        unique=True,
        help_text=_("Berlaku untuk wilayah ini dan semua di bawahnya."),
    )
    required_positions = models.JSONField(_("jabatan wajib"), default=list, blank=True)
    min_members = models.PositiveSmallIntegerField(_("anggota paling sedikit"), default=3)
    max_members = models.PositiveSmallIntegerField(
        _("anggota paling banyak"), null=True, blank=True
    )
    less_active_after_days = models.PositiveSmallIntegerField(
        _("kurang aktif setelah (hari tanpa kegiatan)"), default=90
    )
    dormant_after_days = models.PositiveSmallIntegerField(
        _("vakum setelah (hari tanpa kegiatan)"), default=180
    )

    class Meta:
        verbose_name = _("aturan keanggotaan")
        verbose_name_plural = _("aturan keanggotaan")

    def __str__(self):
        return self.region_code


class EmailVerification(models.Model):
    """A link sent to the ketua of a self-registered KIM; the pengajuan waits until it is used."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kim = models.ForeignKey(Kim, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
