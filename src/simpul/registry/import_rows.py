"""The rows of a KIM import: columns of the template, header mapping, cell parsing.

One `Row` per data row collects its parsed values and its issues (row number + column
label + message in Indonesian); the `Report` sums them up for the dry-run page. Nothing
here touches the database except the sector list.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from simpul.core.spreadsheets import unneutralise
from simpul.regions.models import normalise_name
from simpul.regions.resolve import tokens

from .models import LAT_RANGE, LON_RANGE, Kim, Sector, full_kim_name, normalise_kim_name

BLANKS = {"", "-", "–", "—"}
COORD = Decimal("0.000001")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header in the template (Indonesian, whatever the UI language)
    required: bool
    help: str
    example: str
    aliases: tuple = ()


COLUMNS = (
    Column(
        "name",
        "Nama KIM",
        required=True,
        help=gettext_lazy(
            'Nama KIM; awalan "KIM" boleh ditulis atau tidak. Disimpan sebagai '
            '"Kelompok Informasi Masyarakat …".'
        ),
        example="KIM Tujuh Koto Talago",
        aliases=("nama", "namakim", "namakelompok", "kim", "namakelompokinformasimasyarakat"),
    ),
    Column(
        "code",
        "Kode wilayah",
        required=False,
        help=gettext_lazy(
            "Kode Kemendagri desa/nagari/kelurahan atau kecamatan tempat KIM berada. "
            "Bila diisi dan benar, kode ini yang dipakai; nama wilayah di kolom lain "
            "diabaikan."
        ),
        example="13.07.07.2002",
        aliases=("kode", "kodewilayah", "kodekemendagri", "kodedesa", "kodewil"),
    ),
    Column(
        "desa",
        "Desa/Nagari/Kelurahan",
        required=False,
        help=gettext_lazy(
            "Nama desa, nagari atau kelurahan (tanpa kode). Kosongkan bila KIM berada "
            "di tingkat kecamatan."
        ),
        example="Koto Tuo",
        aliases=(
            "desa",
            "nagari",
            "kelurahan",
            "desakelurahan",
            "desanagari",
            "nagaridesa",
            "nagarikelurahan",
            "kelurahandesa",
            "nagaridesakelurahan",
        ),
    ),
    Column(
        "kecamatan",
        "Kecamatan",
        required=False,
        help=gettext_lazy("Nama kecamatan. Wajib bila Kode wilayah kosong."),
        example="Harau",
        aliases=("kecamatan", "kec"),
    ),
    Column(
        "kabkota",
        "Kabupaten/Kota",
        required=False,
        help=gettext_lazy(
            'Nama kabupaten/kota, mis. "Kab. Lima Puluh Kota", "50 Kota" atau "Kota '
            'Bukittinggi". Wajib bila Kode wilayah kosong (kecuali pembina satu '
            "kabupaten/kota)."
        ),
        example="Kabupaten Lima Puluh Kota",
        aliases=(
            "kabupatenkota",
            "kabkota",
            "kabupaten",
            "kota",
            "kotakabupaten",
            "kabupatenkotamadya",
        ),
    ),
    Column(
        "address",
        "Alamat",
        required=False,
        help=gettext_lazy("Alamat sekretariat, paling panjang 300 huruf."),
        example="Jorong Koto Tuo, Nagari Koto Tuo",
        aliases=("alamat", "alamatsekretariat", "alamatkim"),
    ),
    Column(
        "founded_on",
        "Tanggal berdiri",
        required=False,
        help=gettext_lazy("Tanggal: dd/mm/yyyy, d-m-yyyy, yyyy-mm-dd atau sel tanggal Excel."),
        example="29/11/2022",
        aliases=(
            "tanggalberdiri",
            "tglberdiri",
            "berdiri",
            "tanggalpembentukan",
            "tanggaldibentuk",
        ),
    ),
    Column(
        "kimid",
        "ID KIM.id",
        required=False,
        help=gettext_lazy(
            "ID KIM di KIM.id bila sudah terdaftar. Dipakai lebih dulu untuk "
            "mencocokkan KIM yang sudah ada."
        ),
        example="KIM-13-0001",
        aliases=("idkimid", "kimid", "idkim"),
    ),
    Column(
        "sectors",
        "Sektor",
        required=False,
        help=gettext_lazy("Sektor fokus, dipisah koma: nama atau kode sektor."),
        example="Pertanian, Pariwisata",
        aliases=("sektor", "sektorfokus"),
    ),
    Column(
        "latitude",
        "Lintang",
        required=False,
        help=gettext_lazy(
            "Lintang (desimal, di wilayah Indonesia, mis. -0.2345). Isi bersama Bujur."
        ),
        example="-0.2345",
        aliases=("lintang", "latitude", "lat"),
    ),
    Column(
        "longitude",
        "Bujur",
        required=False,
        help=gettext_lazy(
            "Bujur (desimal, di wilayah Indonesia, mis. 100.6321). Isi bersama Lintang."
        ),
        example="100.6321",
        aliases=("bujur", "longitude", "lon", "lng", "long"),
    ),
    Column(
        "sk_number",
        "Nomor SK",
        required=False,
        help=gettext_lazy("Nomor Surat Keputusan pembentukan KIM. Isi bersama Tanggal SK."),
        example="141/12/WN-KT/2022",
        aliases=("nomorsk", "nosk", "nomorsuratkeputusan"),
    ),
    Column(
        "sk_date",
        "Tanggal SK",
        required=False,
        help=gettext_lazy("Tanggal SK, format tanggal seperti di atas."),
        example="01/12/2022",
        aliases=("tanggalsk", "tglsk"),
    ),
    Column(
        "sk_until",
        "SK berlaku sampai",
        required=False,
        help=gettext_lazy("Akhir masa berlaku SK (boleh kosong). Harus sesudah Tanggal SK."),
        example="01/12/2025",
        aliases=(
            "skberlakusampai",
            "berlakusampai",
            "masaberlakusk",
            "berlakuhingga",
            "skberlakuhingga",
        ),
    ),
    Column(
        "sk_signatory",
        "Penandatangan SK",
        required=False,
        help=gettext_lazy("Jabatan penandatangan SK, mis. Wali Nagari Koto Tuo."),
        example="Wali Nagari Koto Tuo",
        aliases=("penandatangansk", "penandatangan", "pejabatpenandatangan"),
    ),
    Column(
        "status",
        "Status",
        required=False,
        help=gettext_lazy(
            "aktif, kurang aktif, vakum, nonaktif atau pengajuan. Kosong = aktif untuk KIM baru."
        ),
        example="aktif",
        aliases=("status", "statuskim"),
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_ORDER = {c.label: n for n, c in enumerate(COLUMNS)}
WILAYAH_KEYS = ("code", "kabkota", "kecamatan", "desa")
CHANGE_LABELS = {
    "name": "Nama KIM",
    "region_code": "Kode wilayah",
    "address": "Alamat",
    "founded_on": "Tanggal berdiri",
    "kimid_id": "ID KIM.id",
    "latitude": "Lintang",
    "longitude": "Bujur",
    "status": "Status",
    "sectors": "Sektor",
    "decree": "SK",
}
# Values and labels normalise alike ("kurang_aktif", "Kurang aktif" -> "kurangaktif").
STATUS_WORDS = {normalise_name(v): v for v in Kim.Status.values} | {
    "tidakaktif": Kim.Status.NONAKTIF,
    "nonactive": Kim.Status.NONAKTIF,
    "active": Kim.Status.AKTIF,
}
MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "pebruari": 2,
    "february": 2, "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5,
    "may": 5, "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "agustus": 8,
    "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11, "nov": 11,
    "nopember": 11, "nop": 11, "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip


def header_key(text):
    text = re.sub(r"\(.*?\)", "", str(text or ""))
    return "".join(tokens(text)) if text.strip() else ""


ALIASES = {}
for _c in COLUMNS:
    for _alias in (_c.label, *_c.aliases):
        ALIASES.setdefault(header_key(_alias), _c.key)


# --- the report ------------------------------------------------------------------------------


@dataclass
class RowIssue:
    row: int | None
    column: str | None  # a column label
    message: str
    error: bool = True

    def __str__(self):
        if self.row and self.column:
            return _("Baris %(row)s, kolom %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Baris %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass
class Row:
    number: int
    cells: dict  # column key -> raw value
    name: str = ""
    place: object = None  # regions.resolve.Place
    values: dict = field(default_factory=dict)
    sectors: set | None = None
    decree: dict | None = None
    issues: list = field(default_factory=list)
    duplicate_of: int | None = None
    kim: Kim | None = None
    action: str = ""  # new | updated | unchanged | error
    changes: list = field(default_factory=list)  # keys of CHANGE_LABELS

    def error(self, column, message):
        self.issues.append(RowIssue(self.number, BY_KEY[column].label if column else None, message))

    def warn(self, column, message):
        label = BY_KEY[column].label if column else None
        self.issues.append(RowIssue(self.number, label, message, error=False))

    @property
    def has_error(self):
        return any(i.error for i in self.issues)

    @property
    def change_labels(self):
        return [CHANGE_LABELS[c] for c in self.changes]


@dataclass
class Report:
    filename: str = ""
    format: str = ""
    file_errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0

    @property
    def counts(self):
        counts = {"total": len(self.rows), "new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        for row in self.rows:
            counts["errors" if row.action == "error" else row.action] += 1
        counts["duplicates"] = sum(1 for r in self.rows if r.duplicate_of)
        counts["warnings"] = sum(1 for r in self.rows for i in r.issues if not i.error)
        return counts

    @property
    def ok(self):
        return not self.file_errors and bool(self.rows) and self.counts["errors"] == 0

    def issues(self, *, errors=None):
        out = [RowIssue(None, None, m) for m in self.file_errors]
        for row in self.rows:
            issues = sorted(row.issues, key=lambda i: COLUMN_ORDER.get(i.column, -1))
            out.extend(i for i in issues if errors is None or i.error == errors)
        return out


# --- parsing cells ---------------------------------------------------------------------------


class CellError(ValueError):
    pass


def clean(value):
    """A cell as read, tidied once: text unneutralised, whitespace collapsed, '-' = empty.
    Numbers and dates stay as they are (date and coordinate parsers want them raw)."""
    if isinstance(value, str):
        value = " ".join(unneutralise(value).split())
        return "" if value in BLANKS else value
    return value


def text(value):
    """A cleaned cell as text: 12.0 -> '12', a date -> '29/11/2022'."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, datetime.time):
        raise CellError(_("berisi jam, bukan tanggal."))
    raw = text(value)
    if isinstance(value, int | float) or re.fullmatch(r"[0-9]{1,6}(?:[.,]0+)?", raw):
        serial = float(str(value).replace(",", "."))
        if 1900 <= serial <= 2099:
            raise CellError(
                _("'%(value)s' hanya tahun; tulis tanggal lengkap, mis. 01/01/%(value)s.")
                % {"value": int(serial)}
            )
        if not 3654 <= serial <= 73050:  # Excel serial numbers of 1910-01-01 .. 2099-12-31
            raise CellError(
                _("'%(value)s' bukan tanggal; tulis dd/mm/yyyy, mis. 29/11/2022.") % {"value": raw}
            )
        from openpyxl.utils.datetime import from_excel

        return from_excel(serial).date()
    lower = raw.lower()
    found = None
    if m := re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ t][0-9:.]+)?", lower):
        found = (int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?: [0-9:.]+)?", lower):
        found = (int(m[3]), int(m[2]), int(m[1]))
    elif (m := re.fullmatch(r"([0-9]{1,2})[ -]([a-z]+)\.?[ -]([0-9]{4})", lower)) and (
        m[2] in MONTHS
    ):
        found = (int(m[3]), MONTHS[m[2]], int(m[1]))
    if found and 1900 <= found[0] <= 2099:
        try:
            return datetime.date(*found)
        except ValueError:
            pass
    raise CellError(
        _("'%(value)s' bukan tanggal yang dikenali; tulis dd/mm/yyyy, mis. 29/11/2022.")
        % {"value": raw}
    )


