"""Fan-out of a siaran: one Inbox per targeted KIM and one Dispatch per subscriber and
channel, created in batches; idempotent (unique keys, conflicts ignored).

Set-based: each batch is one `INSERT INTO ... SELECT ... ON CONFLICT DO NOTHING` (both
PostgreSQL and SQLite speak it), so no row passes through Python. The SELECT is the
targeting queryset compiled by Django; batches are ranges of the KIM or subscriber primary
key, each in its own transaction, so a national siaran (60,000 inboxes, 2,000,000
dispatches) never holds one huge transaction and a fan-out killed half-way is finished by
running it again: what exists is skipped by the unique constraints (one_inbox_per_kim,
one_dispatch_each). `fanned_out_at` is set only when every batch is in.
"""

import logging

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from simpul import audit

from . import targeting
from .models import Dispatch, Inbox, Siaran

log = logging.getLogger(__name__)

# Rows per INSERT ... SELECT (a primary-key range of this width; sparse ranges insert fewer).
KIM_BATCH = 20_000
SUBSCRIBER_BATCH = 250_000


def target_of(siaran):
    """(regions, sector_ids, kim_statuses, channels) of a siaran, as stored."""
    sector_ids = list(siaran.target_sectors.values_list("pk", flat=True))
    return (
        list(siaran.target_regions or ()),
        sector_ids,
        list(siaran.target_kim_statuses or ()),
        list(siaran.channels or ()),
    )


def _columns(model, names):
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(n).column) for n in names)


def _insert_select(model, columns, constants, queryset, selected):
    """INSERT INTO model (columns) SELECT <constants>, <selected of queryset> ... ON CONFLICT
    DO NOTHING; `constants` are (sql, params) pairs; returns the number of rows inserted."""
    sql, params = queryset.order_by().values_list(*selected).query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    fixed = ", ".join(fragment for fragment, _value in constants)
    fixed_params = [value for fragment, value in constants if "%s" in fragment]
    # "WHERE true": SQLite needs it to tell ON CONFLICT from a join's ON after a FROM.
    # Table and columns come from the model, the SELECT is compiled by Django (values are
    # parameters), so nothing from a person is interpolated.
    head = f"INSERT INTO {table} ({columns})"
    statement = f"{head} SELECT {fixed}, t.* FROM ({sql}) AS t WHERE true ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*fixed_params, *params])
        return max(cursor.rowcount, 0)


def _ranges(queryset, width):
    """[(low, high)] primary-key ranges covering the queryset (one MIN/MAX query)."""
    bounds = queryset.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    return [(start, min(start + width - 1, high)) for start in range(low, high + 1, width)]


def create_inboxes(siaran, now, *, regions, sector_ids, kim_statuses):
    kims = targeting.kims(regions=regions, sector_ids=sector_ids, kim_statuses=kim_statuses)
    columns = _columns(
        Inbox, ("siaran", "delivered_at", "read_at", "acknowledged_at", "kim", "region_code")
    )
    delivered = connection.ops.adapt_datetimefield_value(now)
    made = 0
    for low, high in _ranges(kims, KIM_BATCH):
        with transaction.atomic():
            made += _insert_select(
                Inbox,
                columns,
                (("%s", siaran.pk), ("%s", delivered), ("NULL", None), ("NULL", None)),
                kims.filter(pk__gte=low, pk__lte=high),
                ("pk", "region_code"),
            )
    return made


def create_dispatches(siaran, *, regions, sector_ids, channels):
    subscribers = targeting.subscribers(regions=regions, sector_ids=sector_ids, channels=channels)
    columns = _columns(
        Dispatch,
        (
            "siaran", "status", "attempts", "error", "provider_id",
            "subscriber", "channel", "region_code",
        ),
    )  # fmt: skip
    constants = (
        ("%s", siaran.pk),
        ("%s", Dispatch.Status.QUEUED.value),
        ("0", None),
        ("''", None),
        ("''", None),
    )
    made = 0
    for low, high in _ranges(subscribers, SUBSCRIBER_BATCH):
        with transaction.atomic():
            made += _insert_select(
                Dispatch,
                columns,
                constants,
                subscribers.filter(pk__gte=low, pk__lte=high),
                ("pk", "channel", "region_code"),
            )
    return made


def fan_out(siaran_id):
    """Create the inboxes and dispatches of a siaran; returns {"inboxes": n, "dispatches": m}
    (rows created by this call: a second call returns zeros).

    Then starts delivery (simpul.broadcasts.delivery.start) after commit. A cancelled or
    unknown siaran fans out to nobody."""
    siaran = Siaran.objects.filter(pk=siaran_id).first()
    if siaran is None or siaran.status == Siaran.Status.CANCELLED:
        return {"inboxes": 0, "dispatches": 0}
    regions, sector_ids, kim_statuses, channels = target_of(siaran)
    now = timezone.now()
    inboxes = create_inboxes(
        siaran, now, regions=regions, sector_ids=sector_ids, kim_statuses=kim_statuses
    )
    dispatches = create_dispatches(
        siaran, regions=regions, sector_ids=sector_ids, channels=channels
    )
    with transaction.atomic():
        first = Siaran.objects.filter(pk=siaran.pk, fanned_out_at__isnull=True).update(
            fanned_out_at=now
        )
        if first or inboxes or dispatches:
            audit.record(
                actor=None,
                action="broadcasts.siaran.fanned_out",
                obj=siaran,
                data={"inboxes": inboxes, "dispatches": dispatches},
            )
        transaction.on_commit(lambda: _start_delivery(siaran.pk))
    log.info("siaran %s fanned out: %s inboxes, %s dispatches", siaran.pk, inboxes, dispatches)
    return {"inboxes": inboxes, "dispatches": dispatches}


def _start_delivery(siaran_id):
    from . import delivery

    delivery.start(siaran_id)
