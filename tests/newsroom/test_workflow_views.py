"""/kelola/warta/: list, write, upload, review, publish/schedule, return, correct, take down —
every persona allowed or 404 (anonymous goes to the login page)."""

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from simpul.accounts.roles import Role
from simpul.newsroom import services
from simpul.newsroom.models import Article, ArticleImage, Correction

from ..factories import UserFactory, assign
from ..registry.kelola_support import errors
from .factories import ArticleFactory

S = Article.Status
PERSONAS = (
    "pengurus",
    "anggota",
    "other_anggota",
    "sibling_pengurus",
    "pembina_limapuluhkota",
    "pembina_bukittinggi",
    "admin_sumbar",
    "admin_other_province",
    "warga",
    "anonymous",
)
CHECKS = {"checked_5w1h": "on", "checked_consent": "on", "checked_sources": "on"}


@pytest.fixture
def other_anggota(kim):
    user = UserFactory(full_name="Anggota Lain")
    assign(user, Role.ANGGOTA, kim=kim)
    return user


@pytest.fixture
def sibling_pengurus(sibling_kim):
    user = UserFactory(full_name="Ketua Koto Bangun")
    assign(user, Role.PENGURUS, kim=sibling_kim)
    return user


@pytest.fixture
def actor(request, login, client):
    name = request.param
    if name == "anonymous":
        return name, None, client
    user = request.getfixturevalue(name)
    return name, user, login(user)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(article, action=""):
    return f"/kelola/warta/{article.public_id}/" + (f"{action}/" if action else "")


def expect(name, allowed, ok=200):
    if name == "anonymous":
        return 302
    return ok if name in allowed else 404


def make(kim, author, status):
    article = ArticleFactory(kim=kim, author=author, title="Panen raya gambir", slug="panen-gambir")
    if status != S.DRAFT:
        article.status = status
        if status == S.PUBLISHED:
            from django.utils import timezone

            article.published_at = timezone.now()
        article.save()
    return article


# --- who sees what -------------------------------------------------------------------------


LIST_ALLOWED = {
    "pengurus",
    "anggota",
    "other_anggota",
    "sibling_pengurus",
    "pembina_limapuluhkota",
    "pembina_bukittinggi",
    "admin_sumbar",
    "admin_other_province",
}


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_list(actor, kim, anggota):
    name, user, client = actor
    draft = make(kim, anggota, S.DRAFT)
    published = ArticleFactory(kim=kim, author=anggota, published=True, title="Sudah terbit")
    response = client.get("/kelola/warta/")
    assert response.status_code == expect(name, LIST_ALLOWED)
    if response.status_code != 200:
        return
    html = response.content.decode()
    sees_draft = name in {"pengurus", "anggota"}
    sees_published = name in {"pengurus", "anggota", "other_anggota", "pembina_limapuluhkota"}
    sees_published |= name == "admin_sumbar"
    assert (url(draft) in html) == sees_draft
    assert (url(published) in html) == sees_published


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_review_page_of_a_draft(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.DRAFT)
    response = client.get(url(article))
    assert response.status_code == expect(name, {"pengurus", "anggota"})
    if name == "pengurus":
        assert "Periksa sebelum terbit" in response.content.decode()
    if name == "anggota":
        html = response.content.decode()
        assert "Periksa sebelum terbit" not in html and "Ajukan ke redaksi" in html


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_review_page_of_a_published_article(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.PUBLISHED)
    allowed = {"pengurus", "anggota", "other_anggota", "pembina_limapuluhkota", "admin_sumbar"}
    response = client.get(url(article))
    assert response.status_code == expect(name, allowed)
    if response.status_code == 200:
        html = response.content.decode()
        assert ("Turunkan berita" in html) == (
            name in {"pengurus", "pembina_limapuluhkota", "admin_sumbar"}
        )
        assert ("Muat koreksi" in html) == (name == "pengurus")


