"""RSS/Atom feeds, parsed with feedparser: entries, titles, links, dates."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from simpul.newsroom.models import Article

from ..factories import KimFactory
from ..registry.factories import sector
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(kim, settings):
    settings.SITE_URL = "https://simpul.contoh.id"
    talago = ArticleFactory(kim=kim, published=True, title="Panen Talago",
                            sector=sector("pertanian"))  # fmt: skip
    bkt = ArticleFactory(kim=KimFactory(region_code="13.75.01.1001"), published=True,
                         title="Wisata Bukittinggi", sector=sector("pariwisata"))  # fmt: skip
    Article.objects.filter(pk=bkt.pk).update(published_at=timezone.now() - timedelta(hours=2))
    ArticleFactory(kim=kim, title="Draf tersembunyi")
    return talago, bkt


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize("url,version", [("/berita/rss/", "rss20"), ("/berita/atom/", "atom10")])
def test_site_feeds(client, articles, url, version):
    talago, bkt = articles
    feed = parse(client, url)
    assert feed.version == version
    assert [e.title for e in feed.entries] == ["Panen Talago", "Wisata Bukittinggi"]
    first = feed.entries[0]
    assert first.link == f"https://simpul.contoh.id/berita/{talago.slug}/"
    assert first.published_parsed is not None or first.updated_parsed is not None
    assert "Petani merayakan panen raya" in first.summary
    assert "Tujuh Koto Talago" in first.author


def test_kim_feed(client, articles, kim):
    feed = parse(client, f"/kim/{kim.slug}/rss/")
    assert [e.title for e in feed.entries] == ["Panen Talago"]
    assert "Tujuh Koto Talago" in feed.feed.title


def test_region_feed(client, articles):
    assert [e.title for e in parse(client, "/berita/wilayah/13.75/rss/").entries] == [
        "Wisata Bukittinggi"
    ]
    assert [e.title for e in parse(client, "/berita/wilayah/13.07/rss/").entries] == [
        "Panen Talago"
    ]


def test_sector_feed(client, articles):
    feed = parse(client, "/berita/sektor/pariwisata/rss/")
    assert [e.title for e in feed.entries] == ["Wisata Bukittinggi"]
    assert feed.entries[0].tags[0].term == "Pariwisata"


@pytest.mark.parametrize(
    "url",
    ["/kim/tidak-ada/rss/", "/berita/wilayah/13/rss/", "/berita/wilayah/13.07.07/rss/",
     "/berita/wilayah/99.99/rss/", "/berita/wilayah/abc/rss/", "/berita/sektor/tidak-ada/rss/"],
)  # fmt: skip
def test_unknown_feed_is_404(client, url):
    assert client.get(url).status_code == 404


def test_feed_of_unlisted_kim_is_404(client):
    from simpul.registry.models import Kim

    pending = KimFactory(status=Kim.Status.PENGAJUAN)
    assert client.get(f"/kim/{pending.slug}/rss/").status_code == 404


def test_feed_query_count_is_constant(client, django_assert_num_queries):
    ArticleFactory(published=True)
    with django_assert_num_queries(1):
        client.get("/berita/rss/")
    for _ in range(10):
        ArticleFactory(published=True, sector=sector("umkm"))
    with django_assert_num_queries(1):
        client.get("/berita/rss/")
