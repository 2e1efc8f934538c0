"""KIM counts on the public wilayah pages: the total under a wilayah and per child row."""

import re

import pytest

from simpul.registry.models import Kim

from ..factories import KimFactory

pytestmark = pytest.mark.django_db


def kim_cells(html):
    """{child code: KIM count} from the table on a wilayah page (the last column)."""
    rows = re.findall(
        r'<tr><td class="mono">([\d.]+)</td>.*?'
        r'<td class="num">(?:<a [^>]*>)?(\d+)(?:</a>)?</td></tr>',
        html,
    )
    return {code: int(n) for code, n in rows}


@pytest.fixture
def kims(db):
    KimFactory(slug="a", region_code="13.07.07.2002")
    KimFactory(slug="b", region_code="13.07.07.2002", status=Kim.Status.VAKUM)
    KimFactory(slug="c", region_code="13.07.07.2003", status=Kim.Status.NONAKTIF)
    KimFactory(slug="d", region_code="13.07.07")  # kecamatan level
    KimFactory(slug="e", region_code="13.07.05.2001")
    KimFactory(slug="f", region_code="13.07")  # kabupaten level
    KimFactory(slug="g", region_code="13.75.01.1001")
    KimFactory(slug="p", region_code="13.07.07.2004", status=Kim.Status.PENGAJUAN)
    KimFactory(slug="x", region_code="13.07.07.2005", status=Kim.Status.DITOLAK)


def test_province_page_counts_per_kabupaten(client, kims):
    html = client.get("/wilayah/13/").content.decode()
    counts = kim_cells(html)
    assert len(counts) == 19
    assert counts["13.07"] == 6 and counts["13.75"] == 1 and counts["13.01"] == 0
    assert '<a href="/kim/?wilayah=13">7 Kelompok Informasi Masyarakat (KIM)</a>' in html
    assert 'href="/kim/cakupan/?provinsi=13"' in html


def test_kabupaten_page_counts_per_kecamatan_and_kim_at_its_own_level(client, kims):
    html = client.get("/wilayah/13.07/").content.decode()
    counts = kim_cells(html)
    assert counts["13.07.07"] == 4  # a, b, c and the kecamatan-level d
    assert counts["13.07.05"] == 1
    assert sum(counts.values()) == 5  # f is registered at the kabupaten itself
    assert ">6 Kelompok Informasi Masyarakat (KIM)</a>" in html
    assert 'href="/kim/?wilayah=13.07.07" aria-label="4 KIM di Kapur IX"' in html
    assert 'href="/kim/cakupan/13.07/"' in html


def test_kecamatan_page_counts_per_nagari(client, kims):
    counts = kim_cells(client.get("/wilayah/13.07.07/").content.decode())
    assert counts == {
        "13.07.07.2001": 0,
        "13.07.07.2002": 2,
        "13.07.07.2003": 1,
        "13.07.07.2004": 0,  # pengajuan is not public
        "13.07.07.2005": 0,  # nor is ditolak
        "13.07.07.2006": 0,
        "13.07.07.2007": 0,
    }


def test_desa_page_counts_its_own_kim(client, kims):
    html = client.get("/wilayah/13.07.07.2002/").content.decode()
    assert '<a href="/kim/?wilayah=13.07.07.2002">2 Kelompok Informasi Masyarakat (KIM)</a>' in html
    html = client.get("/wilayah/13.07.07.2004/").content.decode()
    assert "Belum ada Kelompok Informasi Masyarakat (KIM) terdaftar." in html


# Each page also lists the latest news of the wilayah and below (one query).
@pytest.mark.parametrize(("code", "queries"), [("13", 4), ("13.07", 5), ("13.07.07.2002", 4)])
def test_counts_cost_one_query_whatever_the_number_of_kim(
    client, django_assert_num_queries, code, queries
):
    KimFactory(slug="satu", region_code="13.07.07.2002")
    with django_assert_num_queries(queries):
        client.get(f"/wilayah/{code}/")
    for i in range(40):
        KimFactory(slug=f"banyak-{i}", region_code=f"13.{1 + i % 12:02d}")
        KimFactory(slug=f"desa-{i}", region_code=f"13.07.{1 + i % 13:02d}")
    with django_assert_num_queries(queries):
        client.get(f"/wilayah/{code}/")
