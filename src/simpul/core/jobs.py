"""What django-tasks-db leaves to us: retries with backoff, a sweeper for tasks left
running by a dead worker, and periodic tasks enqueued once per time slot.

A task is retried by putting its own row back to READY with a later `run_after`, so the
number of attempts is the number of worker ids that claimed it. After
`TASK_MAX_ATTEMPTS` the row stays FAILED and shows up in /kelola/tugas/.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import PeriodicRun, WorkerHeartbeat

logger = logging.getLogger("simpul.jobs")

WORKER_LOST = "simpul.core.jobs.WorkerLost"


class RetryLater(Exception):
    """Raise from a task to be retried after `seconds` (e.g. a provider's Retry-After)."""

    def __init__(self, message="", *, seconds=None):
        super().__init__(message)
        self.seconds = seconds


class PermanentFailure(Exception):
    """Raise from a task when retrying cannot help (bad input); it fails at once."""


def attempts(db_result):
    return len(db_result.worker_ids or [])


def backoff_seconds(attempt):
    """Exponential backoff with jitter: base, 2*base, 4*base ... capped at six hours."""
    base = settings.TASK_RETRY_BASE_SECONDS
    delay = min(base * (2 ** max(attempt - 1, 0)), 6 * 3600)
    return delay + random.uniform(0, delay * 0.1)


def after_failure(db_result, exc):
    """Decide, after a task raised `exc`, whether it runs again. Returns True if re-queued."""
    if isinstance(exc, PermanentFailure | KeyboardInterrupt | SystemExit):
        return False
    done = attempts(db_result)
    if done >= settings.TASK_MAX_ATTEMPTS:
        logger.warning("task %s failed for good after %s attempts", db_result.id, done)
        return False
    seconds = getattr(exc, "seconds", None)
    delay = seconds if seconds is not None else backoff_seconds(done)
    requeue(db_result, run_after=timezone.now() + timedelta(seconds=delay))
    logger.info("task %s re-queued in %.0f s (attempt %s)", db_result.id, delay, done)
    return True


def requeue(db_result, *, run_after=None):
    db_result.status = TaskResultStatus.READY
    db_result.run_after = run_after or get_date_max()
    db_result.finished_at = None
    db_result.save(update_fields=["status", "run_after", "finished_at"])


def retry_now(db_result):
    """A person asked for one more attempt of a task that failed for good."""
    with transaction.atomic():
        db_result.worker_ids = (db_result.worker_ids or [])[-1:]
        db_result.status = TaskResultStatus.READY
        db_result.run_after = get_date_max()
        db_result.finished_at = None
        db_result.save(update_fields=["worker_ids", "status", "run_after", "finished_at"])


def heartbeat(worker_id, *, hostname="", pid=0):
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"last_seen": now, "hostname": hostname, "pid": pid}
        )


def sweep(*, now=None, dead_after=None):
    """Re-queue RUNNING tasks whose worker stopped beating; give up after max attempts.

    Returns (requeued, failed) counts. Safe to run from several workers at once: each
    row is changed with a conditional UPDATE on its status.
    """
    now = now or timezone.now()
    dead_after = dead_after or settings.TASK_STALE_AFTER_SECONDS
    cutoff = now - timedelta(seconds=dead_after)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = failed = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff).iterator():
        owner = (row.worker_ids or [None])[-1]
        if owner in alive:
            continue
        rows = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
        if attempts(row) >= settings.TASK_MAX_ATTEMPTS:
            failed += rows.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"Worker {owner} stopped while running this task.",
            )
        else:
            requeued += rows.update(status=TaskResultStatus.READY, run_after=now, finished_at=None)
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    if requeued or failed:
        logger.warning("sweeper: %s task(s) re-queued, %s given up", requeued, failed)
    return requeued, failed


# Periodic tasks: (task, every_seconds). Apps register theirs in AppConfig.ready().
PERIODIC = []


def register_periodic(task, *, every):
    PERIODIC.append((task, int(every)))


def enqueue_due(*, now=None):
    """Enqueue each periodic task once per slot; returns the names enqueued."""
    now = now or timezone.now()
    done = []
    for task, every in PERIODIC:
        slot = int(now.timestamp()) // every
        name = f"{task.module_path}"
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=name, slot=slot)
                task.enqueue()
        except IntegrityError:
            continue
        done.append(name)
    PeriodicRun.objects.filter(enqueued_at__lt=now - timedelta(days=7)).delete()
    return done


def failed_tasks():
    return DBTaskResult.objects.failed().order_by("-finished_at")
