"""Delivery engine: sends a siaran's queued dispatches on each channel, in batches, on the
task queue; crash-safe, rate-limited, retries honouring Retry-After, reasons recorded.

How it runs
- `start(siaran_id)` (called by fan-out after commit) enqueues `DELIVERY_CHAINS` `deliver`
  tasks per (channel, provider scope). A provider scope is a province with its own
  ProviderConfig for the channel, or "" for every other province (the national config, or
  Django's EMAIL_* settings for e-mail).
- A `deliver` task claims a batch of QUEUED dispatches (`SELECT ... FOR UPDATE SKIP LOCKED`
  on PostgreSQL; on SQLite the IMMEDIATE transaction serialises the select and the
  conditional UPDATE), marks them SENDING with `claimed_at`, sends them through the channel
  adapter, and records SENT / FAILED / re-QUEUED per recipient with the provider's id or
  reason. It repeats for up to `DELIVERY_TASK_SECONDS`, then enqueues itself while work
  remains, so one task row never runs for long. Chains of the same scope share the work.
- Rate limit: `ProviderConfig.rate_per_second` per channel and province, split evenly over
  the chains; a chain sleeps when it is ahead of its share. E-mail without a ProviderConfig
  is not limited.
- Retries: a 5xx or timeout for one recipient puts that dispatch back to QUEUED with
  `next_attempt_at` (backoff 30 s x 2^(attempt-1)), FAILED after `DELIVERY_MAX_ATTEMPTS`
  with the last reason. A 429 (or a provider that is down) stops the batch: unsent
  dispatches go back to QUEUED and the task raises `RetryLater(seconds=Retry-After)`.
- Bounces and unsubscribes: a subscriber who is no longer ACTIVE at send time is SKIPPED
  with the reason; an address the provider calls dead (SMTP 5xx recipient refused, Telegram
  403, WhatsApp "undeliverable", SMS invalid_number, Web Push 404/410) FAILS the dispatch and
  marks the subscriber BOUNCED. Invalid addresses are SKIPPED with a reason before sending.
- `cancel(siaran_id)` turns QUEUED dispatches into CANCELLED; a running chain checks the
  siaran's status before every batch and stops.

Crash safety and the duplicate bound
- A dispatch is SENDING only between claim and the write of its result. Results are
  written every `DELIVERY_FLUSH` messages (default 10), right after the provider accepted
  them. If a worker is killed (SIGKILL), its SENDING rows older than
  `DELIVERY_CLAIM_TIMEOUT` go back to QUEUED (by the next `deliver` task of the scope, or
  by the periodic `sweep` every minute), and the core sweeper re-queues the killed task.
  Nothing is lost.
- Duplicates: only the messages the provider accepted after the last flush and before the
  kill can be sent again: at most `DELIVERY_FLUSH` (10) messages per killed worker (a worker
  runs one task at a time), plus, for HTTP channels, a message whose request timed out after
  the provider had accepted it. Why 10 and not 1: bench/email_bench.py (bench/README.md,
  "Siaran: e-mail") measured writing after every message at 0.55 x the bare SMTP loop on
  SQLite and 0.45 x on PostgreSQL, against 0.98 x and 0.82 x with 10, in the same run.
- On PostgreSQL the result writes use `synchronous_commit = off` (not the claims): a killed
  worker still loses nothing; a crash of the database server itself may forget the last
  ~0.6 s of results, and those messages would be sent again.
- Zero duplicates where the provider accepts an idempotency key: the SMS gateway gets the
  dispatch key as `Idempotency-Key` and `reference` (the documented gateway contract).
  Telegram Bot API: no key (bounded as above). WhatsApp Cloud API: no key; the dispatch key
  travels in `biz_opaque_callback_data` as a reference. Web Push: `Topic` header = dispatch
  key (a repeat replaces an undelivered copy). E-mail: Message-ID = dispatch key, so a
  repeat carries the same Message-ID.
"""

import logging
import os
import re
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from simpul.accounts.models import normalise_phone
from simpul.core.jobs import RetryLater

from . import channels
from .channels.compose import Composer
from .models import Channel, Dispatch, ProviderConfig, Siaran, Subscriber

