"""The reach ledger (/kelola/siaran/<id>/jangkauan/): numbers on a small crafted siaran, the
gap view, export, the SVG map, personas allowed and denied (404), fixed query count."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from simpul.broadcasts import ledger, tally
from simpul.broadcasts.models import Dispatch, RelayChannel

from ..factories import KimFactory
from .factories import (
    DispatchFactory,
    InboxFactory,
    RelayFactory,
    ShortLinkFactory,
    SiaranFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

GUGUAK = "13.07.02"  # kecamatan Guguak, Lima Puluh Kota
KOTO_TALAGO = "13.07.02.2002"
HARAU = "13.07.05"
KOTO_BANGUN = "13.07.07.2002"
BUKITTINGGI = "13.75.01.1005"


def url(siaran, name="ledger", **kw):
    return reverse(f"kelola:jangkauan:{name}", kwargs={"public_id": siaran.public_id, **kw})


@pytest.fixture
def crafted(office_sumbar):
    """A Sumbar siaran to 13.07 and 13.75: four KIM, relays, subscribers, links."""
    now = timezone.now()
    siaran = SiaranFactory(target_regions=["13.07", "13.75"], title="Cek Kesehatan Gratis")
    talago = KimFactory(region_code=KOTO_TALAGO, name="KIM Tujuh Koto Talago")
    harau = KimFactory(region_code="13.07.05.2005", name="KIM Harau Saiyo")
    bangun = KimFactory(region_code=KOTO_BANGUN, name="KIM Koto Bangun Saiyo")
    jam = KimFactory(region_code=BUKITTINGGI, name="KIM Jam Gadang")
    InboxFactory(siaran=siaran, kim=talago, read_at=now, acknowledged_at=now)
    InboxFactory(siaran=siaran, kim=harau, read_at=now)
    InboxFactory(siaran=siaran, kim=bangun)
    InboxFactory(siaran=siaran, kim=jam, read_at=now)
    RelayFactory(siaran=siaran, kim=talago, channel=RelayChannel.MEETING, audience=40)
    RelayFactory(siaran=siaran, kim=talago, channel=RelayChannel.WHATSAPP, audience=120)
    RelayFactory(siaran=siaran, kim=harau, channel=RelayChannel.WORSHIP, audience=200)
    for status in ("sent", "sent", "failed"):
        DispatchFactory(
            siaran=siaran, subscriber=SubscriberFactory(region_code=KOTO_TALAGO), status=status
        )
    DispatchFactory(
        siaran=siaran,
        subscriber=SubscriberFactory(region_code="13.07", channel="telegram"),
        status=Dispatch.Status.SENT,
    )  # subscribed to the whole kabupaten
    DispatchFactory(
        siaran=siaran, subscriber=SubscriberFactory(region_code=BUKITTINGGI), status="queued"
    )
    DispatchFactory(
        siaran=siaran, subscriber=SubscriberFactory(region_code="13"), status="sent"
    )  # subscribed to the whole province: in the total, under no kab/kota
    ShortLinkFactory(siaran=siaran, kim=talago, channel=RelayChannel.WHATSAPP, clicks=17)
    ShortLinkFactory(siaran=siaran, kim=talago, channel=RelayChannel.POSTER, clicks=5)
    ShortLinkFactory(siaran=siaran, kim=jam, channel=RelayChannel.FACEBOOK, clicks=3)
    other = SiaranFactory(target_regions=["13.07"])  # must not leak into the numbers
    InboxFactory(siaran=other, kim=talago)
    RelayFactory(siaran=other, kim=talago, audience=999)
    return siaran


def test_numbers_per_wilayah_and_total(crafted, admin_sumbar):
    result = ledger.ledger(admin_sumbar, crafted)
    assert result.root_code == "13" and result.whole
    rows = {r.code: r for r in result.rows}
    assert set(rows) == {"13.07", "13.75"}  # only the targeted kab/kota
    lpk, bkt = rows["13.07"], rows["13.75"]
    assert (lpk.kims, lpk.read, lpk.acknowledged) == (3, 2, 1)
    assert (lpk.relayed_kims, lpk.relays, lpk.audience) == (2, 3, 360)
    assert (lpk.sent, lpk.failed, lpk.pending) == (3, 1, 0)
    assert (lpk.clicks, lpk.scans) == (17, 5)
    assert (bkt.kims, bkt.relayed_kims, bkt.sent, bkt.pending, bkt.clicks) == (1, 0, 0, 1, 3)
    assert bkt.is_gap and not lpk.is_gap
    t = result.total
    assert (t.kims, t.read, t.relayed_kims, t.audience, t.sent, t.failed) == (4, 3, 2, 360, 4, 1)
    channels = {c["channel"]: c for c in result.relay_channels}
    assert channels["meeting"]["audience"] == 40 and channels["worship"]["kims"] == 1
    dispatch = {c["channel"]: c["row"] for c in result.dispatch_channels}
    email = dispatch["email"]
    assert (email.sent, email.failed, email.pending) == (3, 1, 1)
    assert dispatch["telegram"].sent == 1
    links = {c["channel"]: c["clicks"] for c in result.link_channels}
    assert links == {"whatsapp": 17, "poster": 5, "facebook": 3}


def test_drill_down_to_a_kabupaten_lists_kecamatan_and_kims(crafted, admin_sumbar):
    result = ledger.ledger(admin_sumbar, crafted, wilayah="13.07")
    rows = {r.code: r for r in result.rows}
    assert rows[GUGUAK].relayed_kims == 1 and rows[GUGUAK].sent == 2
    assert rows[HARAU].relayed_kims == 1 and rows[HARAU].audience == 200
    assert rows["13.07.07"].kims == 1 and rows["13.07.07"].is_gap
    assert rows["13.07.01"].kims == 0 and rows["13.07.01"].is_gap  # no KIM at all
    # The kabupaten-wide subscriber counts in the kabupaten's total, under no kecamatan.
    assert result.total.sent == 3
    page = ledger.kim_rows(crafted, result)
    by_name = {i.kim.name: i for i in page}
    assert set(by_name) == {"KIM Tujuh Koto Talago", "KIM Harau Saiyo", "KIM Koto Bangun Saiyo"}
    talago = by_name["KIM Tujuh Koto Talago"]
    assert (talago.relays, talago.audience, talago.clicks, talago.scans) == (2, 160, 17, 5)
    assert by_name["KIM Koto Bangun Saiyo"].relays == 0


def test_gap_villages_at_kabupaten_level(crafted, admin_sumbar):
    result = ledger.ledger(admin_sumbar, crafted, wilayah="13.07")
    groups = ledger.gap_villages(crafted, result)
    villages = {v.code for _name, _code, items in groups for v in items}
    assert KOTO_TALAGO not in villages  # relayed and reached
    assert "13.07.05.2005" not in villages  # Harau Saiyo relayed
    assert KOTO_BANGUN in villages  # its KIM only received it
    assert all(v.startswith("13.07.") for v in villages)
    counts = ledger.gap_counts(crafted, ledger.ledger(admin_sumbar, crafted))
    n, gap = counts["13.07"]
    assert gap == n - 2 and counts["13.75"][0] == counts["13.75"][1]


def test_page_shows_numbers_map_and_gap(crafted, admin_sumbar, login):
    client = login(admin_sumbar)
    response = client.get(url(crafted))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cek Kesehatan Gratis" in html
    assert "<svg" in html and 'class="gap"' in html  # Bukittinggi's tile is a gap
    assert "Musyawarah/pertemuan" in html and ">360<" in html
    response = client.get(url(crafted), {"wilayah": "13.07"})
    html = response.content.decode()
    assert "KIM Tujuh Koto Talago" in html and "Guguak" in html
    gap = client.get(url(crafted, "gap"), {"wilayah": "13.07"}).content.decode()
    assert "Koto Bangun" in gap


def test_export_csv_and_xlsx_parse(crafted, admin_sumbar, login):
    client = login(admin_sumbar)
    crafted_kim = KimFactory(region_code=KOTO_BANGUN, name='=HYPERLINK("x")')
    InboxFactory(siaran=crafted, kim=crafted_kim)
    response = client.get(url(crafted, "export", fmt="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Kode"
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["13.07"][2] == "4" and by_code["13.75"][-1] == "ya"
    response = client.get(url(crafted, "export", fmt="xlsx"), {"wilayah": "13.07"})
    book = load_workbook(io.BytesIO(response.content))
    assert {"Per wilayah", "Per KIM", "Penerusan per cara"} <= set(book.sheetnames)
    names = [row[1] for row in book["Per KIM"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in names  # formula injection neutralised
    assert client.get(url(crafted, "export", fmt="pdf")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin_sumbar", True),
        ("pembina_limapuluhkota", True),  # part of the target inside their kabupaten
        ("pembina_bukittinggi", True),
        ("admin_other_province", False),
        ("warga", False),
    ],
    indirect=["persona"],
)
def test_personas(crafted, persona, allowed):
    name, user, client = persona
    for target in (url(crafted), url(crafted, "gap"), url(crafted, "export", fmt="csv")):
        response = client.get(target)
        assert response.status_code == (200 if allowed else 404), (name, target)


def test_anonymous_is_sent_to_login(crafted, client):
    response = client.get(url(crafted))
    assert response.status_code == 302 and "/akun/" in response["Location"]


def test_pembina_sees_only_their_part(crafted, pembina_limapuluhkota, login):
    result = ledger.ledger(pembina_limapuluhkota, crafted)
    assert not result.whole and result.root_code == "13.07"
    assert result.total.kims == 3 and result.total.clicks == 17  # nothing of Bukittinggi
    client = login(pembina_limapuluhkota)
    assert client.get(url(crafted), {"wilayah": "13.75"}).status_code == 404
    assert client.get(url(crafted), {"wilayah": "13"}).status_code == 404
    assert client.get(url(crafted), {"wilayah": "13.07.02"}).status_code == 200


def test_outside_the_target_or_unknown_is_404(crafted, admin_sumbar, login):
    client = login(admin_sumbar)
    assert client.get(url(crafted), {"wilayah": "13.01"}).status_code == 404  # not targeted
    assert client.get(url(crafted), {"wilayah": "x"}).status_code == 404
    missing = reverse("kelola:jangkauan:ledger", kwargs={"public_id": "tidakada"})
    assert client.get(missing).status_code == 404
    draft = SiaranFactory(draft=True)
    assert client.get(url(draft)).status_code == 404


def test_query_count_independent_of_rows(crafted, admin_sumbar, login, django_assert_num_queries):
    client = login(admin_sumbar)
    client.get(url(crafted), {"wilayah": "13.07"})  # warm the session and grants

    def count():
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # the grouped tally is cached per tally_at: count its query each time
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(crafted), {"wilayah": "13.07"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(12):
        kim = KimFactory(region_code=f"13.07.0{1 + i % 8}.200{1 + i % 3}")
        InboxFactory(siaran=crafted, kim=kim)
        RelayFactory(siaran=crafted, kim=kim, channel=RelayChannel.RADIO)
        ShortLinkFactory(siaran=crafted, kim=kim, channel=RelayChannel.TELEGRAM, clicks=i)
        DispatchFactory(siaran=crafted, subscriber=SubscriberFactory(region_code=kim.region_code))
    tally.refresh(crafted.pk)  # more tally rows too
    assert count() == before


def test_subscriber_counts_come_from_the_tally_as_of_its_time(crafted, admin_sumbar):
    first = ledger.ledger(admin_sumbar, crafted)  # no tally yet: taken once, inline
    crafted.refresh_from_db()
    assert first.total.sent == 4 and first.dispatch_as_of == crafted.tally_at is not None
    crafted.dispatches.filter(status="failed").update(status="sent")
    # The page reads the tally, not the dispatches: unchanged until the worker refreshes it.
    assert ledger.ledger(admin_sumbar, crafted).total.sent == 4
    tally.refresh(crafted.pk)  # what tasks.refresh_tallies does within 30 s
    crafted.refresh_from_db()
    again = ledger.ledger(admin_sumbar, crafted)
    assert (again.total.sent, again.total.failed) == (5, 0)
    assert again.dispatch_as_of == crafted.tally_at > first.dispatch_as_of


def test_kabkota_target_links_up_to_the_province_map(login, admin_sumbar):
    """A siaran to one kab/kota opens at that kab/kota; a crumb leads to the province, where
    the tile map is drawn."""
    siaran = SiaranFactory(target_regions=["13.07"])
    InboxFactory(siaran=siaran, kim=KimFactory(region_code=KOTO_TALAGO))
    client = login(admin_sumbar)
    html = client.get(url(siaran)).content.decode()
    province_url = url(siaran) + "?wilayah=13"
    assert f'href="{province_url}"' in html and "<svg" not in html
    assert "<svg" in client.get(province_url).content.decode()
