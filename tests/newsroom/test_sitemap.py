"""sitemap.xml: an index pointing at article and KIM sections with absolute URLs."""

import xml.etree.ElementTree as ET

import pytest

from simpul.registry.models import Kim

from ..factories import KimFactory
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locs(client, url, tag):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [e.text for e in root.findall(f"s:{tag}/s:loc", NS)]


def test_sitemap_lists_published_articles_and_public_kims(client, kim, settings):
    settings.SITE_URL = "https://simpul.contoh.id"
    published = ArticleFactory(kim=kim, published=True)
    draft = ArticleFactory(kim=kim)
    pending = KimFactory(status=Kim.Status.PENGAJUAN)
    sections = locs(client, "/sitemap.xml", "sitemap")
    assert sections == [
        "https://simpul.contoh.id/sitemap-berita.xml",
        "https://simpul.contoh.id/sitemap-kim.xml",
    ]
    articles = locs(client, "/sitemap-berita.xml", "url")
    assert f"https://simpul.contoh.id/berita/{published.slug}/" in articles
    assert not any(draft.slug in u for u in articles)
    kims = locs(client, "/sitemap-kim.xml", "url")
    assert f"https://simpul.contoh.id/kim/{kim.slug}/" in kims
    assert not any(pending.slug in u for u in kims)
    assert client.get("/sitemap-lain.xml").status_code == 404
