"""The dispatch tally of a siaran: how many subscriber messages are in each (subscriber
wilayah, channel, status), so the reach ledger reads a few thousand rows instead of
counting ~2,000,000 dispatches of a national siaran inside a request.

Who keeps it fresh (all in the worker, never in a request but one):
- `tasks.send_siaran` right after fan-out;
- `delivery.deliver` when a chain ends and the siaran has no queued or sending message left
  (the end of delivery);
- the periodic `tasks.refresh_tallies` every 60 s, for every siaran `needs_refresh()`
  names: messages still queued or sending, a last tally that still shows some (that covers
  the last batch, retries given up and `siaran_cancel`), or no tally since the fan-out;
- the ledger itself, once, for a fanned-out siaran with no tally yet (`tally_at` NULL):
  the only cold path, which the call after fan-out makes practically never happen.

A refresh recomputes the whole tally of one siaran in one transaction (never increments),
so it cannot drift. For a national siaran (~2,000,000 dispatches) one refresh took ~5 s of
database time on the 2-core bench machine: every 60 s while messages move, not faster.
Dispatch statuses change only in the delivery engine (delivery.py:
claim, results, re-queue, skip, cancel) and in fan-out; no webhook flips a sent message
later today. Code that ever does (late bounce reports) must call `refresh` from its worker
task, or `mark_stale`, which makes the next periodic run (or ledger view) recompute it.
"""

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Channel, Dispatch, DispatchTally, Siaran

PENDING = (Dispatch.Status.QUEUED, Dispatch.Status.SENDING)


def refresh(siaran_id):
    """Recompute the tally of one siaran set-based (one DELETE, one INSERT ... SELECT ...
    GROUP BY); returns its new `tally_at`, or None for an unknown siaran. Idempotent."""
    quote = connection.ops.quote_name
    tally = DispatchTally._meta
    dispatch = Dispatch._meta
    columns = ", ".join(
        quote(tally.get_field(name).column)
        for name in ("siaran", "region_code", "channel", "status", "n")
    )
    grouped = ", ".join(
        quote(dispatch.get_field(name).column)
        for name in ("siaran", "region_code", "channel", "status")
    )
    where = quote(dispatch.get_field("siaran").column)
    # Table and column names come from the models; the only value is a parameter.
    statement = (
        f"INSERT INTO {quote(tally.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {grouped}, COUNT(*) FROM {quote(dispatch.db_table)} "
        f"WHERE {where} = %s GROUP BY {grouped}"
    )
    with transaction.atomic():
        # One refresh of a siaran at a time: two at once would both delete, then the second
        # INSERT would collide with the first one's rows (one_tally_each).
        found = Siaran.objects.select_for_update().filter(pk=siaran_id).values_list("pk").first()
        if found is None:
            return None
        # Taken before counting: a change committed while counting is at worst counted
        # early, never reported as older than it is.
        taken = timezone.now()
        DispatchTally.objects.filter(siaran_id=siaran_id).delete()
        with connection.cursor() as cursor:
            cursor.execute(statement, [siaran_id])
        Siaran.objects.filter(pk=siaran_id).update(tally_at=taken)
    return taken


def _pending(siaran_id):
    """The siaran's messages still queued or sending (index dispatch_work: the channel list
    makes it an exact (siaran, channel, status) lookup, not a scan of the siaran's rows)."""
    return Dispatch.objects.filter(
        siaran_id=siaran_id, channel__in=Channel.values, status__in=PENDING
    )


def has_pending(siaran_id):
    return _pending(siaran_id).exists()


def needs_refresh():
    """Ids of fanned-out siaran whose tally may be out of date: messages still queued or
    sending, a last tally that still shows some, no tally yet (or one marked stale), or a
    tally older than the fan-out."""
    pending_now = _pending(OuterRef("pk"))
    pending_tallied = DispatchTally.objects.filter(siaran_id=OuterRef("pk"), status__in=PENDING)
    stale = (
        Q(tally_at__isnull=True)
        | Q(tally_at__lt=F("fanned_out_at"))
        | Exists(pending_tallied)
        | Exists(pending_now)
    )
    return list(
        Siaran.objects.filter(fanned_out_at__isnull=False)
        .filter(stale)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def mark_stale(siaran_id):
    """For code that changes a settled dispatch outside the delivery engine: the periodic
    refresh (or the next ledger view) recomputes the tally."""
    Siaran.objects.filter(pk=siaran_id).update(tally_at=None)
