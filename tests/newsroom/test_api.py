"""Warta API: public reads and the scoped editorial workflow (allowed, and 404 outside scope)."""

import json

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from simpul.accounts.roles import Role
from simpul.audit.models import Event
from simpul.newsroom import search
from simpul.newsroom.models import Article
from simpul.registry.models import Sector

from ..factories import KimFactory, UserFactory, assign, confirmed_totp
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, url, params=None):
        return self.client.get(url, params or {})

    def post(self, url, body=None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json")

    def patch(self, url, body):
        return self.client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def api(db):
    """api(user) -> a JSON client of its own, logged in past 2FA; api(None) -> anonymous."""

    def _as(user):
        client = Client()
        if user is not None:
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = confirmed_totp(user).persistent_id
            session.save()
        return Api(client)

    return _as


@pytest.fixture
def other_kim_pengurus(db):
    other = KimFactory(name="Kelompok Informasi Masyarakat Koto Bangun", slug="koto-bangun")
    user = UserFactory(full_name="Redaksi Lain", email="lain@contoh.id")
    assign(user, Role.PENGURUS, kim=other)
    return user


def published(**kw):
    article = ArticleFactory(published=True, **kw)
    search.index_articles([article.pk])
    return article


# --- public reads ---------------------------------------------------------------------


def test_list_filters_and_paginates(api, kim):
    sector = Sector.objects.create(name="Pertanian", slug="pertanian-api")
    a = published(kim=kim, sector=sector)
    b = published(kim=kim)
    ArticleFactory(kim=kim, title="Draf rahasia")
    body = api(None).get("/api/berita/", {"limit": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1
    assert {r["slug"] for r in api(None).get("/api/berita/").json()["results"]} == {
        a.slug,
        b.slug,
    }
    only = api(None).get("/api/berita/", {"sektor": "pertanian-api"}).json()
    assert [r["slug"] for r in only["results"]] == [a.slug]
    row = only["results"][0]
    assert row["kim"]["name"] == "Kelompok Informasi Masyarakat Tujuh Koto Talago"
    assert row["wilayah"]["code"] == "13.07.07.2002" and row["url"] == f"/berita/{a.slug}/"
    assert api(None).get("/api/berita/", {"wilayah": "13.75"}).json()["count"] == 0
    bad = api(None).get("/api/berita/", {"wilayah": "x"})
    assert bad.status_code == 422 and "wilayah" in bad.json()["errors"]
    bad = api(None).get("/api/berita/", {"sektor": "tidak-ada"})
    assert bad.status_code == 422 and "sektor" in bad.json()["errors"]


def test_detail_public_and_drafts_404(api, kim):
    article = published(kim=kim)
    draft = ArticleFactory(kim=kim)
    body = api(None).get(f"/api/berita/{article.slug}/").json()
    assert body["title"] == article.title and "<h2>" in body["body_html"]
    assert "email" not in json.dumps(body) and "@" not in json.dumps(body)
    assert api(None).get(f"/api/berita/{draft.slug}/").status_code == 404


def test_search_endpoint(api, kim):
    article = published(kim=kim, title="Penyuluhan pertanian di nagari")
    ArticleFactory(kim=kim, title="Draf pertanian")
    body = api(None).get("/api/cari/", {"q": "tani"}).json()
    assert body["count"] == 1 and body["results"][0]["slug"] == article.slug
    assert "<mark>pertanian</mark>" in body["results"][0]["title_html"]
    assert api(None).get("/api/cari/", {"q": "tani", "wilayah": "13.75"}).json()["count"] == 0
    assert api(None).get("/api/cari/").status_code == 422


# --- writes -----------------------------------------------------------------------------


def create(client, kim_slug="tujuh-koto-talago", **extra):
    return client.post(
        "/api/kelola/berita/",
        {
            "kim": kim_slug,
            "title": "Gotong royong membersihkan irigasi",
            "body_source": "Warga nagari membersihkan saluran irigasi bersama.",
            **extra,
        },
    )


def test_create_draft_allowed(api, anggota):
    response = create(api(anggota), tags=["irigasi"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["tags"] == ["irigasi"]
    article = Article.objects.get(public_id=body["public_id"])
    assert article.author == anggota
    assert Event.objects.filter(action="newsroom.article.created").exists()


def test_create_denied_outside_kim_and_anonymous(api, anggota, other_kim_pengurus, warga):
    assert create(api(other_kim_pengurus)).status_code == 404
    assert create(api(warga)).status_code == 404
    assert create(api(None)).status_code == 401
    assert not Article.objects.exists()


def test_create_validation_names_the_field(api, anggota):
    response = create(api(anggota), title="  ")
    assert response.status_code == 422 and "title" in response.json()["errors"]


def test_update_allowed_and_denied(api, kim, anggota, other_kim_pengurus):
    article = ArticleFactory(kim=kim, author=anggota)
    url = f"/api/kelola/berita/{article.public_id}/"
    response = api(anggota).patch(url, {"title": "Judul baru yang lebih jelas"})
    assert response.status_code == 200 and response.json()["title"] == "Judul baru yang lebih jelas"
    assert api(other_kim_pengurus).patch(url, {"title": "Dibajak"}).status_code == 404
    article.refresh_from_db()
    assert article.title == "Judul baru yang lebih jelas"


def workflow_article(kim, author):
    return ArticleFactory(kim=kim, author=author, title="Pelatihan pupuk kompos")


def test_submit_allowed_and_denied(api, kim, anggota, other_kim_pengurus):
    article = workflow_article(kim, anggota)
    url = f"/api/kelola/berita/{article.public_id}/ajukan/"
    assert api(other_kim_pengurus).post(url).status_code == 404
    response = api(anggota).post(url)
    assert response.status_code == 200 and response.json()["status"] == "submitted"


def test_publish_allowed_indexes_and_denied(
    api, kim, anggota, pengurus, other_kim_pengurus, django_capture_on_commit_callbacks
):
    article = workflow_article(kim, anggota)
    url = f"/api/kelola/berita/{article.public_id}/terbitkan/"
    ticks = {"checked_5w1h": True, "checked_consent": True, "checked_sources": True}
    assert api(other_kim_pengurus).post(url, ticks).status_code == 404
    assert api(anggota).post(url, ticks).status_code == 404  # not the redaksi
    missing = api(pengurus).post(url, {"checked_5w1h": True})
    assert missing.status_code == 422 and "checked_consent" in missing.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(pengurus).post(url, ticks)
    assert response.status_code == 200 and response.json()["status"] == "published"
    found = api(None).get("/api/cari/", {"q": "kompos"}).json()
    assert [r["slug"] for r in found["results"]] == [response.json()["slug"]]


def test_return_allowed_and_denied(api, kim, anggota, pengurus, other_kim_pengurus):
    article = workflow_article(kim, anggota)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.SUBMITTED)
    url = f"/api/kelola/berita/{article.public_id}/kembalikan/"
    assert api(other_kim_pengurus).post(url, {"note": "x"}).status_code == 404
    empty = api(pengurus).post(url, {"note": " "})
    assert empty.status_code == 422 and "note" in empty.json()["errors"]
    response = api(pengurus).post(url, {"note": "Tambahkan nama narasumber."})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["review_note"] == "Tambahkan nama narasumber."


def test_unpublish_allowed_unindexes_and_denied(
    api,
    kim,
    pembina_limapuluhkota,
    pembina_bukittinggi,
    admin_other_province,
    django_capture_on_commit_callbacks,
):
    article = published(kim=kim, title="Kabar durian runtuh")
    url = f"/api/kelola/berita/{article.public_id}/turunkan/"
    for outsider in (pembina_bukittinggi, admin_other_province):
        assert api(outsider).post(url, {"reason": "x"}).status_code == 404
    assert api(None).get("/api/cari/", {"q": "durian"}).json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api(pembina_limapuluhkota).post(url, {"reason": "Belum terverifikasi."})
    assert response.status_code == 200 and response.json()["status"] == "unpublished"
    assert api(None).get("/api/cari/", {"q": "durian"}).json()["count"] == 0
    assert api(None).get(f"/api/berita/{article.slug}/").status_code == 404


def test_kelola_detail_allowed_and_denied(api, kim, anggota, other_kim_pengurus):
    article = workflow_article(kim, anggota)
    url = f"/api/kelola/berita/{article.public_id}/"
    assert api(anggota).get(url).json()["body_source"] == article.body_source
    assert api(other_kim_pengurus).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
