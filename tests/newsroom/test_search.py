"""Search of published articles on both databases: stemming both ways, weights, filters,
snippets, and nothing unpublished ever found."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from simpul.newsroom import search
from simpul.newsroom.models import Article
from simpul.registry.models import Sector

from ..factories import KimFactory
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def published(**kw):
    article = ArticleFactory(published=True, **kw)
    search.index_articles([article.pk])
    return article


def ids(results):
    return [h.article.pk for h in results.hits]


@pytest.fixture
def corpus(kim):
    farming = published(
        kim=kim,
        title="Penyuluhan pertanian organik di Nagari Tujuh Koto Talago",
        summary="Kelompok wanita tani belajar membuat pupuk kompos.",
        body_source="Penyuluh pertanian mengajak warga memakai pupuk kompos buatan sendiri.",
    )
    farmer = published(
        kim=kim,
        title="Harga cabai naik menjelang lebaran",
        summary="Pedagang pasar mengeluhkan pasokan.",
        body_source="Seorang tani di Koto Tinggi bilang hujan merusak tanaman cabai.",
    )
    tourism = published(
        kim=KimFactory(region_code="13.75.01.1001"),
        region_code="13.75.01.1001",
        title="Jam Gadang ramai wisatawan saat libur sekolah",
        summary="Pariwisata Bukittinggi bergeliat.",
        body_source="Ribuan pengunjung memadati kawasan Jam Gadang.",
    )
    return farming, farmer, tourism


def test_stemming_finds_pertanian_for_tani_and_the_reverse(corpus):
    farming, farmer, tourism = corpus
    found = ids(search.search(q="tani"))
    assert farming.pk in found and farmer.pk in found and tourism.pk not in found
    found = ids(search.search(q="pertanian"))
    assert farmer.pk in found and farming.pk in found
    assert ids(search.search(q="padat")) == [tourism.pk]  # "memadati"


def test_all_words_must_match(corpus):
    farming, farmer, _ = corpus
    assert ids(search.search(q="tani cabai")) == [farmer.pk]
    assert ids(search.search(q="kompos tani")) == [farming.pk]
    assert search.search(q="tani gadang").total == 0


def test_title_outranks_summary_outranks_body(kim):
    body = published(
        kim=kim, title="Rapat warga", summary="Rapat rutin.", body_source="Soal irigasi sawah."
    )
    summary = published(
        kim=kim, title="Rapat nagari", summary="Membahas irigasi.", body_source="Rapat biasa."
    )
    title = published(
        kim=kim, title="Irigasi baru selesai", summary="Kabar baik.", body_source="Warga senang."
    )
    assert ids(search.search(q="irigasi")) == [title.pk, summary.pk, body.pk]


def test_unpublished_never_found_and_unindex_on_status_change(kim):
    draft = ArticleFactory(kim=kim, title="Draf tentang durian montong")
    search.index_articles([draft.pk])  # indexing a draft is a no-op
    shown = published(kim=kim, title="Festival durian montong")
    assert ids(search.search(q="durian")) == [shown.pk]
    Article.objects.filter(pk=shown.pk).update(status=Article.Status.UNPUBLISHED)
    # Even before the index catches up, an unpublished article is not returned.
    assert ids(search.search(q="durian")) == []
    search.index_articles([shown.pk, draft.pk])
    assert search.search(q="durian").total == 0
    Article.objects.filter(pk=shown.pk).update(status=Article.Status.PUBLISHED)
    search.index_articles([shown.pk])
    assert ids(search.search(q="durian")) == [shown.pk]
    search.unindex_articles([shown.pk])
    assert search.search(q="durian").total == 0


def test_reindex_reflects_edits(kim):
    article = published(kim=kim, title="Gotong royong membersihkan surau")
    Article.objects.filter(pk=article.pk).update(title="Gotong royong membersihkan masjid")
    search.index_articles([article.pk])
    assert search.search(q="surau").total == 0
    assert ids(search.search(q="masjid")) == [article.pk]


def test_filters_wilayah_sector_dates(corpus):
    farming, farmer, tourism = corpus
    sector = Sector.objects.create(name="Pertanian", slug="pertanian-uji")
    Article.objects.filter(pk=farming.pk).update(sector=sector)
    long_ago = timezone.now() - timedelta(days=40)
    Article.objects.filter(pk=farmer.pk).update(published_at=long_ago)
    search.index_articles([farming.pk, farmer.pk])
    assert set(ids(search.search(q="tani", wilayah="13.07"))) == {farming.pk, farmer.pk}
    assert ids(search.search(q="tani", wilayah="13.75")) == []
    assert ids(search.search(q="padat", wilayah="13.75")) == [tourism.pk]
    assert ids(search.search(q="padat", wilayah="13.7")) == []  # a prefix of codes, not text
    assert ids(search.search(q="tani", sector=sector.pk)) == [farming.pk]
    today = timezone.localdate()
    assert ids(search.search(q="tani", since=today - timedelta(days=7))) == [farming.pk]
    assert ids(search.search(q="tani", until=today - timedelta(days=30))) == [farmer.pk]
    assert ids(search.search(q="tani", since=today, until=today)) == [farming.pk]


def test_snippet_marks_matches_and_escapes_everything_else(kim):
    article = published(
        kim=kim,
        title="Petani <b>muda</b> & kopi",
        body_source="Kata awal. " * 40
        + "Para petani kopi <script>alert(1)</script> menanam bibit baru. "
        + "Kata akhir. " * 40,
    )
    hit = search.search(q="tani").hits[0]
    assert hit.article.pk == article.pk
    assert "<mark>Petani</mark>" in hit.title
    assert "&lt;b&gt;muda&lt;/b&gt; &amp; kopi" in hit.title
    assert "<mark>petani</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.title
    assert hit.snippet.startswith("… ") and hit.snippet.endswith(" …")
    assert len(hit.snippet.split()) < 45  # a window, not the whole body


def test_query_syntax_is_not_interpreted(corpus):
    # FTS5 / tsquery operators in the input are plain words, never an error.
    for q in ['tani" OR "', "tani AND NOT", "tani*", "(tani", "tani & !", "NEAR(tani)"]:
        results = search.search(q=q)
        assert results.total >= 0


def test_empty_query_finds_nothing(corpus):
    assert search.search(q="").hits == []
    assert search.search(q=" ,. ").total == 0


def test_pages(kim):
    made = [published(kim=kim, title=f"Lomba layang-layang ke-{i}") for i in range(13)]
    first = search.search(q="layang")
    second = search.search(q="layang", page=2)
    assert first.total == 13 and first.pages == 2 and first.has_next
    assert len(first.hits) == 10 and len(second.hits) == 3 and not second.has_next
    assert set(ids(first)) | set(ids(second)) == {a.pk for a in made}


def test_postgresql_uses_its_indonesian_stemmer():
    if connection.vendor != "postgresql":
        # SQLite path: PySastrawi does the stemming.
        assert search.stem("pertanian") == "tani" and search.stem("petani") == "tani"
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('indonesian', 'pertanian petani')::text")
        assert cursor.fetchone()[0] == "'tani':1,2"


# --- the page -------------------------------------------------------------------------


def test_search_page_anonymous(client, corpus):
    farming, farmer, tourism = corpus
    response = client.get(reverse("cari:results"), {"q": "tani"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 berita cocok" in html
    assert "<mark>pertanian</mark>" in html
    assert f"/berita/{farming.slug}/" in html and f"/berita/{farmer.slug}/" in html
    assert tourism.title not in html
    assert '<label class="strong" for="id_q">' in html
    assert "ketua@" not in html


def test_search_page_filters_and_errors(client, corpus):
    url = reverse("cari:results")
    html = client.get(url, {"q": "tani", "wilayah": "13.75"}).content.decode()
    assert "Tidak ada berita yang cocok" in html
    response = client.get(url, {"q": "tani", "wilayah": "abc"})
    assert response.status_code == 200
    assert "Kode wilayah “abc” tidak sah" in response.content.decode()
    response = client.get(url, {"q": "tani", "dari": "2024-02-01", "sampai": "2024-01-01"})
    assert "harus sama atau sesudah" in response.content.decode()


def test_search_page_never_shows_drafts(client, kim):
    ArticleFactory(kim=kim, title="Rahasia draf rendang")
    response = client.get(reverse("cari:results"), {"q": "rendang"})
    assert "Rahasia draf rendang" not in response.content.decode()


def test_search_page_without_query(client):
    response = client.get(reverse("cari:results"))
    assert response.status_code == 200
    assert "Tulis satu kata atau lebih" in response.content.decode()


def test_search_page_budget(client, corpus):
    import gzip

    response = client.get(reverse("cari:results"), {"q": "tani"})
    assert len(gzip.compress(response.content)) < 30_000


def test_search_page_queries_do_not_grow_with_hits(client, kim):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sector = Sector.objects.create(name="Perikanan", slug="perikanan-uji")
    for i in range(2):
        published(kim=kim, title=f"Budidaya ikan nila ke-{i}", sector=sector)
    url = reverse("cari:results")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "ikan"})
    for i in range(2, 15):
        published(kim=kim, title=f"Budidaya ikan nila ke-{i}", sector=sector)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url, {"q": "ikan", "x": "1"}).content.decode()
    assert html.count("<mark>ikan</mark>") >= 10
    # Only the (capped) count of matches is added once a page is full.
    assert len(many.captured_queries) == len(few.captured_queries) + 1


def test_very_common_queries_rank_within_the_newest_matches(kim, monkeypatch):
    monkeypatch.setattr(search, "WINDOW_PROBE", 3)
    monkeypatch.setattr(search, "WINDOW", 2)  # at least one page (10) is always ranked
    now = timezone.now()
    made = []
    for days in range(12):
        title = "Sapi kurban terbaik" if days >= 10 else f"Kabar peternakan ke-{days}"
        article = published(kim=kim, title=title, body_source="Peternak sapi di nagari.")
        Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(days=days))
        made.append(article)
    search.index_articles([a.pk for a in made])
    found = search.search(q="sapi")
    if connection.vendor == "postgresql":
        # 12 matches > probe: only the 10 newest are ranked; the two older title matches,
        # the most relevant, fall outside the window.
        assert set(ids(found)) == {a.pk for a in made[:10]}
        assert found.capped
    else:  # SQLite (small installations) ranks every match
        assert found.total == 12
        assert set(ids(found)[:2]) == {made[10].pk, made[11].pk}


def _index_rows():
    table = (
        "newsroom_article_search" if connection.vendor == "postgresql" else "newsroom_article_fts"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def test_index_is_emptied_after_migrate_when_no_article_is_left(kim):
    """`flush` empties the article table but not the raw index tables; post_migrate cleans
    up, so PostgreSQL search (which counts from its own table) never counts ghosts."""
    article = ArticleFactory(kim=kim, published=True, title="Penyuluhan pertanian organik")
    search.index_articles([article.id])
    assert _index_rows() == 1
    search.drop_orphans()
    assert _index_rows() == 1  # articles exist: nothing is touched
    Article.objects.all().delete()
    search.drop_orphans()
    assert _index_rows() == 0
