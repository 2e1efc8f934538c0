"""The siaran part of `simpul demo`: Cek Kesehatan Gratis to every KIM of Sumatera Barat,
relayed in different ways by several demo KIM; the ledger shows coverage and gaps; a second
run creates nothing."""

import pytest
from django.urls import reverse

from simpul.accounts.models import User
from simpul.broadcasts import demo, ledger
from simpul.broadcasts.models import Dispatch, Inbox, Relay, ShortLink, Siaran, Subscriber
from simpul.core import demo as core_demo
from simpul.registry.models import Kim

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def run():
    """`simpul demo` without the Warta steps (they are another app's; this file tests the
    siaran step and what it needs: offices, logins, the demo KIM)."""
    from simpul.newsroom.demo import STEPS as NEWSROOM_STEPS

    return core_demo.run_demo(steps=[s for s in core_demo.STEPS if s not in NEWSROOM_STEPS])


def counts():
    return tuple(m.objects.count() for m in (Siaran, Inbox, Relay, Dispatch, Subscriber, ShortLink))


def test_siaran_step_is_part_of_the_demo():
    assert demo.step_siaran in core_demo.STEPS


def test_demo_siaran_reaches_every_receiving_kim_and_is_idempotent(data_dir):
    run()
    siaran = Siaran.objects.get(title=demo.TITLE)
    assert siaran.status == Siaran.Status.SENT and siaran.fanned_out_at is not None
    assert siaran.region_code == "13" and siaran.target_regions == ["13"]
    receiving = Kim.objects.filter(
        region_code__startswith="13.", status__in=["aktif", "kurang_aktif", "vakum"]
    )
    assert set(Inbox.objects.filter(siaran=siaran).values_list("kim_id", flat=True)) == set(
        receiving.values_list("pk", flat=True)
    )
    relays = Relay.objects.filter(siaran=siaran)
    channels = set(relays.values_list("channel", flat=True))
    assert {"whatsapp", "meeting", "worship", "radio", "poster", "door"} <= channels
    meeting = relays.get(channel="meeting", kim__normalised_name="tujuh koto talago")
    assert meeting.audience == 40
    assert all(r.relayed_on >= r.siaran.sent_at.date() for r in relays)
    dispatches = Dispatch.objects.filter(siaran=siaran)
    assert dispatches.filter(status="sent").count() >= 8
    failed = dispatches.filter(status="failed")
    assert failed.count() == 2 and all(d.error for d in failed)
    assert not dispatches.filter(status="queued").exists()
    poster = ShortLink.objects.get(siaran=siaran, channel="poster")
    assert poster.clicks == 12 and poster.kim.normalised_name == "tujuh koto talago"

    before = counts()
    run()
    assert counts() == before


def test_ledger_shows_coverage_and_gaps(data_dir):
    run()
    siaran = Siaran.objects.get(title=demo.TITLE)
    admin = User.objects.get(email="admin.sumbar@simpul.demo")
    result = ledger.ledger(admin, siaran)
    rows = {r.code: r for r in result.rows}
    assert len(rows) == 19
    assert rows["13.07"].relayed_kims == 2 and not rows["13.07"].is_gap  # Talago, Koto Bangun
    assert rows["13.06"].audience == 1500
    assert rows["13.09"].is_gap and rows["13.76"].is_gap  # Mentawai; Payakumbuh's WA failed
    assert 8 <= len(result.gaps) <= 15
    assert result.total.scans == 12 and result.total.audience >= 2400


def test_ledger_page_of_the_demo(data_dir, login):
    run()
    siaran = Siaran.objects.get(title=demo.TITLE)
    admin = User.objects.get(email="admin.sumbar@simpul.demo")
    client = login(admin)
    url = reverse("kelola:jangkauan:ledger", kwargs={"public_id": siaran.public_id})
    html = client.get(url).content.decode()
    assert "Kepulauan Mentawai" in html and "celah" in html
    assert "Radio komunitas" in html
