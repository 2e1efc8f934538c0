"""The filter forms of public lists (KIM directory, articles, search) share their wilayah
code and sector fields, and the articles' date range: one definition, one error message."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from simpul.regions.models import is_valid_code


class WilayahSectorFilter(forms.Form):
    """`wilayah` (a Kemendagri code, checked) and `sektor` (choices given by the view)."""

    wilayah = forms.CharField(
        label=gettext_lazy("Kode wilayah"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("mis. 13.07 untuk Kabupaten Lima Puluh Kota"),
    )
    sektor = forms.ChoiceField(label=gettext_lazy("Sektor"), required=False)

    def __init__(self, data, *, sectors):
        super().__init__(data)
        self.fields["sektor"].choices = [("", _("Semua sektor")), *sectors]
        self.fields["wilayah"].widget.attrs.update(inputmode="decimal", autocomplete="off")

    def clean_wilayah(self):
        code = self.cleaned_data["wilayah"].strip()
        if code and not is_valid_code(code):
            raise forms.ValidationError(
                _(
                    "Kode wilayah “%(code)s” tidak sah. Tulis kode Kemendagri seperti 13.07 "
                    "(kabupaten/kota) atau 13.07.07.2002 (desa/nagari/kelurahan)."
                ),
                params={"code": code},
            )
        return code


class PublishedBetweenFilter(WilayahSectorFilter):
    """Adds `dari` and `sampai` (publication dates, as date pickers), in order."""

    dari = forms.DateField(
        label=gettext_lazy("Terbit sejak"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sampai = forms.DateField(
        label=gettext_lazy("Terbit sampai"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("dari"), data.get("sampai")
        if since and until and since > until:
            self.add_error(
                "sampai", _("Tanggal “Terbit sampai” harus sama atau sesudah “Terbit sejak”.")
            )
        return data
