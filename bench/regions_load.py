"""Time `simpul regions load` (all 91,599 wilayah) on a fresh database, then the no-op rerun.

    python bench/regions_load.py                      # SQLite in a temporary data dir
    SIMPUL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simpul_bench \\
        python bench/regions_load.py                  # a fresh database on that server

For PostgreSQL the named database is only used to find the server: the script creates a
database of its own (<name>_regions_<random>) and drops it afterwards. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BenchError, describe_database, server_env, simpul  # noqa: E402
from scratch_db import create_pg_database, drop_pg_database

TARGETS = {"sqlite": 30.0, "postgres": 60.0}  # first load, seconds
SECOND_TARGET = 10.0
_SECONDS = re.compile(r"in ([\d.]+) s$")


def timed_load(env):
    out, wall = simpul(env, "regions", "load", "--no-progress", timeout=900)
    match = _SECONDS.search(out)
    return {
        "wall_s": round(wall, 2),
        "load_s": float(match.group(1)) if match else None,
        "out": out,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="simpul-regions-"))
    env = server_env(data_dir)
    vendor = "postgres" if env.get("SIMPUL_DATABASE_URL") else "sqlite"
    pg_name = None
    try:
        if vendor == "postgres":
            env["SIMPUL_DATABASE_URL"], pg_name = create_pg_database(
                env["SIMPUL_DATABASE_URL"], "regions"
            )
        print(f"regions load on a fresh {vendor} database: {describe_database(env)[1]}")
        _, migrate_s = simpul(env, "migrate", "--no-input", "-v", "0")
        print(f"  migrate: {migrate_s:.1f} s")
        first = timed_load(env)
        print(f"  first load:  {first['wall_s']:.1f} s  ({first['out']})")
        second = timed_load(env)
        print(f"  second load: {second['wall_s']:.1f} s  ({second['out']})")
    except BenchError as exc:
        print(f"regions_load: FAILED: {exc}", file=sys.stderr)
        return 2
    finally:
        if pg_name:
            drop_pg_database(env["SIMPUL_DATABASE_URL"], pg_name)
        shutil.rmtree(data_dir, ignore_errors=True)

    target = TARGETS[vendor]
    ok_first = first["wall_s"] <= target
    ok_second = second["wall_s"] <= SECOND_TARGET
    print(
        f"\n{vendor}: first {first['wall_s']:.1f} s (target <= {target:.0f} s: "
        f"{'ok' if ok_first else 'MISSED'}), second {second['wall_s']:.1f} s "
        f"(target <= {SECOND_TARGET:.0f} s: {'ok' if ok_second else 'MISSED'}); "
        "wall clock of the whole command"
    )
    if args.json:
        report = {
            "database": vendor,
            "migrate_s": round(migrate_s, 2),
            "first": first,
            "second": second,
            "targets": {"first_s": target, "second_s": SECOND_TARGET},
            "ok": ok_first and ok_second,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok_first and ok_second else 1


if __name__ == "__main__":
    sys.exit(main())
