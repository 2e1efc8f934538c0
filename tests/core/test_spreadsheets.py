"""Reading spreadsheets defensively and writing them without formula injection."""

import datetime
import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from simpul.core.spreadsheets import (
    Limits,
    Sheet,
    SpreadsheetError,
    read_table,
    safe_cell,
    unneutralise,
    write_csv,
    write_xlsx,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def xlsx_bytes(rows, title="KIM"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def values(table):
    return [v for _n, v in table.rows]


def test_reads_xlsx_with_row_numbers_and_real_dates():
    data = xlsx_bytes(
        [["Nama KIM", "Tanggal"], ["KIM Satu", datetime.date(2022, 11, 29)], [], ["KIM Dua", 7]]
    )
    table = read_table(data, "daftar.xlsx")
    assert table.format == "xlsx"
    assert [n for n, _v in table.rows] == [1, 2, 4]  # the empty row 3 is skipped, not renumbered
    assert table.rows[1][1] == ("KIM Satu", datetime.datetime(2022, 11, 29))


def test_prefers_the_sheet_named_kim():
    wb = openpyxl.Workbook()
    wb.active.title = "Petunjuk"
    wb.active.append(["bukan ini"])
    wb.create_sheet("KIM").append(["Nama KIM"])
    out = io.BytesIO()
    wb.save(out)
    table = read_table(out.getvalue(), "x.xlsx", sheet_names=("KIM",))
    assert table.sheet == "KIM" and values(table) == [("Nama KIM",)]


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (PNG, "daftar.xlsx", "isinya PNG"),
        (PDF, "daftar.xlsx", "isinya PDF"),
        (PNG, "daftar.csv", "isinya PNG"),
        (XLS, "daftar.xlsx", ".xls"),
        (b"Nama KIM\nKIM Satu\n", "daftar.xlsx", "isinya bukan XLSX"),
        (b"Nama KIM\nKIM Satu\n", "daftar.txt", "harus berakhiran .xlsx atau .csv"),
        (b"", "daftar.csv", "kosong"),
    ],
)
def test_non_spreadsheets_are_refused_by_content(data, name, fragment):
    with pytest.raises(SpreadsheetError) as exc:
        read_table(data, name)
    assert fragment in exc.value.message


def test_xlsx_renamed_to_csv_is_refused():
    with pytest.raises(SpreadsheetError, match="isinya berkas ZIP"):
        read_table(xlsx_bytes([["Nama KIM"]]), "daftar.csv")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("foto.jpg", b"\xff\xd8\xff" + b"x" * 100)
    with pytest.raises(SpreadsheetError, match="bukan XLSX"):
        read_table(out.getvalue(), "daftar.xlsx")


def test_binary_garbage_named_csv_is_refused():
    with pytest.raises(SpreadsheetError, match="bukan teks CSV"):
        read_table(bytes(range(256)) * 4, "daftar.csv")


def test_files_over_the_limit_are_refused_before_parsing():
    data = b"Nama KIM\n" + b"KIM Satu\n" * 2000
    with pytest.raises(SpreadsheetError) as exc:
        read_table(data, "daftar.csv", Limits(max_bytes=10_000))
    assert "terlalu besar" in exc.value.message and "paling besar" in exc.value.message


def test_zip_bomb_is_refused_from_the_directory_without_inflating_it():
    """200 MB of zeros compress to ~200 KB; the central directory gives it away."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    data = out.getvalue()
    assert len(data) < 1024 * 1024  # small enough to pass the upload limit
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError, match="terlalu besar setelah dibuka"):
            read_table(data, "bom.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # nothing was decompressed


def test_row_and_column_limits():
    rows = [["Nama KIM", *[f"K{i}" for i in range(59)]]] + [[f"KIM {i}"] for i in range(6)]
    table = read_table(xlsx_bytes(rows[:5]), "x.xlsx", Limits(max_rows=5))
    assert len(table.rows[0][1]) == 50  # columns past 50 are not read
    with pytest.raises(SpreadsheetError, match="lebih dari 5 baris"):
        read_table(xlsx_bytes(rows), "x.xlsx", Limits(max_rows=5))
    csv_data = "\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(SpreadsheetError, match="lebih dari 5 baris"):
        read_table(csv_data, "x.csv", Limits(max_rows=5))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\ufeffNama KIM;Kecamatan\nKIM Koto Tuo;Harau\n".encode(), ("KIM Koto Tuo", "Harau")),
        (b"Nama KIM\tKecamatan\r\nKIM Koto Tuo\tHarau\r\n", ("KIM Koto Tuo", "Harau")),
        ("Nama KIM,Kecamatan\nKIM Sétia,Harau\n".encode("cp1252"), ("KIM Sétia", "Harau")),
        ("Nama KIM,Kecamatan\nKIM Sétia,Harau\n".encode("utf-16"), ("KIM Sétia", "Harau")),
        (b'Nama KIM,Alamat\n"KIM Satu","Jl. A, No. 1"\n', ("KIM Satu", "Jl. A, No. 1")),
        (b"DAFTAR KIM\nNama KIM;Kecamatan\nKIM Koto Tuo;Harau\n", ("Nama KIM", "Kecamatan")),
    ],
)
def test_csv_encodings_and_delimiters(data, expected):
    table = read_table(data, "daftar.csv")
    assert table.rows[1][1] == expected


def test_safe_cell_neutralises_formulas_only():
    assert safe_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert safe_cell("+62 812 0000") == "'+62 812 0000"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("-0.2345") == "-0.2345"
    assert safe_cell("-") == "-"
    assert safe_cell("Koto Tuo") == "Koto Tuo"
    assert safe_cell(5) == 5
    assert unneutralise(safe_cell("=cmd")) == "=cmd"
    assert unneutralise("'biasa") == "'biasa"


def test_written_xlsx_holds_text_not_formulas():
    data = write_xlsx(
        [
            Sheet(
                "KIM",
                ["Nama", "Tanggal"],
                [['=HYPERLINK("http://x")', datetime.date(2022, 11, 29)]],
            )
        ]
    )
    ws = openpyxl.load_workbook(io.BytesIO(data))["KIM"]
    cell = ws["A2"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'
    assert ws["B2"].value == datetime.datetime(2022, 11, 29)
    assert ws["B2"].number_format == "DD/MM/YYYY"


def test_written_csv_is_utf8_with_bom_and_neutralised():
    data = write_csv(["Nama", "Tanggal"], [["=1+2", datetime.date(2022, 11, 29)], ["Sétia", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Nama,Tanggal", "'=1+2,2022-11-29", "Sétia,"]
