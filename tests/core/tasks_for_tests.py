"""Tasks used by the worker tests (importable by a worker subprocess as tests.core...)."""

import time
from pathlib import Path

from django_tasks import task

from simpul.core.jobs import PermanentFailure, RetryLater


@task()
def always_fails():
    raise RuntimeError("provider down")


@task()
def bad_input():
    raise PermanentFailure("no such recipient")


@task()
def rate_limited():
    raise RetryLater("429", seconds=7)


@task()
def noop():
    return "ok"


@task()
def slow_marker(path, seconds):
    """Appends 'start' then, after `seconds`, 'done' to a file: counts executions."""
    marker = Path(path)
    with marker.open("a") as f:
        f.write("start\n")
    time.sleep(seconds)
    with marker.open("a") as f:
        f.write("done\n")
    return "done"
