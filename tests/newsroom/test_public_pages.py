"""Public Warta pages: /berita/, /berita/<slug>/, news on /, /kim/<slug>/, /wilayah/<code>/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from simpul.newsroom import counts
from simpul.newsroom.models import Adinda, Article, ArticleImage, Correction, Tag

from ..factories import KimFactory
from ..registry.factories import sector
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def cover_for(article):
    image = ArticleImage.objects.create(
        kim=article.kim,
        region_code=article.region_code,
        article=article,
        file="warta/ab/abc-foto.webp",
        width=1600,
        height=1200,
        variants={"480": "warta/ab/abc-480.webp", "960": "warta/ab/abc-960.webp"},
        alt="Petani memanen padi di sawah",
        caption="Panen di Jorong Talago",
    )
    article.cover = image
    article.save(update_fields=["cover"])
    return image


def test_article_page_shows_everything(client, kim, settings):
    settings.SITE_URL = "https://simpul.contoh.id"
    article = ArticleFactory(
        kim=kim,
        published=True,
        title="Panen raya di Tujuh Koto Talago",
        summary="Petani memanen padi bersama.",
        sector=sector("pertanian"),
        adinda=Adinda.IMPLEMENTASI,
        event_date=timezone.localdate() - timedelta(days=2),
        author_name="Heri Nizwar",
    )
    article.tags.add(Tag.objects.create(name="panen", slug="panen"))
    cover_for(article)
    Correction.objects.create(
        article=article, region_code=article.region_code, note="Jumlah petani yang benar 40."
    )
    counts.refresh(article.pk)  # what the services do after these writes
    response = client.get(f"/berita/{article.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Panen raya di Tujuh Koto Talago</h1>" in html
    assert "Oleh Heri Nizwar" in html
    assert "Kelompok Informasi Masyarakat Tujuh Koto Talago" in html
    assert "WIB" in html and "Nagari" in html  # WIB date, wilayah name
    assert "Pertanian" in html and "Implementasi" in html and "#panen" in html
    assert "Tanggal peristiwa" in html
    assert "Koreksi" in html and "Jumlah petani yang benar 40." in html
    # Cover: sized, lazy, srcset from the renditions, alt text.
    assert 'srcset="/media/warta/ab/abc-480.webp 480w, /media/warta/ab/abc-960.webp 960w"' in html
    assert 'width="960" height="720"' in html and 'loading="lazy"' in html
    assert 'alt="Petani memanen padi di sawah"' in html
    assert "Panen di Jorong Talago" in html
    # Body is the sanitised HTML, rendered as HTML.
    assert "<h2>Hasil</h2>" in html
    # OpenGraph for WhatsApp/Facebook previews.
    url = f"https://simpul.contoh.id/berita/{article.slug}/"
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Panen raya di Tujuh Koto Talago">' in html
    assert '<meta property="og:description" content="Petani memanen padi bersama.">' in html
    assert (
        '<meta property="og:image" content="https://simpul.contoh.id/media/warta/ab/abc-960.webp">'
        in html
    )
    # Share links with prefilled text, and the feed links.
    assert "https://wa.me/?text=Panen%20raya%20di%20Tujuh%20Koto%20Talago" in html
    assert "https://t.me/share/url?" in html and "facebook.com/sharer" in html
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert f'href="/kim/{kim.slug}/rss/"' in html


@pytest.mark.parametrize(
    "status",
    [Article.Status.DRAFT, Article.Status.SUBMITTED, Article.Status.SCHEDULED,
     Article.Status.UNPUBLISHED, Article.Status.RETURNED],
)  # fmt: skip
def test_unpublished_articles_are_404(client, status):
    article = ArticleFactory(status=status)
    assert client.get(f"/berita/{article.slug}/").status_code == 404
    assert client.get(f"/berita/{article.slug}/hak-jawab/").status_code == 404
    assert article.title not in client.get("/berita/").content.decode()


def test_author_personal_data_never_shown(client):
    article = ArticleFactory(published=True)
    article.author.phone = "+6281234567890"
    article.author.save()
    html = client.get(f"/berita/{article.slug}/").content.decode()
    assert article.author.email not in html
    assert "81234567890" not in html


def test_list_filters(client, kim):
    other_kab = KimFactory(region_code="13.75.01.1001")  # Bukittinggi
    a = ArticleFactory(kim=kim, published=True, title="Berita pertanian Talago",
                       sector=sector("pertanian"), adinda=Adinda.AKSES)  # fmt: skip
    b = ArticleFactory(kim=other_kab, published=True, title="Berita wisata Bukittinggi",
                       sector=sector("pariwisata"), adinda=Adinda.DISEMINASI)  # fmt: skip
    old = ArticleFactory(kim=kim, published=True, title="Berita lama Talago")
    Article.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=40))

    def titles(query):
        response = client.get("/berita/" + query)
        assert response.status_code == 200
        html = response.content.decode()
        return {t for t in (a.title, b.title, old.title) if t in html}

    assert titles("") == {a.title, b.title, old.title}
    assert titles("?wilayah=13.07") == {a.title, old.title}
    assert titles("?wilayah=13.75") == {b.title}
    assert titles("?sektor=pariwisata") == {b.title}
    assert titles("?adinda=akses") == {a.title}
    assert titles(f"?kim={kim.slug}") == {a.title, old.title}
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert titles(f"?dari={since}") == {a.title, b.title}
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert titles(f"?sampai={until}") == {old.title}


def test_list_rejects_bad_filters_with_field_named(client):
    ArticleFactory(published=True, title="Ada berita")
    response = client.get("/berita/?wilayah=abc&dari=2025-05-01&sampai=2025-04-01")
    html = response.content.decode()
    assert "Kode wilayah “abc” tidak sah" in html
    assert "Ada berita" not in html


def test_list_query_count_is_constant(client, django_assert_num_queries):
    def run():
        with django_assert_num_queries(4):  # sectors, count, page, wilayah names
            assert client.get("/berita/").status_code == 200

    for _ in range(2):
        ArticleFactory(published=True, sector=sector("umkm"))
    run()
    for _ in range(15):
        article = ArticleFactory(published=True, sector=sector("pertanian"))
        cover_for(article)
    run()


def test_list_paginates(client):
    for _ in range(21):
        ArticleFactory(published=True)
    html = client.get("/berita/").content.decode()
    assert "Halaman 1 dari 2" in html and 'rel="next"' in html
    assert client.get("/berita/?page=2").status_code == 200


def test_home_shows_latest_by_sector_and_kabkota(client, kim, django_assert_num_queries):
    ArticleFactory(kim=kim, published=True, title="Pupuk organik di Talago",
                   sector=sector("pertanian"))  # fmt: skip
    ArticleFactory(kim=KimFactory(region_code="13.75.01.1001"), published=True,
                   title="Wisata Jam Gadang", sector=sector("pariwisata"))  # fmt: skip
    ArticleFactory(kim=kim, title="Draf rahasia")
    with django_assert_num_queries(2):  # latest articles, wilayah names
        response = client.get("/")
    html = response.content.decode()
    assert "Pupuk organik di Talago" in html and "Wisata Jam Gadang" in html
    assert "Draf rahasia" not in html
    assert "Menurut sektor" in html and "Pertanian" in html and "Pariwisata" in html
    assert "Menurut kabupaten/kota" in html
    assert "Kabupaten Lima Puluh Kota" in html and "Kota Bukittinggi" in html
    assert 'href="/berita/"' in html  # nav link "Berita"


def test_kim_profile_lists_its_news(client, kim, sibling_kim):
    ArticleFactory(kim=kim, published=True, title="Berita KIM Talago")
    ArticleFactory(kim=sibling_kim, published=True, title="Berita KIM Koto Bangun")
    ArticleFactory(kim=kim, title="Draf Talago")
    html = client.get(f"/kim/{kim.slug}/").content.decode()
    assert "Berita KIM Talago" in html
    assert "Berita KIM Koto Bangun" not in html and "Draf Talago" not in html
    assert f'href="/kim/{kim.slug}/rss/"' in html


def test_region_page_lists_news_below_it(client, kim):
    ArticleFactory(kim=kim, published=True, title="Berita dari Lima Puluh Kota")
    ArticleFactory(kim=KimFactory(region_code="13.75.01.1001"), published=True,
                   title="Berita dari Bukittinggi")  # fmt: skip
    html = client.get("/wilayah/13.07/").content.decode()
    assert "Berita dari Lima Puluh Kota" in html and "Berita dari Bukittinggi" not in html
    assert 'href="/berita/wilayah/13.07/rss/"' in html
    assert 'rel="alternate" type="application/rss+xml"' in html
    html = client.get("/wilayah/13.75/").content.decode()
    assert "Berita dari Bukittinggi" in html and "Berita dari Lima Puluh Kota" not in html


def test_publishing_invalidates_the_cached_article_list(
    client, settings, kim, django_capture_on_commit_callbacks
):
    from simpul import audit

    settings.PAGE_CACHE = True
    ArticleFactory(kim=kim, published=True, title="Berita pertama")
    assert client.get("/berita/")["X-Page-Cache"] == "miss"
    assert client.get("/berita/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(kim=kim, published=True, title="Berita kedua")
        audit.record(actor=None, action="newsroom.article.published", obj=article)
    response = client.get("/berita/")
    assert response["X-Page-Cache"] == "miss"
    assert "Berita kedua" in response.content.decode()


def test_editorial_actions_refresh_cached_pages(
    client, settings, kim, pengurus, pembina_limapuluhkota, django_capture_on_commit_callbacks
):
    """Publishing, correcting and unpublishing (N1's services) invalidate cached public pages."""
    from simpul.newsroom import services

    settings.PAGE_CACHE = True
    article = ArticleFactory(kim=kim, status=Article.Status.SUBMITTED, title="Sumur bor baru")
    url = f"/berita/{article.slug}/"
    assert "Sumur bor baru" not in client.get("/berita/").content.decode()
    assert client.get("/berita/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=pengurus, article=article, checked_5w1h=True,
                                 checked_consent=True, checked_sources=True)  # fmt: skip
    assert "Sumur bor baru" in client.get("/berita/").content.decode()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.article_correct(actor=pengurus, article=article, note="Kedalaman 40 meter.")
    assert "Kedalaman 40 meter." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(
            actor=pembina_limapuluhkota, article=article, reason="Melanggar privasi"
        )
    assert client.get(url).status_code == 404
    assert "Sumur bor baru" not in client.get("/berita/").content.decode()


def test_real_cover_is_served_with_its_renditions(client, settings, tmp_path, kim, pengurus):
    import io
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from simpul.newsroom.images import image_add

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 60)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("sawah.jpg", buffer.getvalue(), content_type="image/jpeg")
    article = ArticleFactory(kim=kim, published=True)
    image = image_add(actor=pengurus, kim=kim, upload=upload, alt="Sawah hijau", article=article)
    article.cover = image
    article.save(update_fields=["cover"])
    html = client.get(f"/berita/{article.slug}/").content.decode()
    tag = re.search(r'<figure class="cover"><img src="([^"]+)" srcset="([^"]+)"[^>]*>', html)
    assert tag, html
    assert 'alt="Sawah hijau"' in tag.group(0) and 'loading="lazy"' in tag.group(0)
    assert re.search(r'width="\d+" height="\d+"', tag.group(0))
    for candidate in tag.group(2).split(", "):
        src = candidate.split(" ")[0]
        response = client.get(src)
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og.startswith(settings.SITE_URL + "/media/warta/")
