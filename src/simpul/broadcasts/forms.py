"""Forms of Siaran: compose (office), attachments, approval policy, cancel; the KIM's offline
relay. Forms parse and check input; writes go through services.py, whose
ValidationError({field: [...]}) is put back with `apply_errors`."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simpul.accounts import scope
from simpul.accounts.roles import SIARAN_SEND
from simpul.regions.models import Region, is_valid_code, normalise_name
from simpul.registry.forms import DateInput, RequiredMessages, apply_errors, strip_label
from simpul.registry.models import Sector

from . import queries
from .inbox_services import OFFLINE_CHANNELS
from .models import SHORT_TEXT_MAX, Channel, RelayChannel, Siaran
from .services import TARGET_KIM_STATUSES

__all__ = ["apply_errors", "strip_label"]

# Service field names -> form field names.
RENAME = {"target_regions": "wilayah_lain", "sector_ids": "sectors"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SiaranForm(RequiredMessages, forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    body = forms.CharField(
        label=_("Isi"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **tebal**, *miring*, daftar dengan tanda -, tautan [teks](url)."),
    )
    short_text = forms.CharField(
        label=_("Teks singkat (SMS)"),
        max_length=SHORT_TEXT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": SHORT_TEXT_MAX, "data-count": SHORT_TEXT_MAX}
        ),
        help_text=_("Paling banyak 160 karakter; dipakai untuk SMS, WhatsApp dan naskah radio."),
    )
    priority = forms.ChoiceField(label=_("Prioritas"), choices=Siaran.Priority.choices)
    wilayah = forms.MultipleChoiceField(
        label=_("Wilayah sasaran"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wilayah_lain = forms.CharField(
        label=_("Wilayah lain (kode atau nama)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Kecamatan atau desa/nagari yang lebih rinci, dipisah koma, mis. 13.07.07 atau "
            "Koto Bangun."
        ),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sektor sasaran"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosong = semua KIM di wilayah sasaran."),
    )
    kim_statuses = forms.MultipleChoiceField(
        label=_("Status KIM sasaran"),
        required=False,
        choices=[(s.value, s.label) for s in TARGET_KIM_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosong = aktif, kurang aktif dan vakum."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Kanal pelanggan"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosong = semua kanal yang dipilih pelanggan."),
    )
    send_at = forms.DateTimeField(
        label=_("Jadwal kirim (WIB)"),
        required=False,
        widget=DateTimeInput,
        help_text=_("Kosong = kirim segera setelah tombol Kirim ditekan."),
    )
    is_public = forms.BooleanField(
        label=_("Tampilkan di halaman publik /siaran/"), required=False, initial=True
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["wilayah"].choices = queries.target_choices(actor)
        self.fields["send_at"].error_messages["invalid"] = _(
            "Tanggal dan jam tidak valid, mis. 2026-12-01 08:00."
        )

    def _resolve(self, item):
        """A code, or a wilayah name inside the actor's scope (must be unambiguous)."""
        if is_valid_code(item):
            return item
        if any(ch.isdigit() for ch in item) and "." in item:
            raise ValidationError(
                _("Kode wilayah “%(code)s” tidak valid, mis. 13.07.07.2002."),
                params={"code": item},
            )
        rows = scope.scope_filter(
            self.actor,
            Region.objects.filter(search_name=normalise_name(item), retired=False),
            SIARAN_SEND,
            region_field="code",
        )
        found = list(rows.values_list("code", flat=True)[:5])
        if not found:
            raise ValidationError(
                _("Wilayah bernama “%(name)s” tidak ditemukan di wilayah Anda."),
                params={"name": item},
            )
        if len(found) > 1:
            raise ValidationError(
                _("Ada beberapa wilayah bernama “%(name)s” (%(codes)s): tulis kodenya."),
                params={"name": item, "codes": ", ".join(found)},
            )
        return found[0]

    def clean_wilayah_lain(self):
        items = [p.strip() for p in self.cleaned_data["wilayah_lain"].split(",") if p.strip()]
        return [self._resolve(item) for item in items]

    def clean_send_at(self):
        value = self.cleaned_data["send_at"]
        if value and value < timezone.now() - timedelta(minutes=1):
            raise ValidationError(_("Jadwal sudah lewat; kosongkan untuk kirim segera."))
        return value

    def clean(self):
        data = super().clean()
        fine = "wilayah" not in self.errors and "wilayah_lain" not in self.errors
        if fine and not (data.get("wilayah") or data.get("wilayah_lain")):
            self.add_error("wilayah", _("Pilih paling sedikit satu wilayah sasaran."))
        return data

    def service_fields(self):
        d = self.cleaned_data
        return {
            "title": d["title"],
            "body": d["body"],
            "short_text": d["short_text"],
            "priority": d["priority"],
            "target_regions": [
                "" if c == queries.WHOLE_COUNTRY else c for c in [*d["wilayah"], *d["wilayah_lain"]]
            ],
            "sector_ids": [s.pk for s in d["sectors"]],
            "kim_statuses": d["kim_statuses"],
            "channels": d["channels"],
            "send_at": d["send_at"],
            "is_public": d["is_public"],
        }

    @staticmethod
    def initial_for(siaran, choices):
        listed = {code for code, _label in choices}
        codes = [queries.WHOLE_COUNTRY if c == "" else c for c in siaran.target_regions]
        return {
            "title": siaran.title,
            "body": siaran.body,
            "short_text": siaran.short_text,
            "priority": siaran.priority,
            "wilayah": [c for c in codes if c in listed],
            "wilayah_lain": ", ".join(c for c in codes if c not in listed),
            "sectors": list(siaran.target_sectors.all()),
            "kim_statuses": siaran.target_kim_statuses,
            "channels": siaran.channels,
            "send_at": timezone.localtime(siaran.send_at) if siaran.send_at else None,
            "is_public": siaran.is_public,
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Lampiran"),
        help_text=_("PDF atau gambar (JPG, PNG, WebP), paling besar 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
    )


class CancelForm(RequiredMessages, forms.Form):
    reason = forms.CharField(
        label=_("Alasan pembatalan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan untuk penulis"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PolicyForm(forms.Form):
    requires_approval = forms.BooleanField(
        label=_("Siaran kantor ini harus disetujui orang kedua sebelum dikirim"), required=False
    )


class RelayForm(RequiredMessages, forms.Form):
    channel = forms.ChoiceField(
        label=_("Cara penyebaran"),
        choices=[(c.value, c.label) for c in OFFLINE_CHANNELS],
    )
    audience = forms.IntegerField(
        label=_("Perkiraan jumlah orang"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    relayed_on = forms.DateField(label=_("Tanggal"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("mis. musyawarah nagari di balai jorong"),
    )
    photo = forms.FileField(
        label=_("Foto (boleh kosong)"),
        required=False,
        help_text=_("JPG, PNG atau WebP, paling besar 10 MB; data lokasi dihapus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].error_messages["invalid"] = _("Tulis angka, mis. 40.")


SHARE_CHANNELS = (RelayChannel.WHATSAPP, RelayChannel.TELEGRAM, RelayChannel.FACEBOOK)
