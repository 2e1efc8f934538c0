"""Forms of the Warta back office. They only parse input; services.py validates again and its
ValidationError({field: [...]}) is put back on the form (registry.forms.apply_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from simpul.registry.forms import DateInput, RequiredMessages
from simpul.registry.models import Sector

from .images import ALT_MAX
from .models import SUMMARY_MAX_CHARS, Adinda, ArticleImage


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ArticleForm(RequiredMessages, forms.Form):
    kim = forms.ChoiceField(label=_("KIM"), choices=())
    title = forms.CharField(label=_("Judul"), max_length=200)
    summary = forms.CharField(
        label=_("Ringkasan"),
        max_length=SUMMARY_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SUMMARY_MAX_CHARS}),
        help_text=_(
            "Paling banyak 160 karakter; dipakai untuk SMS dan pratinjau di WhatsApp. "
            "Kosongkan agar diambil dari awal isi berita."
        ),
    )
    body_source = forms.CharField(
        label=_("Isi berita"),
        widget=forms.Textarea(attrs={"rows": 16}),
        strip=False,
        help_text=_(
            "Tulis dengan Markdown: ## Subjudul, **tebal**, *miring*, - daftar, "
            "[teks tautan](https://alamat), dan foto yang sudah diunggah: "
            "![keterangan](/media/...)."
        ),
    )
    cover = forms.ModelChoiceField(
        label=_("Gambar sampul"),
        queryset=ArticleImage.objects.none(),
        required=False,
        empty_label=_("— tanpa gambar sampul —"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sektor"), queryset=Sector.objects.all(), required=False, empty_label="—"
    )
    adinda = forms.ChoiceField(
        label=_("Tag ADINDA"), choices=Adinda.choices, initial=Adinda.DISEMINASI
    )
    region_code = forms.ChoiceField(label=_("Wilayah berita"), choices=())
    tags = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=300,
        help_text=_("Pisahkan dengan koma, mis. panen, pupuk organik"),
    )
    event_date = forms.DateField(label=_("Tanggal peristiwa"), required=False, widget=DateInput)

    def __init__(self, *args, kims=(), region_choices=(), images=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kims = {k.slug: k for k in kims}
        if len(self.kims) > 1:
            self.fields["kim"].choices = [(k.slug, k.name) for k in kims]
        else:
            del self.fields["kim"]
        self.fields["region_code"].choices = list(region_choices)
        if images is None:
            del self.fields["cover"]
        else:
            self.fields["cover"].queryset = images
            self.fields["cover"].label_from_instance = lambda img: img.alt

    def chosen_kim(self):
        if "kim" in self.fields:
            return self.kims[self.cleaned_data["kim"]]
        return next(iter(self.kims.values()))

    def service_fields(self):
        d = self.cleaned_data
        fields = {
            k: d.get(k)
            for k in (
                "title",
                "summary",
                "body_source",
                "sector",
                "adinda",
                "region_code",
                "tags",
                "event_date",
            )
        }
        if "cover" in self.fields:
            fields["cover"] = d.get("cover")
        return fields


class ImageForm(RequiredMessages, forms.Form):
    upload = forms.FileField(
        label=_("Foto"),
        help_text=_("JPEG, PNG atau WebP, paling besar 10 MB. Lokasi GPS dan data kamera dihapus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(
        label=_("Teks alternatif"),
        max_length=ALT_MAX,
        help_text=_("Jelaskan isi foto untuk pembaca tunanetra, mis. Petani memanen padi."),
    )
    caption = forms.CharField(label=_("Keterangan foto"), max_length=300, required=False)


class PublishForm(forms.Form):
    checked_5w1h = forms.BooleanField(
        label=_("5W1H lengkap: apa, siapa, kapan, di mana, mengapa, bagaimana"), required=False
    )
    checked_consent = forms.BooleanField(
        label=_("Ada izin dari orang yang dapat dikenali, dan dari wali untuk anak di bawah umur"),
        required=False,
    )
    checked_sources = forms.BooleanField(label=_("Sumber informasi disebutkan"), required=False)
    publish_at = forms.DateTimeField(
        label=_("Jadwal terbit (WIB)"),
        required=False,
        widget=DateTimeInput,
        help_text=_("Kosongkan untuk terbit sekarang."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].error_messages["invalid"] = _(
            "Tanggal dan jam tidak valid, mis. 2025-08-17 08:00."
        )


class NoteForm(RequiredMessages, forms.Form):
    note = forms.CharField(
        label=_("Catatan untuk penulis"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class UnpublishForm(RequiredMessages, forms.Form):
    reason = forms.CharField(
        label=_("Alasan menurunkan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(RequiredMessages, forms.Form):
    note = forms.CharField(
        label=_("Catatan koreksi (tampil untuk publik)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body_source = forms.CharField(
        label=_("Isi yang sudah dikoreksi (opsional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class OfficialTextForm(RequiredMessages, forms.Form):
    region_code = forms.ChoiceField(label=_("Wilayah kantor"), choices=())
    title = forms.CharField(label=_("Judul"), max_length=200)
    body = forms.CharField(
        label=_("Isi teks resmi"), strip=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    source_url = forms.URLField(
        label=_("Alamat sumber"), required=False, assume_scheme="https", max_length=200
    )

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(region_choices)
