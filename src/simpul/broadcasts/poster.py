"""A4 poster of a siaran for a KIM's papan informasi (typst PDF), with a QR code of that
KIM's own poster short link, so scans of the printed sheet count as that KIM's reach.

User text reaches typst only through `sys.inputs` (inserted as plain text, never parsed as
markup), so a title like "#eval(...)" prints as written.
"""

import io

import segno
import typst
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import shortlinks
from .models import RelayChannel

SOURCE = b"""
#set document(title: sys.inputs.title, author: sys.inputs.office)
#set page(paper: "a4", margin: (x: 1.8cm, y: 1.6cm))
#set text(font: ("Liberation Sans", "DejaVu Sans"), size: 13pt, lang: "id")
#set par(justify: false, leading: 0.6em)
#block(width: 100%, fill: rgb(sys.inputs.band), inset: 10pt, radius: 4pt)[
  #text(fill: white, size: 13pt, weight: "bold")[#sys.inputs.label]
]
#v(4pt)
#text(size: 26pt, weight: "bold")[#sys.inputs.title]
#v(2pt)
#text(size: 11pt, fill: rgb("#555555"))[#sys.inputs.meta]
#v(8pt)
#text(size: 16pt, weight: "bold")[#sys.inputs.short]
#v(6pt)
#text(size: 12pt)[#sys.inputs.body]
#v(1fr)
#grid(columns: (1fr, 5.2cm), gutter: 12pt, align: (left + horizon, center),
  [
    #text(size: 12pt)[#sys.inputs.scan] \\
    #text(size: 11pt, font: "DejaVu Sans Mono")[#sys.inputs.url] \\
    #v(6pt) #text(size: 11pt, weight: "bold")[#sys.inputs.kim]
  ],
  image(bytes(sys.inputs.qr), format: "svg", width: 5cm),
)
"""

BANDS = {
    "biasa": "#1f5f8b",
    "penting": "#b26a00",
    "darurat": "#b00020",
    "klarifikasi": "#6a1b9a",
}
BODY_MAX_CHARS = 1800  # one page; the rest is behind the QR code


def qr_svg(url):
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2)
    return buf.getvalue().decode()


def _body_text(siaran):
    from simpul.newsroom import markup

    text = markup.to_text(siaran.body_html) if siaran.body_html else siaran.body
    if len(text) > BODY_MAX_CHARS:
        text = text[:BODY_MAX_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def inputs(siaran, kim):
    """The texts of the poster (also what tests check) and the QR's URL."""
    link = shortlinks.link_for(channel=RelayChannel.POSTER, siaran=siaran, kim=kim)
    url = shortlinks.url(link)
    sent = timezone.localtime(siaran.sent_at or siaran.created_at)
    office = str(siaran.office) if siaran.office_id else ""
    label = _("SIARAN %(priority)s") % {"priority": siaran.get_priority_display().upper()}
    return {
        "title": siaran.title,
        "office": office or "Simpul",
        "label": label,
        "band": BANDS.get(siaran.priority, BANDS["biasa"]),
        "meta": " · ".join(
            p for p in (office, date_format(sent, "j F Y") + " " + sent.strftime("%H.%M WIB")) if p
        ),
        "short": siaran.short_text,
        "body": _body_text(siaran),
        "scan": _("Pindai kode QR atau buka tautan ini untuk isi lengkap:"),
        "url": url,
        "kim": _("Disebarkan oleh %(kim)s") % {"kim": kim.name},
        "qr": qr_svg(url),
    }


def render(siaran, kim):
    """PDF bytes."""
    return typst.compile(SOURCE, sys_inputs=inputs(siaran, kim))
