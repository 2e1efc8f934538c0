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
from simpul.regions.models import Region

from . import scope, services, throttle
from .forms import LoginForm, QueuedPasswordResetForm, TokenForm, throttled_message
from .roles import KIM_ROLES, Role


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
        audit.record(
            actor=form.user, action="accounts.user.logged_in", obj=form.user, region_code=""
        )
        if scope.needs_two_factor(form.user):
            if services.has_confirmed_totp(form.user):
                return redirect(_with_next("accounts:two_factor_verify", request))
            return redirect(_with_next("accounts:two_factor_enrol", request))
        return redirect(_next_url(request))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


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
                _(
                    "Kode salah atau kedaluwarsa. Periksa jam ponsel Anda, "
                    "lalu masukkan kode yang baru."
                ),
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
                audit.record(
                    actor=user,
                    action="accounts.user.verified_2fa",
                    obj=user,
                    region_code="",
                    data={"device": device.__class__.__name__},
                )
                return redirect(_next_url(request))
            throttle.failed(("otp", user.pk))
            form.add_error("token", _("Kode salah atau kedaluwarsa. Coba kode yang baru."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
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


@login_required
def role_list(request):
    """People and their roles inside the actor's scope; give a role or end one."""
    from django.core.paginator import Paginator

    from .forms import AssignRoleForm
    from .queries import assignments_visible_to, offices_visible_to
    from .roles import ASSIGNABLE, ROLE_ASSIGN

    actor = request.user
    scope.require(actor, ROLE_ASSIGN)
    assignable = sorted(
        {
            r
            for g in scope.grants(actor)
            for r in ASSIGNABLE.get(g.role, ())
            if g.region_code is not None
        }
        | (set(ASSIGNABLE[Role.NASIONAL]) if actor.is_superuser else set()),
        key=list(Role).index,
    )
    form = AssignRoleForm(
        request.POST or None,
        actor=actor,
        roles=[Role(r) for r in assignable if r not in KIM_ROLES],
        offices=offices_visible_to(actor),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assignment, created = services.person_assign(
                actor=actor,
                email=d["email"],
                full_name=d["full_name"],
                role=d["role"],
                region_code=d["region_code"],
                office=d["office"],
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except services.NotAllowed:
            form.add_error(
                "role",
                _(
                    "Orang ini sudah memegang peran itu di wilayah itu, "
                    "atau Anda tidak boleh memberikannya."
                ),
            )
        else:
            messages.success(
                request,
                (
                    _("Undangan dikirim ke %(email)s.")
                    if created
                    else _("Peran diberikan kepada %(email)s.")
                )
                % {"email": d["email"]},
            )
            return redirect("kelola:roles")
    rows = assignments_visible_to(
        actor, role=request.GET.get("peran", ""), q=request.GET.get("q", "").strip()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    regions = Region.objects.in_bulk([a.region_code for a in page if a.region_code])
    for a in page:
        region = regions.get(a.region_code)
        a.region_label = region.label if region else a.region_code
        a.can_end = services.may_hand_out(actor, a.role, region_code=a.region_code, kim=a.kim)
    return render(request, "accounts/role_list.html", {"form": form, "page": page})


@login_required
@require_POST
def role_end(request, public_id):
    from .queries import assignment_for
    from .roles import ROLE_ASSIGN

    scope.require(request.user, ROLE_ASSIGN)
    assignment = assignment_for(request.user, public_id)
    if assignment.user_id == request.user.pk:
        messages.error(request, _("Anda tidak dapat mengakhiri peran Anda sendiri."))
    elif not services.may_hand_out(
        request.user, assignment.role, region_code=assignment.region_code, kim=assignment.kim
    ):
        messages.error(
            request,
            _("Peran %(role)s hanya bisa diakhiri oleh yang boleh memberikannya.")
            % {"role": assignment.get_role_display()},
        )
    else:
        services.role_end(actor=request.user, assignment=assignment)
        messages.success(
            request,
            _("Peran %(role)s untuk %(name)s diakhiri.")
            % {"role": assignment.get_role_display(), "name": assignment.user.full_name},
        )
    return redirect("kelola:roles")
