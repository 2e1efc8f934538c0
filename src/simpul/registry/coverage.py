"""KIM coverage of wilayah: how many desa/nagari/kelurahan have at least one active KIM.

Rules (issue "KIM registry", part 6):
- a village is covered when a KIM with an active status (Kim.ACTIVE_STATUSES) is registered
  at that very village code; a KIM registered at kecamatan level covers no village;
- KIM counts use the public statuses; the back office also sees pengajuan counts;
- only current (not retired) villages are counted, so a percentage never passes 100.

Everything is computed with a fixed number of aggregate queries, grouped by the child
code prefix (Substr works the same on SQLite and PostgreSQL): never one query per row.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.core import spreadsheets
from simpul.regions import queries as region_queries
from simpul.regions.models import Region

from .models import Kim
from .queries import CHILD_CODE_LENGTH, under

# Public map points are rounded to this grid (degrees, about 2 km): a KIM sekretariat is
# often somebody's house, and the map is for coverage, not for finding a door.
POINT_GRID = Decimal("0.02")


@dataclass
class CoverageRow:
    region: Region
    kims: int = 0  # KIM with a public status
    active_kims: int = 0
    pending: int = 0  # pengajuan (shown in the back office only)
    villages: int = 0
    covered: int = 0  # villages with at least one active KIM registered at their code
    url: str = ""  # drill-down link, set by the view

    @property
    def blank(self):
        return self.villages - self.covered

    @property
    def percent(self):
        return self.covered * 100 / self.villages if self.villages else None


@dataclass
class Coverage:
    region: Region
    rows: list
    total: CoverageRow
    direct_kims: int = 0  # public KIM registered at the region itself, under no child
    direct_pending: int = 0
    include_pending: bool = False
    blank_groups: list = field(default_factory=list)  # [(parent Region, [village Region])]


def _active_kim_at_village():
    return Kim.objects.filter(region_code=OuterRef("code"), status__in=Kim.ACTIVE_STATUSES)


def _villages_under(region):
    return Region.objects.filter(level=4, retired=False).filter(under(region.code, "code"))


def coverage_for(region, *, include_pending=False):
    """Coverage of every child of `region` (level 1-3) in three queries."""
    length = CHILD_CODE_LENGTH[region.level]
    children = list(region_queries.children(region))

    villages = (
        _villages_under(region)
        .annotate(prefix=Substr("code", 1, length))
        .values("prefix")
        .annotate(
            villages=Count("code"),
            covered=Count(Case(When(Exists(_active_kim_at_village()), then=Value(1)))),
        )
        .order_by()
        .values_list("prefix", "villages", "covered")
    )
    village_stats = {prefix: (n, covered) for prefix, n, covered in villages}

    statuses = list(Kim.PUBLIC_STATUSES) + ([Kim.Status.PENGAJUAN] if include_pending else [])
    kims = (
        Kim.objects.filter(under(region.code), status__in=statuses)
        .annotate(prefix=Substr("region_code", 1, length))
        .values("prefix")
        .annotate(
            public=Count("id", filter=Q(status__in=Kim.PUBLIC_STATUSES)),
            active=Count("id", filter=Q(status__in=Kim.ACTIVE_STATUSES)),
            pending=Count("id", filter=Q(status=Kim.Status.PENGAJUAN)),
        )
        .order_by()
        .values_list("prefix", "public", "active", "pending")
    )
    kim_stats = {prefix: (public, active, pending) for prefix, public, active, pending in kims}

    rows = []
    for child in children:
        public, active, pending = kim_stats.get(child.code, (0, 0, 0))
        n, covered = village_stats.get(child.code, (0, 0))
        rows.append(CoverageRow(child, public, active, pending, n, covered))

    direct = kim_stats.get(region.code, (0, 0, 0))
    total = CoverageRow(
        region,
        kims=sum(r.kims for r in rows) + direct[0],
        active_kims=sum(r.active_kims for r in rows) + direct[1],
        pending=sum(r.pending for r in rows) + direct[2],
        villages=sum(r.villages for r in rows),
        covered=sum(r.covered for r in rows),
    )
    return Coverage(
        region=region,
        rows=rows,
        total=total,
        direct_kims=direct[0],
        direct_pending=direct[2],
        include_pending=include_pending,
    )


def blank_spots(coverage):
    """Villages under the coverage's region without an active KIM, grouped by kecamatan.

    One query. With include_pending, each village also says whether a pengajuan waits there.
    Sets and returns coverage.blank_groups: [(kecamatan Region, [village Region, ...])].
    """
    region = coverage.region
    qs = (
        _villages_under(region)
        .filter(~Exists(_active_kim_at_village()))
        .only("code", "name", "kind", "level", "parent_id")
        .order_by("code")
    )
    if coverage.include_pending:
        pending = Kim.objects.filter(region_code=OuterRef("code"), status=Kim.Status.PENGAJUAN)
        qs = qs.annotate(has_pending=Exists(pending))
    parents = {row.region.code: row.region for row in coverage.rows}
    parents[region.code] = region
    groups = {}
    for village in qs:
        groups.setdefault(village.parent_id, []).append(village)
    coverage.blank_groups = [(parents.get(code), villages) for code, villages in groups.items()]
    return coverage.blank_groups


def public_point(lat, lon):
    """A KIM's position as the public may see it: on the POINT_GRID, or None."""
    if lat is None or lon is None:
        return None
    return (
        (Decimal(lat) / POINT_GRID).quantize(Decimal(1)) * POINT_GRID,
        (Decimal(lon) / POINT_GRID).quantize(Decimal(1)) * POINT_GRID,
    )