# --- transitions, persona by persona --------------------------------------------------------


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_submit(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.DRAFT)
    response = client.post(url(article, "ajukan"))
    article.refresh_from_db()
    # The author hands it in; the redaksi may do it for them (it may edit any draft).
    assert response.status_code == expect(name, {"anggota", "pengurus"}, ok=302)
    assert (article.status == S.SUBMITTED) == (name in {"anggota", "pengurus"})


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_publish(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.SUBMITTED)
    response = client.post(url(article, "terbitkan"), CHECKS)
    article.refresh_from_db()
    assert response.status_code == expect(name, {"pengurus"}, ok=302)
    assert (article.status == S.PUBLISHED) == (name == "pengurus")


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_return(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.SUBMITTED)
    response = client.post(url(article, "kembalikan"), {"note": "Tambahkan kutipan narasumber."})
    article.refresh_from_db()
    assert response.status_code == expect(name, {"pengurus"}, ok=302)
    assert (article.status == S.RETURNED) == (name == "pengurus")


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_unpublish(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.PUBLISHED)
    response = client.post(url(article, "turunkan"), {"reason": "Memuat nomor telepon warga."})
    article.refresh_from_db()
    allowed = {"pengurus", "pembina_limapuluhkota", "admin_sumbar"}
    assert response.status_code == expect(name, allowed, ok=302)
    assert (article.status == S.UNPUBLISHED) == (name in allowed)


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_correct(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.PUBLISHED)
    response = client.post(url(article, "koreksi"), {"note": "Nama wali nagari diperbaiki."})
    assert response.status_code == expect(name, {"pengurus"}, ok=302)
    assert Correction.objects.filter(article=article).exists() == (name == "pengurus")


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_edit_page(actor, kim, anggota):
    name, user, client = actor
    article = make(kim, anggota, S.DRAFT)
    response = client.get(url(article, "ubah"))
    assert response.status_code == expect(name, {"pengurus", "anggota"})


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_new_article_page(actor, kim):
    name, user, client = actor
    response = client.get("/kelola/warta/baru/")
    allowed = {"pengurus", "anggota", "other_anggota", "sibling_pengurus"}
    assert response.status_code == expect(name, allowed)


# --- the forms ----------------------------------------------------------------------------------


def test_write_upload_submit_review_publish(login, anggota, pengurus, kim, media, client):
    c = login(anggota)
    response = c.post(
        "/kelola/warta/baru/",
        {
            "title": "Panen raya gambir di Koto Bangun",
            "body_source": "Petani gambir **panen** bersama.",
            "summary": "",
            "adinda": "implementasi",
            "region_code": kim.region_code,
            "tags": "gambir, panen",
            "event_date": "2025-03-01",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == url(article, "ubah")
    assert article.author == anggota and article.summary == "Petani gambir panen bersama."

    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), "green").save(buf, "JPEG")
    response = c.post(
        url(article, "ubah"),
        {
            "action": "image",
            "upload": SimpleUploadedFile("panen.jpg", buf.getvalue(), content_type="image/jpeg"),
            "alt": "Petani menjemur gambir",
        },
        follow=True,
    )
    image = ArticleImage.objects.get()
    assert image.article == article and image.width == 1200
    page = response.content.decode()
    assert f"![Petani menjemur gambir](/media/{image.variants['960']})" in page
    assert 'alt="Petani menjemur gambir"' in page and 'loading="lazy"' in page

    body = (
        f"Petani gambir panen bersama.\n\n![Petani menjemur gambir](/media/{image.variants['960']})"
    )
    response = c.post(
        url(article, "ubah"),
        {
            "title": article.title,
            "body_source": body,
            "adinda": "implementasi",
            "region_code": kim.region_code,
            "cover": image.pk,
            "submit": "1",
        },
    )
    article.refresh_from_db()
    assert response.status_code == 302 and article.status == S.SUBMITTED
    shown = image.variants["960"]  # the rendition the writer pastes
    assert article.cover == image and f'src="/media/{shown}"' in article.body_html

    r = login(pengurus)
    page = r.get(url(article)).content.decode()
    assert "Periksa sebelum terbit" in page and "Petani gambir" in page
    response = r.post(url(article, "terbitkan"), CHECKS)
    article.refresh_from_db()
    assert response.status_code == 302 and article.status == S.PUBLISHED


def test_form_errors_name_the_field(login, anggota, kim):
    c = login(anggota)
    response = c.post(
        "/kelola/warta/baru/",
        {"title": "", "body_source": "", "summary": "x" * 170, "adinda": "akses"},
    )
    assert response.status_code == 200 and not Article.objects.exists()
    text = errors(response)
    assert "Judul: Wajib diisi." in text and "Isi berita: Wajib diisi." in text
    assert "Ringkasan:" in text and "Wilayah berita:" in text


