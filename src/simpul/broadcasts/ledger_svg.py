"""Server-rendered SVG map of a reach ledger: the kab/kota tile grid of the coverage page
(simpul.registry.svg: the hand-drawn Sumbar layout, a generic grid elsewhere), each tile
coloured by the share of its targeted KIM that relayed the siaran. A tile where nobody was
reached (no relay, no subscriber message sent) gets a thick dashed red outline: the gap.

All text goes through `escape`; the result is marked safe only after that.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from simpul.registry import svg as tiles


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
    grid = [
        tiles.Tile(
            code=r.code,
            kind=r.kind,
            percent=r.relay_percent,
            label="—" if r.relay_percent is None else f"{number_format(r.relay_percent, 0)}%",
            title=tile_title(r),
            url=r.url,
            gap=r.is_gap,
        )
        for r in rows
    ]
    layout = tiles.layout_for(result.root_code, rows)
    return tiles.tile_grid(grid, layout, title=title, title_id="ledgermap-title")