logger = logging.getLogger("simpul.broadcasts.delivery")

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _setting(name, default):
    """settings.DELIVERY_X, else the environment SIMPUL_DELIVERY_X, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        raw = os.environ.get(f"SIMPUL_{name}")
        value = type(default)(raw) if raw not in (None, "") else default
    return value


def chains():
    return max(1, int(_setting("DELIVERY_CHAINS", 2)))


def batch_size(channel):
    return int(_setting("DELIVERY_BATCH", 100)) if channel == Channel.EMAIL else 50


def flush_every():
    return max(1, int(_setting("DELIVERY_FLUSH", 10)))


def claim_timeout():
    return float(_setting("DELIVERY_CLAIM_TIMEOUT", 300.0))


def max_attempts():
    return int(_setting("DELIVERY_MAX_ATTEMPTS", 5))


def task_seconds():
    return float(_setting("DELIVERY_TASK_SECONDS", 20.0))


def retry_backoff(attempt):
    return min(30 * 2 ** max(attempt - 1, 0), 6 * 3600)


# --- scopes -----------------------------------------------------------------------


def own_provinces(channel):
    """Provinces with their own enabled-or-disabled ProviderConfig for the channel."""
    return sorted(
        ProviderConfig.objects.filter(channel=channel)
        .exclude(region_code="")
        .values_list("region_code", flat=True)
    )


def scope_q(scope, channel):
    if scope:
        return Q(region_code=scope) | Q(region_code__startswith=scope + ".")
    q = Q()
    for p in own_provinces(channel):
        q &= ~(Q(region_code=p) | Q(region_code__startswith=p + "."))
    return q


def provider_config(channel, scope):
    return ProviderConfig.objects.filter(channel=channel, region_code=scope).first()


def _work(siaran_id, channel, scope):
    return Dispatch.objects.filter(siaran_id=siaran_id, channel=channel).filter(
        scope_q(scope, channel)
    )


# --- public entry points ------------------------------------------------------------


def start(siaran_id):
    """Enqueue the delivery tasks for every channel (and provider scope) with queued work."""
    queued = Dispatch.objects.filter(siaran_id=siaran_id, status=Dispatch.Status.QUEUED)
    started = 0
    for channel in Channel.values:
        if not queued.filter(channel=channel).exists():
            continue
        for scope in ["", *own_provinces(channel)]:
            if (
                scope
                and not queued.filter(channel=channel).filter(scope_q(scope, channel)).exists()
            ):
                continue
            for _ in range(chains()):
                deliver.enqueue(siaran_id=siaran_id, channel=channel, scope=scope)
                started += 1
    return started


def cancel(siaran_id):
    """Queued dispatches -> cancelled; returns how many. Messages already handed to a
    provider in the current batch (at most one batch per chain) still go out."""
    return Dispatch.objects.filter(siaran_id=siaran_id, status=Dispatch.Status.QUEUED).update(
        status=Dispatch.Status.CANCELLED, error="", claimed_at=None
    )


@task()
def deliver(*, siaran_id, channel, scope=""):
    """One chain of delivery for (siaran, channel, provider scope). Idempotent: it only ever
    works on QUEUED rows, and re-running it after a crash picks up where it stopped.
    The chain that ends with nothing of the siaran left queued or sending (the end of its
    delivery, or a cancel) takes the final dispatch tally for the ledger."""
    from . import tally

    stats = Engine(siaran_id, channel, scope).run()
    if not tally.has_pending(siaran_id):
        tally.refresh(siaran_id)
    return stats


@task(queue_name="periodic")
def sweep():
    """Put dispatches left SENDING by a dead worker back in the queue and restart delivery
    of siaran that have due work but no delivery task waiting."""
    return sweep_now()


def sweep_now(*, now=None):
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=claim_timeout())
    recent = Siaran.objects.filter(
        fanned_out_at__gte=now - timedelta(days=7), cancelled_at__isnull=True
    ).values_list("pk", flat=True)
    restarted = requeued = 0
    pending = _pending_chains()
    for siaran_id in recent:
        for channel in Channel.values:
            base = Dispatch.objects.filter(siaran_id=siaran_id, channel=channel)
            requeued += base.filter(status=Dispatch.Status.SENDING, claimed_at__lt=cutoff).update(
                status=Dispatch.Status.QUEUED, claimed_at=None
            )
            due = base.filter(status=Dispatch.Status.QUEUED).filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
            )
            if (siaran_id, channel) not in pending and due.exists():
                restarted += start_channel(siaran_id, channel)
    return {"requeued": requeued, "restarted": restarted}


def start_channel(siaran_id, channel):
    n = 0
    for scope in ["", *own_provinces(channel)]:
        deliver.enqueue(siaran_id=siaran_id, channel=channel, scope=scope)
        n += 1
    return n


def _pending_chains():
    """(siaran_id, channel) of deliver tasks waiting or running in the database queue."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path=deliver.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    out = set()
    for args_kwargs in rows:
        kw = (args_kwargs or {}).get("kwargs", {})
        out.add((kw.get("siaran_id"), kw.get("channel")))
    return out


