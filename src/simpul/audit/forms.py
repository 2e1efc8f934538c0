from django import forms
from django.utils.translation import gettext_lazy as _

from simpul.regions.models import CODE_RE


class EventFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Aksi (awalan)"),
        required=False,
        max_length=80,
        help_text=_("mis. registry.kim atau accounts"),
    )
    region = forms.RegexField(
        label=_("Kode wilayah"),
        required=False,
        max_length=13,
        regex=CODE_RE,
        error_messages={"invalid": _("Kode wilayah tidak valid, mis. 13.07.")},
    )
    actor = forms.CharField(label=_("Pelaku"), required=False, max_length=100)
    since = forms.DateField(
        label=_("Sejak tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("Tanggal akhir harus sesudah tanggal awal."))
        return data