def parse_decimal(value):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = text(value).replace("°", "").replace(" ", "")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            number = Decimal(raw)
        except InvalidOperation as exc:
            raise CellError(
                _("'%(value)s' bukan angka desimal, mis. -0.2345.") % {"value": raw}
            ) from exc
    if not number.is_finite():
        raise CellError(_("bukan angka."))
    return number.quantize(COORD, rounding=ROUND_HALF_UP)


def _limited(row, key, value, limit):
    if len(value) > limit:
        row.error(
            key, _("paling panjang %(n)s huruf (ada %(len)s).") % {"n": limit, "len": len(value)}
        )
        return None
    return value


# --- reading the sheet -----------------------------------------------------------------------


def map_headers(values):
    """{cell index: column key} for the header row; unknown headers are left out."""
    return {i: ALIASES[k] for i, v in enumerate(values) if (k := header_key(v)) in ALIASES}


def expected_headers_message(found):
    return _(
        "Judul kolom tidak sesuai templat: perlu kolom %(required)s, dan %(wilayah)s. "
        "Kolom yang dikenali: %(all)s. Judul di berkas: %(found)s. "
        "Unduh templat untuk contoh."
    ) % {
        "required": "\u201cNama KIM\u201d",
        "wilayah": _("“Kode wilayah” atau “Kabupaten/Kota” + “Kecamatan”"),
        "all": ", ".join(c.label for c in COLUMNS),
        "found": ", ".join(str(v) for v in found if v not in (None, "")) or "—",
    }


