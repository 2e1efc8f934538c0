"""Fan-out (simpul.broadcasts.fanout.fan_out): every targeted KIM exactly once and none
outside the target; sectors and statuses honoured; subscribers matched both ways along the
wilayah tree; channels; a second run creates nothing; delivery started after commit."""

import pytest
from django.utils import timezone

from simpul.audit.models import Event
from simpul.broadcasts import fanout
from simpul.broadcasts.models import Channel, Dispatch, Inbox, Siaran, Subscriber
from simpul.registry.models import Kim

from ..factories import KimFactory
from ..registry.factories import sector
from .factories import SiaranFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def unsent(**kw):
    return SiaranFactory(status=Siaran.Status.SENDING, fanned_out_at=None, **kw)


@pytest.fixture
def world():
    """KIM and subscribers in and around Lima Puluh Kota (13.07)."""
    k = {
        "guguak": KimFactory(region_code="13.07.02.2002"),
        "koto-bangun": KimFactory(region_code="13.07.07.2002"),
        "vakum": KimFactory(region_code="13.07.07.2002", status=Kim.Status.VAKUM),
        "pengajuan": KimFactory(region_code="13.07.07.2002", status=Kim.Status.PENGAJUAN),
        "nonaktif": KimFactory(region_code="13.07.07.2002", status=Kim.Status.NONAKTIF),
        "bukittinggi": KimFactory(region_code="13.75.01.1005"),
        "lookalike": KimFactory(region_code="13.70.01.1001"),
        "medan": KimFactory(region_code="12.71.01.1001"),
    }
    k["guguak"].sectors.set([sector("pertanian")])
    s = {
        "nagari": SubscriberFactory(region_code="13.07.07.2002"),
        "kabupaten": SubscriberFactory(region_code="13.07", channel=Channel.TELEGRAM),
        "provinsi": SubscriberFactory(region_code="13", channel=Channel.SMS),
        "bukittinggi": SubscriberFactory(region_code="13.75"),
        "medan": SubscriberFactory(region_code="12.71"),
        "pending": SubscriberFactory(region_code="13.07.07.2002", status=Subscriber.Status.PENDING),
        "berhenti": SubscriberFactory(region_code="13.07", status=Subscriber.Status.UNSUBSCRIBED),
    }
    return k, s


def inbox_kims(siaran):
    return list(Inbox.objects.filter(siaran=siaran).values_list("kim_id", flat=True))


def dispatched(siaran):
    return list(Dispatch.objects.filter(siaran=siaran).values_list("subscriber_id", flat=True))


def test_every_targeted_kim_exactly_once_and_none_outside(world):
    k, s = world
    siaran = unsent(target_regions=["13.07"])
    result = fanout.fan_out(siaran.pk)
    got = inbox_kims(siaran)
    assert sorted(got) == sorted([k["guguak"].pk, k["koto-bangun"].pk, k["vakum"].pk])
    assert len(got) == len(set(got))
    assert result == {"inboxes": 3, "dispatches": 3}
    inbox = Inbox.objects.get(siaran=siaran, kim=k["guguak"])
    assert inbox.region_code == "13.07.02.2002"
    assert inbox.read_at is None and inbox.acknowledged_at is None
    assert abs((timezone.now() - inbox.delivered_at).total_seconds()) < 60


def test_subscribers_below_and_above_the_target_once_each(world):
    k, s = world
    siaran = unsent(target_regions=["13.07.07"])
    fanout.fan_out(siaran.pk)
    assert sorted(dispatched(siaran)) == sorted(
        [s["nagari"].pk, s["kabupaten"].pk, s["provinsi"].pk]
    )
    d = Dispatch.objects.get(siaran=siaran, subscriber=s["kabupaten"])
    assert (d.channel, d.region_code, d.status, d.attempts) == ("telegram", "13.07", "queued", 0)


def test_several_targets_and_the_whole_province(world):
    k, s = world
    siaran = unsent(target_regions=["13.07.07.2002", "13.75"])
    fanout.fan_out(siaran.pk)
    assert sorted(inbox_kims(siaran)) == sorted(
        [k["koto-bangun"].pk, k["vakum"].pk, k["bukittinggi"].pk]
    )
    province = unsent(target_regions=["13"])
    result = fanout.fan_out(province.pk)
    assert k["medan"].pk not in inbox_kims(province)
    assert k["lookalike"].pk in inbox_kims(province)  # 13.70 is in Sumbar (a made-up code)
    assert s["medan"].pk not in dispatched(province)
    assert result == {"inboxes": 5, "dispatches": 4}


