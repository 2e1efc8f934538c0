"""Hak jawab: the public form, e-mails to the redaksi and the kab/kota pembina, the back-office
list, answering (shown under the article) and closing."""

import pytest

from simpul.audit.models import Event
from simpul.newsroom.models import ReplyRequest

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST = "/kelola/warta/moderasi/hak-jawab/"


@pytest.fixture
def article(kim):
    return ArticleFactory(kim=kim, published=True, title="Jalan nagari rusak")


def send(client, article, **data):
    form = {"name": "Budi Santoso", "email": "budi@contoh.id",
            "body": "Jalan itu sudah diperbaiki sejak Oktober."}  # fmt: skip
    form.update(data)
    return client.post(f"/berita/{article.slug}/hak-jawab/", form)


def make_request(article, **kw):
    defaults = {"name": "Budi Santoso", "email": "budi@contoh.id", "body": "Keberatan saya."}
    return ReplyRequest.objects.create(
        article=article, kim=article.kim, region_code=article.region_code, **{**defaults, **kw}
    )


def test_form_is_public_and_linked_from_the_article(client, article):
    assert (
        f'href="/berita/{article.slug}/hak-jawab/"'
        in client.get(f"/berita/{article.slug}/").content.decode()
    )
    html = client.get(f"/berita/{article.slug}/hak-jawab/").content.decode()
    for label in ('for="id_name"', 'for="id_email"', 'for="id_body"'):
        assert label in html


def test_request_is_stored_and_mailed_to_redaksi_and_pembina(
    client, article, pengurus, pembina_limapuluhkota, pembina_bukittinggi, smtp,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, article)
    assert response.status_code == 302
    assert "Hak jawab terkirim" in client.get(response["Location"]).content.decode()
    request = ReplyRequest.objects.get()
    assert request.kim_id == article.kim_id and request.status == ReplyRequest.Status.NEW
    (mail,) = smtp.wait_for(1)
    assert sorted(mail["to"]) == sorted([pengurus.email, pembina_limapuluhkota.email])
    body = smtp.bodies()[0]
    assert "Jalan itu sudah diperbaiki" in body and request.public_id in body
    event = Event.objects.get(action="newsroom.reply_request.received")
    assert "budi@contoh.id" not in str(event.data)


def test_missing_fields_are_named(client, article):
    response = send(client, article, name="", email="bukan-email", body="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nama wajib diisi." in html and "E-mail tidak sah" in html
    assert "Isi hak jawab wajib diisi." in html
    assert not ReplyRequest.objects.exists()


def test_honeypot_and_unpublished(client, article, kim):
    assert send(client, article, situs="x").status_code == 302
    assert not ReplyRequest.objects.exists()
    draft = ArticleFactory(kim=kim)
    assert send(client, draft).status_code == 404


def test_throttled_per_ip(client, article):
    for i in range(5):
        assert send(client, article, body=f"Keberatan nomor {i}").status_code == 302
    response = send(client, article, body="Keenam")
    assert response.status_code == 429 and "Terlalu banyak kiriman" in response.content.decode()
    assert ReplyRequest.objects.count() == 5


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_xss_in_reply_is_escaped_in_back_office_and_public(
    client, login, pengurus, article, payload
):
    send(client, article, name=f"Budi {payload}", body=f"Isi {payload}")
    request = ReplyRequest.objects.get()
    login(pengurus)
    html = client.get(f"{LIST}{request.public_id}/").content.decode()
    assert payload not in html and "&lt;" in html
    client.post(f"{LIST}{request.public_id}/", {"action": "answer", "response": f"Ok {payload}"})
    client.logout()
    html = client.get(f"/berita/{article.slug}/").content.decode()
    assert "Tanggapan redaksi" in html
    assert payload not in html


def test_redaksi_answers_and_it_shows_under_the_article(client, login, pengurus, article):
    request = make_request(article, body="Jalan sudah diperbaiki.")
    login(pengurus)
    html = client.get(LIST).content.decode()
    assert "Budi Santoso" in html
    response = client.post(
        f"{LIST}{request.public_id}/",
        {"action": "answer", "response": "Terima kasih, kami koreksi."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ReplyRequest.Status.ANSWERED and request.handled_by == pengurus
    client.logout()
    html = client.get(f"/berita/{article.slug}/").content.decode()
    assert "Hak jawab" in html and "Jalan sudah diperbaiki." in html
    assert "Terima kasih, kami koreksi." in html
    assert "budi@contoh.id" not in html


def test_answer_needs_text(client, login, pengurus, article):
    request = make_request(article)
    login(pengurus)
    response = client.post(f"{LIST}{request.public_id}/", {"action": "answer", "response": ""})
    assert response.status_code == 200
    assert "Tanggapan redaksi wajib diisi." in response.content.decode()
    request.refresh_from_db()
    assert request.status == ReplyRequest.Status.NEW


def test_pembina_closes_and_nothing_is_shown(client, login, pembina_limapuluhkota, article):
    request = make_request(article, body="Spam tidak jelas")
    login(pembina_limapuluhkota)
    assert "Budi Santoso" in client.get(LIST).content.decode()
    client.post(f"{LIST}{request.public_id}/", {"action": "close"})
    request.refresh_from_db()
    assert request.status == ReplyRequest.Status.CLOSED
    assert Event.objects.filter(action="newsroom.reply_request.closed").exists()
    client.logout()
    assert "Spam tidak jelas" not in client.get(f"/berita/{article.slug}/").content.decode()


@pytest.mark.parametrize("who", ["pembina_bukittinggi", "admin_other_province", "warga"])
def test_outside_scope_is_404(client, login, request, article, who):
    reply = make_request(article)
    login(request.getfixturevalue(who))
    assert "Budi Santoso" not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{reply.public_id}/").status_code == 404
    assert client.post(f"{LIST}{reply.public_id}/", {"action": "close"}).status_code == 404
    reply.refresh_from_db()
    assert reply.status == ReplyRequest.Status.NEW
