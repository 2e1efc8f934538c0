from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from simpul.core.tasks import send_email

from . import throttle


def throttled_message(seconds):
    minutes = max(1, (seconds + 59) // 60)
    at = timezone.localtime(timezone.now() + timezone.timedelta(seconds=seconds))
    return ngettext(
        "Terlalu banyak percobaan yang gagal. Coba lagi dalam %(minutes)d menit "
        "(sekitar pukul %(time)s WIB).",
        "Terlalu banyak percobaan yang gagal. Coba lagi dalam %(minutes)d menit "
        "(sekitar pukul %(time)s WIB).",
        minutes,
    ) % {"minutes": minutes, "time": time_format(at, "H:i")}


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": _("E-mail wajib diisi."),
            "invalid": _("E-mail tidak valid, mis. nama@contoh.id."),
        },
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Kata sandi wajib diisi.")},
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        keys = [("email", email), ("ip", throttle.client_ip(self.request))]
        wait = throttle.retry_after(*keys)
        if wait:
            raise forms.ValidationError(throttled_message(wait), code="throttled")
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            throttle.failed(*keys)
            raise forms.ValidationError(
                _("E-mail atau kata sandi salah. Periksa lagi, atau atur ulang kata sandi."),
                code="invalid_login",
            )
        throttle.reset(("email", email))
        self.user = user
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Kode"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Kode wajib diisi.")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").replace("-", "").strip()


class QueuedPasswordResetForm(PasswordResetForm):
    """Renders the reset e-mail now and sends it from the worker, after the request commits."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):  # fmt: skip
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(
            lambda: send_email.enqueue(subject=subject, body=body, to=[to_email])
        )
