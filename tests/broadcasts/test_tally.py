"""The dispatch tally (simpul.broadcasts.tally) the reach ledger reads: equal to a live count
of the dispatches after fan-out, delivery and cancel; idempotent; recomputed (never drifts);
refreshed by the periodic task only where needed; the ledger page counts no dispatch."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from simpul.broadcasts import delivery, ledger, services, tally, tasks
from simpul.broadcasts.models import Channel, Dispatch, DispatchTally, Siaran, Subscriber
from simpul.core.jobs import PERIODIC

from .factories import DispatchFactory, SiaranFactory, SubscriberFactory
from .fakeprovider import make_config, provider  # noqa: F401

pytestmark = pytest.mark.django_db

KOTO_BANGUN = "13.07.07.2002"
KOTO_TALAGO = "13.07.02.2002"
BUKITTINGGI = "13.75.01.1005"
WA_GOOD, WA_DEAD = "+6281222222222", "+6281111111111"
DISPATCH_TABLE = connection.ops.quote_name(Dispatch._meta.db_table)


def live(siaran):
    """{(region_code, channel, status): n} counted from the dispatches themselves."""
    rows = (
        Dispatch.objects.filter(siaran=siaran)
        .values("region_code", "channel", "status")
        .order_by()
        .annotate(n=Count("pk"))
    )
    return {(r["region_code"], r["channel"], r["status"]): r["n"] for r in rows}


def tallied(siaran):
    rows = DispatchTally.objects.filter(siaran=siaran)
    return {(t.region_code, t.channel, t.status): t.n for t in rows}


def subscribers():
    """Subscribers in and around Lima Puluh Kota on four channels, at three levels."""
    made = [
        SubscriberFactory(region_code=KOTO_BANGUN, address=f"warga{i}@contoh.id") for i in range(4)
    ]
    made += [
        SubscriberFactory(region_code=KOTO_TALAGO, address="talago@contoh.id"),
        SubscriberFactory(region_code=KOTO_TALAGO, address="bukan-alamat"),  # skipped later
        SubscriberFactory(region_code="13.07", channel=Channel.TELEGRAM, address="1001"),
        SubscriberFactory(region_code="13", channel=Channel.SMS, address="081200000001"),
        SubscriberFactory(region_code=KOTO_BANGUN, channel=Channel.WHATSAPP, address=WA_GOOD),
        SubscriberFactory(region_code=KOTO_TALAGO, channel=Channel.WHATSAPP, address=WA_DEAD),
        SubscriberFactory(region_code=BUKITTINGGI, address="bukittinggi@contoh.id"),  # outside
    ]  # fmt: skip
    return made


def fanned_out(target=("13.07",)):
    """A siaran sent through the real task: fan-out (delivery not started: no commit)."""
    siaran = SiaranFactory(
        status=Siaran.Status.SENDING, fanned_out_at=None, target_regions=list(target)
    )
    tasks.send_siaran.call(siaran.pk)
    siaran.refresh_from_db()
    return siaran


def test_tally_after_fan_out_equals_the_live_count():
    subscribers()
    siaran = fanned_out()
    assert siaran.status == Siaran.Status.SENT
    counts = live(siaran)
    assert sum(counts.values()) == 10 and {s for _r, _c, s in counts} == {"queued"}
    assert tallied(siaran) == counts  # send_siaran took it right after fan-out
    assert siaran.tally_at is not None and siaran.tally_at >= siaran.fanned_out_at


def test_tally_after_delivery_counts_sent_failed_and_skipped(smtp, provider):  # noqa: F811
    koto_bangun = subscribers()[:4]
    siaran = fanned_out()
    make_config("whatsapp", provider)
    provider.bad_addresses.add(WA_DEAD.lstrip("+"))
    # The Koto Bangun e-mail subscriber left after fan-out: skipped.
    Subscriber.objects.filter(pk=koto_bangun[3].pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    for channel in (Channel.EMAIL, Channel.WHATSAPP, Channel.TELEGRAM):
        delivery.deliver.call(siaran_id=siaran.pk, channel=channel, scope="")
    assert tallied(siaran) != live(siaran)  # the SMS message is still queued
    delivery.deliver.call(siaran_id=siaran.pk, channel=Channel.SMS, scope="")
    # The last chain found nothing queued or sending: it took the final tally itself.
    counts = live(siaran)
    assert {s for _r, _c, s in counts} == {"sent", "failed", "skipped"}
    assert tallied(siaran) == counts
    assert counts[(KOTO_TALAGO, "whatsapp", "failed")] == 1
    assert counts[(KOTO_TALAGO, "email", "skipped")] == 1  # not an e-mail address
    assert counts[(KOTO_BANGUN, "email", "sent")] == 3
    assert counts[(KOTO_BANGUN, "email", "skipped")] == 1
    assert counts[("13.07", "telegram", "skipped")] == 1  # no provider configured
    assert counts[("13", "sms", "skipped")] == 1  # no provider configured


def test_tally_after_cancel_is_refreshed_by_the_periodic_task(admin_sumbar):
    subscribers()
    siaran = fanned_out()
    Siaran.objects.filter(pk=siaran.pk).update(status=Siaran.Status.SENDING)
    siaran.refresh_from_db()
    assert services.siaran_cancel(actor=admin_sumbar, siaran=siaran, reason="Jadwal berubah") == 10
    # The last tally still shows the messages queued: the siaran needs a refresh.
    assert set(tallied(siaran).values()) and siaran.pk in tally.needs_refresh()
    assert tasks.refresh_tallies.call() == {"refreshed": 1}
    counts = live(siaran)
    assert {s for _r, _c, s in counts} == {"cancelled"}
    assert tallied(siaran) == counts
    assert siaran.pk not in tally.needs_refresh()


def test_refresh_is_idempotent():
    subscribers()
    siaran = fanned_out()
    Dispatch.objects.filter(siaran=siaran, channel=Channel.EMAIL).update(status="sent")
    first_at = tally.refresh(siaran.pk)
    first = tallied(siaran)
    rows = DispatchTally.objects.filter(siaran=siaran).count()
    second_at = tally.refresh(siaran.pk)
    assert tallied(siaran) == first == live(siaran)
    assert DispatchTally.objects.filter(siaran=siaran).count() == rows
    assert second_at >= first_at
    assert tally.refresh(987654) is None  # unknown siaran


def test_refresh_recomputes_so_the_tally_cannot_drift():
    subscribers()
    siaran = fanned_out()
    other = fanned_out(target=("13.75",))
    other_before = tallied(other)
    # Every kind of change the tally must follow: statuses moved back and forth, a row gone,
    # a row added (a late fan-out batch), a status that no longer exists anywhere.
    ids = list(Dispatch.objects.filter(siaran=siaran).order_by("pk").values_list("pk", flat=True))
    Dispatch.objects.filter(pk__in=ids[:5]).update(status="sending")
    tally.refresh(siaran.pk)
    Dispatch.objects.filter(pk__in=ids[:3]).update(status="sent")
    Dispatch.objects.filter(pk__in=ids[3:5]).update(status="failed")
    Dispatch.objects.filter(pk__in=ids[5:7]).update(status="queued")
    Dispatch.objects.filter(pk=ids[-1]).delete()
    DispatchFactory(siaran=siaran, subscriber=SubscriberFactory(region_code="13.07.01.2001"))
    assert tallied(siaran) != live(siaran)
    tally.refresh(siaran.pk)
    counts = live(siaran)
    assert tallied(siaran) == counts
    assert not any(s == "sending" for _r, _c, s in tallied(siaran))
    assert tallied(other) == other_before  # another siaran's tally is left alone


def test_periodic_task_refreshes_only_what_needs_it():
    assert (tasks.refresh_tallies, 60) in PERIODIC
    now = timezone.now()

    def siaran_with(status, *, fanned=True):
        s = SiaranFactory(fanned_out_at=now - timedelta(minutes=5) if fanned else None)
        DispatchFactory(siaran=s, status=status)
        return s

    settled = siaran_with("sent")
    tally.refresh(settled.pk)
    never = siaran_with("sent")  # fanned out, no tally yet
    moving = siaran_with("queued")
    tally.refresh(moving.pk)
    older = siaran_with("sent")
    tally.refresh(older.pk)
    Siaran.objects.filter(pk=older.pk).update(fanned_out_at=timezone.now())  # fanned out again
    last_batch = siaran_with("sending")
    tally.refresh(last_batch.pk)
    Dispatch.objects.filter(siaran=last_batch).update(status="sent")  # the tally lags
    not_sent = siaran_with("queued", fanned=False)
    assert tally.needs_refresh() == sorted([never.pk, moving.pk, older.pk, last_batch.pk])

    settled_at = Siaran.objects.get(pk=settled.pk).tally_at
    assert tasks.refresh_tallies.call() == {"refreshed": 4}
    assert Siaran.objects.get(pk=settled.pk).tally_at == settled_at  # left alone
    assert Siaran.objects.get(pk=not_sent.pk).tally_at is None
    for s in (never, moving, older, last_batch):
        assert tallied(s) == live(s)
    # Only the siaran whose message is still queued stays on the list.
    assert tally.needs_refresh() == [moving.pk]
    tally.mark_stale(settled.pk)
    assert tally.needs_refresh() == sorted([settled.pk, moving.pk])


def _expected(siaran, length, where=""):
    """{prefix: (sent, failed, pending, other)} counted live from the dispatches."""
    out = {}
    qs = Dispatch.objects.filter(siaran=siaran)
    if where:
        qs = qs.filter(region_code__startswith=where)
    for d in qs:
        row = out.setdefault(d.region_code[:length], [0, 0, 0, 0])
        row[["sent", "failed", "pending", "other"].index(ledger._dispatch_bucket(d.status))] += 1
    return {k: tuple(v) for k, v in out.items()}


def _numbers(rows):
    return {r.code: (r.sent, r.failed, r.pending, r.other) for r in rows if r.dispatches}


def test_ledger_numbers_equal_the_live_counts(admin_sumbar, login):
    subscribers()
    siaran = fanned_out(target=("13.07", "13.75"))
    ids = list(Dispatch.objects.filter(siaran=siaran).order_by("pk").values_list("pk", flat=True))
    Dispatch.objects.filter(pk__in=ids[::2]).update(status="sent")
    Dispatch.objects.filter(pk__in=ids[1:4]).update(status="failed")
    Dispatch.objects.filter(pk=ids[5]).update(status="skipped")
    tally.refresh(siaran.pk)  # as the worker does every 60 s while messages move
    client = login(admin_sumbar)
    url = reverse("kelola:jangkauan:ledger", kwargs={"public_id": siaran.public_id})

    result = client.get(url).context["ledger"]
    expected = _expected(siaran, 5)
    assert _numbers(result.rows) == {k: v for k, v in expected.items() if k != "13"}
    t = result.total
    assert (t.sent, t.failed, t.pending, t.other) == tuple(
        map(sum, zip(*expected.values(), strict=True))
    )
    per_channel = {c["channel"]: c["row"].dispatches for c in result.dispatch_channels}
    assert per_channel == {
        c: n
        for c, n in Dispatch.objects.filter(siaran=siaran)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .order_by()
    }

    result = client.get(url, {"wilayah": "13.07"}).context["ledger"]
    expected = _expected(siaran, 8, where="13.07.")
    assert _numbers(result.rows) == expected
    kabupaten = Dispatch.objects.filter(siaran=siaran, region_code__startswith="13.07")
    assert result.total.dispatches == kabupaten.count()
    assert result.total.sent == kabupaten.filter(status="sent").count()


def test_the_ledger_pages_read_only_the_tally(admin_sumbar, login):
    subscribers()
    siaran = fanned_out(target=("13.07", "13.75"))
    client = login(admin_sumbar)
    base = {"public_id": siaran.public_id}
    pages = [
        (reverse("kelola:jangkauan:ledger", kwargs=base), {}),
        (reverse("kelola:jangkauan:ledger", kwargs=base), {"wilayah": "13.07"}),
        (reverse("kelola:jangkauan:gap", kwargs=base), {"wilayah": "13.07"}),
        (reverse("kelola:jangkauan:gap", kwargs=base), {}),
        (reverse("kelola:jangkauan:export", kwargs={**base, "fmt": "csv"}), {}),
    ]
    gap_url, _ = pages[2]
    assert "Koto Bangun" in client.get(gap_url, {"wilayah": "13.07"}).content.decode()
    Dispatch.objects.filter(siaran=siaran).update(status="sent")
    # Not yet in the tally: Koto Bangun's subscribers got it, but the gap view says so only
    # after the refresh (its numbers are as of the tally, like the ledger's).
    assert "Koto Bangun" in client.get(gap_url, {"wilayah": "13.07"}).content.decode()
    tally.refresh(siaran.pk)
    assert "Koto Bangun" not in client.get(gap_url, {"wilayah": "13.07"}).content.decode()
    for url, params in pages:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counted = [q["sql"] for q in ctx.captured_queries if DISPATCH_TABLE in q["sql"]]
        assert counted == [], (url, params)


def test_a_siaran_never_tallied_is_counted_once_inline(admin_sumbar):
    siaran = SiaranFactory(target_regions=["13.07"])  # fanned out, no tally (e.g. before 0004)
    DispatchFactory(siaran=siaran, status="sent")
    DispatchFactory(siaran=siaran, status="failed")
    assert siaran.tally_at is None
    result = ledger.ledger(admin_sumbar, siaran)
    assert (result.total.sent, result.total.failed) == (1, 1)
    siaran.refresh_from_db()
    assert siaran.tally_at is not None and result.dispatch_as_of == siaran.tally_at
    assert tallied(siaran) == live(siaran)
    unsent = SiaranFactory(status=Siaran.Status.SCHEDULED, fanned_out_at=None)
    result = ledger.ledger(admin_sumbar, unsent)
    assert result.total.dispatches == 0 and result.dispatch_as_of is None
    assert Siaran.objects.get(pk=unsent.pk).tally_at is None
