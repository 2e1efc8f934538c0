"""Server-rendered SVG map of a reach ledger: the kab/kota tile grid of the coverage page
(simpul.registry.svg: the hand-drawn Sumbar layout, a generic grid elsewhere), each tile
coloured by the share of its targeted KIM that relayed the siaran. A tile where nobody was
reached (no relay, no subscriber message sent) gets a thick dashed red outline: the gap.

All text goes through `escape`; the result is marked safe only after that.
"""

import math

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from simpul.registry import svg as tiles

GAP_STROKE = "#b3261e"


def legend():
    """[{colour, label}] for the HTML legend under the map."""
    ranges = ("0–19%", "20–39%", "40–59%", "60–79%", "80–100%")
    items = [
        {"colour": fill, "label": label}
        for (fill, _ink), label in zip(tiles.STEPS, ranges, strict=True)
    ]
    items.append({"colour": tiles.NO_DATA[0], "label": _("tanpa KIM sasaran")})
    return items


def tile_title(row):
    values = {
        "name": row.name,
        "relayed": number_format(row.relayed_kims, 0, force_grouping=True),
        "kims": number_format(row.kims, 0, force_grouping=True),
        "sent": number_format(row.sent, 0, force_grouping=True),
    }
    text = (
        _("%(name)s: %(relayed)s dari %(kims)s KIM meneruskan; %(sent)s pesan pelanggan terkirim")
        % values
    )
    if row.is_gap:
        text += " — " + _("celah informasi: belum ada yang terjangkau")
    return text


def ledger_map(result, *, title):
    """The tile grid for a ledger rooted at a province (rows = kab/kota); '' otherwise."""
    rows = [r for r in result.rows if r.region is not None]
    if result.level != 1 or not rows:
        return ""
    layout = tiles.layout_for(result.root_code, rows)
    cols = max(col for col, _row, _lines in layout.values()) + 1
    nrows = math.ceil(max(row for _col, row, _lines in layout.values()) + 1)
    w, h, gap, pad = tiles.TILE_W, tiles.TILE_H, tiles.GAP, tiles.PAD
    width = pad * 2 + cols * w + (cols - 1) * gap
    height = pad * 2 + nrows * h + (nrows - 1) * gap
    parts = [
        f'<svg class="tilemap" viewBox="0 0 {width} {height}" role="group" '
        f'aria-labelledby="ledgermap-title" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui,sans-serif" text-anchor="middle">'
        f'<title id="ledgermap-title">{escape(title)}</title>'
    ]
    for r in rows:
        col, row, lines = layout[r.code]
        x = pad + col * (w + gap)
        y = round(pad + row * (h + gap))
        pct = r.relay_percent
        s = tiles.step(pct)
        fill, ink = tiles.NO_DATA if s is None else tiles.STEPS[s]
        radius = 14 if r.kind == "kota" else 2
        label = "—" if pct is None else f"{number_format(pct, 0)}%"
        block = len(lines) * tiles.LINE + tiles.PCT_SIZE + 2
        first = y + (h - block) / 2 + tiles.NAME_SIZE * 0.8
        pct_y = first + (len(lines) - 1) * tiles.LINE + tiles.PCT_SIZE + 3
        cx = x + w / 2
        texts = "".join(
            f'<text x="{cx:g}" y="{first + i * tiles.LINE:g}">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        texts += (
            f'<text x="{cx:g}" y="{pct_y:g}" font-size="{tiles.PCT_SIZE}" font-weight="700">'
            f"{escape(label)}</text>"
        )
        stroke = (
            f'stroke="{GAP_STROKE}" stroke-width="4" stroke-dasharray="6 3"'
            if r.is_gap
            else 'stroke="#4a5560"'
        )
        body = (
            f"<title>{escape(tile_title(r))}</title>"
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" fill="{fill}" '
            f'{stroke} class="{"gap" if r.is_gap else "tile"}"/>'
            f'<g fill="{ink}" font-size="{tiles.NAME_SIZE}" aria-hidden="true">{texts}</g>'
        )
        if r.url:
            parts.append(f'<a href="{escape(r.url)}">{body}</a>')
        else:
            parts.append(f"<g>{body}</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped
