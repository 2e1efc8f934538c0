"""A real worker process is killed with SIGKILL mid-task; a second worker's sweeper
re-queues the task and finishes it. Nothing is lost and it runs to completion once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_db(tmp_path):
    """A database other processes can open: a SQLite file, or a fresh PostgreSQL database."""
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        name = f"simpul_crash_{uuid.uuid4().hex[:8]}"
        dsn = dict(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"] or "postgres",
            password=db["PASSWORD"] or None,
        )
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        auth = dsn["user"] + (f":{dsn['password']}" if dsn["password"] else "")
        yield f"postgres://{auth}@{dsn['host']}:{dsn['port']}/{name}"
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"


def simpul(env, *args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "simpul", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def worker_env(tmp_path, database_url, **extra):
    """The environment of a real worker process on a scratch database (tasks queued, not run
    in-process; a task left running by a dead worker is re-queued after 2 s)."""
    return {
        **os.environ,
        "SIMPUL_DATA_DIR": str(tmp_path / "data"),
        "SIMPUL_DATABASE_URL": database_url,
        "SIMPUL_DEBUG": "1",
        "SIMPUL_TESTING": "0",
        "SIMPUL_TASKS_IMMEDIATE": "0",
        "SIMPUL_TASK_STALE_AFTER_SECONDS": "2",
        "SIMPUL_WORKER_HOUSEKEEPING_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def start_worker(env):
    """`simpul worker` in its own process group (so os.killpg can SIGKILL all of it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "simpul", "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sigkill_mid_task_loses_nothing(tmp_path, scratch_db):
    env = worker_env(tmp_path, scratch_db)
    simpul(env, "migrate", "-v", "0")
    marker = tmp_path / "marker.txt"
    out = simpul(
        env,
        "shell",
        "-c",
        "from tests.core.tasks_for_tests import slow_marker; "
        f"print(slow_marker.enqueue(path={str(marker)!r}, seconds=3).id)",
    )
    task_id = out.stdout.strip().splitlines()[-1]

    first = start_worker(env)
    second = None
    try:
        assert wait_for(lambda: marker.exists() and "start" in marker.read_text(), 30)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert marker.read_text() == "start\n"  # killed before it could finish

        second = start_worker(env)
        assert wait_for(lambda: "done" in marker.read_text(), 60), marker.read_text()
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=15)

    assert marker.read_text() == "start\nstart\ndone\n"
    out = simpul(
        env,
        "shell",
        "-c",
        "from django_tasks_db.models import DBTaskResult; "
        f"r = DBTaskResult.objects.get(pk={task_id!r}); print(r.status, len(r.worker_ids))",
    )
    assert out.stdout.split()[-2:] == ["SUCCESSFUL", "2"]
