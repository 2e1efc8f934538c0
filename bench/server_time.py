"""Server time of public pages, rendered every time (page cache off), in-process.

Measures what one request costs the server, without the network or a load generator: each
path is requested N times through Django's full middleware stack (test client), and the
bare baseline view is measured the same way in the same run, for the ratio.

    SIMPUL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simpul_r5 \
        .venv/bin/python bench/server_time.py /kim/cakupan/ "/kim/?wilayah=13.07"

The database must already hold data (e.g. `simpul scale --preset national`).
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
os.environ["SIMPUL_PAGE_CACHE"] = "0"
os.environ["SIMPUL_BENCH_BASELINE"] = "1"
os.environ.setdefault("SIMPUL_DEBUG", "0")
os.environ.setdefault("SIMPUL_SECRET_KEY", "bench-server-time-" + "x" * 40)
os.environ.setdefault("SIMPUL_EMAIL_URL", "console://")
os.environ.setdefault("SIMPUL_ALLOWED_HOSTS", "testserver")
if "SIMPUL_FIELD_KEY" not in os.environ:  # public pages never decrypt; any key will do
    from cryptography.fernet import Fernet

    os.environ["SIMPUL_FIELD_KEY"] = Fernet.generate_key().decode()


def measure(client, path, repeat):
    client.get(path)  # warm: template loader, connection, query plans
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            sys.exit(f"{path}: HTTP {r.status_code}")
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--repeat", type=int, default=30)
    args = p.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    client = Client()
    base = measure(client, "/_bench/baseline/", args.repeat)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine} {settings.DATABASES['default']['NAME']}; page cache off")
    print(f"{'path':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'x baseline p50':>15}")
    rows = [("/_bench/baseline/", base)]
    rows += [(path, measure(client, path, args.repeat)) for path in args.paths]
    for path, m in rows:
        ratio = m["p50"] / base["p50"]
        print(f"{path:32} {m['p50']:8.2f} {m['p95']:8.2f} {m['max']:8.2f} {ratio:15.1f}")


if __name__ == "__main__":
    main()
