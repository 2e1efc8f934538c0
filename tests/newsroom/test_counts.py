"""The counts on an article (tags, corrections, answered hak jawab, visible comments) follow
every service that changes them, and the article page reads only what they say exists."""

import pytest
from django.utils import timezone

from simpul.newsroom import comments, counts, services
from simpul.newsroom.models import Article, Comment, KimNewsroom, ReplyRequest

from ..factories import UserFactory
from .factories import ArticleFactory, CommentFactory, article_reads

pytestmark = pytest.mark.django_db


def live(article):
    """The counts as the rows say, whatever the article row holds."""
    return {
        "tag_count": article.tags.count(),
        "correction_count": article.corrections.count(),
        "reply_count": article.reply_requests.filter(status=ReplyRequest.Status.ANSWERED).count(),
        "comment_count": article.comments.filter(status__in=counts.VISIBLE_COMMENTS).count(),
    }


def stored(article):
    return Article.objects.filter(pk=article.pk).values(*live(article)).get()


def citizen():
    user = UserFactory()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def test_tags_and_corrections_follow_the_services(anggota, pengurus, kim):
    article = services.article_create(
        actor=anggota, kim=kim, title="Panen raya", body_source="Isi.", tags=["panen", "padi"]
    )
    assert stored(article) == live(article) and stored(article)["tag_count"] == 2
    services.article_update(actor=anggota, article=article, tags=["panen"])
    assert stored(article)["tag_count"] == 1 == live(article)["tag_count"]
    published = ArticleFactory(kim=kim, published=True)
    services.article_correct(actor=pengurus, article=published, note="Angka yang benar 40.")
    services.article_correct(actor=pengurus, article=published, note="Nama yang benar Heri.")
    assert stored(published) == live(published) and stored(published)["correction_count"] == 2


def test_comments_follow_posting_moderation_and_reports(kim, pengurus):
    article = ArticleFactory(kim=kim, published=True)
    # Approve first (the default): a pending comment is not counted until approved.
    pending = comments.comment_post(actor=citizen(), article=article, body="Mantap.")
    assert pending.status == Comment.Status.PENDING
    assert stored(article)["comment_count"] == 0
    comments.comment_approve(actor=pengurus, comment=pending)
    assert stored(article)["comment_count"] == 1
    # Publish first: counted at once.
    KimNewsroom.objects.create(
        kim=kim, region_code=kim.region_code, comment_mode=KimNewsroom.CommentMode.PUBLISH_FIRST
    )
    shown = comments.comment_post(actor=citizen(), article=article, body="Setuju.")
    assert stored(article)["comment_count"] == 2
    # Removed: still on the page as "dihapus oleh moderator", so still counted.
    comments.comment_remove(actor=pengurus, comment=shown)
    assert stored(article)["comment_count"] == 2
    # Hidden by reports: back to pending, not shown, not counted.
    for _ in range(comments.REPORTS_TO_HIDE):
        comments.comment_report(actor=citizen(), comment=Comment.objects.get(pk=pending.pk))
    assert Comment.objects.get(pk=pending.pk).status == Comment.Status.PENDING
    assert stored(article) == live(article) and stored(article)["comment_count"] == 1


def test_hak_jawab_counted_once_answered(kim, pengurus):
    article = ArticleFactory(kim=kim, published=True)
    request = comments.reply_request_create(
        article=article, name="Budi", email="budi@contoh.id", body="Keberatan saya."
    )
    assert stored(article)["reply_count"] == 0
    comments.reply_request_answer(actor=pengurus, request=request, response="Terima kasih.")
    assert stored(article)["reply_count"] == 1
    other = comments.reply_request_create(
        article=article, name="Sari", email="sari@contoh.id", body="Saya juga."
    )
    comments.reply_request_close(actor=pengurus, request=other)
    assert stored(article) == live(article) and stored(article)["reply_count"] == 1


