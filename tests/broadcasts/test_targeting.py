"""Who a siaran reaches (simpul.broadcasts.targeting): KIM by wilayah, sector and status;
subscribers both ways along the wilayah tree, by topic and channel; the preview counts."""

import pytest

from simpul.broadcasts import targeting
from simpul.broadcasts.models import Channel, Subscriber
from simpul.registry.models import Kim

from ..factories import KimFactory
from ..registry.factories import sector
from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def slugs(qs):
    return set(qs.values_list("slug", flat=True))


def public_ids(qs):
    return set(qs.values_list("public_id", flat=True))


@pytest.fixture
def kims():
    """KIM in two nagari of Lima Puluh Kota, one in Bukittinggi, one in Sumut; every status."""
    made = {
        "guguak": KimFactory(slug="guguak", region_code="13.07.02.2002"),
        "koto-bangun": KimFactory(slug="koto-bangun", region_code="13.07.07.2002"),
        "kurang": KimFactory(
            slug="kurang", region_code="13.07.07.2002", status=Kim.Status.KURANG_AKTIF
        ),
        "vakum": KimFactory(slug="vakum", region_code="13.07.07.2002", status=Kim.Status.VAKUM),
        "pengajuan": KimFactory(
            slug="pengajuan", region_code="13.07.07.2002", status=Kim.Status.PENGAJUAN
        ),
        "nonaktif": KimFactory(
            slug="nonaktif", region_code="13.07.07.2002", status=Kim.Status.NONAKTIF
        ),
        "kecamatan": KimFactory(slug="kecamatan", region_code="13.07.07"),
        "bukittinggi": KimFactory(slug="bukittinggi", region_code="13.75.01.1005"),
        "medan": KimFactory(slug="medan", region_code="12.71.01.1001"),
    }
    made["guguak"].sectors.set([sector("pertanian")])
    made["koto-bangun"].sectors.set([sector("kesehatan"), sector("umkm")])
    return made


def test_kims_under_the_target_with_receiving_statuses(kims):
    got = slugs(targeting.kims(regions=["13.07"]))
    assert got == {"guguak", "koto-bangun", "kurang", "vakum", "kecamatan"}


def test_kims_at_several_levels_and_a_prefix_is_not_a_string_prefix(kims):
    KimFactory(slug="lookalike", region_code="13.70.01.1001")  # "13.7" is not "13.07"
    got = slugs(targeting.kims(regions=["13.07.07", "13.75"]))
    assert got == {"koto-bangun", "kurang", "vakum", "kecamatan", "bukittinggi"}
    assert slugs(targeting.kims(regions=["13.07.07.2002"])) == {"koto-bangun", "kurang", "vakum"}


def test_kims_everywhere_and_nothing(kims):
    assert "medan" in slugs(targeting.kims(regions=[""]))
    assert not targeting.kims(regions=[]).exists()


def test_kims_by_sector(kims):
    got = slugs(
        targeting.kims(regions=["13"], sector_ids=[sector("kesehatan").pk, sector("pertanian").pk])
    )
    assert got == {"guguak", "koto-bangun"}
    assert slugs(targeting.kims(regions=["13"], sector_ids=[sector("pariwisata").pk])) == set()


def test_kims_by_status_never_pengajuan_or_nonaktif(kims):
    got = slugs(targeting.kims(regions=["13.07"], kim_statuses=["vakum"]))
    assert got == {"vakum"}
    got = slugs(targeting.kims(regions=["13.07"], kim_statuses=["pengajuan", "nonaktif"]))
    assert "pengajuan" not in got and "nonaktif" not in got
    assert got == {"guguak", "koto-bangun", "kurang", "vakum", "kecamatan"}  # the default


@pytest.fixture
def subs():
    return {
        "nagari": SubscriberFactory(region_code="13.07.07.2002"),
        "kecamatan": SubscriberFactory(region_code="13.07.07", channel=Channel.TELEGRAM),
        "kabupaten": SubscriberFactory(region_code="13.07", channel=Channel.WHATSAPP),
        "provinsi": SubscriberFactory(region_code="13", channel=Channel.SMS),
        "nagari-lain": SubscriberFactory(region_code="13.07.02.2002"),
        "bukittinggi": SubscriberFactory(region_code="13.75"),
        "sumut": SubscriberFactory(region_code="12"),
        "pending": SubscriberFactory(region_code="13.07.07.2002", status=Subscriber.Status.PENDING),
        "berhenti": SubscriberFactory(region_code="13.07", status=Subscriber.Status.UNSUBSCRIBED),
        "bounced": SubscriberFactory(region_code="13.07", status=Subscriber.Status.BOUNCED),
    }


def names(subs, qs):
    ids = public_ids(qs)
    return {name for name, s in subs.items() if s.public_id in ids}


def test_subscribers_both_ways_along_the_tree(subs):
    got = names(subs, targeting.subscribers(regions=["13.07.07"]))
    # below the target (nagari), at it (kecamatan), above it (kabupaten, provinsi)
    assert got == {"nagari", "kecamatan", "kabupaten", "provinsi"}
    got = names(subs, targeting.subscribers(regions=["13.07"]))
    assert got == {"nagari", "kecamatan", "kabupaten", "provinsi", "nagari-lain"}


def test_subscribers_everywhere_only_active(subs):
    got = names(subs, targeting.subscribers(regions=[""]))
    assert got == {
        "nagari", "kecamatan", "kabupaten", "provinsi", "nagari-lain", "bukittinggi", "sumut"
    }  # fmt: skip


def test_subscribers_by_topic(subs):
    health = sector("kesehatan")
    picky = SubscriberFactory(region_code="13.07", all_topics=False, topics=[health])
    other = SubscriberFactory(region_code="13.07", all_topics=False, topics=[sector("umkm")])
    got = public_ids(targeting.subscribers(regions=["13.07"], sector_ids=[health.pk]))
    assert picky.public_id in got and other.public_id not in got
    assert subs["nagari"].public_id in got  # all topics
    # Without a sector target every subscriber of the wilayah gets it, whatever the topics.
    assert other.public_id in public_ids(targeting.subscribers(regions=["13.07"]))


def test_subscribers_by_channel(subs):
    got = names(
        subs, targeting.subscribers(regions=["13.07"], channels=[Channel.SMS, Channel.WHATSAPP])
    )
    assert got == {"kabupaten", "provinsi"}


def test_preview_counts_per_channel(kims, subs, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        counts = targeting.preview(regions=["13.07"])
    assert counts == {
        "kim": 5, "email": 2, "telegram": 1, "whatsapp": 1, "sms": 1, "webpush": 0
    }  # fmt: skip
    counts = targeting.preview(regions=["13.07"], kim_statuses=["aktif"], channels=["email"])
    assert counts["kim"] == 3 and counts["email"] == 2 and counts["sms"] == 0
