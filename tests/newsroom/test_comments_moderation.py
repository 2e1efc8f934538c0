"""The redaksi's moderation queue and comment settings (/kelola/warta/moderasi/)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from simpul.accounts.roles import Role
from simpul.audit.models import Event
from simpul.newsroom import comments
from simpul.newsroom.models import Comment, KimNewsroom

from ..factories import UserFactory, assign
from .factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

QUEUE = "/kelola/warta/moderasi/"


@pytest.fixture
def article(kim):
    return ArticleFactory(kim=kim, published=True)


@pytest.fixture
def sibling_pengurus(sibling_kim):
    user = UserFactory(full_name="Ketua Koto Bangun")
    assign(user, Role.PENGURUS, kim=sibling_kim)
    return user


def test_redaksi_sees_pending_and_reported_comments_of_its_kim(
    client, login, pengurus, article, sibling_kim
):
    CommentFactory(article=article, body="Menunggu persetujuan", status=Comment.Status.PENDING)
    CommentFactory(article=article, body="Sudah dilaporkan", report_count=1)
    CommentFactory(article=article, body="Komentar biasa")
    other = ArticleFactory(kim=sibling_kim, published=True)
    CommentFactory(article=other, body="Komentar KIM lain", status=Comment.Status.PENDING)
    login(pengurus)
    html = client.get(QUEUE).content.decode()
    assert "Menunggu persetujuan" in html and "Sudah dilaporkan" in html
    assert "Komentar biasa" not in html and "Komentar KIM lain" not in html


def test_queue_shows_why_a_comment_was_reported_but_not_who(client, login, pengurus, article):
    comment = CommentFactory(article=article, body="Komentar yang dilaporkan")
    reporters = [UserFactory(full_name=f"Pelapor {n}") for n in range(2)]
    for user in reporters:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    comments.comment_report(actor=reporters[0], comment=comment, reason="Berisi <b>fitnah</b>")
    comments.comment_report(actor=reporters[1], comment=comment)  # no reason given
    login(pengurus)
    html = client.get(QUEUE).content.decode()
    assert "Berisi &lt;b&gt;fitnah&lt;/b&gt;" in html  # the reporter's words, escaped
    assert "<li>Tidak pantas</li>" in html  # no reason: shown in the moderator's language
    assert "Pelapor" not in html
    client.get(reverse("web:language", args=["en"]) + "?next=/")
    assert "<li>Inappropriate</li>" in client.get(QUEUE).content.decode()


@pytest.mark.parametrize("who", ["warga", "anggota", "nasional"])
def test_queue_is_404_without_redaksi_role(client, login, request, who):
    login(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 404


def test_pembina_is_sent_to_hak_jawab(client, login, pembina_limapuluhkota):
    login(pembina_limapuluhkota)
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].endswith("/hak-jawab/")


def test_approve_shows_the_comment_and_is_audited(
    client, login, pengurus, article, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = True
    comment = CommentFactory(article=article, body="Setujui saya", status=Comment.Status.PENDING)
    url = f"/berita/{article.slug}/"
    assert "Setujui saya" not in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    login(pengurus)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{QUEUE}komentar/{comment.public_id}/setujui/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.moderated_by == pengurus
    assert Event.objects.filter(action="newsroom.comment.approved", kim_id=article.kim_id).exists()
    client.logout()
    response = client.get(url)  # the cached copy was invalidated
    assert response["X-Page-Cache"] == "miss" and "Setujui saya" in response.content.decode()


def test_remove_leaves_a_placeholder(client, login, pengurus, article):
    comment = CommentFactory(article=article, body="Hapus saya")
    CommentFactory(article=article, parent=comment, body="Balasan tetap")
    login(pengurus)
    client.post(f"{QUEUE}komentar/{comment.public_id}/hapus/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    html = client.get(f"/berita/{article.slug}/").content.decode()
    assert "Hapus saya" not in html and "dihapus oleh moderator" in html
    assert "Balasan tetap" in html


def test_moderating_another_kims_comment_is_404(client, login, sibling_pengurus, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    login(sibling_pengurus)
    assert client.post(f"{QUEUE}komentar/{comment.public_id}/setujui/").status_code == 404
    assert client.post(f"{QUEUE}komentar/{comment.public_id}/hapus/").status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_is_post_only(client, login, pengurus, article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    login(pengurus)
    assert client.get(f"{QUEUE}komentar/{comment.public_id}/setujui/").status_code == 405


def test_redaksi_changes_comment_mode(client, login, pengurus, kim):
    login(pengurus)
    response = client.get(f"{QUEUE}pengaturan/")
    assert response.status_code == 302  # one KIM: straight to its form
    url = f"{QUEUE}pengaturan/{kim.slug}/"
    assert "Setujui dulu" in client.get(url).content.decode()
    response = client.post(url, {"comment_mode": "publish_first", "comments_open": "on"})
    assert response.status_code == 302
    row = KimNewsroom.objects.get(kim=kim)
    assert row.comment_mode == "publish_first" and row.comments_open
    assert row.region_code == kim.region_code
    assert Event.objects.filter(action="newsroom.settings.updated", kim_id=kim.pk).exists()
    client.post(url, {"comment_mode": "approve_first"})
    row.refresh_from_db()
    assert row.comment_mode == "approve_first" and not row.comments_open


def test_settings_of_another_kim_are_404(
    client, login, sibling_pengurus, pembina_limapuluhkota, kim
):
    for user in (sibling_pengurus, pembina_limapuluhkota):
        login(user)
        url = f"{QUEUE}pengaturan/{kim.slug}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"comment_mode": "publish_first"}).status_code == 404
    assert not KimNewsroom.objects.exists()


def test_anonymous_is_sent_to_login(client, kim):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/akun/" in response["Location"]