# --- the engine ---------------------------------------------------------------------


class Engine:
    def __init__(self, siaran_id, channel, scope):
        self.siaran_id = siaran_id
        self.channel = channel
        self.scope = scope
        self.stats = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}

    def work(self):
        return _work(self.siaran_id, self.channel, self.scope)

    def run(self):
        siaran = Siaran.objects.select_related("office").filter(pk=self.siaran_id).first()
        if siaran is None:
            return self.stats
        if siaran.status == Siaran.Status.CANCELLED:
            cancel(self.siaran_id)
            return self.stats
        self.requeue_stale()
        config = provider_config(self.channel, self.scope)
        if config is None and self.channel not in channels.WORKS_WITHOUT_CONFIG:
            self.skip_all(_no_config_reason(self.channel))
            return self.stats
        if config is not None and not config.enabled:
            self.skip_all(_no_config_reason(self.channel))
            return self.stats
        try:
            adapter = channels.adapter_class(self.channel)(config)
        except channels.ConfigError as exc:
            logger.warning("siaran %s: %s", self.siaran_id, exc)
            self.skip_all(_no_config_reason(self.channel))
            return self.stats
        self.composer = Composer(siaran, self.channel)
        rate = (config.rate_per_second / chains()) if (config and config.rate_per_second) else 0
        began = time.monotonic()
        handed = 0
        with adapter:
            while time.monotonic() - began < task_seconds():
                if self.cancelled():
                    return self.stats
                claimed = self.claim(batch_size(self.channel))
                if not claimed:
                    break
                handed += self.send_batch(adapter, claimed, rate, began, handed)
        self.continue_later()
        return self.stats

    # claim / release ---------------------------------------------------------------

    def claim(self, n):
        now = timezone.now()
        due = (
            self.work()
            .filter(status=Dispatch.Status.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        with transaction.atomic():
            ids = list(
                due.order_by().select_for_update(skip_locked=True).values_list("id", flat=True)[:n]
            )
            if not ids:
                return []
            Dispatch.objects.filter(id__in=ids, status=Dispatch.Status.QUEUED).update(
                status=Dispatch.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        return list(
            Dispatch.objects.filter(id__in=ids, status=Dispatch.Status.SENDING, claimed_at=now)
            .select_related("subscriber")
            .order_by("id")
        )

    def requeue_stale(self):
        cutoff = timezone.now() - timedelta(seconds=claim_timeout())
        n = (
            self.work()
            .filter(status=Dispatch.Status.SENDING, claimed_at__lt=cutoff)
            .update(status=Dispatch.Status.QUEUED, claimed_at=None)
        )
        if n:
            logger.warning(
                "siaran %s %s: %s dispatch(es) re-queued", self.siaran_id, self.channel, n
            )

    def skip_all(self, reason):
        n = (
            self.work()
            .filter(status=Dispatch.Status.QUEUED)
            .update(status=Dispatch.Status.SKIPPED, error=reason)
        )
        self.stats["skipped"] += n

    def cancelled(self):
        return Siaran.objects.filter(pk=self.siaran_id, status=Siaran.Status.CANCELLED).exists()

    def continue_later(self):
        """Enqueue the next run of this chain if work remains (now, or when it is due)."""
        now = timezone.now()
        queued = self.work().filter(status=Dispatch.Status.QUEUED)
        if queued.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).exists():
            deliver.enqueue(siaran_id=self.siaran_id, channel=self.channel, scope=self.scope)
            return
        if not deliver.get_backend().supports_defer:
            return  # the periodic sweep restarts it when due
        later = queued.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
        # Rows another worker claimed: if that worker died, come back when they go stale.
        claimed = (
            self.work()
            .filter(status=Dispatch.Status.SENDING)
            .order_by("claimed_at")
            .values_list("claimed_at", flat=True)
            .first()
        )
        if claimed:
            stale_at = claimed + timedelta(seconds=claim_timeout() + 1)
            later = min(later, stale_at) if later else stale_at
        if later:
            deliver.using(run_after=later).enqueue(
                siaran_id=self.siaran_id, channel=self.channel, scope=self.scope
            )

    # sending -------------------------------------------------------------------------

    def send_batch(self, adapter, claimed, rate, began, handed_before):
        messages, skipped = [], []
        for d in claimed:
            sub = d.subscriber
            if sub.status != Subscriber.Status.ACTIVE:
                skipped.append((d, _inactive_reason(sub)))
                continue
            address, reason = valid_address(self.channel, sub.address)
            if reason:
                skipped.append((d, reason))
                continue
            messages.append(self.composer.message(d, sub, address))
        if skipped:
            self.write_skipped(skipped)
        by_id = {d.id: d for d in claimed}
        step = flush_every()
        done = 0
        for i in range(0, len(messages), step):
            chunk = messages[i : i + step]
            try:
                results = adapter.send(chunk)
            except channels.BatchError as exc:
                self.record(exc.results, by_id)
                settled = {r.dispatch_id for r in exc.results}
                rest = [m.dispatch_id for m in messages[i:] if m.dispatch_id not in settled]
                delay = exc.retry_after if exc.retry_after is not None else retry_backoff(1)
                self.release(rest, seconds=delay, reason=exc.reason)
                raise RetryLater(exc.reason, seconds=delay) from exc
            self.record(results, by_id)
            done += len(chunk)
            if rate:
                ahead = (handed_before + done) / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
        return done

    def release(self, ids, *, seconds, reason):
        if not ids:
            return
        Dispatch.objects.filter(id__in=ids, status=Dispatch.Status.SENDING).update(
            status=Dispatch.Status.QUEUED,
            claimed_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=seconds),
            error=reason[:500],
        )

    def write_skipped(self, pairs):
        for d, reason in pairs:
            d.status = Dispatch.Status.SKIPPED
            d.error = reason[:500]
            d.claimed_at = None
        Dispatch.objects.bulk_update([d for d, _ in pairs], ["status", "error", "claimed_at"])
        self.stats["skipped"] += len(pairs)

    def record(self, results, by_id):
        """Write the outcome of each message the adapter settled: one UPDATE per distinct
        outcome (all SENT e-mails of a flush are one statement), not one per row."""
        if not results:
            return
        now = timezone.now()
        groups, bounced = {}, []
        for r in results:
            d = by_id[r.dispatch_id]
            values = {"claimed_at": None, "error": r.error[:500]}
            if r.provider_id:
                values["provider_id"] = str(r.provider_id)[:200]
            if r.status == channels.SENT:
                values.update(status=Dispatch.Status.SENT, sent_at=now)
                self.stats["sent"] += 1
            elif r.status == channels.RETRY and d.attempts < max_attempts():
                values.update(
                    status=Dispatch.Status.QUEUED,
                    next_attempt_at=now + timedelta(seconds=retry_backoff(d.attempts)),
                )
                self.stats["retry"] += 1
            else:
                values["status"] = Dispatch.Status.FAILED
                self.stats["failed"] += 1
                if r.status == channels.BOUNCED:
                    bounced.append((d.subscriber_id, r.error))
            groups.setdefault(tuple(sorted(values.items())), []).append(d.id)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Do not wait for the WAL flush: a killed worker loses nothing (the commit is
                # visible at once); only a crash of the database server itself could forget
                # the last ~0.6 s of results, and those messages would be sent again.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for values, ids in groups.items():
                Dispatch.objects.filter(id__in=ids).update(**dict(values))
            for subscriber_id, reason in bounced:
                Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.ACTIVE).update(
                    status=Subscriber.Status.BOUNCED, ended_at=now, end_reason=reason[:300]
                )


# --- checks -------------------------------------------------------------------------


def valid_address(channel, address):
    """(normalised address, "") or ("", reason shown to the sender)."""
    address = (address or "").strip()
    if not address:
        return "", "Alamat kosong (tidak dapat dibaca)."
    if channel == Channel.EMAIL:
        # Full validation happened at subscription; at send time a cheap shape check (no
        # spaces or line breaks, one @, a dot in the domain) keeps the hot loop fast.
        if not EMAIL_SHAPE.match(address):
            return "", "Alamat e-mail tidak valid."
        return address, ""
    if channel in (Channel.SMS, Channel.WHATSAPP):
        try:
            return normalise_phone(address), ""
        except ValidationError:
            return "", "Nomor telepon tidak valid."
    if channel == Channel.TELEGRAM:
        if address.lstrip("-").isdigit() or address.startswith("@"):
            return address, ""
        return "", "ID obrolan Telegram tidak valid."
    return address, ""


def _inactive_reason(sub):
    if sub.status == Subscriber.Status.UNSUBSCRIBED:
        return "Pelanggan sudah berhenti berlangganan."
    if sub.status == Subscriber.Status.BOUNCED:
        return f"Alamat pelanggan gagal sebelumnya: {sub.end_reason}"[:500]
    return "Langganan belum dikonfirmasi."


def _no_config_reason(channel):
    return f"Kanal {channel} belum disiapkan (ProviderConfig) untuk provinsi ini."
