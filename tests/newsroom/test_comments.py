"""Discussion under articles: who may comment, moderation modes, replies, abuse reports,
honeypot, link limit, floods and XSS."""

import pytest
from django.utils import timezone

from simpul.newsroom.models import Comment, CommentReport, KimNewsroom

from ..factories import UserFactory
from .factories import ArticleFactory, CommentFactory, article_reads

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(kim):
    return ArticleFactory(kim=kim, published=True, title="Gotong royong di Talago")


def verified(user=None, **kw):
    user = user or UserFactory(**kw)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


@pytest.fixture
def citizen(warga):
    return verified(warga)


def post(client, article, body, **extra):
    return client.post(f"/berita/{article.slug}/komentar/", {"body": body, **extra})


def page(client, article):
    return client.get(f"/berita/{article.slug}/").content.decode()


def publish_first(kim):
    KimNewsroom.objects.create(
        kim=kim, region_code=kim.region_code, comment_mode=KimNewsroom.CommentMode.PUBLISH_FIRST
    )


def test_approve_first_comment_waits_and_mails_the_redaksi(
    client, login, citizen, pengurus, article, smtp, django_capture_on_commit_callbacks
):
    login(citizen, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, article, "Semoga panen tahun depan lebih baik.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING and comment.author == citizen
    assert comment.kim_id == article.kim_id and comment.region_code == article.region_code
    client.logout()
    assert "Semoga panen tahun depan" not in page(client, article)
    (mail,) = smtp.wait_for(1)
    assert mail["to"] == [pengurus.email]
    assert "Semoga panen tahun depan" in smtp.bodies()[0]
    assert "/kelola/warta/moderasi/" in smtp.bodies()[0]


def test_publish_first_comment_shows_at_once(client, login, citizen, kim, article):
    publish_first(kim)
    login(citizen, verified=False)
    response = post(client, article, "Mantap, lanjutkan!")
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    client.logout()
    html = page(client, article)
    assert "Mantap, lanjutkan!" in html and citizen.full_name in html
    assert "1 komentar" in html


def test_anonymous_is_sent_to_login_and_sees_no_form(client, article):
    response = post(client, article, "Halo")
    assert response.status_code == 302 and "/akun/" in response["Location"]
    assert not Comment.objects.exists()
    html = page(client, article)
    assert "untuk berkomentar" in html and 'name="csrfmiddlewaretoken"' not in html


def test_unverified_account_cannot_comment(client, login, kim, article):
    user = UserFactory()
    login(user, verified=False)
    assert "Verifikasi e-mail akun Anda" in page(client, article)
    response = post(client, article, "Halo semua")
    assert response.status_code == 400
    assert "e-mail terverifikasi" in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_on_unpublished_article_is_404(client, login, citizen, kim):
    draft = ArticleFactory(kim=kim)
    login(citizen, verified=False)
    assert post(client, draft, "Halo").status_code == 404
    assert not Comment.objects.exists()


def test_closed_comments_are_refused(client, login, citizen, kim, article):
    KimNewsroom.objects.create(kim=kim, region_code=kim.region_code, comments_open=False)
    login(citizen, verified=False)
    assert "Komentar untuk artikel ini ditutup" in page(client, article)
    response = post(client, article, "Halo")
    assert response.status_code == 400 and not Comment.objects.exists()


def test_one_level_of_replies(client, login, citizen, kim, article):
    publish_first(kim)
    top = CommentFactory(article=article, body="Komentar induk")
    login(citizen, verified=False)
    assert post(client, article, "Balasan pertama", parent=top.public_id).status_code == 302
    reply = Comment.objects.get(body="Balasan pertama")
    assert reply.parent == top
    # A reply to a reply is refused: one level only.
    assert post(client, article, "Balasan kedua", parent=reply.public_id).status_code == 404
    # A parent from another article is refused.
    other = CommentFactory(article=ArticleFactory(kim=kim, published=True))
    assert post(client, article, "Salah tempat", parent=other.public_id).status_code == 404
    html = page(client, article)
    assert html.index("Komentar induk") < html.index("Balasan pertama")


def test_removed_comment_shows_placeholder_and_replies_stay(client, article):
    top = CommentFactory(article=article, body="Komentar kasar", status=Comment.Status.REMOVED)
    CommentFactory(article=article, parent=top, body="Balasan yang sopan")
    CommentFactory(article=article, body="Komentar tertunda", status=Comment.Status.PENDING)
    html = page(client, article)
    assert "Komentar kasar" not in html
    assert "dihapus oleh moderator" in html
    assert "Balasan yang sopan" in html
    assert "Komentar tertunda" not in html


def test_honeypot_stores_nothing(client, login, citizen, article):
    login(citizen, verified=False)
    response = post(client, article, "Beli obat murah", situs="http://spam.example")
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_more_than_two_links_is_refused_with_a_clear_message(client, login, citizen, article):
    login(citizen, verified=False)
    body = "Lihat https://a.example/1 dan https://b.example/2 serta https://c.example/3"
    response = post(client, article, body)
    assert response.status_code == 400
    assert "lebih dari 2 tautan" in response.content.decode()
    assert not Comment.objects.exists()
    assert post(client, article, "Sumber: https://a.example/1 dan www.b.example").status_code == 302


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">klik</a>',
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS)
def test_comment_xss_is_escaped(client, login, citizen, kim, article, payload):
    publish_first(kim)
    login(citizen, verified=False)
    assert post(client, article, f"Halo {payload}").status_code == 302
    client.logout()
    html = page(client, article)
    assert payload not in html
    assert "&lt;" in html  # shown as text