def parse_table(table, report):
    """Rows of the table as Row objects, or [] with report.file_errors filled."""
    position, values, mapping = 0, (), {}
    for position, (_number, values) in enumerate(table.rows[:10]):  # noqa: B007
        mapping = map_headers(values)
        if "name" in mapping.values():
            break
    else:
        first = table.rows[0][1] if table.rows else ()
        report.file_errors.append(expected_headers_message(first))
        return []
    if not set(WILAYAH_KEYS) & set(mapping.values()):
        report.file_errors.append(expected_headers_message(values))
        return []
    seen = {}
    for index, key in mapping.items():
        if key in seen:
            report.file_errors.append(
                _("Kolom %(column)s muncul dua kali (judul '%(a)s' dan '%(b)s').")
                % {"column": BY_KEY[key].label, "a": values[seen[key]], "b": values[index]}
            )
        seen[key] = index
    if report.file_errors:
        return []
    ignored = [str(v) for i, v in enumerate(values) if i not in mapping and v not in (None, "")]
    if ignored:
        report.notices.append(
            _("Kolom ini diabaikan: %(columns)s.") % {"columns": ", ".join(ignored)}
        )
    rows = []
    for number, cells in table.rows[position + 1 :]:
        row_cells = {key: clean(cells[i]) if i < len(cells) else None for i, key in mapping.items()}
        if all(v is None or v == "" for v in row_cells.values()):
            continue
        rows.append(Row(number=number, cells=row_cells))
    if not rows:
        report.file_errors.append(_("Berkas tidak berisi baris data di bawah judul kolom."))
    return rows


