"""Server-rendered SVG for the coverage page: a kab/kota tile grid and a KIM point inset.

No geometry is needed (DESIGN.md: no tile server). Two pictures:

1. A tile grid: one tile per kab/kota, coloured by coverage in five steps. For Sumatera
   Barat the grid is drawn by hand to follow the map (Pasaman Barat and Pasaman on top,
   Kepulauan Mentawai offshore to the west, Pesisir Selatan at the southern end, each kota
   next to the kabupaten around it; kota tiles have round corners). Other provinces get a
   generic grid in code order. Each tile is a link with a <title> for screen readers.
2. A small inset with the KIM that have coordinates, in an equirectangular projection
   (x = longitude * cos(mid latitude), y = -latitude) of the province's bounding box.
   Points are not placed inside tiles: a tile's area is not the kab/kota's, so a position
   inside it would pretend to a precision it does not have. Points arrive rounded to about
   2 km (coverage.POINT_GRID) and are drawn as one <path> of round dots, so a thousand
   KIM cost a few kilobytes.

All text goes through `escape`; the result is marked safe only after that.
"""

import math
import textwrap
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Five sequential steps (ColorBrewer YlGnBu), light to dark; text colour chosen for contrast
# (dark text on the three light steps, white on the two dark ones: all >= 4.5:1).
STEPS = (
    ("#ffffcc", "#1b1f23"),
    ("#a1dab4", "#1b1f23"),
    ("#41b6c4", "#1b1f23"),
    ("#225ea8", "#ffffff"),
    ("#0c2c84", "#ffffff"),
)
NO_DATA = ("#e1e5e9", "#1b1f23")

# code: (column, row, lines on the tile). Rows may be fractional (Mentawai sits offshore,
# between the latitudes of Padang and Pesisir Selatan).
SUMBAR_LAYOUT = {
    "13.12": (1, 0, ("Pasaman", "Barat")),
    "13.08": (2, 0, ("Pasaman",)),
    "13.07": (3, 0, ("Lima Puluh", "Kota")),
    "13.06": (1, 1, ("Agam",)),
    "13.75": (2, 1, ("Kota", "Bukittinggi")),
    "13.76": (3, 1, ("Kota", "Payakumbuh")),
    "13.77": (0, 2, ("Kota", "Pariaman")),
    "13.05": (1, 2, ("Padang", "Pariaman")),
    "13.74": (2, 2, ("Kota Padang", "Panjang")),
    "13.04": (3, 2, ("Tanah", "Datar")),
    "13.03": (4, 2, ("Sijunjung",)),
    "13.71": (1, 3, ("Kota", "Padang")),
    "13.02": (2, 3, ("Solok",)),
    "13.72": (3, 3, ("Kota", "Solok")),
    "13.73": (4, 3, ("Kota", "Sawahlunto")),
    "13.09": (0, 3.6, ("Kepulauan", "Mentawai")),
    "13.01": (1, 4, ("Pesisir", "Selatan")),
    "13.11": (2, 4, ("Solok", "Selatan")),
    "13.10": (3, 4, ("Dharmasraya",)),
}
LAYOUTS = {"13": SUMBAR_LAYOUT}

# (south, north, west, east) in degrees, for the point inset.
BOUNDS = {"13": (-3.45, 1.0, 98.55, 101.95)}
# Reference markers so the inset can be read without a coastline: kota centres, approximate.
REFERENCE_PLACES = {
    "13": (
        ("Padang", -0.95, 100.35, True),
        ("Pariaman", -0.62, 100.12, False),
        ("Padang Panjang", -0.46, 100.41, False),
        ("Bukittinggi", -0.30, 100.37, True),
        ("Payakumbuh", -0.22, 100.63, False),
        ("Solok", -0.79, 100.66, False),
        ("Sawahlunto", -0.68, 100.78, False),
    )
}

TILE_W, TILE_H, GAP, PAD = 94, 66, 4, 2
COLUMNS = 5
LINE = 16
NAME_SIZE, PCT_SIZE = 14, 18


def step(percent):
    """0-4 for 0-19, 20-39, 40-59, 60-79, 80-100 %; None without villages."""
    if percent is None:
        return None
    return min(int(percent // 20), 4)


def legend():
    """[{colour, label}] for the HTML legend under the map."""
    ranges = ("0–19%", "20–39%", "40–59%", "60–79%", "80–100%")
    items = [
        {"colour": fill, "label": label} for (fill, _ink), label in zip(STEPS, ranges, strict=True)
    ]
    items.append({"colour": NO_DATA[0], "label": _("tanpa data desa")})
    return items


def _pct(value):
    return number_format(value, 1)


def _count(value):
    return number_format(value, 0, force_grouping=True)


def _generic_lines(region):
    name = region.name
    if name.startswith("Kabupaten "):
        name = name[len("Kabupaten ") :]
    lines = textwrap.wrap(name, 11) or [region.code]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:10] + "…"]
    return tuple(lines)


