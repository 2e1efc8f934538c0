"""The subscriber step of `simpul scale` (bench/scale_siaran.py): ~2,000,000 nationally, a
province's share by its villages; channels and levels mixed as planned; addresses encrypted
with the subscription code's hash; deterministic and idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.db import connection

from simpul.broadcasts import targeting
from simpul.broadcasts.models import Subscriber
from simpul.broadcasts.subscriptions import address_hash
from simpul.core.management.commands.scale import load_generator
from simpul.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path


STEPS = ("offices", "office_people", "kim", "subscribers")


def run(**options):
    """The generator's steps this one needs (the Warta steps belong to another app), logged
    as `simpul scale` logs them."""
    scale = load_generator()
    out = StringIO()
    steps = [s for s in scale.STEPS if s[0] in STEPS]
    scale.generate(**options, steps=steps, log=lambda line: out.write(line + "\n"))
    return out.getvalue()


def test_subscriber_step_is_part_of_the_generator(debug):
    assert "subscribers" in [name for name, _step in load_generator().STEPS]


def generated():
    return Subscriber.objects.filter(token__startswith="skala")


def test_sumbar_subscribers(debug):
    out = run(preset="sumbar")
    subs = generated()
    n = subs.count()
    villages = Region.objects.filter(code__startswith="13.", level=4, retired=False).count()
    expected = 2_000_000 * villages / 83_762
    assert 0.85 * expected < n < 1.15 * expected
    assert f"subscriber +{n:,}" in out
    codes = list(subs.values_list("region_code", "channel", "status", "all_topics"))
    assert all(code.startswith("13.") for code, *_ in codes)
    assert {status for _c, _ch, status, _t in codes} == {"active"}
    channels = Counter(ch for _c, ch, _s, _t in codes)
    assert 0.66 < channels["email"] / n < 0.74
    assert 0.12 < channels["telegram"] / n < 0.18
    assert 0.07 < channels["whatsapp"] / n < 0.13
    assert 0.03 < channels["sms"] / n < 0.07
    levels = Counter(code.count(".") + 1 for code, *_ in codes)
    assert 0.62 < levels[4] / n < 0.78 and 0.14 < levels[3] / n < 0.26
    assert 0.05 < levels[2] / n < 0.15
    topics = sum(1 for *_rest, all_topics in codes if not all_topics)
    assert 0.16 < topics / n < 0.24
    picky = subs.filter(all_topics=False).prefetch_related("topics")[:50]
    assert all(1 <= len(s.topics.all()) <= 2 for s in picky)

    # Encrypted in the table, readable through the model, hashed like the subscription code.
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM broadcasts_subscriber LIMIT 50")
        assert not any("@" in row[0] or row[0].startswith("+62") for row in cursor.fetchall())
    for s in subs.order_by("pk")[:200]:
        assert s.address_hash == address_hash(s.channel, s.address)
        if s.channel == "email":
            assert s.address.endswith("@warga.scale.simpul")
        elif s.channel in ("sms", "whatsapp"):
            assert s.address.startswith("+628")

    # The fan-out finds them both ways along the tree.
    preview = targeting.preview(regions=["13.07.07"])
    assert preview["email"] > 0 and preview["kim"] > 0
    above = targeting.subscribers(regions=["13.07.07"]).filter(region_code="13.07").count()
    assert above == subs.filter(region_code="13.07").count() > 0


def test_second_run_creates_nothing_and_same_seed_same_people(debug):
    run(preset="sumbar")
    first = sorted(generated().values_list("token", "channel", "region_code", "address_hash"))
    out = run(preset="sumbar")
    assert "subscriber +0, topic link +0" in out
    generated().delete()
    run(preset="sumbar")
    again = sorted(generated().values_list("token", "channel", "region_code", "address_hash"))
    assert again == first
