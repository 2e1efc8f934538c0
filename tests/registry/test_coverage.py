"""Coverage of wilayah by active KIM: numbers checked by hand, the public pages, the map."""

import gzip
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from simpul.regions.models import Region
from simpul.registry import coverage as cov
from simpul.registry import svg
from simpul.registry.models import Kim

from ..conftest import PERSONAS
from ..factories import KimFactory
from .factories import MemberFactory

pytestmark = pytest.mark.django_db

S = Kim.Status


@pytest.fixture
def fixture_kims(db):
    """Hand-computed expectations (villages from Kepmendagri 2025):

    Kab. Lima Puluh Kota 13.07: 79 nagari; Kapur IX 13.07.07: 7; Suliki 13.07.01: 6.
    Kota Bukittinggi 13.75: 24 kelurahan. Sumatera Barat: 1,265 desa/nagari/kelurahan.
    """
    rows = [
        ("a", "13.07.07.2002", S.AKTIF),  # covers 2002
        ("b", "13.07.07.2002", S.KURANG_AKTIF),  # same nagari: still one covered
        ("c", "13.07.07.2003", S.VAKUM),  # counted as KIM, covers nothing
        ("d", "13.07.07", S.AKTIF),  # kecamatan level: covers no nagari
        ("e", "13.07.07.2004", S.PENGAJUAN),  # back office only
        ("f", "13.07.07.2005", S.DITOLAK),  # nowhere
        ("g", "13.07.01.2001", S.AKTIF),  # covers 13.07.01.2001
        ("h", "13.75.01.1001", S.AKTIF),  # covers a Bukittinggi kelurahan
        ("i", "13.07", S.NONAKTIF),  # kabupaten level
        ("j", "12.71.01.1001", S.AKTIF),  # another province
        ("k", "13.75.02.1001", S.PENGAJUAN),
    ]
    return {
        slug: KimFactory(slug=slug, name=f"KIM Uji {slug}", region_code=code, status=status)
        for slug, code, status in rows
    }


def row_of(coverage, code):
    return next(r for r in coverage.rows if r.region.code == code)


def test_province_numbers(fixture_kims):
    c = cov.coverage_for(Region.objects.get(code="13"), include_pending=True)

    assert len(c.rows) == 19
    lpk = row_of(c, "13.07")
    assert (lpk.kims, lpk.active_kims, lpk.pending) == (6, 4, 1)
    assert (lpk.villages, lpk.covered, lpk.blank) == (79, 2, 77)
    assert lpk.percent == pytest.approx(2 / 79 * 100)
    bkt = row_of(c, "13.75")
    assert (bkt.kims, bkt.active_kims, bkt.pending, bkt.villages, bkt.covered) == (1, 1, 1, 24, 1)
    pessel = row_of(c, "13.01")
    assert (pessel.kims, pessel.villages, pessel.covered, pessel.percent) == (0, 182, 0, 0)
    t = c.total
    assert (t.kims, t.active_kims, t.pending, t.villages, t.covered) == (7, 5, 2, 1265, 3)
    assert c.direct_kims == 0


def test_public_numbers_leave_pengajuan_out(fixture_kims):
    c = cov.coverage_for(Region.objects.get(code="13"))
    assert row_of(c, "13.07").pending == 0 and c.total.pending == 0
    assert c.total.kims == 7


def test_kabupaten_drill_down_numbers_and_blank_spots(fixture_kims):
    c = cov.coverage_for(Region.objects.get(code="13.07"), include_pending=True)
    groups = dict((parent.code, villages) for parent, villages in cov.blank_spots(c))

    assert len(c.rows) == 13
    kapur = row_of(c, "13.07.07")
    assert (kapur.kims, kapur.active_kims, kapur.pending) == (4, 3, 1)
    assert (kapur.villages, kapur.covered) == (7, 1)
    assert round(kapur.percent, 1) == 14.3
    suliki = row_of(c, "13.07.01")
    assert (suliki.kims, suliki.villages, suliki.covered) == (1, 6, 1)
    assert row_of(c, "13.07.05").kims == 0
    assert c.direct_kims == 1  # "i", registered at the kabupaten itself
    assert (c.total.kims, c.total.villages, c.total.covered) == (6, 79, 2)

    assert sum(len(v) for v in groups.values()) == 77
    assert [v.code for v in groups["13.07.07"]] == [
        "13.07.07.2001",
        "13.07.07.2003",
        "13.07.07.2004",
        "13.07.07.2005",
        "13.07.07.2006",
        "13.07.07.2007",
    ]
    assert [v.code for v in groups["13.07.01"]] == [f"13.07.01.200{n}" for n in range(2, 7)]
    pending = {v.code for vs in groups.values() for v in vs if v.has_pending}
    assert pending == {"13.07.07.2004"}