def sector_index():
    index, names = {}, []
    for pk, slug, name in Sector.objects.values_list("pk", "slug", "name"):
        index[normalise_name(slug)] = pk
        index[normalise_name(name)] = pk
        names.append(name)
    return index, ", ".join(names)


def parse_row(row, sectors, today):
    c = row.cells
    v = row.values
    raw_name = text(c.get("name"))
    if not raw_name:
        row.error("name", _("wajib diisi."))
    elif not normalise_kim_name(raw_name):
        row.error(
            "name", _("'%(value)s' tidak memuat nama setelah awalan KIM.") % {"value": raw_name}
        )
    else:
        full = _limited(row, "name", full_kim_name(raw_name), 200)
        if full:
            row.name = v["name"] = full
            v["normalised_name"] = normalise_kim_name(full)
    if "address" in c and (address := text(c["address"])):
        v["address"] = _limited(row, "address", address, 300)
    if "kimid" in c and (kimid := text(c["kimid"])):
        v["kimid_id"] = _limited(row, "kimid", kimid, 40)
    if "founded_on" in c and text(c["founded_on"]):
        try:
            v["founded_on"] = parse_date(c["founded_on"])
        except CellError as exc:
            row.error("founded_on", str(exc))
        else:
            if v["founded_on"] > today:
                row.error("founded_on", _("tanggal berdiri tidak boleh sesudah hari ini."))
    if "status" in c and (status := text(c["status"])):
        value = STATUS_WORDS.get(normalise_name(status))
        if value is None:
            # The values typed in the sheet (Indonesian, whatever the page language).
            choices = ", ".join(v.replace("_", " ") for v in Kim.Status.values)
            row.error(
                "status",
                _("'%(value)s' bukan status; pilih: %(choices)s.")
                % {"value": status, "choices": choices},
            )
        else:
            v["status"] = value
    if "sectors" in c and (names := text(c["sectors"])):
        index, choices = sectors
        ids, unknown = set(), []
        for part in filter(None, (p.strip() for p in re.split(r"[,;|/]", names))):
            pk = index.get(normalise_name(part))
            if pk:
                ids.add(pk)
            else:
                unknown.append(part)
        if unknown:
            row.error(
                "sectors",
                _("sektor tidak dikenal: %(names)s. Pilihan: %(choices)s.")
                % {"names": ", ".join(unknown), "choices": choices},
            )
        row.sectors = ids
    _parse_coordinates(row)
    _parse_decree(row)


