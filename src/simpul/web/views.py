from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from simpul.accounts import scope
from simpul.accounts.roles import (
    AUDIT_VIEW,
    KIM_VIEW,
    ROLE_ASSIGN,
    SIARAN_RELAY,
    SIARAN_VIEW,
    TASKS_VIEW,
)
from simpul.newsroom import kelola_views as newsroom_kelola_views
from simpul.newsroom import moderation_queries

from . import queries
from .pagecache import public_page


@require_safe
@public_page()
def home(request):
    from simpul.newsroom import queries as warta

    return render(request, "web/home.html", {"warta": warta.home_sections()})


@require_safe
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def switch_language(request, code):
    """The ID/EN switch: plain links, so public pages carry no CSRF token and stay cacheable.
    Changing the language is harmless, so GET is fine here."""
    from django.conf import settings
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    if code not in dict(settings.LANGUAGES):
        return not_found(request)
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def not_found(request, exception=None):
    body = loader.render_to_string("404.html", request=request)
    return HttpResponseNotFound(body)


@login_required
def kelola_home(request):
    user = request.user
    context = {
        "responsibilities": queries.responsibilities(user),
        "can_audit": scope.has_capability(user, AUDIT_VIEW),
        "recent_events": (
            queries.recent_events(user) if scope.has_capability(user, AUDIT_VIEW) else []
        ),
        "can_kim": scope.has_capability(user, KIM_VIEW),
        "can_roles": scope.has_capability(user, ROLE_ASSIGN),
        "can_tasks": scope.has_capability(user, TASKS_VIEW),
        "can_warta": newsroom_kelola_views.has_warta(user),
        "can_moderate": moderation_queries.can_moderate(user)
        or moderation_queries.can_see_replies(user),
        "can_siaran": scope.has_capability(user, SIARAN_VIEW),
        "can_inbox": bool(scope.kim_ids(user, SIARAN_RELAY)),
        "failed_tasks": queries.failed_task_count()
        if scope.has_capability(user, TASKS_VIEW)
        else 0,
    }
    return render(request, "web/kelola_home.html", context)


_BASELINE = ("<!doctype html><title>baseline</title><p>" + "x" * 10_200 + "</p>").encode()


def bench_baseline(request):
    """A fixed 10 KB page through the full middleware stack: the bench harness's yardstick."""
    return HttpResponse(_BASELINE)
