"""XSS corpus through every text field of the editorial flow: stored bodies keep only the
allow-listed tags, attributes and URL schemes; pages show everything else as text."""

from html.parser import HTMLParser

import pytest

from simpul.newsroom import services
from simpul.newsroom.markup import TAGS, render
from simpul.newsroom.models import Article

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](https://evil.example/track.gif)",
    "![x](/media/../../etc/passwd)",
    '<svg onload="alert(1)"><circle r=1></svg>',
    '<div style="width: expression(alert(1))">css</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<iframe src=//evil.example></iframe>",
    '"><script>alert(document.cookie)</script>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[a](vbscript:msgbox(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<object data=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
]
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/media/")


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)


def parsed(html):
    c = Collector()
    c.feed(html)
    return c


def assert_inert(html, *, allowed_tags=TAGS):
    c = parsed(html)
    assert set(c.tags) <= set(allowed_tags), set(c.tags) - set(allowed_tags)
    for tag, name, value in c.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name != "style", (tag, name)
        if name in {"href", "src", "action", "data", "formaction"}:
            assert value.startswith(SAFE_SCHEMES) or value.startswith("#"), (tag, name, value)
            assert ".." not in value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_bodies_are_inert(payload):
    html, text = render(f"Pembuka.\n\n{payload}\n\n**akhir**")
    assert_inert(html)
    assert "<strong>akhir</strong>" in html


def test_allowed_markup_survives():
    html, _ = render(
        "## Sub\n\n- satu\n- dua\n\n[Kominfo](https://kominfo.go.id) dan "
        "![foto](/media/warta/ab/x-foto.webp)"
    )
    assert "<h2>Sub</h2>" in html and "<li>satu</li>" in html
    assert (
        'href="https://kominfo.go.id"' in html and 'rel="nofollow noopener noreferrer ugc"' in html
    )
    assert 'src="/media/warta/ab/x-foto.webp"' in html and 'loading="lazy"' in html


def test_every_text_field_is_neutralised_on_the_back_office_pages(
    login, anggota, pengurus, pembina_limapuluhkota, kim
):
    payload = " ".join(PAYLOADS)
    article = services.article_create(
        actor=anggota,
        kim=kim,
        title='<script>alert("judul")</script><img src=x onerror=alert(1)>',
        body_source=payload,
        summary='<svg onload="alert(1)">',
        tags='<script>alert(1)</script>, <b onmouseover="x()">tag</b>',
    )
    assert_inert(article.body_html)
    services.article_submit(actor=anggota, article=article)
    services.article_return(actor=pengurus, article=article, note=payload)
    services.article_submit(actor=anggota, article=article)
    services.article_publish(
        actor=pengurus,
        article=article,
        checked_5w1h=True,
        checked_consent=True,
        checked_sources=True,
    )
    services.article_correct(actor=pengurus, article=article, note=payload)
    pages = [
        login(pengurus).get(f"/kelola/warta/{article.public_id}/"),
        login(pengurus).get("/kelola/warta/"),
        login(pembina_limapuluhkota).get("/kelola/warta/"),
    ]
    services.article_unpublish(actor=pembina_limapuluhkota, article=article, reason=payload)
    pages.append(login(pembina_limapuluhkota).get(f"/kelola/warta/{article.public_id}/"))
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        c = parsed(html)
        assert "script" not in c.tags and "svg" not in c.tags and "iframe" not in c.tags
        for tag, name, value in c.attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in {"href", "src", "action"}:
                assert not value.lower().lstrip().startswith(("javascript:", "data:")), value
        assert "&lt;script&gt;" in html  # shown as text
    stored = Article.objects.get()
    assert stored.title.startswith("<script>")  # stored as typed, escaped when shown
