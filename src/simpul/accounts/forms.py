from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from simpul.core.tasks import send_email
from simpul.regions.models import Region, is_valid_code

from . import scope, throttle
from .models import User
from .roles import ROLE_ASSIGN, ROLE_LEVEL, Role


def throttled_message(seconds):
    return throttle.try_again(seconds, _("Terlalu banyak percobaan yang gagal."))


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
        label=_("Kode verifikasi"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Kode verifikasi wajib diisi.")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").replace("-", "").strip()


class QueuedPasswordResetForm(PasswordResetForm):
    """Renders the reset e-mail now and sends it from the worker, after the request commits."""

    def get_users(self, email):
        # Unlike Django's form, invited people (no password yet) may ask for a new link.
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to_email]))


LEVEL_NAMES = {1: _("provinsi"), 2: _("kabupaten/kota")}


class AssignRoleForm(forms.Form):
    """Give a person (new or existing, by e-mail) a role at a wilayah inside the actor's scope."""

    email = forms.EmailField(
        label=_("E-mail"),
        error_messages={
            "required": _("E-mail wajib diisi."),
            "invalid": _("E-mail tidak valid, mis. nama@contoh.id."),
        },
    )
    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        required=False,
        help_text=_("Wajib untuk orang yang belum punya akun."),
    )
    role = forms.ChoiceField(
        label=_("Peran"),
        error_messages={
            "required": _("Pilih peran."),
            "invalid_choice": _("Anda tidak boleh memberikan peran ini."),
        },
    )
    region_code = forms.CharField(
        label=_("Kode wilayah"),
        max_length=13,
        required=False,
        help_text=_("mis. 13.07 untuk Kabupaten Lima Puluh Kota"),
    )
    office = forms.ModelChoiceField(label=_("Kantor"), queryset=None, required=False)

    def __init__(self, *args, actor, roles, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].choices = [("", "—")] + [(r.value, r.label) for r in roles]
        self.fields["office"].queryset = offices

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        if code == "":
            return code
        if not is_valid_code(code):
            raise forms.ValidationError(_("Kode wilayah tidak valid, mis. 13.07 atau 13.07.07."))
        if not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Wilayah dengan kode ini tidak ada."))
        if not any(scope.code_in(code, p) for p in scope.region_prefixes(self.actor, ROLE_ASSIGN)):
            raise forms.ValidationError(_("Wilayah ini di luar tanggung jawab Anda."))
        return code

    def clean(self):
        data = super().clean()
        role, code = data.get("role"), data.get("region_code")
        if role and code is not None and "region_code" not in self.errors:
            level = 0 if code == "" else code.count(".") + 1
            if role == Role.NASIONAL and code != "":
                self.add_error(
                    "region_code",
                    _("Peran nasional berlaku untuk seluruh Indonesia: kosongkan kode wilayah."),
                )
            elif role != Role.NASIONAL and code == "":
                self.add_error("region_code", _("Kode wilayah wajib diisi untuk peran ini."))
            elif role in ROLE_LEVEL and level != ROLE_LEVEL[role]:
                self.add_error(
                    "region_code",
                    _("Peran ini dipegang di tingkat %(level)s.")
                    % {"level": LEVEL_NAMES.get(ROLE_LEVEL[role], "")},
                )
            elif role == Role.OPERATOR_WILAYAH and level < 3:
                self.add_error(
                    "region_code", _("Operator wilayah dipegang di kecamatan atau desa.")
                )
        email = data.get("email")
        new_person = email and not User.objects.filter(email__iexact=email).exists()
        if new_person and not data.get("full_name"):
            self.add_error(
                "full_name", _("Nama lengkap wajib diisi untuk orang yang belum punya akun.")
            )
        return data