def test_refresh_recomputes_from_the_rows(kim):
    """Recomputed, never incremented: counts written wrong by anything are put right."""
    article = ArticleFactory(kim=kim, published=True)
    CommentFactory(article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=99, tag_count=5)
    counts.refresh(article.pk)
    assert (
        stored(article)
        == live(article)
        == {
            "tag_count": 0,
            "correction_count": 0,
            "reply_count": 0,
            "comment_count": 1,
        }
    )
    Article.objects.update(comment_count=7)
    counts.refresh_queryset(Article.objects.all())
    assert stored(article)["comment_count"] == 1


def test_an_article_with_nothing_beside_it_is_one_query_plus_wilayah(
    client, kim, django_assert_num_queries
):
    article = ArticleFactory(kim=kim, published=True)
    with django_assert_num_queries(2):  # the article (KIM, sector, cover, settings); wilayah
        assert client.get(f"/berita/{article.slug}/").status_code == 200


def test_page_shows_what_the_counts_say_and_queries_for_each(
    client, kim, pengurus, django_assert_num_queries
):
    article = services.article_create(
        actor=pengurus, kim=kim, title="Panen raya", body_source="Isi.", tags=["panen"]
    )
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now()
    )
    article.refresh_from_db()
    services.article_correct(actor=pengurus, article=article, note="Luas yang benar 12 ha.")
    request = comments.reply_request_create(
        article=article, name="Budi", email="budi@contoh.id", body="Keberatan saya."
    )
    comments.reply_request_answer(actor=pengurus, request=request, response="Sudah dikoreksi.")
    CommentFactory(article=article, body="Alhamdulillah panen bagus.")
    # The article and comments, tags, corrections, hak jawab, wilayah.
    with django_assert_num_queries(article_reads(comments=True) + 4):
        html = client.get(f"/berita/{article.slug}/").content.decode()
    for text in ("#panen", "Luas yang benar 12 ha.", "Sudah dikoreksi.", "panen bagus"):
        assert text in html
    assert "1 komentar" in html


def test_region_cache_reads_a_wilayah_once(client, kim, settings, django_assert_num_queries):
    from simpul.regions.queries import clear_cached_rows

    settings.REGION_CACHE_SECONDS = 300
    clear_cached_rows()
    article = ArticleFactory(kim=kim, published=True)
    try:
        with django_assert_num_queries(2):
            client.get(f"/berita/{article.slug}/")
        with django_assert_num_queries(1):  # the wilayah names come from the process
            html = client.get(f"/berita/{article.slug}/").content.decode()
        assert "Nagari" in html or "Desa" in html or "Kelurahan" in html
    finally:
        clear_cached_rows()


def test_prepared_statements_give_the_same_page(client, kim, pengurus, django_assert_num_queries):
    """On PostgreSQL the page's statements are prepared per database session (the test
    database's session was opened before the tables existed, so they are prepared here by
    hand) and the article and its comments are read in one round trip; on SQLite they run
    as they are. Either way: the same page."""
    from django.db import connection

    from simpul.newsroom import queries

    article = ArticleFactory(kim=kim, published=True, title="Panen raya di Talago")
    CommentFactory(article=article, body="Semoga panen tahun depan lebih baik.")
    plain = client.get(f"/berita/{article.slug}/").content
    queries.prepare_statements(connection=connection)
    try:
        with django_assert_num_queries(article_reads(comments=True) + 1) as captured:
            prepared = client.get(f"/berita/{article.slug}/").content
        executed = [q["sql"] for q in captured.captured_queries]
        if connection.vendor == "postgresql":
            first, second = executed[0].split("; ")
            assert first.startswith("EXECUTE warta_article_page(")
            assert second.startswith("EXECUTE warta_slug_comments(")
        assert prepared == plain
        assert b"Panen raya di Talago" in prepared and b"Semoga panen tahun depan" in prepared
        assert client.get("/berita/tidak-ada/").status_code == 404
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
            queries._prepared.pop(connection.connection, None)
