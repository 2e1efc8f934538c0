"""Fan-out of one national siaran, against a bare bulk insert of the same rows.

    SIMPUL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simpul_b3 \
        .venv/bin/python bench/fanout_bench.py

The database must hold the national data: `simpul scale --preset national` (59,000 KIM and,
with bench/scale_siaran.py, 2,000,000 subscribers). In the same run:

1. baseline: the rows a national siaran creates (one inbox per receiving KIM, one dispatch per
   active subscriber) are read into memory (not timed), then written with the fastest bare
   bulk insert there is, COPY (PostgreSQL; executemany on SQLite), into the same tables under
   a throwaway siaran: same indexes, same constraints;
2. fan-out: simpul.broadcasts.fanout.fan_out() of a second national siaran, timed end to end
   (batched INSERT ... SELECT ... ON CONFLICT DO NOTHING, its transactions, fanned_out_at,
   the audit record), without delivery.start() which is timed on its own.

Targets (issue "Siaran"): fan-out <= 60 s on PostgreSQL and >= 0.5 x the baseline's rows/s.
Both siaran and their rows are deleted at the end unless --keep (the ledger bench can reuse
the fan-out: --keep leaves it as "bench-nasional-<n>").
"""

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
os.environ.setdefault("SIMPUL_DEBUG", "1")

TARGET_SECONDS = 60
TARGET_RATIO = 0.5


def _siaran(label):
    from django.utils import timezone

    from simpul.broadcasts.models import Siaran
    from simpul.regions.models import Region

    provinces = list(
        Region.objects.filter(level=1, retired=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    stamp = f"{label}-{int(time.time())}"
    return Siaran.objects.create(
        slug=f"bench-nasional-{stamp}",
        region_code="",
        title=f"Bench nasional {stamp}",
        body="Siaran nasional untuk bench fan-out.",
        short_text="Siaran nasional untuk bench fan-out.",
        target_regions=provinces,
        status=Siaran.Status.SENDING,
        sent_at=timezone.now(),
        is_public=False,
    )


def _rows(siaran):
    """The rows fan-out would write for this siaran, as plain tuples (not timed)."""
    from simpul.broadcasts import fanout, targeting

    regions, sector_ids, statuses, channels = fanout.target_of(siaran)
    kims = list(
        targeting.kims(regions=regions, sector_ids=sector_ids, kim_statuses=statuses)
        .order_by()
        .values_list("pk", "region_code")
    )
    subs = list(
        targeting.subscribers(regions=regions, sector_ids=sector_ids, channels=channels)
        .order_by()
        .values_list("pk", "channel", "region_code")
    )
    return kims, subs


def baseline(siaran, kims, subs):
    import scale
    from django.db import transaction
    from django.utils import timezone

    from simpul.broadcasts.models import Dispatch, Inbox

    now = timezone.now()
    t = time.perf_counter()
    with transaction.atomic():
        scale.fast_insert(
            Inbox,
            ("siaran", "kim", "region_code", "delivered_at"),
            [(siaran.pk, k, code, now) for k, code in kims],
        )
        scale.fast_insert(
            Dispatch,
            ("siaran", "subscriber", "channel", "region_code", "status", "attempts", "error",
             "provider_id"),
            [(siaran.pk, s, ch, code, "queued", 0, "", "") for s, ch, code in subs],
        )  # fmt: skip
    return time.perf_counter() - t


def run_fanout(siaran):
    from django.db import transaction

    from simpul.broadcasts import fanout

    started = {}
    real_start = fanout._start_delivery
    fanout._start_delivery = lambda pk: started.setdefault("pk", pk)
    try:
        t = time.perf_counter()
        result = fanout.fan_out(siaran.pk)
        seconds = time.perf_counter() - t
    finally:
        fanout._start_delivery = real_start
    # delivery.start() enqueues the delivery tasks: timed, then rolled back (no worker here).
    with transaction.atomic():
        t = time.perf_counter()
        real_start(siaran.pk)
        start_seconds = time.perf_counter() - t
        transaction.set_rollback(True)
    return result, seconds, start_seconds


def cleanup(*siaran):
    """Delete the bench siaran; their inboxes and dispatches go with them (CASCADE)."""
    from simpul.broadcasts.models import Dispatch, Inbox

    ids = [x.pk for x in siaran]
    Dispatch.objects.filter(siaran_id__in=ids)._raw_delete("default")
    Inbox.objects.filter(siaran_id__in=ids)._raw_delete("default")
    for x in siaran:
        x.delete()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keep", action="store_true", help="keep the fanned-out siaran")
    args = p.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    base_siaran = _siaran("baseline")
    kims, subs = _rows(base_siaran)
    rows = len(kims) + len(subs)
    print(f"rows: {len(kims):,} inboxes + {len(subs):,} dispatches = {rows:,}")
    if not rows:
        sys.exit("no KIM or subscribers: run `simpul scale --preset national` first")
    base_s = baseline(base_siaran, kims, subs)
    del kims, subs
    fan_siaran = _siaran("fanout")
    result, fan_s, start_s = run_fanout(fan_siaran)
    made = result["inboxes"] + result["dispatches"]
    base_rate, fan_rate = rows / base_s, made / fan_s
    ratio = fan_rate / base_rate
    print(f"{'':24} {'seconds':>8} {'rows/s':>10}")
    print(f"{'bare COPY (baseline)':24} {base_s:8.2f} {base_rate:10,.0f}")
    print(f"{'fan_out()':24} {fan_s:8.2f} {fan_rate:10,.0f}")
    print(f"delivery.start(): {start_s:.2f} s (runs after commit; not in the fan-out time)")
    print(
        f"fan-out: {result['inboxes']:,} inboxes + {result['dispatches']:,} dispatches; "
        f"ratio {ratio:.2f} x baseline (target >= {TARGET_RATIO}); "
        f"{fan_s:.1f} s (target <= {TARGET_SECONDS} s)"
    )
    if made != rows:
        print(f"WARNING: fan-out made {made:,} rows, baseline {rows:,}")
    cleanup(base_siaran)
    if args.keep:
        print(f"kept: siaran {fan_siaran.public_id} ({fan_siaran.slug})")
    else:
        cleanup(fan_siaran)
    connection.close()
    ok = fan_s <= TARGET_SECONDS and ratio >= TARGET_RATIO and made == rows
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
