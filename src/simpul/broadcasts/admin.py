"""Django admin (superusers only) for provider credentials and subscribers.

Subscribers' addresses are personal data: never in list views, masked on the detail page.
Provider credentials are write-only here: a blank field keeps what is stored.
"""

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from simpul.accounts.models import mask_phone

from .models import Channel, ProviderConfig, Subscriber


class ProviderConfigForm(forms.ModelForm):
    base_url = forms.URLField(label=_("URL API"), required=False, assume_scheme="https")
    new_credentials = forms.CharField(
        label=_("kredensial baru (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Kosongkan untuk mempertahankan kredensial yang tersimpan."),
    )

    class Meta:
        model = ProviderConfig
        fields = ["region_code", "channel", "enabled", "base_url", "rate_per_second"]

    def clean_new_credentials(self):
        raw = self.cleaned_data["new_credentials"].strip()
        if raw:
            try:
                if not isinstance(json.loads(raw), dict):
                    raise ValueError
            except ValueError:
                raise forms.ValidationError(_('Harus objek JSON, mis. {"token": "..."}.')) from None
        return raw

    def save(self, commit=True):
        obj = super().save(commit=False)
        if self.cleaned_data.get("new_credentials"):
            obj.credentials = self.cleaned_data["new_credentials"]
        if commit:
            obj.save()
        return obj


@admin.register(ProviderConfig)
class ProviderConfigAdmin(admin.ModelAdmin):
    form = ProviderConfigForm
    list_display = [
        "channel",
        "region_code",
        "enabled",
        "base_url",
        "rate_per_second",
        "updated_at",
    ]
    list_filter = ["channel", "enabled"]
    readonly_fields = ["stored_keys"]

    @admin.display(description=_("kunci tersimpan"))
    def stored_keys(self, obj):
        try:
            return ", ".join(sorted(json.loads(obj.credentials or "{}"))) or "—"
        except ValueError:
            return "—"


def masked(sub):
    address = sub.address or ""
    if sub.channel in (Channel.SMS, Channel.WHATSAPP):
        return mask_phone(address)
    if sub.channel == Channel.EMAIL and "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    if sub.channel == Channel.WEBPUSH:
        return _("(langganan peramban)")
    return address[:3] + "***" if address else "—"


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["public_id", "channel", "region_code", "status", "kim", "created_at"]
    list_filter = ["channel", "status"]
    search_fields = ["public_id", "region_code"]
    fields = [
        "public_id",
        "masked_address",
        "channel",
        "region_code",
        "all_topics",
        "topics",
        "kim",
        "status",
        "language",
        "consent_at",
        "confirmed_at",
        "ended_at",
        "end_reason",
    ]
    readonly_fields = ["public_id", "masked_address", "channel", "consent_at", "confirmed_at"]
    raw_id_fields = ["kim"]

    @admin.display(description=_("alamat"))
    def masked_address(self, obj):
        return masked(obj)

    def has_add_permission(self, request):
        return False  # citizens subscribe themselves (double opt-in)
