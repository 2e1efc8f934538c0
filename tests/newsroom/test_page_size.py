"""Budget: every public page <= 30 KB gzip for HTML + CSS + JS (no JS here)."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from simpul.newsroom import counts
from simpul.newsroom.markup import render
from simpul.newsroom.models import Correction

from ..registry.factories import sector
from .factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
BUDGET = 30 * 1024

VOCABULARY = str.split(
    "kelompok tani nagari memanen padi bersama setelah musim tanam panjang penyuluh pertanian "
    "dinas kabupaten hadir menjelaskan cara membuat pupuk organik jerami kotoran ternak sisa "
    "dapur sehingga biaya turun hampir separuh warga jorong sawah irigasi hujan benih unggul "
    "hama wereng harga pasar koperasi pemuda ibu rumah tangga wali musyawarah dana desa kantor "
    "camat sekolah masjid surau gotong royong jalan jembatan listrik internet sinyal radio "
    "komunitas papan informasi hoaks klarifikasi pelatihan kopi gambir kakao ikan kolam"
)


def prose(rng, words):
    """Varied text (compresses like real prose, unlike one sentence repeated)."""
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def page_weight(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content
    total = len(gzip.compress(html))
    for path in re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', html):
        with open(finders.find(path.decode()), "rb") as fh:
            total += len(gzip.compress(fh.read()))
    for path in re.findall(rb'<script[^>]+src="/static/([^"]+)"', html):
        with open(finders.find(path.decode()), "rb") as fh:
            total += len(gzip.compress(fh.read()))
    return total, html


def test_long_article_with_twenty_comments_fits(client, kim):
    import random

    rng = random.Random(7)
    parts = []
    for n in range(25):  # a long article: about 2,500 words, with headings and lists
        parts.append(f"## Bagian {n}\n\n{prose(rng, 90)}\n\n- {prose(rng, 5)}\n- {prose(rng, 5)}\n")
    source = "\n".join(parts)
    html, text = render(source)
    article = ArticleFactory(kim=kim, published=True, body_source=source, body_html=html,
                             body_text=text, sector=sector("pertanian"))  # fmt: skip
    Correction.objects.create(article=article, region_code=article.region_code, note="Koreksi.")
    counts.refresh(article.pk)  # as article_correct does
    for _ in range(10):
        top = CommentFactory(article=article, body=prose(rng, 45))
        CommentFactory(article=article, parent=top, body=prose(rng, 30))
    weight, page = page_weight(client, f"/berita/{article.slug}/")
    assert page.count(b'<li id="k-') == 20
    assert len(page) > 30 * 1024  # really long before compression
    assert weight <= BUDGET, weight


def test_home_with_news_fits(client, kim):
    for i in range(60):
        ArticleFactory(kim=kim, published=True, sector=sector("pertanian" if i % 2 else "umkm"))
    weight, page = page_weight(client, "/")
    assert b"Berita terbaru dari KIM" in page
    assert weight <= BUDGET, weight


def test_article_list_fits(client, kim):
    for _ in range(20):
        ArticleFactory(kim=kim, published=True)
    weight, _page = page_weight(client, "/berita/")
    assert weight <= BUDGET, weight
