"""Spreadsheets in and out: XLSX (openpyxl) and CSV, read defensively, written safely.

Reading trusts neither the file name nor the browser: the first bytes decide the format and
must agree with the extension. An XLSX is a ZIP, so its central directory is checked
(number of entries, declared uncompressed sizes) before openpyxl decompresses anything;
Python's zipfile never inflates an entry past its declared size, so the check bounds memory
even for a lying directory. Rows and columns are capped. CSV must be text: UTF-8 (with or
without BOM), UTF-16 with BOM, else cp1252/latin-1; the delimiter is , ; or tab.

Writing neutralises formula injection (`safe_cell`): a text cell that starts with = + - @
tab or CR is prefixed with an apostrophe, and XLSX text cells are always stored as text,
never as formulas. `unneutralise` undoes the prefix on import, so exports round-trip.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# Magic numbers of things people upload by mistake (or on purpose), for a message that helps.
_OTHER_FORMATS = (
    (b"\x89PNG", "PNG"),
    (b"%PDF", "PDF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"RIFF", "RIFF (gambar/suara)"),
    (b"Rar!", "RAR"),
    (b"\x1f\x8b", "GZIP"),
    (b"7z\xbc\xaf", "7z"),
    (b"BM", "BMP"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc (Office 97-2003)
_ZIP = b"PK\x03\x04"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; `message` is for the person (Indonesian)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * MB
    max_rows: int = 20_000  # data rows, header excluded
    max_cols: int = 50
    max_uncompressed: int = 100 * MB  # XLSX: sum of declared sizes of all ZIP entries
    max_zip_entries: int = 1_000

    @classmethod
    def from_settings(cls):
        return cls(
            max_bytes=getattr(settings, "IMPORT_MAX_BYTES", cls.max_bytes),
            max_rows=getattr(settings, "IMPORT_MAX_ROWS", cls.max_rows),
            max_cols=getattr(settings, "IMPORT_MAX_COLS", cls.max_cols),
            max_uncompressed=getattr(settings, "IMPORT_MAX_UNCOMPRESSED", cls.max_uncompressed),
        )


@dataclass
class Table:
    """Rows of one sheet: (row number as a spreadsheet shows it, tuple of cell values)."""

    format: str
    rows: list = field(default_factory=list)
    sheet: str = ""


def format_size(n):
    """'5,0 MB', '20 KB' (Indonesian decimal comma)."""
    if n < MB:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / MB:.1f} MB".replace(".", ",")


# --- reading ---------------------------------------------------------------------------------


def _open(source):
    """A seekable binary file for a path, bytes or an (uploaded) file object."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        return open(source, "rb")  # noqa: SIM115 - closed by read_table
    source.seek(0)
    return source


def _size(fh):
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def detect_format(head, filename):
    """'xlsx' or 'csv', decided by content; the extension must agree."""
    ext = Path(filename or "").suffix.lower()
    if head.startswith(_OLE2):
        raise SpreadsheetError(
            _("Berkas Excel lama (.xls) tidak didukung: buka di Excel lalu simpan sebagai .xlsx.")
        )
    for magic, label in _OTHER_FORMATS:
        if head.startswith(magic):
            raise SpreadsheetError(
                _("Berkas ini bukan spreadsheet (isinya %(kind)s). Unggah .xlsx atau .csv.")
                % {"kind": label}
            )
    if ext not in (".xlsx", ".csv"):
        raise SpreadsheetError(
            _("Nama berkas harus berakhiran .xlsx atau .csv (bukan %(ext)s).")
            % {"ext": ext or _("tanpa akhiran")}
        )
    is_zip = head.startswith(_ZIP)
    if ext == ".xlsx" and not is_zip:
        raise SpreadsheetError(_("Berkas bernama .xlsx, tetapi isinya bukan XLSX."))
    if ext == ".csv" and is_zip:
        raise SpreadsheetError(
            _("Berkas bernama .csv, tetapi isinya berkas ZIP/XLSX. Ganti akhirannya menjadi .xlsx.")
        )
    return ext[1:]


def read_table(source, filename, limits=None, *, sheet_names=()):
    """Read the first sheet (or the first one named in `sheet_names`) of an XLSX or a CSV.

    Raises SpreadsheetError with a message for the person who uploaded it."""
    limits = limits or Limits.from_settings()
    fh = _open(source)
    try:
        size = _size(fh)
        if size > limits.max_bytes:
            raise SpreadsheetError(
                _("Berkas terlalu besar (%(size)s); paling besar %(max)s.")
                % {"size": format_size(size), "max": format_size(limits.max_bytes)}
            )
        if size == 0:
            raise SpreadsheetError(_("Berkas kosong."))
        head = fh.read(16)
        fh.seek(0)
        fmt = detect_format(head, filename)
        if fmt == "xlsx":
            return _read_xlsx(fh, limits, sheet_names)
        return _read_csv(fh.read(), limits)
    finally:
        if isinstance(source, str | Path):
            fh.close()


