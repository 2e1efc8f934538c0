"""Siaran e-mail throughput: the delivery engine vs a bare Django `send_messages` loop, both
to the same local aiosmtpd sink, in the same run.

    python bench/email_bench.py                        # 5,000 messages; 1 worker on SQLite,
                                                       # 1 and 2 workers on PostgreSQL
    python bench/email_bench.py --messages 500 --smoke # CI: small, fails only on errors
    SIMPUL_BENCH_PG=postgres://postgres@127.0.0.1:5432/simpul python bench/email_bench.py

The sink runs in its own process (it only counts), so neither side shares a GIL with it.
Baseline: one SMTP connection, `connection.send_messages(messages)` over messages built
like the engine's (plain text + HTML, List-Unsubscribe headers, Message-ID). Engine: real
`simpul worker` processes on a fresh database, a siaran with N queued e-mail dispatches,
`delivery.start()`; timed from start() until the sink has N messages. Reported per worker
as a ratio to the baseline. Also compares DELIVERY_FLUSH=1 (duplicate bound 1) with the
default 10, which is what decided the default.
"""

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


# --- the sink (own process) -----------------------------------------------------------


def _sink(port, counter, ready):
    import asyncio

    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(10**6))
    finally:
        controller.stop()


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.port = free_port()
        self.counter = multiprocessing.Value("l", 0)
        ready = multiprocessing.Event()
        self.proc = multiprocessing.Process(
            target=_sink, args=(self.port, self.counter, ready), daemon=True
        )
        self.proc.start()
        ready.wait(10)

    @property
    def count(self):
        return self.counter.value

    def reset(self):
        with self.counter.get_lock():
            self.counter.value = 0

    def wait(self, n, timeout):
        deadline = time.time() + timeout
        while self.count < n and time.time() < deadline:
            time.sleep(0.005)
        return self.count >= n

    def stop(self):
        self.proc.terminate()
        self.proc.join(5)


# --- baseline -------------------------------------------------------------------------


