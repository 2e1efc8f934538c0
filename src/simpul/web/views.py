from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from simpul.accounts import scope
from simpul.accounts.roles import AUDIT_VIEW, ROLE_ASSIGN, TASKS_VIEW

from . import queries


@require_safe
@cache_control(public=True, max_age=60)
def home(request):
    return render(request, "web/home.html")


@require_safe
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
        "can_roles": scope.has_capability(user, ROLE_ASSIGN),
        "can_tasks": scope.has_capability(user, TASKS_VIEW),
        "failed_tasks": queries.failed_task_count()
        if scope.has_capability(user, TASKS_VIEW)
        else 0,
    }
    return render(request, "web/kelola_home.html", context)


_BASELINE = ("<!doctype html><title>baseline</title><p>" + "x" * 10_200 + "</p>").encode()


def bench_baseline(request):
    """A fixed 10 KB page through the full middleware stack: the bench harness's yardstick."""
    return HttpResponse(_BASELINE)