def check_zip(fh, limits):
    """Refuse ZIP bombs and non-XLSX ZIPs from the central directory alone (nothing inflated)."""
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(_("Berkas XLSX rusak (bukan ZIP yang utuh).")) from exc
    finally:
        fh.seek(0)
    if len(infos) > limits.max_zip_entries:
        raise SpreadsheetError(_("Berkas XLSX tidak wajar: terlalu banyak bagian di dalamnya."))
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            _("Berkas ZIP ini bukan XLSX (tidak ada buku kerja Excel di dalamnya).")
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise SpreadsheetError(
            _(
                "Berkas XLSX terlalu besar setelah dibuka (%(size)s, paling besar %(max)s). "
                "Hapus sheet atau format yang tidak perlu, atau simpan sebagai CSV."
            )
            % {"size": format_size(total), "max": format_size(limits.max_uncompressed)}
        )


def _trim(values):
    values = list(values)
    while values and (values[-1] is None or values[-1] == ""):
        values.pop()
    return tuple(values)


def _read_xlsx(fh, limits, sheet_names):
    import openpyxl

    check_zip(fh, limits)
    table = Table(format="xlsx")
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise SpreadsheetError(_("Berkas XLSX rusak atau tidak bisa dibaca.")) from exc
    try:
        sheets = wb.worksheets
        if not sheets:
            raise SpreadsheetError(_("Berkas XLSX tidak berisi sheet."))
        wanted = {s.lower() for s in sheet_names}
        ws = next((s for s in sheets if s.title.lower() in wanted), sheets[0])
        table.sheet = ws.title
        count = 0
        try:
            for number, values in enumerate(
                ws.iter_rows(min_col=1, max_col=limits.max_cols, values_only=True), start=1
            ):
                values = _trim(values)
                if not values:
                    continue
                count += 1
                if count > limits.max_rows + 1:
                    raise SpreadsheetError(_too_many_rows(limits))
                table.rows.append((number, values))
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(_("Berkas XLSX rusak atau tidak bisa dibaca.")) from exc
    finally:
        wb.close()
    return table


def _too_many_rows(limits):
    return _("Berkas memuat lebih dari %(max)s baris data; pecah menjadi beberapa berkas.") % {
        "max": f"{limits.max_rows:,}".replace(",", ".")
    }


def decode_text(data):
    """Text of a CSV: UTF-16 (BOM), UTF-8 (BOM optional), then cp1252, then latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(_("Berkas CSV tidak bisa dibaca sebagai teks.")) from exc
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _looks_binary(text):
    if "\x00" in text:
        return True
    sample = text[:4096]
    control = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\x0c")
    return control > max(2, len(sample) // 100)


def sniff_delimiter(text):
    """, ; or tab: the one a line among the first ten uses most (a title line above the
    header may have none)."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:10]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data, limits):
    text = decode_text(data)
    if _looks_binary(text):
        raise SpreadsheetError(_("Berkas ini bukan teks CSV. Unggah .xlsx atau .csv."))
    table = Table(format="csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    count = 0
    number = 0
    try:
        for number, values in enumerate(reader, start=1):  # noqa: B007 - used after the loop
            values = _trim(v.strip() for v in values[: limits.max_cols])
            if not values:
                continue
            count += 1
            if count > limits.max_rows + 1:
                raise SpreadsheetError(_too_many_rows(limits))
            table.rows.append((number, values))
    except csv.Error as exc:
        raise SpreadsheetError(
            _("Baris %(row)s: CSV tidak sah (%(detail)s).") % {"row": number + 1, "detail": exc}
        ) from exc
    return table


# --- cell values ----------------------------------------------------------------------------


def safe_cell(value):
    """Neutralise formula injection: text starting with = + - @ tab or CR gets a leading
    apostrophe. Plain numbers ('-0,5') and a lone '-' are left alone."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unneutralise(value):
    """Undo `safe_cell` on import: "'=x" -> "=x"."""
    if (
        isinstance(value, str)
        and len(value) > 2
        and value[0] == "'"
        and value[1:].startswith(_FORMULA_START)
    ):
        return value[1:]
    return value


# --- writing --------------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    headers: list
    rows: list  # lists of values: str, int, float, Decimal, date, None
    widths: dict = field(default_factory=dict)  # column index (0-based) -> width
    wrap: bool = False


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(safe_cell(value))


def write_csv(headers, rows):
    """UTF-8 with BOM (so Excel shows accents right), comma-separated, CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(sheets):
    """One workbook (bytes) with a bold, frozen header row per sheet.

    A normal (not write-only) workbook: it records the sheet's <dimension>; without one
    openpyxl's read-only mode scans the whole sheet an extra time (re-import ~1.5x slower)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        ws = wb.create_sheet(title=spec.title[:31])
        for index, width in spec.widths.items():
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        ws.freeze_panes = "A2"
        for col, value in enumerate(spec.headers, start=1):
            _put(ws.cell(row=1, column=col), value).font = bold
        for number, row in enumerate(spec.rows, start=2):
            for col, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                c = _put(ws.cell(row=number, column=col), value)
                if spec.wrap:
                    c.alignment = wrap
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(cell, value):
    if isinstance(value, str):
        cell.value = safe_cell(value)
        cell.data_type = "s"  # text, never a formula
    else:
        cell.value = value
        if isinstance(value, datetime.date):
            cell.number_format = "DD/MM/YYYY"
    return cell