def layout_for(province_code, rows):
    """{code: (col, row, lines)}: the hand-made grid if it knows every tile, else generic."""
    layout = LAYOUTS.get(province_code)
    if layout and all(r.region.code in layout for r in rows):
        return layout
    return {
        r.region.code: (i % COLUMNS, i // COLUMNS, _generic_lines(r.region))
        for i, r in enumerate(rows)
    }


def tile_title(row):
    name = row.region.name
    kims = ngettext("%(n)s KIM", "%(n)s KIM", row.kims) % {"n": _count(row.kims)}
    if row.percent is None:
        return _("%(name)s: belum ada data desa/kelurahan; %(kims)s") % {
            "name": name,
            "kims": kims,
        }
    return _(
        "%(name)s: %(pct)s%% desa/nagari/kelurahan punya KIM aktif "
        "(%(covered)s dari %(villages)s); %(kims)s"
    ) % {
        "name": name,
        "pct": _pct(row.percent),
        "covered": _count(row.covered),
        "villages": _count(row.villages),
        "kims": kims,
    }


@dataclass
class Tile:
    """One kab/kota tile of a grid: what it says and how it looks."""

    code: str
    kind: str  # "kota" tiles get round corners
    percent: float | None  # colour step; None = no data
    label: str  # the big figure under the name
    title: str  # <title> for screen readers
    url: str = ""
    gap: bool = False  # drawn with a thick dashed red outline (the ledger's information gap)


GAP_STROKE = "#b3261e"


def tile_grid(tiles, layout, *, title, title_id):
    """Inline SVG of `tiles` placed by `layout` ({code: (col, row, name lines)}, layout_for)."""
    cols = max(col for col, _row, _lines in layout.values()) + 1
    nrows = math.ceil(max(row for _col, row, _lines in layout.values()) + 1)
    width = PAD * 2 + cols * TILE_W + (cols - 1) * GAP
    height = PAD * 2 + nrows * TILE_H + (nrows - 1) * GAP
    parts = [
        f'<svg class="tilemap" viewBox="0 0 {width} {height}" role="group" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui,sans-serif" text-anchor="middle">'
        f'<title id="{title_id}">{escape(title)}</title>'
    ]
    for t in tiles:
        col, row, lines = layout[t.code]
        x = PAD + col * (TILE_W + GAP)
        y = round(PAD + row * (TILE_H + GAP))
        s = step(t.percent)
        fill, ink = NO_DATA if s is None else STEPS[s]
        radius = 14 if t.kind == "kota" else 2
        # Baselines: the block (name lines, then the percentage) is centred in the tile.
        block = len(lines) * LINE + PCT_SIZE + 2
        first = y + (TILE_H - block) / 2 + NAME_SIZE * 0.8
        pct_y = first + (len(lines) - 1) * LINE + PCT_SIZE + 3
        cx = x + TILE_W / 2
        texts = "".join(
            f'<text x="{cx:g}" y="{first + i * LINE:g}">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        texts += (
            f'<text x="{cx:g}" y="{pct_y:g}" font-size="{PCT_SIZE}" font-weight="700">'
            f"{escape(t.label)}</text>"
        )
        stroke = (
            f'stroke="{GAP_STROKE}" stroke-width="4" stroke-dasharray="6 3" class="gap"'
            if t.gap
            else 'stroke="#4a5560"'
        )
        body = (
            f"<title>{escape(t.title)}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="{radius}" '
            f'fill="{fill}" {stroke}/>'
            f'<g fill="{ink}" font-size="{NAME_SIZE}" aria-hidden="true">{texts}</g>'
        )
        if t.url:
            parts.append(f'<a href="{escape(t.url)}">{body}</a>')
        else:
            parts.append(f"<g>{body}</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped


def coverage_map(coverage, *, title):
    """The tile grid for the children (kab/kota) of a province, as inline SVG."""
    rows = coverage.rows
    if not rows:
        return ""
    tiles = [
        Tile(
            code=r.region.code,
            kind=r.region.kind,
            percent=r.percent,
            label="—" if r.percent is None else f"{_pct(r.percent)}%",
            title=tile_title(r),
            url=r.url,
        )
        for r in rows
    ]
    layout = layout_for(coverage.region.code, rows)
    return tile_grid(tiles, layout, title=title, title_id="tilemap-title")


def _bounds(province_code, points):
    if province_code in BOUNDS:
        return BOUNDS[province_code]
    if not points:
        return None
    lats = [float(p[0]) for p in points]
    lons = [float(p[1]) for p in points]
    return (min(lats) - 0.1, max(lats) + 0.1, min(lons) - 0.1, max(lons) + 0.1)


def points_inset(province_code, points, *, title, size=180):
    """KIM points (already rounded) in an equirectangular projection of the province box."""
    box = _bounds(province_code, points)
    if box is None:
        return ""
    south, north, west, east = box
    x_scale = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * x_scale, north - south
    k = size / max(span_x, span_y)
    pad = 6
    width, height = round(span_x * k) + 2 * pad, round(span_y * k) + 2 * pad

    def project(lat, lon):
        return (
            round(pad + (float(lon) - west) * x_scale * k),
            round(pad + (north - float(lat)) * k),
        )

    dots = sorted({project(lat, lon) for lat, lon in points})
    parts = [
        f'<svg class="inset" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="inset-title" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui,sans-serif" font-size="9">'
        f'<title id="inset-title">{escape(title)}</title>'
        f'<rect x=".5" y=".5" width="{width - 1}" height="{height - 1}" fill="#f3f6f8" '
        f'stroke="#d5dbe1"/>'
    ]
    if dots:
        d = "".join(f"M{x} {y}h0" for x, y in dots)
        parts.append(
            f'<path d="{d}" stroke="#b3261e" stroke-width="4" stroke-linecap="round" fill="none"/>'
        )
    for name, lat, lon, labelled in REFERENCE_PLACES.get(province_code, ()):
        x, y = project(lat, lon)
        parts.append(
            f'<rect x="{x - 2}" y="{y - 2}" width="4" height="4" fill="#1b1f23">'
            f"<title>{escape(name)}</title></rect>"
        )
        if labelled:
            parts.append(f'<text x="{x - 5}" y="{y + 3}" text-anchor="end">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped
