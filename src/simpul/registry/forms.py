"""Forms of the KIM registry: the back office (/kelola/kim/) and public self-registration.

Forms only parse and check input; every write goes through services.py, whose
ValidationError({field: [...]}) is put back on the form by `apply_errors`.
"""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simpul.accounts import scope
from simpul.accounts.models import User, normalise_phone
from simpul.regions.models import is_valid_code

from .models import LAT_RANGE, LON_RANGE, Channel, Kim, Member, Sector

CONSENT_PURPOSE = _("Data saya dipakai untuk pembinaan KIM oleh Diskominfo")
REQUIRED = _("Wajib diisi.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RequiredMessages:
    """One short, Indonesian 'required' message; the template puts the field's label before it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("Tanggal tidak valid, mis. 17-08-2024.")


def apply_errors(form, exc, *, rename=None, default_field=None):
    """Put a service's ValidationError on the form: on the named field when the form has it,
    otherwise as a form-wide error. `rename` maps service field names to form field names."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = rename.get(field, field)
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(default_field if default_field in form.fields else None, message)


def strip_label(message, label):
    """Upload checks start their message with the field's label; the template adds it again."""
    prefix = f"{label}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _clean_code(value):
    code = (value or "").strip()
    if code and not is_valid_code(code):
        raise ValidationError(_("Kode wilayah tidak valid, mis. 13.07.07.2002."))
    return code


# --- the list ---------------------------------------------------------------------


class KimFilterForm(forms.Form):
    q = forms.CharField(label=_("Nama KIM"), required=False, max_length=100)
    wilayah = forms.CharField(
        label=_("Kode wilayah"),
        required=False,
        max_length=13,
        help_text=_("mis. 13.07 (kabupaten) atau 13.07.07 (kecamatan)"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua kecuali ditolak"))] + list(Kim.Status.choices),
    )
    legalitas = forms.ChoiceField(
        label=_("Legalitas"),
        required=False,
        choices=[("", _("Semua"))] + [(k, v) for k, v in Kim.LEGALITY_LABELS.items()],
    )

    def clean_wilayah(self):
        return _clean_code(self.cleaned_data["wilayah"])


# --- the KIM's profile ------------------------------------------------------------


class KimForm(RequiredMessages, forms.Form):
    """Create (pembina/admin) or edit (pengurus/pembina) a KIM's profile."""

    name = forms.CharField(
        label=_("Nama KIM"),
        max_length=200,
        help_text=_("mis. KIM Tujuh Koto Talago; disimpan dengan nama lengkapnya."),
    )
    region_code = forms.CharField(
        label=_("Kode wilayah"),
        max_length=13,
        help_text=_("Kode desa/nagari/kelurahan atau kecamatan, mis. 13.07.07.2002."),
    )
    address = forms.CharField(label=_("Alamat sekretariat"), max_length=300, required=False)
    founded_on = forms.DateField(label=_("Tanggal berdiri"), required=False, widget=DateInput)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sektor fokus"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    latitude = forms.DecimalField(
        label=_("Lintang"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=LAT_RANGE[0],
        max_value=LAT_RANGE[1],
        help_text=_("mis. -0.123456 (di selatan khatulistiwa bernilai negatif)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Bujur"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=LON_RANGE[0],
        max_value=LON_RANGE[1],
        help_text=_("mis. 100.654321"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    kimid_id = forms.CharField(label=_("ID KIM.id"), max_length=40, required=False)
    kimid_url = forms.URLField(
        label=_("Alamat KIM.id"),
        required=False,
        assume_scheme="https",
        help_text=_("mis. https://contoh.kim.id"),
    )
    description = forms.CharField(
        label=_("Tentang KIM"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, actor, region_capability=None, **kwargs):
        """`region_capability`: the capability needed at the chosen wilayah; None hides the
        field (a pengurus cannot move their KIM)."""
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.region_capability = region_capability
        if region_capability is None:
            del self.fields["region_code"]

    def clean_region_code(self):
        code = _clean_code(self.cleaned_data["region_code"])
        if code and not scope.can(self.actor, self.region_capability, region_code=code):
            raise ValidationError(_("Wilayah ini di luar tanggung jawab Anda."))
        return code

    def clean_kimid_id(self):
        return self.cleaned_data["kimid_id"].strip() or None

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        both_parsed = "latitude" not in self.errors and "longitude" not in self.errors
        if both_parsed and (lat is None) != (lon is None):
            self.add_error(
                "longitude", _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.")
            )
        return data

    def profile_fields(self):
        d = self.cleaned_data
        return {
            k: d[k]
            for k in (
                "name",
                "address",
                "founded_on",
                "latitude",
                "longitude",
                "kimid_id",
                "kimid_url",
                "description",
            )
        }

    @staticmethod
    def initial_for(kim):
        return {
            "name": kim.name,
            "region_code": kim.region_code,
            "address": kim.address,
            "founded_on": kim.founded_on,
            "sectors": list(kim.sectors.all()),
            "latitude": kim.latitude,
            "longitude": kim.longitude,
            "kimid_id": kim.kimid_id or "",
            "kimid_url": kim.kimid_url,
            "description": kim.description,
        }


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("JPG, PNG atau WebP, paling besar 5 MB; diperkecil otomatis."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].error_messages["required"] = _("Pilih berkas gambar logo.")


# --- verification and status ------------------------------------------------------


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan untuk pengurus (boleh kosong)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label=_("Yang perlu diperbaiki"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tulis apa yang perlu diperbaiki.")},
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Alasan penolakan wajib diisi.")},
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Kim.Status.NONAKTIF, _("Nonaktif")), (Kim.Status.AKTIF, _("Aktif"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Alasan"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- SK ------------------------------------------------------------------------------


class DecreeForm(RequiredMessages, forms.Form):
    number = forms.CharField(label=_("Nomor SK"), max_length=120)
    issued_on = forms.DateField(label=_("Tanggal SK"), widget=DateInput)
    signatory_office = forms.CharField(
        label=_("Kantor penandatangan"),
        max_length=200,
        help_text=_("mis. Wali Nagari Koto Tuo"),
    )
    signatory_name = forms.CharField(label=_("Nama penandatangan"), max_length=150)
    term_ends_on = forms.DateField(
        label=_("Masa berlaku sampai"),
        required=False,
        widget=DateInput,
        help_text=_("Kosongkan jika SK tidak menyebut batas waktu."),
    )
    scan = forms.FileField(
        label=_("Pindaian SK"),
        required=False,
        help_text=_("PDF, JPG atau PNG, paling besar 10 MB. Foto disimpan tanpa data lokasi."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean(self):
        data = super().clean()
        issued, ends = data.get("issued_on"), data.get("term_ends_on")
        if issued and ends and ends <= issued:
            self.add_error("term_ends_on", _("Masa berlaku harus sesudah tanggal SK."))
        return data


# --- members --------------------------------------------------------------------------


class MemberForm(RequiredMessages, forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    position = forms.ChoiceField(label=_("Jabatan"), choices=Member.Position.choices)
    started_on = forms.DateField(label=_("Mulai"), widget=DateInput)
    ended_on = forms.DateField(
        label=_("Berakhir"),
        required=False,
        widget=DateInput,
        help_text=_("Kosongkan selama masih menjabat."),
    )
    phone = forms.CharField(
        label=_("Nomor telepon"),
        max_length=20,
        required=False,
        help_text=_("mis. 0812 3456 7890; hanya pengurus KIM ini dan pembinanya yang melihatnya."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent_on = forms.DateField(
        label=_("Tanggal persetujuan"),
        required=False,
        widget=DateInput,
        help_text=_("Tanggal orangnya setuju datanya dicatat (UU 27/2022 PDP)."),
    )
    consent_purpose = forms.CharField(label=_("Tujuan persetujuan"), max_length=300, required=False)
    listed_publicly = forms.BooleanField(
        label=_("Nama dan jabatan boleh ditampilkan di profil publik"),
        required=False,
        help_text=_("Hanya dengan persetujuan orangnya."),
    )
    user_email = forms.EmailField(
        label=_("E-mail akun Simpul (boleh kosong)"),
        required=False,
        help_text=_(
            "Hubungkan dengan akun yang sudah ada: orangnya bisa masuk sebagai pengurus "
            "atau anggota KIM ini."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate
        self.fields["consent_purpose"].initial = CONSENT_PURPOSE

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return normalise_phone(raw) if raw else ""

    def clean_user_email(self):
        email = self.cleaned_data["user_email"].strip().lower()
        if not email:
            return None
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(
                _("Tidak ada akun dengan e-mail ini. Kosongkan, atau minta orangnya mendaftar.")
            )
        return user

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("Tanggal berakhir harus sesudah tanggal mulai."))
        needs_consent = data.get("phone") or data.get("listed_publicly")
        if needs_consent and not data.get("consent_on") and "consent_on" not in self.errors:
            self.add_error(
                "consent_on",
                _("Catat tanggal persetujuan sebelum menyimpan nomor telepon atau nama publik."),
            )
        if needs_consent and not (data.get("consent_purpose") or "").strip():
            self.add_error("consent_purpose", _("Tulis untuk apa datanya dipakai."))
        return data

    def member_fields(self):
        d = self.cleaned_data
        return {
            "full_name": d["full_name"].strip(),
            "position": d["position"],
            "started_on": d["started_on"],
            "ended_on": d["ended_on"],
            "phone": d["phone"],
            "consent_on": d["consent_on"],
            "consent_purpose": (d["consent_purpose"] or "").strip(),
            "listed_publicly": d["listed_publicly"],
            "user": d["user_email"],
        }

    @staticmethod
    def initial_for(member, *, show_phone):
        return {
            "full_name": member.full_name,
            "position": member.position,
            "started_on": member.started_on,
            "ended_on": member.ended_on,
            "phone": member.phone if show_phone else "",
            "consent_on": member.consent_on,
            "consent_purpose": member.consent_purpose,
            "listed_publicly": member.listed_publicly,
            "user_email": member.user.email if member.user else "",
        }


class MemberEndForm(RequiredMessages, forms.Form):
    ended_on = forms.DateField(label=_("Tanggal berakhir"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate


class HandOverForm(forms.Form):
    to_member = forms.ChoiceField(
        label=_("Ketua baru"),
        error_messages={
            "required": _("Pilih anggota yang menjadi ketua baru."),
            "invalid_choice": _("Pilih anggota KIM ini yang masih aktif."),
        },
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_member"].choices = [("", "—")] + [
            (m.public_id, f"{m.full_name} ({m.get_position_display()})")
            for m in members
            if m.position != Member.Position.KETUA
        ]


# --- channels ---------------------------------------------------------------------------


class ChannelForm(RequiredMessages, forms.Form):
    kind = forms.ChoiceField(label=_("Jenis saluran"), choices=Channel.Kind.choices)
    handle = forms.CharField(
        label=_("Akun atau alamat"),
        max_length=300,
        required=False,
        help_text=_("mis. https://facebook.com/kimtujuhkoto atau 'Papan di depan kantor wali'"),
    )
    audience = forms.IntegerField(
        label=_("Jumlah pengikut/anggota"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    last_updated_on = forms.DateField(
        label=_("Terakhir diperbarui"), required=False, widget=DateInput
    )


# --- public self-registration ---------------------------------------------------------


class RegionSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nama desa, nagari atau kelurahan"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("mis. Koto Bangun"), "type": "search"}),
    )


class RegistrationForm(RequiredMessages, forms.Form):
    region_code = forms.CharField(widget=forms.HiddenInput, max_length=13)
    name = forms.CharField(
        label=_("Nama KIM"), max_length=200, help_text=_("mis. KIM Tujuh Koto Talago")
    )
    ketua_name = forms.CharField(label=_("Nama lengkap ketua"), max_length=150)
    ketua_email = forms.EmailField(
        label=_("E-mail ketua"),
        help_text=_("Kami kirim tautan konfirmasi ke alamat ini."),
        error_messages={"invalid": _("E-mail tidak valid, mis. nama@contoh.id.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        help_text=_("Paling sedikit 10 karakter; jangan mirip nama atau e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    ketua_phone = forms.CharField(
        label=_("Nomor telepon ketua (boleh kosong)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sektor fokus"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(label=CONSENT_PURPOSE)
    # Honeypot: hidden by CSS; people leave it empty, form-filling robots do not.
    alamat_web = forms.CharField(
        label=_("Jangan isi kolom ini"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].error_messages["required"] = _(
            "Centang persetujuan agar data Anda boleh dipakai untuk pembinaan KIM."
        )

    @property
    def is_spam(self):
        return bool(self.data.get("alamat_web", "").strip())

    def clean_ketua_phone(self):
        raw = self.cleaned_data["ketua_phone"].strip()
        return normalise_phone(raw) if raw else ""

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            # Checked here too, so a weak password is a quick fix rather than a spent attempt.
            probe = User(email=data.get("ketua_email") or "", full_name=data.get("ketua_name", ""))
            try:
                validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
