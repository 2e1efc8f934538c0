"""KIM export: the template's columns, formula injection neutralised, idempotent round trip."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simpul.registry import exports, imports
from simpul.registry.models import Kim

from ..factories import KimFactory
from .test_import import FULL, KOTO_TUO, apply, row

pytestmark = pytest.mark.django_db
EXPORT = "/kelola/kim/impor/ekspor"


def parse(data, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    ws = openpyxl.load_workbook(io.BytesIO(data))["KIM"]
    return [[c.value for c in r] for r in ws.iter_rows()]


@pytest.fixture
def registry(admin_sumbar):
    report = apply(
        admin_sumbar,
        [
            row(**FULL),
            row("KIM Harau Maju", desa="", Status="kurang aktif", Sektor="UMKM"),
            {
                "Nama KIM": "KIM Birugo",
                "Kode wilayah": "13.75.03.1002",
                "Tanggal berdiri": "1/2/2020",
                "Lintang": -0.3,
                "Bujur": 100.37,
                "Status": "nonaktif",
            },
        ],
    )
    assert report.applied, [str(i) for i in report.issues()]
    KimFactory(
        name="Kelompok Informasi Masyarakat Jahil",
        slug="kim-jahil",
        region_code="13.07.05.2001",
        address="=cmd|' /C calc'!A0",
        kimid_id="@SUM(1+1)",
    )
    return Kim.objects.all()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_parses_back_in_template_columns(registry, fmt):
    data, content_type, filename = exports.export_kims(registry, fmt)
    assert filename.endswith("." + fmt) and content_type == exports.CONTENT_TYPES[fmt]
    table = parse(data, fmt)
    assert table[0] == [c.label for c in imports.COLUMNS]
    by_name = {r[0]: r for r in table[1:]}
    assert len(by_name) == 4
    koto_tuo = by_name["Kelompok Informasi Masyarakat Koto Tuo"]
    assert koto_tuo[1:5] == [KOTO_TUO, "Koto Tuo", "Harau", "Kabupaten Lima Puluh Kota"]
    assert koto_tuo[7:9] == ["KIM-13-0001", "Pertanian, Pariwisata"]
    assert koto_tuo[11] == "141/12/WN-KT/2022" and koto_tuo[15] == "aktif"
    founded = koto_tuo[6]
    if fmt == "csv":
        assert founded == "2022-11-29" and koto_tuo[9:11] == ["-0.123400", "100.654300"]
    else:
        assert founded == datetime.datetime(2022, 11, 29)
        assert koto_tuo[9:11] == [-0.1234, 100.6543]
    harau = by_name["Kelompok Informasi Masyarakat Harau Maju"]
    assert harau[1:5] == [
        "13.07.05",
        None if fmt == "xlsx" else "",
        "Harau",
        "Kabupaten Lima Puluh Kota",
    ]
    assert harau[15] == "kurang_aktif"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_are_neutralised(registry, fmt):
    data, _ct, _fn = exports.export_kims(registry, fmt)
    jahil = next(r for r in parse(data, fmt) if r[0] == "Kelompok Informasi Masyarakat Jahil")
    assert jahil[5] == "'=cmd|' /C calc'!A0"
    assert jahil[7] == "'@SUM(1+1)"
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(io.BytesIO(data))["KIM"]
        assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_is_idempotent(registry, admin_sumbar, fmt):
    data, _ct, filename = exports.export_kims(registry, fmt)
    report = imports.apply_import(actor=admin_sumbar, source=data, filename=filename)
    assert report.applied, [str(i) for i in report.issues()]
    counts = report.counts
    assert (counts["new"], counts["updated"], counts["unchanged"], counts["errors"]) == (0, 0, 4, 0)
    assert counts["warnings"] == 0
    jahil = Kim.objects.get(slug="kim-jahil")
    assert jahil.address == "=cmd|' /C calc'!A0"  # the apostrophe is not stored back
    assert Kim.objects.count() == 4


def test_export_query_count_does_not_grow_with_rows(registry):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            exports.export_kims(Kim.objects.all(), "csv")
        return len(ctx.captured_queries)

    before = count()
    for i in range(30):
        KimFactory(name=f"Kelompok Informasi Masyarakat Tambahan {i}", region_code=KOTO_TUO)
    assert count() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_sumbar", 4),
        ("pembina_limapuluhkota", 3),
        ("pembina_bukittinggi", 1),
        ("admin_other_province", 0),
        ("warga", 404),
        ("anonymous", 302),
    ],
    indirect=["persona"],
)
def test_export_view_exports_what_the_user_may_see(registry, persona, expected):
    _name, _user, client = persona
    response = client.get(EXPORT + ".csv")
    if expected in (302, 404):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kim-')
    assert len(parse(response.content, "csv")) - 1 == expected


def test_export_view_wilayah_filter(registry, login, admin_sumbar):
    client = login(admin_sumbar)
    response = client.get(EXPORT + ".xlsx", {"wilayah": "13.07.05"})
    assert response.status_code == 200
    names = [r[0] for r in parse(response.content, "xlsx")[1:]]
    assert len(names) == 3 and "Kelompok Informasi Masyarakat Birugo" not in names
    assert client.get(EXPORT + ".csv", {"wilayah": "13.7"}).status_code == 404
