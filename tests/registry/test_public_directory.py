"""Public KIM directory /kim/: public statuses only, filters, pagination, constant queries."""

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from simpul.registry.models import Kim

from ..conftest import PERSONAS
from ..factories import KimFactory
from .factories import sector

pytestmark = pytest.mark.django_db


def get(client, **params):
    r = client.get("/kim/", params)
    assert r.status_code == 200
    return r.content.decode()


def slugs(html):
    """Slugs of the KIM listed, in order."""
    return re.findall(r'<h2><a href="/kim/([^"/]+)/">', html)


def main(html):
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)


@pytest.fixture
def spread(db):
    """KIM in several wilayah and statuses."""
    return {
        "koto-bangun": KimFactory(name="KIM Koto Bangun", slug="koto-bangun"),
        "harau": KimFactory(name="KIM Harau", slug="harau", region_code="13.07.05"),
        "kab": KimFactory(name="KIM Lima Puluh Kota", slug="kab", region_code="13.07"),
        "bukittinggi": KimFactory(
            name="KIM Tarok Dipo", slug="bukittinggi", region_code="13.75.01.1001"
        ),
        "medan": KimFactory(name="KIM Pasar Baru", slug="medan", region_code="12.71.01.1001"),
    }


def test_lists_only_public_statuses(client):
    for status in Kim.Status:
        KimFactory(name=f"KIM Status {status.value}", slug=f"s-{status.value}", status=status)

    listed = set(slugs(get(client)))

    assert listed == {"s-aktif", "s-kurang_aktif", "s-vakum", "s-nonaktif"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("13", {"koto-bangun", "harau", "kab", "bukittinggi"}),
        ("13.07", {"koto-bangun", "harau", "kab"}),
        ("13.07.07", {"koto-bangun"}),
        ("13.07.07.2002", {"koto-bangun"}),
        ("13.75", {"bukittinggi"}),
        ("12", {"medan"}),
    ],
)
def test_wilayah_filter_matches_the_code_and_everything_below(client, spread, code, expected):
    html = get(client, wilayah=code)
    assert set(slugs(html)) == expected


def test_wilayah_filter_names_the_wilayah(client, spread):
    html = get(client, wilayah="13.07")
    assert "<h1>Kelompok Informasi Masyarakat di Kabupaten Lima Puluh Kota</h1>" in html


@pytest.mark.parametrize("code", ["abc", "13.7", "13..07", "13.07.", "１３", "13%0A", "x" * 20])
def test_invalid_wilayah_code_is_a_clear_message_not_an_error(client, spread, code):
    html = get(client, wilayah=code)
    assert "tidak sah" in html and "13.07.07.2002" in html  # says what a code looks like
    assert slugs(html) == []


def test_unknown_wilayah_code_says_so(client, spread):
    html = get(client, wilayah="13.99")
    assert "Tidak ada wilayah dengan kode 13.99" in html
    assert slugs(html) == []


def test_sector_filter(client, spread):
    spread["harau"].sectors.add(sector("pariwisata"))
    spread["bukittinggi"].sectors.add(sector("pariwisata"), sector("umkm"))
    spread["koto-bangun"].sectors.add(sector("pertanian"))

    assert set(slugs(get(client, sektor="pariwisata"))) == {"harau", "bukittinggi"}
    assert set(slugs(get(client, sektor="umkm"))) == {"bukittinggi"}
    html = get(client, sektor="tidak-ada")
    assert slugs(html) == [] and "Perbaiki saringan" in html


def test_status_filter_accepts_only_public_statuses(client):
    KimFactory(name="KIM Aktif", slug="aktif")
    KimFactory(name="KIM Vakum", slug="vakum", status=Kim.Status.VAKUM)
    KimFactory(name="KIM Baru", slug="baru", status=Kim.Status.PENGAJUAN)

    assert slugs(get(client, status="vakum")) == ["vakum"]
    assert slugs(get(client, status="aktif")) == ["aktif"]
    assert slugs(get(client, status="pengajuan")) == []


@pytest.mark.parametrize(
    "q",
    [
        "KIM Tujuh Koto",
        "tujuh koto",
        "Tujuh-Koto",
        "Kelompok Informasi Masyarakat Tujuh Koto Talago",
        "TALAGO",
    ],
)
def test_name_search_on_the_normalised_name(client, q):
    KimFactory(name="Kelompok Informasi Masyarakat Tujuh Koto Talago", slug="tujuh-koto-talago")
    KimFactory(name="KIM Koto Bangun", slug="koto-bangun", region_code="13.07.07.2003")

    assert slugs(get(client, q=q)) == ["tujuh-koto-talago"]