def kim_points(region):
    """Distinct (lat, lon) of public KIM under `region`, rounded to POINT_GRID (one query)."""
    rows = (
        Kim.objects.filter(
            under(region.code),
            status__in=Kim.PUBLIC_STATUSES,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by()
        .values_list("latitude", "longitude")
    )
    return sorted({public_point(lat, lon) for lat, lon in rows})


# --- export -------------------------------------------------------------------
# Writing goes through simpul.core.spreadsheets: its safe_cell neutralises formula injection
# (text starting with = + - @ TAB CR gets an apostrophe) and XLSX text is stored as text.


def table(coverage):
    """The coverage table as plain values: (header, rows), one row per child plus the total."""
    header = [_("Kode"), _("Wilayah"), _("Jenis"), _("KIM (publik)"), _("KIM aktif")]
    if coverage.include_pending:
        header.append(_("Pengajuan"))
    header += [
        _("Desa/nagari/kelurahan"),
        _("Dengan KIM aktif"),
        _("Tanpa KIM aktif"),
        _("Persen dengan KIM aktif"),
    ]

    def line(row, code, name, kind):
        values = [code, name, kind, row.kims, row.active_kims]
        if coverage.include_pending:
            values.append(row.pending)
        pct = row.percent
        values += [row.villages, row.covered, row.blank, None if pct is None else round(pct, 1)]
        return values

    rows = [
        line(r, r.region.code, r.region.name, r.region.get_kind_display()) for r in coverage.rows
    ]
    total_name = _("Jumlah %(name)s") % {"name": coverage.region.label}
    rows.append(line(coverage.total, coverage.region.code, total_name, ""))
    return header, rows


def blank_table(coverage):
    header = [_("Kode"), _("Desa/nagari/kelurahan"), _("Jenis"), _("Kecamatan")]
    if coverage.include_pending:
        header.append(_("Ada pengajuan"))
    rows = []
    for parent, villages in coverage.blank_groups:
        for v in villages:
            values = [v.code, v.name, v.get_kind_display(), parent.name if parent else ""]
            if coverage.include_pending:
                values.append(_("ya") if v.has_pending else "")
            rows.append(values)
    return header, rows


def export_filename(coverage, ext):
    return f"cakupan-kim-{coverage.region.code}-{timezone.localdate():%Y-%m-%d}.{ext}"


def to_csv(coverage):
    return spreadsheets.write_csv(*table(coverage))


def to_xlsx(coverage):
    """Sheet 'Cakupan' (numbers as numbers) and, below province level, the blank spots."""
    header, rows = table(coverage)
    sheets = [
        spreadsheets.Sheet(_("Cakupan"), header, rows, widths={0: 16, 1: 34, 2: 12}),
    ]
    if coverage.blank_groups:
        header, rows = blank_table(coverage)
        sheets.append(
            spreadsheets.Sheet(_("Tanpa KIM aktif"), header, rows, widths={0: 16, 1: 30, 3: 24})
        )
    return spreadsheets.write_xlsx(sheets)