def test_kecamatan_drill_down_rows_are_villages(fixture_kims):
    c = cov.coverage_for(Region.objects.get(code="13.07.07"))
    by_code = {r.region.code: (r.kims, r.villages, r.covered) for r in c.rows}
    assert by_code["13.07.07.2002"] == (2, 1, 1)
    assert by_code["13.07.07.2003"] == (1, 1, 0)
    assert by_code["13.07.07.2004"] == (0, 1, 0)
    assert c.direct_kims == 1  # "d"
    assert (c.total.kims, c.total.villages, c.total.covered) == (4, 7, 1)


def test_retired_villages_are_not_counted(fixture_kims):
    Region.objects.filter(code="13.07.07.2002").update(retired=True)
    c = cov.coverage_for(Region.objects.get(code="13.07"))
    assert (row_of(c, "13.07.07").villages, row_of(c, "13.07.07").covered) == (6, 0)
    assert (c.total.villages, c.total.covered) == (78, 1)


# --- pages ----------------------------------------------------------------------------


def table_rows(html):
    """[(href, [cell texts])] of the coverage table body."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        href = re.search(r'href="([^"]+)"', tr).group(1)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        rows.append((href, cells))
    return rows


def test_public_province_page_shows_the_numbers(client, fixture_kims):
    r = client.get("/kim/cakupan/")
    html = r.content.decode()
    rows = dict(table_rows(html))

    assert r.status_code == 200
    assert "<h1>Cakupan Kelompok Informasi Masyarakat di Sumatera Barat</h1>" in html
    assert len(rows) == 19
    # KIM, desa, desa with an active KIM, percent (Indonesian decimal comma)
    assert rows["/wilayah/13.07/"] == ["6", "79", "2", "2,5"]
    assert rows["/wilayah/13.75/"] == ["1", "24", "1", "4,2"]
    assert rows["/wilayah/13.01/"] == ["0", "182", "0", "0,0"]
    assert "<strong>3</strong> dari 1.265 desa/nagari/kelurahan (<strong>0,2%</strong>)" in html
    assert "Pengajuan" not in html  # the back office's column
    assert 'href="/kim/cakupan/13.07/"' in html


def test_public_province_parameter(client, fixture_kims):
    default = client.get("/kim/cakupan/").content.decode()
    assert (
        client.get("/kim/cakupan/?provinsi=13").content.decode().split("<main")[1]
        == (default.split("<main")[1])
    )
    html = client.get("/kim/cakupan/?provinsi=12").content.decode()
    assert "Cakupan Kelompok Informasi Masyarakat di Sumatera Utara" in html
    assert dict(table_rows(html))["/wilayah/12.71/"][:3] == ["1", "151", "1"]


@pytest.mark.parametrize("value", ["99", "13.07", "abc", "", "1" * 50])
def test_unknown_or_invalid_province_is_404(client, value):
    assert client.get("/kim/cakupan/", {"provinsi": value}).status_code == 404


def test_public_drill_down_page(client, fixture_kims):
    html = client.get("/kim/cakupan/13.07/").content.decode()
    rows = dict(table_rows(html))

    assert len(rows) == 13
    assert rows["/wilayah/13.07.07/"] == ["4", "7", "1", "14,3"]
    assert rows["/wilayah/13.07.01/"] == ["1", "6", "1", "16,7"]
    assert "1 KIM terdaftar langsung di tingkat Kabupaten Lima Puluh Kota" in html
    assert "77 wilayah belum punya KIM aktif" in html
    blank = html.split('id="tanpa-kim"')[1]
    assert '<a href="/wilayah/13.07.07.2001/">Muaro Paiti</a>' in blank
    assert 'href="/wilayah/13.07.07.2002/"' not in blank
    assert "ada pengajuan" not in html  # back office only
    # breadcrumbs lead back to the province's coverage
    assert '<a href="/kim/cakupan/?provinsi=13">Sumatera Barat</a>' in html


def test_kecamatan_drill_down_page(client, fixture_kims):
    html = client.get("/kim/cakupan/13.07.07/").content.decode()
    rows = dict(table_rows(html))
    assert rows["/wilayah/13.07.07.2002/"] == ["2", "Ya"]
    assert rows["/wilayah/13.07.07.2003/"] == ["1", "Belum"]


@pytest.mark.parametrize(
    ("code", "status"), [("13.07.07.2002", 404), ("13.99", 404), ("x", 404), ("13", 302)]
)
def test_drill_down_codes(client, code, status):
    r = client.get(f"/kim/cakupan/{code}/")
    assert r.status_code == status
    if status == 302:
        assert r["Location"] == "/kim/cakupan/?provinsi=13"


def test_no_names_of_people_on_coverage_pages(client, fixture_kims):
    MemberFactory(kim=fixture_kims["a"], full_name="Heri Nizwar", public_officer=True)
    for url in ("/kim/cakupan/", "/kim/cakupan/13.07/", "/kim/cakupan/13.07.07/"):
        html = client.get(url).content.decode()
        assert "Heri Nizwar" not in html and "KIM Uji a" not in html


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_everyone_sees_the_same_coverage(persona, fixture_kims):
    _name, _user, client = persona
    main = re.compile(r"<main[^>]*>(.*)</main>", re.S)
    for url in ("/kim/cakupan/", "/kim/cakupan/13.07/"):
        anonymous = main.search(Client().get(url).content.decode()).group(1)
        assert main.search(client.get(url).content.decode()).group(1) == anonymous


# --- the map ---------------------------------------------------------------------------


def tiles(html):
    """{code: (x, y, fill, title)} of the tile links in the map."""
    svg_text = re.search(r'<svg class="tilemap".*?</svg>', html, re.S).group(0)
    found = re.findall(
        r'<a href="/kim/cakupan/([\d.]+)/"><title>([^<]*)</title><rect x="(\d+)" y="(\d+)"'
        r'[^>]* fill="(#[0-9a-f]{6})"',
        svg_text,
    )
    return {code: (int(x), int(y), fill, title) for code, title, x, y, fill in found}


def test_map_has_a_linked_titled_tile_per_kabupaten_coloured_in_five_steps(client, fixture_kims):
    # Kota Solok 13.72: 11 of 13 kelurahan (84.6 %) -> darkest; Padang Panjang 8/16 -> middle.
    solok = Region.objects.filter(level=4, code__startswith="13.72.").order_by("code")[:11]
    for v in solok:
        KimFactory(slug=f"solok-{v.code}", region_code=v.code)
    panjang = Region.objects.filter(level=4, code__startswith="13.74.").order_by("code")[:8]
    for v in panjang:
        KimFactory(slug=f"pp-{v.code}", region_code=v.code)

    html = client.get("/kim/cakupan/").content.decode()
    t = tiles(html)

    assert len(t) == 19
    assert t["13.72"][2] == svg.STEPS[4][0]
    assert t["13.74"][2] == svg.STEPS[2][0]
    assert t["13.07"][2] == svg.STEPS[0][0]
    assert t["13.07"][3] == (
        "Kabupaten Lima Puluh Kota: 2,5% desa/nagari/kelurahan punya KIM aktif (2 dari 79); 6 KIM"
    )
    assert "Kota Solok: 84,6%" in t["13.72"][3]
    # the legend names the five steps
    for label in ("0–19%", "20–39%", "40–59%", "60–79%", "80–100%"):
        assert f"</svg> {label}</li>" in html
    assert "<script" not in html


def test_sumbar_tiles_follow_the_map(client):
    t = tiles(client.get("/kim/cakupan/").content.decode())
    ys = {code: y for code, (x, y, _f, _t) in t.items()}
    xs = {code: x for code, (x, y, _f, _t) in t.items()}
    # Pasaman Barat and Pasaman on the top row, Pesisir Selatan on the bottom row.
    assert ys["13.12"] == ys["13.08"] == min(ys.values())
    assert ys["13.01"] == max(ys.values())
    # Mentawai offshore: the westernmost column, south of Kota Pariaman.
    assert xs["13.09"] == min(xs.values()) and ys["13.09"] > ys["13.77"]
    # Pasaman Barat west of Pasaman; Kota Bukittinggi beside Agam; Solok west of Sijunjung.
    assert xs["13.12"] < xs["13.08"] and xs["13.06"] < xs["13.75"] and xs["13.02"] < xs["13.03"]
    # Kota tiles have round corners.
    html = client.get("/kim/cakupan/").content.decode()
    assert re.search(r'<svg class="tilemap".*?</svg>', html, re.S).group(0).count('rx="14"') == 7


def test_other_province_gets_a_generic_grid_in_code_order(client):
    html = client.get("/kim/cakupan/?provinsi=12").content.decode()
    t = tiles(html)
    codes = sorted(t)
    assert len(codes) == 33
    order = sorted(codes, key=lambda c: (t[c][1], t[c][0]))  # by row, then column
    assert order == codes
    # Villages of Sumatera Utara are loaded only for Kota Medan in the test data.
    assert t["12.01"][2] == svg.NO_DATA[0] and t["12.71"][2] == svg.STEPS[0][0]


def test_points_inset_shows_rounded_public_points_only(client):
    KimFactory(slug="p1", latitude=Decimal("-0.305"), longitude=Decimal("100.369"))
    KimFactory(slug="p2", latitude=Decimal("-0.306"), longitude=Decimal("100.370"))  # same dot
    KimFactory(slug="p3", latitude=Decimal("-1.60"), longitude=Decimal("100.70"))
    KimFactory(slug="p4", latitude=Decimal("-0.9"), longitude=Decimal("100.3"), status=S.PENGAJUAN)
    KimFactory(slug="p5", region_code="12.71.01.1001", latitude=3.59, longitude=98.67)

    points = cov.kim_points(Region.objects.get(code="13"))
    html = client.get("/kim/cakupan/").content.decode()

    assert points == [
        (Decimal("-1.60"), Decimal("100.70")),
        (Decimal("-0.30"), Decimal("100.36")),
    ]
    inset = re.search(r'<svg class="inset".*?</svg>', html, re.S).group(0)
    assert len(re.findall(r"M\d+ \d+h0", inset)) == 2
    assert "2 titik KIM dengan koordinat" in html
    assert "100.369" not in html and "0.305" not in html


def test_projection_keeps_north_up_and_west_left():
    # Bukittinggi is north of Padang; Payakumbuh east of Bukittinggi.
    pts = [(Decimal("-0.30"), Decimal("100.37")), (Decimal("-0.95"), Decimal("100.35"))]
    out = str(svg.points_inset("13", pts, title="uji"))
    (x1, y1), (x2, y2) = sorted(
        ((int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)h0", out)), key=lambda p: p[1]
    )
    assert y1 < y2  # the northern point is drawn higher
    assert abs(x1 - x2) <= 1


def test_map_text_is_escaped():
    region = Region(code="99.01", name='<script>"x"</script>', level=2, kind="kabupaten")
    row = cov.CoverageRow(region, kims=1, villages=2, covered=1, url='/a"b/')
    parent = Region(code="99", name="Uji", level=1, kind="provinsi")
    out = str(svg.coverage_map(cov.Coverage(parent, [row], row), title="<t>"))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'href="/a&quot;b/"' in out and "&lt;t&gt;" in out


def test_steps():
    assert [svg.step(p) for p in (0, 19.99, 20, 59.9, 60, 79.99, 80, 100)] == [
        0,
        0,
        1,
        2,
        3,
        3,
        4,
        4,
    ]
    assert svg.step(None) is None


# --- budgets ----------------------------------------------------------------------------


def _spread(n, offset=0, with_points=True):
    villages = list(
        Region.objects.filter(level=4, code__startswith="13.").order_by("code")[offset : offset + n]
    )
    for i, v in enumerate(villages):
        KimFactory(
            slug=f"kim-{v.code}",
            region_code=v.code,
            status=(S.AKTIF, S.VAKUM, S.PENGAJUAN)[i % 3],
            latitude=Decimal("-2.9") + Decimal(i % 97) * Decimal("0.04") if with_points else None,
            longitude=Decimal("98.7") + Decimal(i % 83) * Decimal("0.04") if with_points else None,
        )


@pytest.mark.parametrize(
    ("url", "queries"),
    # province: provinces (chooser), region, children, villages, KIM, points
    # drill-down: region, children, villages, KIM, blank spots, breadcrumbs
    [("/kim/cakupan/", 6), ("/kim/cakupan/13.07/", 6), ("/kim/cakupan/13.07.07/", 6)],
)
def test_query_count_does_not_grow_with_kim(client, django_assert_num_queries, url, queries):
    _spread(3, offset=420)
    with django_assert_num_queries(queries):
        small = client.get(url).content
    _spread(300, offset=423)
    KimFactory.create_batch(30, region_code="13.07.07.2002")
    with django_assert_num_queries(queries):
        large = client.get(url).content
    assert small != large


@pytest.mark.parametrize(
    "url", ["/kim/cakupan/", "/kim/cakupan/13.01/", "/kim/cakupan/?provinsi=12"]
)
def test_coverage_page_fits_the_budget(client, url):
    _spread(1200)  # many points on the map; Pesisir Selatan (13.01) has 182 nagari to list
    r = client.get(url)
    css = Path(finders.find("simpul/site.css")).read_bytes()
    assert r.status_code == 200
    assert len(gzip.compress(r.content)) + len(gzip.compress(css)) <= 30 * 1024


def test_coverage_pages_are_publicly_cacheable(client):
    for url in ("/kim/cakupan/", "/kim/cakupan/13.07/"):
        r = client.get(url)
        assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]
