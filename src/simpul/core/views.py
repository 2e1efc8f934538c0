from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.roles import TASKS_VIEW

from . import jobs


@login_required
def task_list(request):
    scope.require(request.user, TASKS_VIEW)
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
    page = Paginator(jobs.failed_tasks(), 30).get_page(request.GET.get("page"))
    return render(request, "core/task_list.html", {"page": page, "counts": counts})


@login_required
@require_POST
def task_retry(request, task_id):
    scope.require(request.user, TASKS_VIEW)
    try:
        row = jobs.failed_tasks().get(pk=task_id)
    except (DBTaskResult.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    jobs.retry_now(row)
    audit.record(
        actor=request.user,
        action="core.task.retried",
        object_type="task",
        object_id=str(row.pk),
        data={"task": row.task_path},
    )
    messages.success(request, _("Tugas dijadwalkan ulang."))
    return redirect("kelola:tasks")