def test_filters_combine(client, spread):
    spread["harau"].sectors.add(sector("pariwisata"))
    spread["bukittinggi"].sectors.add(sector("pariwisata"))
    assert slugs(get(client, wilayah="13.07", sektor="pariwisata", q="harau")) == ["harau"]
    assert slugs(get(client, wilayah="13.07", sektor="pariwisata", q="tarok")) == []


def test_row_shows_full_name_wilayah_status_legality_and_sectors(client):
    kim = KimFactory(name="KIM Koto Bangun", slug="koto-bangun", status=Kim.Status.KURANG_AKTIF)
    kim.sectors.add(sector("pertanian"), sector("literasi-digital"))

    html = get(client)

    assert (
        '<h2><a href="/kim/koto-bangun/">Kelompok Informasi Masyarakat Koto Bangun</a></h2>' in html
    )
    assert "Nagari Koto Bangun, Kecamatan Kapur IX, Kabupaten Lima Puluh Kota" in html
    assert "<strong>Kurang aktif</strong>" in html
    assert "Belum ada SK" in html
    assert "Pertanian, Literasi digital" in html


def test_wilayah_label_of_a_kecamatan_level_kim(client):
    KimFactory(name="KIM Harau", slug="harau", region_code="13.07.05")
    html = get(client)
    assert '<p class="muted">Kecamatan Harau, Kabupaten Lima Puluh Kota</p>' in html


def test_paginates_by_25_and_keeps_the_filters(client):
    for i in range(30):
        KimFactory(name=f"KIM Uji {i:02d}", slug=f"uji-{i:02d}", region_code="13.07.07.2001")
    KimFactory(name="KIM Lain", slug="lain", region_code="13.75.01.1001")

    first = get(client, wilayah="13.07")
    second = get(client, wilayah="13.07", page=2)

    assert len(slugs(first)) == 25 and len(slugs(second)) == 5
    assert slugs(first) + slugs(second) == [f"uji-{i:02d}" for i in range(30)]
    assert 'href="?wilayah=13.07&amp;page=2"' in first
    assert 'href="?wilayah=13.07&amp;page=1"' in second
    assert "30 KIM ditemukan" in first


def _many(n, offset=0):
    codes = ["13.07.07.2002", "13.07.05.2001", "13.75.01.1001", "13.71.11.1001", "13.07.05"]
    sectors = [sector("pertanian"), sector("umkm"), sector("pariwisata")]
    for i in range(n):
        kim = KimFactory(
            name=f"KIM Banyak {offset + i}",
            slug=f"banyak-{offset + i}",
            region_code=codes[i % len(codes)],
        )
        kim.sectors.add(*sectors[: 1 + i % 3])


@pytest.mark.parametrize("params", [{}, {"wilayah": "13"}, {"q": "banyak", "sektor": "umkm"}])
def test_query_count_does_not_grow_with_rows(client, django_assert_num_queries, params):
    # sector choices, count, page, sectors (prefetch), wilayah names (one query for all rows)
    _many(3)
    with django_assert_num_queries(5):
        small = get(client, **params)
    _many(27, offset=3)
    with django_assert_num_queries(5):
        large = get(client, **params)
    assert len(slugs(small)) < len(slugs(large))


def test_every_input_has_a_label_and_there_is_no_javascript(client, spread):
    html = get(client)
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html)
    assert {"id_q", "id_wilayah", "id_sektor", "id_status"} <= set(ids)
    for field_id in ids:
        assert re.search(rf'<label[^>]* for="{field_id}"', html)
    assert "<script" not in html
    assert 'method="get"' in html


def test_page_is_publicly_cacheable_and_small(client):
    for i in range(25):
        KimFactory(
            name=f"Kelompok Informasi Masyarakat Nama Yang Cukup Panjang {i}",
            slug=f"panjang-{i}",
            region_code="13.07.13.2002",
        ).sectors.add(sector("pertanian"), sector("sosial-budaya"))
    r = client.get("/kim/")
    assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]
    css = Path(finders.find("simpul/site.css")).read_bytes()
    assert len(gzip.compress(r.content)) + len(gzip.compress(css)) <= 30 * 1024


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_everyone_sees_the_same_directory(persona, spread):
    _name, _user, client = persona
    KimFactory(name="KIM Menunggu", slug="menunggu", status=Kim.Status.PENGAJUAN)
    anonymous = main(Client().get("/kim/?wilayah=13").content.decode())
    mine = main(client.get("/kim/?wilayah=13").content.decode())
    assert mine == anonymous
    assert "menunggu" not in mine