def test_sectors_and_statuses(world):
    k, s = world
    by_sector = unsent(target_regions=["13"], sectors=[sector("pertanian")])
    fanout.fan_out(by_sector.pk)
    assert inbox_kims(by_sector) == [k["guguak"].pk]
    dormant = unsent(target_regions=["13.07"], target_kim_statuses=["vakum", "pengajuan"])
    fanout.fan_out(dormant.pk)
    assert inbox_kims(dormant) == [k["vakum"].pk]


def test_subscriber_topics_and_channels(world):
    k, s = world
    picky = SubscriberFactory(region_code="13.07", all_topics=False, topics=[sector("umkm")])
    health = SubscriberFactory(region_code="13.07", all_topics=False, topics=[sector("kesehatan")])
    siaran = unsent(
        target_regions=["13.07"], sectors=[sector("kesehatan")], channels=["email", "telegram"]
    )
    fanout.fan_out(siaran.pk)
    got = set(dispatched(siaran))
    assert health.pk in got and picky.pk not in got
    assert s["provinsi"].pk not in got  # SMS is not among the siaran's channels
    assert {s["nagari"].pk, s["kabupaten"].pk} <= got


def test_second_run_creates_nothing(world):
    siaran = unsent(target_regions=["13"])
    first = fanout.fan_out(siaran.pk)
    inboxes, dispatches = Inbox.objects.count(), Dispatch.objects.count()
    assert first["inboxes"] and first["dispatches"]
    assert fanout.fan_out(siaran.pk) == {"inboxes": 0, "dispatches": 0}
    assert (Inbox.objects.count(), Dispatch.objects.count()) == (inboxes, dispatches)


def test_a_half_done_fan_out_is_completed(world, monkeypatch):
    """Killed after some batches: the next run adds only what is missing."""
    k, s = world
    siaran = unsent(target_regions=["13"])
    monkeypatch.setattr(fanout, "KIM_BATCH", 1)
    monkeypatch.setattr(fanout, "SUBSCRIBER_BATCH", 1)
    Inbox.objects.create(
        siaran=siaran, kim=k["guguak"], region_code="13.07.02.2002", delivered_at=timezone.now()
    )
    Dispatch.objects.create(
        siaran=siaran, subscriber=s["nagari"], channel="email", region_code="13.07.07.2002"
    )
    result = fanout.fan_out(siaran.pk)
    assert result == {"inboxes": 4, "dispatches": 3}
    assert Inbox.objects.filter(siaran=siaran).count() == 5
    assert Dispatch.objects.filter(siaran=siaran).count() == 4


def test_marks_the_siaran_audits_and_starts_delivery_after_commit(
    world, django_capture_on_commit_callbacks
):
    siaran = unsent(target_regions=["13.07"])
    with django_capture_on_commit_callbacks() as callbacks:
        fanout.fan_out(siaran.pk)
    siaran.refresh_from_db()
    assert siaran.fanned_out_at is not None
    event = Event.objects.get(action="broadcasts.siaran.fanned_out")
    assert event.object_id == siaran.public_id and event.data == {"inboxes": 3, "dispatches": 3}
    # One callback to start delivery (the page-cache bump of the audit record is another).
    names = [getattr(c, "__qualname__", "") for c in callbacks]
    assert any("fan_out" in n for n in names)


def test_cancelled_or_missing_siaran_reaches_nobody(world):
    cancelled = SiaranFactory(status=Siaran.Status.CANCELLED, fanned_out_at=None)
    assert fanout.fan_out(cancelled.pk) == {"inboxes": 0, "dispatches": 0}
    assert not Inbox.objects.exists()
    assert fanout.fan_out(987654) == {"inboxes": 0, "dispatches": 0}


def test_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    for _i in range(30):
        KimFactory(region_code="13.07.07.2002")
        SubscriberFactory(region_code="13.07.07.2002")
    siaran = unsent(target_regions=["13"])
    with django_assert_max_num_queries(16):  # savepoints included
        result = fanout.fan_out(siaran.pk)
    assert result["inboxes"] == 35 and result["dispatches"] == 34