def test_image_without_alt_is_refused_on_the_page(login, anggota, kim, media):
    article = make(kim, anggota, S.DRAFT)
    buf = io.BytesIO()
    Image.new("RGB", (100, 80), "green").save(buf, "PNG")
    response = login(anggota).post(
        url(article, "ubah"),
        {"action": "image", "upload": SimpleUploadedFile("a.png", buf.getvalue()), "alt": ""},
    )
    assert response.status_code == 200
    assert "Teks alternatif: Wajib diisi." in errors(response)
    assert not ArticleImage.objects.exists()


def test_publish_without_checks_says_which(login, anggota, pengurus, kim):
    article = make(kim, anggota, S.SUBMITTED)
    response = login(pengurus).post(url(article, "terbitkan"), {"checked_5w1h": "on"})
    assert response.status_code == 400
    text = errors(response)
    assert "izin" in text and "Sumber informasi" in text and "5W1H lengkap" not in text
    article.refresh_from_db()
    assert article.status == S.SUBMITTED


def test_schedule_is_read_in_wib(login, anggota, pengurus, kim):
    article = make(kim, anggota, S.SUBMITTED)
    response = login(pengurus).post(
        url(article, "terbitkan"), {**CHECKS, "publish_at": "2030-01-02T08:00"}
    )
    article.refresh_from_db()
    assert response.status_code == 302 and article.status == S.SCHEDULED
    assert article.publish_at == datetime(2030, 1, 2, 1, 0, tzinfo=UTC)  # 08:00 WIB
    page = login(pengurus).get(url(article)).content.decode()
    assert "02 Jan 2030 08.00" in page


def test_return_without_note_is_refused(login, anggota, pengurus, kim):
    article = make(kim, anggota, S.SUBMITTED)
    response = login(pengurus).post(url(article, "kembalikan"), {"note": ""})
    assert response.status_code == 400
    assert "Catatan untuk penulis: Wajib diisi." in errors(response)


def test_returned_article_shows_the_note_to_the_author(login, anggota, pengurus, kim):
    article = make(kim, anggota, S.SUBMITTED)
    services.article_return(actor=pengurus, article=article, note="Foto tanpa izin, ganti.")
    page = login(anggota).get(url(article, "ubah")).content.decode()
    assert "Foto tanpa izin, ganti." in page


def test_copy_guard_warning_on_the_review_page(login, anggota, pengurus, kim, sibling_kim):
    writer = UserFactory()
    assign(writer, Role.PENGURUS, kim=sibling_kim)
    body = " ".join(
        f"Kalimat nomor {i} tentang panen gambir di nagari tetangga yang ramai." for i in range(30)
    )
    original = services.article_create(
        actor=writer, kim=sibling_kim, title="Gambir Koto Bangun", body_source=body
    )
    services.article_publish(
        actor=writer,
        article=original,
        checked_5w1h=True,
        checked_consent=True,
        checked_sources=True,
    )
    copy = services.article_create(actor=anggota, kim=kim, title="Salinan", body_source=body)
    services.article_submit(actor=anggota, article=copy)
    page = login(pengurus).get(url(copy)).content.decode()
    assert "Mirip tulisan yang sudah ada" in page
    assert f'href="/berita/{original.slug}/"' in page and "Gambir Koto Bangun" in page
    assert "100% kalimat sama" in page and "kalimat nomor 0 tentang panen gambir" in page
    assert "mirip tulisan lain" in login(pengurus).get("/kelola/warta/").content.decode()


def test_list_query_count_does_not_grow(login, pengurus, anggota, kim, django_assert_num_queries):
    c = login(pengurus)
    for _ in range(3):
        ArticleFactory(kim=kim, author=anggota)
    c.get("/kelola/warta/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get("/kelola/warta/")
    for _ in range(20):
        ArticleFactory(kim=kim, author=anggota, published=True)
    with CaptureQueriesContext(connection) as many:
        c.get("/kelola/warta/")
    assert len(many) == len(few)


def test_who_gets_the_warta_link_on_the_back_office_home(
    anggota, pengurus, pembina_limapuluhkota, admin_sumbar, warga, nasional
):
    from simpul.newsroom.kelola_views import has_warta

    assert all(has_warta(u) for u in (anggota, pengurus, pembina_limapuluhkota, admin_sumbar))
    assert not has_warta(warga) and not has_warta(nasional)
