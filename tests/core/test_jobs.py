from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from simpul.core import jobs
from simpul.core.models import PeriodicRun, WorkerHeartbeat
from simpul.core.worker import SimpulWorker

from . import tasks_for_tests as t

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail", "periodic"],
    }
}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 30


def run_one(row_id):
    """Claim and run one task the way a worker does, without the polling loop."""
    worker = SimpulWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"w-{timezone.now().timestamp()}",
        excluded_queue_names=[],
    )
    row = DBTaskResult.objects.get(pk=row_id)
    row.claim(worker.worker_id)
    worker.run_task(row)
    return DBTaskResult.objects.get(pk=row_id)


def test_failure_is_retried_with_growing_backoff_then_fails_for_good(db, db_tasks):
    result = t.always_fails.enqueue()
    before = timezone.now()
    row = run_one(result.id)
    assert row.status == TaskResultStatus.READY
    first_delay = (row.run_after - before).total_seconds()
    assert 30 <= first_delay <= 40
    assert "provider down" in row.traceback  # last error kept for the admin page

    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    row = run_one(result.id)
    assert row.status == TaskResultStatus.READY
    assert (row.run_after - timezone.now()).total_seconds() >= 55  # 2 x base

    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    row = run_one(result.id)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3
    assert list(jobs.failed_tasks()) == [row]


def test_permanent_failure_is_not_retried(db, db_tasks):
    row = run_one(t.bad_input.enqueue().id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "simpul.core.jobs.PermanentFailure"


def test_retry_later_honours_the_given_delay(db, db_tasks):
    before = timezone.now()
    row = run_one(t.rate_limited.enqueue().id)
    assert row.status == TaskResultStatus.READY
    assert 7 <= (row.run_after - before).total_seconds() < 9


def test_success_is_recorded(db, db_tasks):
    row = run_one(t.noop.enqueue().id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "ok"


def _running(worker_id, started_minutes_ago, attempts=1):
    result = t.noop.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=[f"old-{i}" for i in range(attempts - 1)] + [worker_id],
    )
    return result.id


def test_sweeper_requeues_tasks_of_dead_workers_only(db, db_tasks, settings):
    settings.TASK_STALE_AFTER_SECONDS = 120
    WorkerHeartbeat.objects.create(worker_id="alive", last_seen=timezone.now())
    WorkerHeartbeat.objects.create(
        worker_id="dead", last_seen=timezone.now() - timedelta(minutes=10)
    )
    alive = _running("alive", 30)
    dead = _running("dead", 30)
    vanished = _running("never-beat", 30)
    fresh = _running("dead", 0)  # just started: give it time
    exhausted = _running("dead", 30, attempts=3)

    requeued, failed = jobs.sweep()
    assert (requeued, failed) == (2, 1)
    status = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert status[alive] == status[fresh] == TaskResultStatus.RUNNING
    assert status[dead] == status[vanished] == TaskResultStatus.READY
    assert status[exhausted] == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=exhausted).exception_class_path == jobs.WORKER_LOST
    assert jobs.sweep() == (0, 0)  # idempotent


def test_periodic_task_enqueued_once_per_slot(db, db_tasks, monkeypatch):
    monkeypatch.setattr(jobs, "PERIODIC", [(t.noop, 3600)])
    now = timezone.now()
    assert jobs.enqueue_due(now=now) == ["tests.core.tasks_for_tests.noop"]
    assert jobs.enqueue_due(now=now) == []  # a second worker in the same slot does nothing
    assert DBTaskResult.objects.filter(task_path__endswith="noop").count() == 1
    assert jobs.enqueue_due(now=now + timedelta(hours=1)) != []
    assert PeriodicRun.objects.count() == 2


@pytest.mark.parametrize(
    "persona,status",
    [("nasional", 200), ("admin_sumbar", 404), ("pembina_limapuluhkota", 404), ("warga", 404)],
)
def test_failed_tasks_page_is_for_national_admins(request, login, db, db_tasks, persona, status):
    row = run_one(t.bad_input.enqueue().id)
    c = login(request.getfixturevalue(persona))
    r = c.get("/kelola/tugas/")
    assert r.status_code == status
    if status == 200:
        assert "bad_input" in r.content.decode()
    r = c.post(f"/kelola/tugas/{row.pk}/ulang/")
    row.refresh_from_db()
    if status == 200:
        assert r.status_code == 302 and row.status == TaskResultStatus.READY
    else:
        assert r.status_code == 404 and row.status == TaskResultStatus.FAILED


def test_failed_tasks_page_needs_login(client, db):
    r = client.get("/kelola/tugas/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/masuk/")