def test_flood_is_throttled_per_account(client, login, citizen, kim, article):
    publish_first(kim)
    login(citizen, verified=False)
    for i in range(5):
        assert post(client, article, f"Komentar nomor {i}").status_code == 302
    response = post(client, article, "Komentar keenam")
    assert response.status_code == 429
    assert "Terlalu banyak kiriman" in response.content.decode()
    assert "WIB" in response.content.decode()
    assert Comment.objects.count() == 5


def test_flood_is_throttled_per_ip(client, login, kim, article):
    publish_first(kim)
    for n in range(4):
        login(verified(), verified=False)
        for i in range(5):
            assert post(client, article, f"Komentar {n}-{i}").status_code == 302
    login(verified(), verified=False)
    assert post(client, article, "Satu lagi dari warnet yang sama").status_code == 429
    assert Comment.objects.count() == 20


def report(client, comment, reason="Kata kasar"):
    return client.post(
        f"/berita/{comment.article.slug}/komentar/{comment.public_id}/lapor/", {"alasan": reason}
    )


def test_one_report_per_person_and_three_hide_the_comment(
    client, login, pengurus, article, smtp, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=article, body="Komentar yang dilaporkan")
    reporters = [verified() for _ in range(3)]
    login(reporters[0], verified=False)
    assert report(client, comment).status_code == 302
    assert report(client, comment).status_code == 302  # again: counted once
    comment.refresh_from_db()
    assert comment.report_count == 1 and CommentReport.objects.count() == 1
    login(reporters[1], verified=False)
    report(client, comment)
    client.logout()
    assert "Komentar yang dilaporkan" in page(client, article)
    login(reporters[2], verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        report(client, comment)
    comment.refresh_from_db()
    assert comment.report_count == 3 and comment.status == Comment.Status.PENDING
    client.logout()
    assert "Komentar yang dilaporkan" not in page(client, article)
    smtp.wait_for(1)
    assert "dilaporkan 3 kali" in smtp.bodies()[0]


def test_report_needs_login_and_a_visible_comment(client, login, article):
    comment = CommentFactory(article=article)
    response = report(client, comment)
    assert response.status_code == 302 and "/akun/" in response["Location"]
    assert not CommentReport.objects.exists()
    hidden = CommentFactory(article=article, status=Comment.Status.PENDING)
    login(verified(), verified=False)
    assert report(client, hidden).status_code == 404


def test_twenty_comments_page_query_count_is_constant(client, article, django_assert_num_queries):
    def run():
        # The article with its KIM, sector, cover and comment settings; the comments; the
        # wilayah names (the region cache is off in tests).
        with django_assert_num_queries(article_reads(comments=True) + 1):
            assert client.get(f"/berita/{article.slug}/").status_code == 200

    CommentFactory(article=article)
    run()
    for _ in range(10):
        top = CommentFactory(article=article)
        CommentFactory(article=article, parent=top)
    run()
