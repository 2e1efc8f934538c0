"""Markdown written by people -> HTML that is safe to show, and plain text.

Used by articles (Warta) and siaran bodies. Raw HTML in the source is not rendered (it
shows as text), and the result passes through nh3 (ammonia) with a short allow-list, so
script, event handlers, style, javascript:/data: links and foreign images never survive.
"""

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])

TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "del", "blockquote",
    "code", "pre", "hr", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th",
    "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Images may only come from our own media (uploads were checked and re-encoded).
LOCAL_IMAGE = re.compile(r"^/media/[A-Za-z0-9_./-]+\.(webp|jpg|jpeg|png)$")


def _filter(tag, attribute, value):
    if tag == "img" and attribute == "src" and not LOCAL_IMAGE.match(value or ""):
        return None
    return value


def _demote_h1(html):
    # The page title is the only h1; headings in a body start at h2.
    return re.sub(r"<(/?)h1>", r"<\1h2>", html)


def sanitise(html):
    """Clean HTML from any source with the article allow-list."""
    return nh3.clean(
        _demote_h1(html),
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_filter,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )


def to_text(html):
    text = re.sub(r"<(br|/p|/h[2-4]|/li|/blockquote|/tr)\s*/?>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    text = unescape(text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n{3,}", "\n\n", text)).strip()


def render(source):
    """Markdown source -> (sanitised HTML, plain text)."""
    html = sanitise(_md.render(source or ""))
    return html, to_text(html)