def _parse_coordinates(row):
    c = row.cells
    found = {}
    for key, bounds in (("latitude", LAT_RANGE), ("longitude", LON_RANGE)):
        if key in c and text(c[key]):
            try:
                value = parse_decimal(c[key])
            except CellError as exc:
                row.error(key, str(exc))
                continue
            if not bounds[0] <= value <= bounds[1]:
                row.error(
                    key,
                    _("%(value)s di luar wilayah Indonesia (antara %(lo)s dan %(hi)s).")
                    % {"value": value.normalize(), "lo": bounds[0], "hi": bounds[1]},
                )
                continue
            found[key] = value
    given = [k for k in ("latitude", "longitude") if k in c and text(c[k])]
    if len(given) == 1:
        missing = "longitude" if given[0] == "latitude" else "latitude"
        row.error(missing, _("isi Lintang dan Bujur bersama-sama, atau kosongkan keduanya."))
    elif len(found) == 2:
        row.values.update(found)


def _parse_decree(row):
    c = row.cells
    number = text(c.get("sk_number"))
    signatory = text(c.get("sk_signatory"))
    dates = {}
    for key in ("sk_date", "sk_until"):
        if text(c.get(key)):
            try:
                dates[key] = parse_date(c[key])
            except CellError as exc:
                row.error(key, str(exc))
                dates[key] = None
    if not number and not dates and not signatory:
        return
    if not number or "sk_date" not in dates:
        column = "sk_date" if number else "sk_number"
        row.error(column, _("isi Nomor SK dan Tanggal SK bersama-sama."))
        return
    issued, until = dates.get("sk_date"), dates.get("sk_until")
    if until and issued and until <= issued:
        row.error("sk_until", _("harus sesudah Tanggal SK."))
    number = _limited(row, "sk_number", number, 120)
    if signatory:
        signatory = _limited(row, "sk_signatory", signatory, 200)
    if number and issued:
        row.decree = {
            "number": number,
            "issued_on": issued,
            "term_ends_on": until,
            "office": signatory,
        }
