"""Simpul bench harness: the production server under load, compared with a bare baseline.

Starts granian (WSGI, 2 workers, 4 blocking threads) with production settings on a free
loopback port, prepares its own database, and drives each scenario with `wrk` (or a built-in
asyncio load generator when wrk is missing). Every scenario is reported as a ratio to the
baseline page measured in the same run, so the figures compare across machines.

    python bench/run.py            # full: 10 s per scenario, 16 connections
    python bench/run.py --smoke    # CI: about a second per scenario, fails only on errors

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import contextlib
import datetime
import fcntl
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the harness only ever loads loopback


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    min_ratio: float | None = None  # of baseline req/s; None = not checked
    status: int = 200
    # A path that depends on the data (an article's slug): Python run in `simpul shell`
    # right before measuring that prints "PATH=<path>" ("PATH=" when the data is absent);
    # the path replaces `path`. Without data the scenario is reported as not run, and fails no run.
    resolve: str | None = None
    max_p99_ms: float | None = None  # None = not checked; only with the page cache on
    min_ratio_uncached: float | None = None  # the target under --no-page-cache, if other


# The newest published article, as the public sees it (/berita/<slug>/).
NEWEST_ARTICLE = (
    "from simpul.newsroom.models import Article\n"
    "a = Article.objects.filter(status='published').order_by('-published_at', '-pk')"
    ".values_list('slug', flat=True).first()\n"
    "print('PATH=' + (f'/berita/{a}/' if a else ''))"
)


# Later issues add scenarios here. The first entry is the yardstick for every ratio.
SCENARIOS = [
    Scenario("baseline", "/_bench/baseline/"),
    Scenario("wilayah-provinsi", "/wilayah/13/", 0.3),
    Scenario("wilayah-kecamatan", "/wilayah/13.07.07/", 0.3),
    Scenario("kim-wilayah", "/kim/?wilayah=13.07", 0.25),
    # Warta: the newest article (>= 0.7 x and p99 <= 100 ms with the page cache warm,
    # >= 0.15 x with --no-page-cache) and a two-word search (not checked: see search_bench).
    Scenario(
        "berita",
        "/berita/<terbaru>/",
        0.7,
        resolve=NEWEST_ARTICLE,
        max_p99_ms=100,
        min_ratio_uncached=0.15,
    ),
    Scenario("cari", "/cari/?q=panen+padi"),
]
BASELINE = SCENARIOS[0].name

# Hard caps so that no request loop can run away, whatever the options say.
MAX_DURATION = 300.0
MAX_REQUESTS = 5_000_000
REQUEST_TIMEOUT = 10.0


@dataclass
class Measurement:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    error_detail: str = ""


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float | None
    min_ratio: float | None
    ok: bool
    note: str = ""


class BenchError(Exception):
    """Setup failed (server did not start, a command failed): always a failed run."""


# --- options -------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny run for CI; fails only on errors")
    p.add_argument(
        "--duration", type=float, help="seconds per scenario (full 10, smoke 1; wrk: whole seconds)"
    )
    p.add_argument("--warmup", type=float, help="warm-up seconds per scenario (full 2, smoke 0.3)")
    p.add_argument("--connections", type=int, help="concurrent connections (full 16, smoke 4)")
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="TEXT",
        help="run only scenarios whose name or path contains TEXT (repeatable); "
        "the baseline always runs",
    )
    p.add_argument("--json", type=Path, help="results file (default: <data dir>/results.json)")
    p.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the server log and cache in the data dir after a successful run",
    )
    p.add_argument(
        "--fresh", action="store_true", help="delete the data dir first (empty SQLite database)"
    )
    p.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every request (SIMPUL_PAGE_CACHE=0): the cost of a cache miss",
    )
    p.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk if on PATH, else the built-in one)",
    )
    args = p.parse_args(argv)
    args.duration = args.duration if args.duration is not None else (1.0 if args.smoke else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.smoke else 2.0)
    args.connections = args.connections or (4 if args.smoke else 16)
    if not 0 < args.duration <= MAX_DURATION:
        p.error(f"--duration must be between 0 and {MAX_DURATION:.0f} seconds")
    if not 0 <= args.warmup <= MAX_DURATION:
        p.error(f"--warmup must be between 0 and {MAX_DURATION:.0f} seconds")
    if not 1 <= args.connections <= 256:
        p.error("--connections must be between 1 and 256")
    return args


def select_scenarios(filters):
    if not filters:
        return list(SCENARIOS)
    chosen = [s for s in SCENARIOS if any(f in s.name or f in s.path for f in filters)]
    if not any(s.name != BASELINE for s in chosen):
        names = ", ".join(s.name for s in SCENARIOS)
        raise SystemExit(f"bench: no scenario matches {filters}; known: {names}")
    # Ratios need the baseline of the same run.
    return [SCENARIOS[0]] + [s for s in chosen if s.name != BASELINE]


# --- environment, preparation, server ------------------------------------------------------


def server_env(data_dir):
    """Production settings for the server and the `simpul` commands the harness runs."""
    # Drop the developer's SIMPUL_* settings (DEBUG, DEMO, REDIS...) so runs are comparable;
    # only the database URL is honoured, to bench PostgreSQL.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMPUL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="simpul.settings",
        PYTHONUNBUFFERED="1",
        SIMPUL_DATA_DIR=str(data_dir),
        SIMPUL_DEBUG="0",
        SIMPUL_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        SIMPUL_ALLOWED_HOSTS=HOST,
        SIMPUL_EMAIL_URL="console://",
        SIMPUL_BENCH_BASELINE="1",
        SIMPUL_SECURE_COOKIES="0",
    )
    if os.environ.get("SIMPUL_DATABASE_URL"):
        env["SIMPUL_DATABASE_URL"] = os.environ["SIMPUL_DATABASE_URL"]
    env["SIMPUL_FIELD_KEY"] = field_key(data_dir)
    return env


def field_key(data_dir):
    """A Fernet key for encrypted fields, kept with the data it encrypts (unlike SECRET_KEY,
    a new one per run would make earlier bench rows unreadable)."""
    path = Path(data_dir) / "field_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def describe_database(env):
    url = env.get("SIMPUL_DATABASE_URL")
    if not url:
        return "sqlite", str(Path(env["SIMPUL_DATA_DIR"]) / "simpul.sqlite3")
    # Never print a password that may be in the URL.
    vendor = "postgresql" if url.startswith("postg") else url.split(":", 1)[0]
    return vendor, re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


def simpul(env, *args, timeout=600):
    """Run one `simpul` management command; its output is shown only when it fails."""
    cmd = [sys.executable, "-m", "simpul", *args]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`simpul {' '.join(args)}` took longer than {timeout} s") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        raise BenchError(f"`simpul {' '.join(args)}` failed ({proc.returncode}):\n{tail}")
    return proc.stdout.strip(), time.monotonic() - started


def prepare(env, log):
    def step(*args):
        out, seconds = simpul(env, *args)
        log(f"  simpul {' '.join(args[:2])}: {seconds:.1f} s" + (f"  ({out})" if out else ""))

    # collectstatic does not touch the database: run it beside migrate to save a second.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        static = pool.submit(step, "collectstatic", "--noinput", "-v", "0")
        try:
            step("migrate", "--no-input", "-v", "0")
        except BenchError as exc:
            # Usually a database migrated from migration files that have changed since.
            raise BenchError(
                f"{exc}\nIf the bench database is stale: --fresh (SQLite) or drop and "
                "create the PostgreSQL database again."
            ) from exc
        step("regions", "load", "--no-progress")
        static.result()


@contextlib.contextmanager
def exclusive(path, timeout=600):
    """One run per data dir: two runs would share the database and skew each other."""
    with open(path, "w") as f:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"bench: {path} is still locked by another run") from None
                print(f"bench: another run holds {path}; waiting", file=sys.stderr, flush=True)
                time.sleep(5)
        yield  # closing the file releases the lock


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """granian exactly as in production, in its own process group so it can always be stopped."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.proc = None
        self.log_file = None

    def start(self, timeout=30.0):
        cmd = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "simpul.wsgi:application",
            "--host", HOST, "--port", str(self.port), "--workers", "2",
            "--blocking-threads", "4", "--no-ws", "--log-level", "warning",
        ]  # fmt: skip
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _ = http_get(self.port, "/sehat/", timeout=2)
                if status == 200:
                    return
                last = f"HTTP {status}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        raise BenchError(
            f"/sehat/ did not answer 200 in {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            # granian forks its workers: signal the whole group, then make sure.
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc is not None:
            # Workers may outlive the master by a moment; the group must be empty.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.log_file:
            self.log_file.close()
            self.log_file = None


