"""KIM out to XLSX/CSV, in the columns of the import template, so an export re-imports
cleanly (0 new, 0 updated). Text cells go through `safe_cell` (formula injection).

Reads are batched: KIM rows stream in chunks of 2,000; sectors, the current SK and wilayah
names are fetched per chunk, so the query count grows with chunks, not rows.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.core.spreadsheets import CONTENT_TYPES, Sheet, write_csv, write_xlsx
from simpul.regions.models import Region, ancestor_codes

from .import_rows import COLUMNS
from .imports import SHEET_NAME
from .models import Decree, Kim, Sector

CHUNK = 2000
HEADERS = [c.label for c in COLUMNS]
WIDTHS = {0: 40, 1: 16, 2: 24, 3: 20, 4: 26, 5: 30, 6: 14, 7: 14, 8: 24, 13: 14, 14: 26}


def _regions(codes):
    """{code: name} for the codes and all their ancestors."""
    wanted = set(codes)
    for code in codes:
        wanted.update(ancestor_codes(code))
    names = {}
    wanted = sorted(wanted)
    for start in range(0, len(wanted), 500):
        names.update(
            Region.objects.filter(code__in=wanted[start : start + 500]).values_list("code", "name")
        )
    return names


def _rows(queryset):
    sector_names = dict(Sector.objects.values_list("pk", "name"))
    through = Kim.sectors.through
    chunk = []
    for kim in queryset.order_by("region_code", "normalised_name", "pk").iterator(CHUNK):
        chunk.append(kim)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(chunk, sector_names, through)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, sector_names, through)


def _chunk_rows(kims, sector_names, through):
    pks = [k.pk for k in kims]
    sectors, decrees = {}, {}
    for start in range(0, len(pks), 500):
        part = pks[start : start + 500]
        for kim_id, sector_id in (
            through.objects.filter(kim_id__in=part)
            .order_by("sector__position", "sector__name")
            .values_list("kim_id", "sector_id")
        ):
            sectors.setdefault(kim_id, []).append(sector_names[sector_id])
        for decree in Decree.objects.filter(kim_id__in=part).order_by(
            "kim_id", "-issued_on", "-id"
        ):
            decrees.setdefault(decree.kim_id, decree)  # the current SK: issued last
    names = _regions({k.region_code for k in kims})
    for kim in kims:
        code = kim.region_code
        parts = code.split(".")
        decree = decrees.get(kim.pk)
        yield [
            kim.name,
            code,
            names.get(code, "") if len(parts) == 4 else "",
            names.get(".".join(parts[:3]), ""),
            names.get(".".join(parts[:2]), ""),
            kim.address,
            kim.founded_on,
            kim.kimid_id or "",
            ", ".join(sectors.get(kim.pk, [])),
            kim.latitude,
            kim.longitude,
            decree.number if decree else "",
            decree.issued_on if decree else None,
            decree.term_ends_on if decree else None,
            decree.signatory_office if decree else "",
            kim.status,
        ]


def export_kims(queryset, fmt):
    """(bytes, content type, file name) of the KIM in `queryset`, as 'xlsx' or 'csv'."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")
    rows = list(_rows(queryset))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"kim-{stamp}.{fmt}"
    if fmt == "csv":
        return write_csv(HEADERS, rows), CONTENT_TYPES["csv"], filename
    data = write_xlsx([Sheet(SHEET_NAME, HEADERS, rows, widths=WIDTHS)])
    return data, CONTENT_TYPES["xlsx"], filename


def template_file(fmt):
    """The empty import template; the XLSX has a second sheet, "Petunjuk", explaining it."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")
    filename = f"templat-impor-kim.{fmt}"
    if fmt == "csv":
        return write_csv(HEADERS, []), CONTENT_TYPES["csv"], filename
    guide = [
        [
            c.label,
            _("wajib") if c.required else _("tidak wajib"),
            str(c.help),
            c.example,
        ]
        for c in COLUMNS
    ]
    guide += [
        [],
        [
            _("Catatan"),
            "",
            _("Satu baris = satu KIM. Baris judul harus tetap di baris pertama."),
            "",
        ],
        [
            "",
            "",
            _(
                "KIM yang sudah ada dicocokkan dengan ID KIM.id, lalu dengan nama + wilayah. "
                "Impor ulang hanya mengubah isian yang berbeda dan tidak membuat KIM ganda."
            ),
            "",
        ],
        ["", "", _("Sel kosong tidak menghapus data yang sudah tersimpan."), ""],
        [
            "",
            "",
            _(
                "Jumlah anggota tidak diimpor: anggota dicatat terpisah di halaman KIM. "
                "Kolom lain yang tidak dikenal diabaikan."
            ),
            "",
        ],
        [
            "",
            "",
            _(
                "Sebelum disimpan, Simpul memeriksa berkas (uji coba) dan menampilkan galat per "
                "baris dan kolom. Impor hanya diterapkan bila tidak ada galat sama sekali."
            ),
            "",
        ],
    ]
    sheets = [
        Sheet(SHEET_NAME, HEADERS, [], widths=WIDTHS),
        Sheet(
            "Petunjuk",
            [_("Kolom"), _("Wajib?"), _("Isi dan format"), _("Contoh")],
            guide,
            widths={0: 24, 1: 12, 2: 80, 3: 30},
            wrap=True,
        ),
    ]
    return write_xlsx(sheets), CONTENT_TYPES["xlsx"], filename
