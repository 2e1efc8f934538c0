"""Public wilayah pages: index, detail with breadcrumbs, search, 404s, language, size."""

import gzip
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import simpul
from simpul.regions import queries
from simpul.regions.models import Region
from simpul.regions.services import load_regions

from ..factories import KimFactory

pytestmark = pytest.mark.django_db

CSS = Path(simpul.__file__).parent / "web" / "static" / "simpul" / "site.css"


@pytest.fixture
def source_names(session_slice):
    return session_slice[0]


def links(html, pattern=r"[\d.]+"):
    return re.findall(rf'href="/wilayah/({pattern})/"', html)


def crumbs(html):
    """[(href or None, text)] of the breadcrumb trail."""
    trail = re.search(r'<ol class="crumbs">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)
    result = []
    for item in items:
        m = re.fullmatch(r'<a href="([^"]+)">(.*)</a>', item.strip())
        result.append((m.group(1), m.group(2)) if m else (None, item.strip()))
    return result


def test_index_lists_38_provinces_with_links(client, source_names):
    r = client.get("/wilayah/")
    html = r.content.decode()

    assert r.status_code == 200
    provinces = sorted(c for c in source_names if "." not in c)
    assert len(provinces) == 38
    assert links(html, r"\d{2}") == provinces
    assert ">Sumatera Barat</a>" in html
    assert "38 provinsi" in html


def test_province_page_lists_its_19_kabupaten_and_kota(client, source_names):
    r = client.get("/wilayah/13/")
    html = r.content.decode()

    assert r.status_code == 200
    expected = sorted(c for c in source_names if c.startswith("13.") and c.count(".") == 1)
    assert len(expected) == 19
    assert links(html, r"13\.\d{2}") == expected
    assert "<h1>Sumatera Barat</h1>" in html
    assert ">Kabupaten Lima Puluh Kota</a>" in html
    assert ">Kota Bukittinggi</a>" in html
    assert crumbs(html) == [("/wilayah/", "Indonesia"), (None, "Sumatera Barat")]


def test_kabupaten_page_has_breadcrumbs_and_kecamatan_links(client, source_names):
    html = client.get("/wilayah/13.07/").content.decode()

    assert crumbs(html) == [
        ("/wilayah/", "Indonesia"),
        ("/wilayah/13/", "Sumatera Barat"),
        (None, "Kabupaten Lima Puluh Kota"),
    ]
    expected = sorted(c for c in source_names if c.startswith("13.07.") and c.count(".") == 2)
    assert len(expected) == 13
    assert links(html, r"13\.07\.\d{2}") == expected
    assert ">Kapur IX</a>" in html


def test_desa_page_shows_trail_to_its_kecamatan_and_nagari(client):
    r = client.get("/wilayah/13.07.07.2002/")
    html = r.content.decode()

    assert r.status_code == 200
    assert crumbs(html) == [
        ("/wilayah/", "Indonesia"),
        ("/wilayah/13/", "Sumatera Barat"),
        ("/wilayah/13.07/", "Kabupaten Lima Puluh Kota"),
        ("/wilayah/13.07.07/", "Kecamatan Kapur IX"),
        (None, "Nagari Koto Bangun"),
    ]
    assert "<h1>Nagari Koto Bangun</h1>" in html
    assert "13.07.07.2002</span> · Nagari" in html
    assert "<table" not in html  # a desa has nothing below it


def test_kelurahan_in_a_kota_is_labelled_kelurahan(client):
    html = client.get("/wilayah/13.75.01.1001/").content.decode()
    assert "<h1>Kelurahan Tarok Dipo</h1>" in html
    assert ("/wilayah/13.75/", "Kota Bukittinggi") in crumbs(html)


# Pages of one level, from 2 to 33 children: the number of queries must not follow the number
# of rows. Levels differ by design: a province has no ancestors to fetch, a desa no children.
SAMPLES = {
    1: ["13", "12", "31"],
    2: ["13.07", "13.71", "13.72", "12.71"],
    3: ["13.07.07", "13.71.11", "13.12.01", "13.01.07"],
    4: ["13.07.07.2002", "13.75.01.1001", "12.71.01.1001"],
}


def test_detail_query_count_does_not_grow_with_children(client):
    KimFactory(region_code="13.07.07.2002")
    KimFactory(region_code="13.75.01.1001")
    counts = {}
    for level, codes in SAMPLES.items():
        sizes = dict(Region.objects.filter(code__in=codes).values_list("code", "child_count"))
        assert len(sizes) == len(codes)
        if level < 4:
            assert max(sizes.values()) >= 2 * min(sizes.values())  # really different sizes
        for code in codes:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/wilayah/{code}/").status_code == 200
            counts[code] = len(ctx)
        assert len({counts[c] for c in codes}) == 1, counts
    per_level = {level: counts[codes[0]] for level, codes in SAMPLES.items()}
    assert per_level[2] == per_level[3], per_level
    assert per_level[1] <= per_level[2] and per_level[4] <= per_level[3], per_level
    assert max(per_level.values()) <= 6, per_level


def test_index_and_search_are_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/wilayah/").status_code == 200
    with django_assert_num_queries(1):  # parents come with select_related
        assert b"Kota Padang" in client.get("/wilayah/cari/?q=koto+tangah").content


@pytest.mark.parametrize(
    "code",
    [
        "99",
        "13.99",
        "13.07.99.9999",
        "abc",
        "13.7",
        "13..07",
        "13.07.07.20021",
        "1" * 3000,
        "13." * 400,
        "%00",
        "13%00",
        "%E2%80%8B",  # zero-width space
        "Sumatera%20Barat",
        "%D9%A1%D9%A3",  # Arabic-Indic digits "١٣"
        "%EF%BC%91%EF%BC%93",  # full-width digits "１３"
        "%F0%9F%98%80",  # emoji
        "13%2F07",
        "..",
        "13%0A",  # a trailing newline satisfies "$"
        "13.07%0A",
    ],
)
def test_unknown_or_malformed_code_is_404_with_search(client, code):
    r = client.get(f"/wilayah/{code}/")
    assert r.status_code == 404
    assert b'action="/wilayah/cari/"' in r.content
    assert b"Halaman tidak ditemukan" in r.content


def test_retired_region_page_says_so_and_is_not_listed_under_its_parent(client, session_slice):
    names, postal = session_slice
    names = {c: n for c, n in names.items() if c != "13.07.07.2007"}
    assert load_regions(source=(names, postal)).retired == 1

    assert b"tidak berlaku lagi" in client.get("/wilayah/13.07.07.2007/").content
    html = client.get("/wilayah/13.07.07/").content.decode()
    listed = links(html, r"13\.07\.07\.\d{4}")
    assert "13.07.07.2007" not in listed
    assert len(listed) == Region.objects.get(code="13.07.07").child_count == 6
    assert "6 wilayah di bawahnya" in html


def search(client, q, **params):
    r = client.get("/wilayah/cari/", {"q": q, **params})
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.parametrize("q", ["koto tangah", "kototangah", "KOTO  TANGAH", "Koto-Tangah"])
def test_search_finds_koto_tangah_however_spaced(client, q):
    html = search(client, q)
    assert 'href="/wilayah/13.71.11/">Kecamatan Koto Tangah</a>' in html
    # Exact name matches come before longer names that contain it.
    first = links(html)[0]
    assert Region.objects.get(code=first).search_name == "kototangah"


@pytest.mark.parametrize("q", ["ko", "k o", " a ", "k-o", "!!!", "<b>"])
def test_search_needs_three_letters(client, q):
    html = search(client, q)
    assert "paling sedikit 3 huruf" in html
    assert links(html, r"\d{2}\.[\d.]+") == []


def test_search_ranks_exact_names_first_even_past_the_limit(db):
    # 25 wilayah contain "tapan" (Tapanuli …, Tapan …) before the desa named exactly Tapan.
    assert Region.objects.filter(search_name__contains="tapan").count() > 20
    top = queries.search("Tapan", limit=20)
    assert len(top) == 20
    assert top[0].search_name == "tapan"
    assert [r.level for r in top[1:]] == sorted(r.level for r in top[1:])


def test_search_escapes_the_query(client):
    html = search(client, "<script>alert(1)</script>koto")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;koto" in html


def test_search_paginates_by_50(client):
    total = Region.objects.filter(search_name__contains="koto").count()
    assert 100 < total <= 200
    first = search(client, "koto")
    second = search(client, "koto", page=2)
    last = search(client, "koto", page=99)  # past the end: the last page

    assert f"{total} wilayah cocok" in first
    assert 'href="?q=koto&amp;page=2"' in first
    assert len(links(first)) == len(links(second)) == 50
    assert not set(links(first)) & set(links(second))
    pages = -(-total // 50)
    assert len(links(last)) == total - 50 * (pages - 1)
    assert f'href="?q=koto&amp;page={pages - 1}"' in last
    assert "page=" + str(pages + 1) not in last


def test_search_without_matches_says_so(client):
    html = search(client, "zzzqqq")
    assert "Tidak ada wilayah dengan nama itu" in html


def test_language_switch_sets_cookie_and_html_lang(client):
    assert '<html lang="id">' in client.get("/wilayah/13/").content.decode()

    r = client.post("/i18n/setlang/", {"language": "en", "next": "/wilayah/13/"})

    assert r.status_code == 302 and r["Location"] == "/wilayah/13/"
    assert r.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/wilayah/13/").content.decode()


def test_province_page_and_css_are_small_when_gzipped(client):
    html = client.get("/wilayah/13/").content
    css = CSS.read_bytes()
    assert b"Kabupaten Lima Puluh Kota" in html and len(css) > 0
    assert len(gzip.compress(html)) + len(gzip.compress(css)) <= 30 * 1024


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_region_pages_accept_only_get_and_head(client, method):
    assert getattr(client, method)("/wilayah/13/").status_code == 405
    assert getattr(client, method)("/wilayah/").status_code == 405
    head = client.head("/wilayah/13/")
    assert head.status_code == 200 and head.content == b""


def test_region_pages_are_publicly_cacheable(client):
    r = client.get("/wilayah/13/")
    assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]


def test_search_says_when_results_are_capped(client, db):
    # "ang" matches about 600 wilayah in the test slice.
    html = client.get("/wilayah/cari/", {"q": "ang"}).content.decode()
    assert "Lebih dari 200 wilayah cocok" in html
    html = client.get("/wilayah/cari/", {"q": "koto tangah"}).content.decode()
    assert "Lebih dari" not in html and "wilayah cocok" in html