def http_get(port, path, timeout=REQUEST_TIMEOUT):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# --- load generators -----------------------------------------------------------------------


# Counts non-200 answers (wrk's own count misses 3xx) and prints exact percentiles.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= %(status)d then bad = bad + 1 end end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  local e = summary.errors
  io.write(string.format("BENCH requests=%%d us=%%d bad=%%d connect=%%d read=%%d "
    .. "write=%%d timeout=%%d p50=%%d p99=%%d\\n",
    summary.requests, summary.duration, bad_total, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

_WRK_LINE = re.compile(r"^BENCH (.*)$", re.M)


def run_wrk(port, scenario, duration, connections):
    threads = min(2, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % {"status": scenario.status})
        script = f.name
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
        "--timeout", f"{REQUEST_TIMEOUT:.0f}s", "--latency", "-s", script,
        f"http://{HOST}:{port}{scenario.path}",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    finally:
        os.unlink(script)
    match = _WRK_LINE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return parse_wrk(proc.stdout)


def parse_wrk(output):
    """Figures from the BENCH line our Lua script writes; --latency text is the fallback."""
    fields = dict(kv.split("=") for kv in _WRK_LINE.search(output).group(1).split())
    n = {k: int(v) for k, v in fields.items()}
    socket_errors = n["connect"] + n["read"] + n["write"] + n["timeout"]
    seconds = n["us"] / 1e6
    detail = []
    if n["bad"]:
        detail.append(f"{n['bad']} non-200")
    if socket_errors:
        detail.append(
            f"socket errors: connect {n['connect']}, read {n['read']}, "
            f"write {n['write']}, timeout {n['timeout']}"
        )
    return Measurement(
        requests=n["requests"],
        errors=n["bad"] + socket_errors,
        seconds=seconds,
        rps=n["requests"] / seconds if seconds else 0.0,
        p50_ms=n["p50"] / 1000,
        p99_ms=n["p99"] / 1000,
        error_detail="; ".join(detail),
    )


class _Stats:
    def __init__(self):
        self.latencies = []
        self.errors = 0
        self.bad_status = {}
        self.last_error = ""


async def _read_body(reader, head):
    """Consume one response body (Content-Length or chunked); return keep-alive."""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    if lines[0].split(" ", 2)[1] in ("204", "304"):
        pass  # no body, whatever the headers say
    elif "chunked" in headers.get("transfer-encoding", ""):
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # body ends with the connection
        return False
    return headers.get("connection") != "close" and lines[0].startswith("HTTP/1.1")


async def _connection(port, path, expected, deadline, stats, budget):
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "User-Agent: simpul-bench\r\nAccept: */*\r\n\r\n"
    ).encode()
    writer = None
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    if writer is None:
                        reader, writer = await asyncio.open_connection(HOST, port)
                    started = time.perf_counter()
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    keep_alive = await _read_body(reader, head)
                    elapsed = time.perf_counter() - started
            except (
                OSError,
                TimeoutError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
            ) as exc:
                stats.errors += 1
                stats.last_error = f"{type(exc).__name__}: {exc}"
                if writer is not None:
                    writer.close()
                    writer = None
                await asyncio.sleep(0.01)  # do not spin on a dead server
                continue
            status = int(head.split(b" ", 2)[1])
            stats.latencies.append(elapsed)
            if status != expected:
                stats.errors += 1
                stats.bad_status[status] = stats.bad_status.get(status, 0) + 1
            if not keep_alive:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


async def _python_load(port, scenario, duration, connections):
    stats = _Stats()
    budget = [MAX_REQUESTS]  # shared by all connections: bounds the run in count
    started = time.perf_counter()
    deadline = time.monotonic() + duration
    await asyncio.gather(
        *(
            _connection(port, scenario.path, scenario.status, deadline, stats, budget)
            for _ in range(connections)
        )
    )
    return stats, time.perf_counter() - started


def percentile(sorted_values, pct):
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def run_python(port, scenario, duration, connections):
    stats, seconds = asyncio.run(_python_load(port, scenario, duration, connections))
    lat = sorted(stats.latencies)
    detail = []
    if stats.bad_status:
        detail.append(", ".join(f"{n} x HTTP {s}" for s, n in sorted(stats.bad_status.items())))
    if stats.last_error:
        detail.append(f"last error {stats.last_error}")
    return Measurement(
        requests=len(lat),
        errors=stats.errors,
        seconds=seconds,
        rps=len(lat) / seconds if seconds else 0.0,
        p50_ms=percentile(lat, 50) * 1000,
        p99_ms=percentile(lat, 99) * 1000,
        error_detail="; ".join(detail),
    )


GENERATORS = {"wrk": run_wrk, "python": run_python}


def choose_generator(name):
    if name == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if name == "wrk" and not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not on PATH (apt-get install wrk, or --generator python)")
    return name


# --- the run -------------------------------------------------------------------------------


def resolve_paths(env, scenarios, no_page_cache, log):
    """Scenarios with their data-dependent paths filled in (and the cache-off targets)."""
    out = []
    for sc in scenarios:
        if no_page_cache:
            sc = replace(
                sc,
                min_ratio=sc.min_ratio if sc.min_ratio_uncached is None else sc.min_ratio_uncached,
                max_p99_ms=None,
            )
        if sc.resolve is not None:
            printed, _ = simpul(env, "shell", "-c", sc.resolve)
            found = [line[5:].strip() for line in printed.splitlines() if line.startswith("PATH=")]
            sc = replace(sc, path=found[-1] if found else "")
            if sc.path:
                log(f"  {sc.name}: {sc.path}")
        out.append(sc)
    return out


def measure(server, scenarios, args, generator, log):
    run = GENERATORS[generator]
    measured = {}
    for sc in scenarios:
        if sc.resolve is not None and not sc.path:
            measured[sc.name] = None
            log(f"  {sc.name}: not run, its data is not in the database")
            continue
        # One plain request first: a wrong status fails fast with a readable reason.
        try:
            status, body = http_get(server.port, sc.path)
        except OSError as exc:
            raise BenchError(f"{sc.path}: {exc}\n{server.log_tail()}") from exc
        if status != sc.status:
            measured[sc.name] = Measurement(
                0, 1, 0, 0, 0, 0, f"HTTP {status}, expected {sc.status}"
            )
            log(f"  {sc.name}: HTTP {status} on {sc.path}, expected {sc.status}")
            continue
        if args.warmup > 0:
            # Warm-up only has to touch every worker thread; the built-in generator takes
            # fractions of a second where wrk takes whole seconds.
            run_python(server.port, sc, args.warmup, args.connections)
        m = run(server.port, sc, args.duration, args.connections)
        measured[sc.name] = m
        log(
            f"  {sc.name}: {m.requests:,} requests in {m.seconds:.1f} s, "
            f"{len(body):,} bytes each" + (f", {m.errors} errors" if m.errors else "")
        )
    return measured


def evaluate(scenarios, measured, smoke):
    base = measured[BASELINE]
    results = []
    for sc in scenarios:
        m = measured[sc.name]
        if m is None:
            results.append(
                Result(
                    name=sc.name,
                    path=sc.path or "-",
                    requests=0,
                    errors=0,
                    rps=0.0,
                    p50_ms=0.0,
                    p99_ms=0.0,
                    ratio=None,
                    min_ratio=sc.min_ratio,
                    ok=True,
                    note="not run: no data (simpul demo or simpul scale first)",
                )
            )
            continue
        ratio = m.rps / base.rps if base.rps and m.requests else None
        notes = []
        ok = m.errors == 0 and m.requests > 0
        if m.errors:
            notes.append(f"{m.errors} errors ({m.error_detail})")
        elif m.requests == 0:
            notes.append("no request completed")
        if sc.min_ratio is not None and ratio is not None and ratio < sc.min_ratio:
            # Tiny runs are noise: only errors fail a smoke run.
            notes.append("below target" + (" (not checked in smoke mode)" if smoke else ""))
            ok = ok and smoke
        if sc.max_p99_ms is not None and m.requests and m.p99_ms > sc.max_p99_ms:
            notes.append(
                f"p99 above {sc.max_p99_ms:g} ms"
                + (" (not checked in smoke mode)" if smoke else "")
            )
            ok = ok and smoke
        results.append(
            Result(
                name=sc.name,
                path=sc.path,
                requests=m.requests,
                errors=m.errors,
                rps=round(m.rps, 1),
                p50_ms=round(m.p50_ms, 3),
                p99_ms=round(m.p99_ms, 3),
                ratio=round(ratio, 3) if ratio is not None else None,
                min_ratio=sc.min_ratio,
                ok=ok,
                note="; ".join(notes),
            )
        )
    return results


def print_table(results):
    print(
        f"{'scenario':<20} {'path':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>6} {'target':>7}  result"
    )
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        target = f">={r.min_ratio:.2f}" if r.min_ratio is not None else "-"
        verdict = "ok" if r.ok else "FAIL"
        print(
            f"{r.name:<20} {r.path:<22} {r.rps:>9,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{ratio:>6} {target:>7}  {verdict}" + (f"  {r.note}" if r.note else "")
        )


def main(argv=None):
    args = parse_args(argv)
    data_dir = ROOT / "var" / ("bench-smoke" if args.smoke else "bench")
    data_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(data_dir / ".lock"):
        if args.fresh:
            for child in data_dir.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                elif child.name != ".lock":
                    child.unlink()
        return bench(args, data_dir)


def bench(args, data_dir):
    scenarios = select_scenarios(args.scenario)
    generator = choose_generator(args.generator)
    json_path = args.json or data_dir / "results.json"
    env = server_env(data_dir)
    if args.no_page_cache:
        env["SIMPUL_PAGE_CACHE"] = "0"
    vendor, where = describe_database(env)
    started = time.monotonic()

    def log(msg):
        print(f"[{time.monotonic() - started:5.1f} s] {msg}", flush=True)

    mode = "smoke" if args.smoke else "full"
    log(f"bench ({mode}): data dir {data_dir}, database {vendor} ({where})")
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        # The server and the generator share the machine: other work skews every figure.
        log(f"warning: load average {load:.1f} before the run; figures will be noisy")
    server = Server(env, data_dir / "server.log")
    try:
        prepare(env, log)
        scenarios = resolve_paths(env, scenarios, args.no_page_cache, log)
        server.start()
        log(
            f"server on http://{HOST}:{server.port}/ (granian, 2 workers x 4 threads); "
            f"generator {generator}, {args.connections} connections, "
            f"{args.duration:g} s per scenario after {args.warmup:g} s warm-up"
        )
        measured = measure(server, scenarios, args, generator, log)
    except BenchError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if server.proc is not None:
            server.stop()
            log("server stopped")

    results = evaluate(scenarios, measured, args.smoke)
    ok = all(r.ok for r in results)
    print()
    print_table(results)
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "ok": ok,
        "generator": generator,
        "database": vendor,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "server": "granian wsgi, 2 workers, 4 blocking threads",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": round(load, 2),
        },
        "scenarios": [asdict(r) for r in results],
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {json_path}  ({mode}, {generator}, {vendor}) -> {'ok' if ok else 'FAILED'}")
    if ok and not args.keep_data:
        # The database and static files stay: preparing them again is the slow part.
        (data_dir / "server.log").unlink(missing_ok=True)
        shutil.rmtree(data_dir / "cache", ignore_errors=True)
    return 0 if ok else 1


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # SIGTERM (CI cancelling the job) takes the same path as Ctrl+C: the server is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    sys.exit(main())
