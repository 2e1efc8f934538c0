import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from simpul import audit

from . import scope, services, throttle
from .forms import LoginForm, QueuedPasswordResetForm, TokenForm, throttled_message


def _next_url(request, default="kelola:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(url_name, request):
    target = request.POST.get("next") or request.GET.get("next")
    url = reverse(url_name)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": target})
    return url


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)
        audit.record(actor=form.user, action="accounts.user.logged_in", obj=form.user,
                     region_code="")  # fmt: skip
        if scope.needs_two_factor(form.user):
            if services.has_confirmed_totp(form.user):
                return redirect(_with_next("accounts:two_factor_verify", request))
            return redirect(_with_next("accounts:two_factor_enrol", request))
        return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout(request):
    return auth_views.LogoutView.as_view(next_page=reverse_lazy("web:home"))(request)


@login_required
@never_cache
def two_factor_enrol(request):
    user = request.user
    if services.has_confirmed_totp(user) and not request.session.get("backup_codes"):
        return redirect("accounts:two_factor")
    device = services.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttle.retry_after(("otp", user.pk))
        if wait:
            form.add_error("token", throttled_message(wait))
        elif device.verify_token(form.cleaned_data["token"]):
            codes = services.confirm_totp(actor=user, device=device)
            otp_login(request, device)
            throttle.reset(("otp", user.pk))
            request.session["backup_codes"] = codes
            return redirect(_with_next("accounts:backup_codes", request))
        else:
            throttle.failed(("otp", user.pk))
            form.add_error(
                "token",
                _("Kode salah atau kedaluwarsa. Periksa jam ponsel Anda, lalu masukkan kode yang baru."),
            )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, dark="#000", light="#fff"),
        "secret": services.base32_secret(device),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
@never_cache
def backup_codes(request):
    codes = request.session.pop("backup_codes", None)
    if not codes:
        return redirect("accounts:two_factor")
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@login_required
@never_cache
def two_factor_verify(request):
    user = request.user
    if not services.has_confirmed_totp(user):
        return redirect(_with_next("accounts:two_factor_enrol", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttle.retry_after(("otp", user.pk))
        if wait:
            form.add_error("token", throttled_message(wait))
        else:
            device = match_token(user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                throttle.reset(("otp", user.pk))
                audit.record(actor=user, action="accounts.user.verified_2fa", obj=user,
                             region_code="", data={"device": device.__class__.__name__})  # fmt: skip
                return redirect(_next_url(request))
            throttle.failed(("otp", user.pk))
            form.add_error("token", _("Kode salah atau kedaluwarsa. Coba kode yang baru."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@never_cache
def two_factor(request):
    user = request.user
    if request.method == "POST":
        if not (services.has_confirmed_totp(user) and user.is_verified()):
            return redirect("accounts:two_factor_verify")
        request.session["backup_codes"] = services.new_backup_codes(actor=user)
        messages.success(request, _("Kode cadangan baru dibuat. Kode lama tidak berlaku lagi."))
        return redirect("accounts:backup_codes")
    context = {
        "enrolled": services.has_confirmed_totp(user),
        "backup_left": services.backup_codes_left(user),
        "required": scope.needs_two_factor(user),
    }
    return render(request, "accounts/two_factor.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
