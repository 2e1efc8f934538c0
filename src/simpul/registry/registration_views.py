"""Public self-registration of a KIM (/daftar-kim/) and the e-mail confirmation link.

Works without JavaScript: step 1 finds the wilayah (by name, server-side, or by code),
step 2 is the form. Anti-spam: CSRF, a honeypot field and a per-IP limit in the shared
cache (simpul.accounts.throttle), which also slows e-mail enumeration through the
"already registered" error.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from simpul.accounts import throttle
from simpul.regions import queries as region_queries

from . import services
from .forms import CONSENT_PURPOSE, RegionSearchForm, RegistrationForm, apply_errors

# LIMIT_FACTOR has no entry for this kind: LOGIN_MAX_FAILURES (5) per LOGIN_WINDOW (15 min).
THROTTLE_KIND = "register-ip"
SESSION_KEY = "simpul_registration"


def throttled_message(seconds):
    return throttle.try_again(seconds, _("Terlalu banyak pendaftaran dari jaringan ini."))


def _region_or_error(code):
    """(region, None) for a wilayah a KIM may sit in, else (None, message)."""
    try:
        return services.check_region(code), None
    except ValidationError as exc:
        return None, exc.message_dict["region_code"][0]


def _villages(q):
    """Desa/nagari/kelurahan whose name matches: radio buttons in step 1."""
    return [r for r in region_queries.search(q, limit=200) if r.level == 4][:50]


def _render_step1(request, search, *, results=None, code_error="", status=200):
    return render(
        request,
        "registry/registration/search.html",
        {"search": search, "results": results, "code_error": code_error},
        status=status,
    )


def _render_form(request, form, region, status=200):
    return render(
        request,
        "registry/registration/form.html",
        {"form": form, "region": region},
        status=status,
    )


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register(request):
    if request.method == "POST":
        return _register_post(request)
    search = RegionSearchForm(request.GET or None)
    code = request.GET.get("wilayah", "").strip()
    if code:
        region, error = _region_or_error(code)
        if region is None:
            return _render_step1(request, search, code_error=error)
        form = RegistrationForm(initial={"region_code": region.code})
        return _render_form(request, form, region)
    q = request.GET.get("q", "").strip()[:100]
    results = _villages(q) if q else None
    return _render_step1(request, search, results=results)


def _register_post(request):
    ip = throttle.client_ip(request)
    key = (THROTTLE_KIND, ip)
    form = RegistrationForm(request.POST)
    region, error = _region_or_error(request.POST.get("region_code", "").strip())
    if region is None:
        return _render_step1(request, RegionSearchForm(), code_error=error, status=400)
    wait = throttle.retry_after(key)
    if wait:
        form.is_valid()
        form.add_error(None, throttled_message(wait))
        return _render_form(request, form, region, status=429)
    if form.is_spam:
        # Count it and say nothing useful to the robot; a person sees which box to empty.
        throttle.failed(key)
        form.is_valid()
        form.add_error(
            None,
            _(
                "Pendaftaran tidak dapat diproses. Kosongkan kolom “Jangan isi kolom ini”, "
                "lalu kirim lagi."
            ),
        )
        return _render_form(request, form, region, status=400)
    if not form.is_valid():
        # Typos do not count towards the limit: nothing was attempted yet.
        return _render_form(request, form, region)
    throttle.failed(key)  # every real attempt counts, successful or not
    d = form.cleaned_data
    try:
        kim, user = services.kim_self_register(
            name=d["name"],
            region_code=region.code,
            ketua_name=d["ketua_name"],
            ketua_email=d["ketua_email"],
            password=d["password1"],
            ketua_phone=d["ketua_phone"],
            consent_purpose=str(CONSENT_PURPOSE),
            sectors=list(d["sectors"]),
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ValidationError as exc:
        apply_errors(form, exc, rename={"password": "password1", "region_code": None})
        return _render_form(request, form, region)
    request.session[SESSION_KEY] = {"kim": kim.name, "email": user.email}
    return redirect("registration:sent")


@require_safe
@never_cache
def sent(request):
    data = request.session.get(SESSION_KEY)
    if not data:
        return redirect("registration:start")
    return render(request, "registry/registration/sent.html", data)


@require_safe
@never_cache
def confirm(request, token):
    kim = services.registration_confirm(token=token[:100])
    if kim is None:
        return render(request, "registry/registration/bad_link.html", status=404)
    request.session.pop(SESSION_KEY, None)
    return render(request, "registry/registration/confirmed.html", {"kim": kim})