def _messages(first, count):
    from django.core.mail import EmailMultiAlternatives

    body = "Puskesmas membuka Cek Kesehatan Gratis untuk semua warga. Bawa KTP.\n" * 3
    messages = []
    for i in range(first, first + count):
        m = EmailMultiAlternatives(
            subject="Cek Kesehatan Gratis",
            body=body,
            to=[f"warga{i}@contoh.id"],
            headers={
                "Message-ID": f"<siaran-1-{i}@127.0.0.1>",
                "List-Unsubscribe": f"<http://127.0.0.1:8000/langganan/berhenti/t{i}/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        m.attach_alternative(f"<p>{body}</p>", "text/html")
        messages.append(m)
    return messages


def _send_loop(messages):
    from django.core.mail import get_connection

    connection = get_connection()
    connection.open()
    connection.send_messages(messages)
    connection.close()


def _loop_process(first, count, go):
    messages = _messages(first, count)
    go.wait(60)
    _send_loop(messages)


def baseline(sink, n, loops=1):
    """messages/s of `loops` bare send_messages loops, each in its own process with its own
    SMTP connection, sending n in all (1 loop: in this process)."""
    os.environ["SIMPUL_EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
    os.environ.setdefault("SIMPUL_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
    import django

    django.setup()
    sink.reset()
    if loops == 1:
        messages = _messages(0, n)
        began = time.perf_counter()
        _send_loop(messages)
    else:
        go = multiprocessing.Event()
        share = n // loops
        procs = [
            multiprocessing.Process(
                target=_loop_process,
                args=(i * share, n - share * (loops - 1) if i == loops - 1 else share, go),
            )
            for i in range(loops)
        ]
        for p in procs:
            p.start()
        time.sleep(1.0)  # every loop has built its messages
        began = time.perf_counter()
        go.set()
        for p in procs:
            p.join(120)
    assert sink.wait(n, 60), f"sink got {sink.count} of {n}"
    return n / (time.perf_counter() - began)


# --- the engine with real workers ---------------------------------------------------------


def seed(n, warm):
    """Called inside `simpul shell`: a small warm-up siaran and the measured one, each with
    queued e-mail dispatches; prints both ids."""
    from tests.broadcasts.crash_support import seed as make

    # Not marked fanned out: the workers' periodic sweep would start them before we do.
    make(warm, start=False, domain="pemanasan.contoh.id", fanned_out=False)
    make(n, start=False, fanned_out=False)


def start(siaran_id):
    from django.utils import timezone

    from simpul.broadcasts import delivery
    from simpul.broadcasts.models import Siaran

    print(time.time())
    Siaran.objects.filter(pk=siaran_id).update(fanned_out_at=timezone.now())
    delivery.start(siaran_id)


def engine(sink, n, *, workers, database_url, flush, data_dir):
    env = {
        **os.environ,
        "SIMPUL_DATA_DIR": str(data_dir),
        "SIMPUL_DATABASE_URL": database_url,
        "SIMPUL_DEBUG": "1",
        "SIMPUL_TESTING": "0",
        "SIMPUL_TASKS_IMMEDIATE": "0",
        "SIMPUL_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "SIMPUL_DELIVERY_CHAINS": str(workers),
        "SIMPUL_DELIVERY_FLUSH": str(flush),
        "SIMPUL_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
    }

    def simpul(*args):
        return subprocess.run(
            [sys.executable, "-m", "simpul", *args],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        ).stdout

    simpul("migrate", "-v", "0")
    warm = 50 * workers
    warm_id, siaran_id = simpul(
        "shell", "-c", f"import bench.email_bench as b; b.seed({n}, {warm})"
    ).split()[-2:]
    cmd = [sys.executable, "-m", "simpul", "worker", "--interval", "0.05", "--no-startup-delay"]
    procs = [
        subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(workers)
    ]
    try:
        # Warm-up: a long-lived worker has loaded its code and URLconf before a siaran comes.
        time.sleep(1.0)
        sink.reset()
        simpul("shell", "-c", f"import bench.email_bench as b; b.start({warm_id})")
        if not sink.wait(warm, 120):
            raise SystemExit(f"warm-up: sink got {sink.count} of {warm}")
        time.sleep(1.0)
        sink.reset()
        began = float(
            simpul("shell", "-c", f"import bench.email_bench as b; b.start({siaran_id})").split()[
                -1
            ]
        )
        ok = sink.wait(n, 600)
        elapsed = time.time() - began
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(30)
    if not ok:
        raise SystemExit(f"engine: sink got {sink.count} of {n}")
    extra = sink.count - n
    return n / elapsed, extra


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument(
        "--pg",
        default=os.environ.get("SIMPUL_BENCH_PG", "postgres://postgres@127.0.0.1:5432/simpul"),
        help="PostgreSQL server for the 2-worker run (a throwaway database is made on it)",
    )
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument(
        "--runs",
        default="sqlite:1:10,sqlite:1:1,postgresql:1:10,postgresql:1:1,postgresql:2:10",
        help="database:workers:flush, comma-separated",
    )
    args = parser.parse_args()
    n = 300 if args.smoke else args.messages

    from bench.scratch_db import create_pg_database, drop_pg_database

    sink = Sink()
    rows = []
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    try:
        base = baseline(sink, n)
        print(f"baseline send_messages loop: {base:,.0f} messages/s ({n} messages)")
        with tempfile.TemporaryDirectory() as tmp:
            runs = [
                (db, int(w), int(f)) for db, w, f in (r.split(":") for r in args.runs.split(","))
            ]
            if args.no_pg:
                runs = [r for r in runs if r[0] != "postgresql"]
            for db, workers, flush in runs:
                data_dir = Path(tmp) / f"{db}-{workers}-{flush}"
                data_dir.mkdir()
                name = None
                if db == "sqlite":
                    url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
                else:
                    url, name = create_pg_database(args.pg, "emailbench")
                try:
                    rate, extra = engine(
                        sink, n, workers=workers, database_url=url, flush=flush, data_dir=data_dir
                    )
                finally:
                    if name:
                        drop_pg_database(args.pg, name)
                # A loaded machine drifts: compare with a baseline taken right after.
                after = baseline(sink, n)
                ref = (base + after) / 2
                base = after
                per_worker = rate / workers
                rows.append((db, workers, flush, rate, per_worker, per_worker / ref, extra))
                print(
                    f"engine {db:10} workers={workers} flush={flush:2}: {rate:7,.0f} messages/s, "
                    f"{per_worker:6,.0f}/worker = {per_worker / ref:.2f} x baseline "
                    f"({ref:,.0f}/s, taken before and after)"
                    + (f" ({extra} extra)" if extra else "")
                )
                if workers > 1:
                    # The same number of bare loops at once, on the same sink and cores: what
                    # this machine can do with that much concurrency, per loop.
                    loops = baseline(sink, n, loops=workers)
                    print(
                        f"  {workers} bare loops at once: {loops:7,.0f} messages/s, "
                        f"{loops / workers:6,.0f}/loop; engine per worker = "
                        f"{rate / loops:.2f} x a bare loop running beside another"
                    )
    finally:
        sink.stop()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
