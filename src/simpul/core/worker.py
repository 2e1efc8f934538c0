"""`simpul worker`: django-tasks-db's worker plus retries, heartbeat, sweeper, periodic tasks."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import close_old_connections, connection
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker

from . import jobs

logger = logging.getLogger("simpul.worker")


class SimpulWorker(Worker):
    def run(self):
        self.housekeeping_every = float(settings.WORKER_HOUSEKEEPING_SECONDS)
        stop = threading.Event()
        thread = threading.Thread(target=self._housekeeping, args=(stop,), daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            stop.set()

    def _housekeeping(self, stop):
        hostname, pid = socket.gethostname(), os.getpid()
        while not stop.is_set():
            try:
                close_old_connections()
                jobs.heartbeat(self.worker_id, hostname=hostname, pid=pid)
                jobs.sweep()
                jobs.enqueue_due()
            except Exception:  # a housekeeping hiccup must never stop the worker
                logger.exception("worker housekeeping failed; trying again")
            finally:
                connection.close()
            stop.wait(self.housekeeping_every)

    def run_task(self, db_task_result):
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except BaseException as exc:
            db_task_result.set_failed(exc)
            try:
                requeued = jobs.after_failure(db_task_result, exc)
            except Exception:
                logger.exception("could not re-queue task %s", db_task_result.id)
                requeued = False
            if not requeued:
                try:
                    sender = type(db_task_result.task.get_backend())
                    task_finished.send(sender=sender, task_result=db_task_result.task_result)
                except (ImportError, SuspiciousOperation):
                    logger.exception("task %s failed unexpectedly", db_task_result.id)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
        finally:
            self.running_task = False
            self._run_tasks += 1
