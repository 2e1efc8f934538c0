"""A KIM member writes on a phone (360 px), the redaksi reviews and publishes: real chromium,
no JavaScript needed by the pages."""

import io
import re

import pytest
from PIL import Image

from simpul.newsroom.models import Article, ArticleImage

from ..factories import PASSWORD
from .conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_context(browser):
    contexts = []

    def make():
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="id-ID", java_script_enabled=False
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for c in contexts:
        c.close()


def log_in(page, base, email):
    page.goto(f"{base}/akun/masuk/?next=/kelola/warta/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/kelola/warta/$"))


def test_write_on_a_phone_then_review_and_publish(
    live_server, phone_context, anggota, pengurus, kim, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = phone_context()
    log_in(page, live_server.url, anggota.email)
    page.get_by_role("link", name="Tulis berita").click()
    page.get_by_label("Judul").fill("Panen raya gambir di Koto Bangun")
    page.get_by_label("Isi berita").fill(
        "Petani gambir di **Koto Bangun** memanen bersama.\n\n## Harga\n\n"
        "Harga gambir naik menjadi Rp40.000 per kilogram, kata ketua kelompok tani."
    )
    page.get_by_label("Tag", exact=True).fill("gambir, panen")
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r"/ubah/$"))
    article = Article.objects.get()

    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 120, 60)).save(buf, "JPEG")
    page.locator("#id_upload").set_input_files(
        {"name": "panen.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}
    )
    page.get_by_label("Teks alternatif").fill("Petani menjemur gambir")
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_url(re.compile(r"/ubah/$"))
    image = ArticleImage.objects.get()
    assert page.get_by_label("Kode untuk isi berita").input_value() == (
        f"![Petani menjemur gambir](/media/{image.variants['960']})"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "warta-edit-360")
    page.get_by_role("button", name="Simpan dan ajukan ke redaksi").click()
    page.wait_for_url(re.compile(rf"/kelola/warta/{article.public_id}/$"))
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED

    review = phone_context()
    log_in(review, live_server.url, pengurus.email)
    review.get_by_role("link", name="Panen raya gambir di Koto Bangun").click()
    assert review.get_by_role("heading", name="Periksa sebelum terbit").is_visible()
    assert review.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(review, "warta-review-360")
    review.get_by_label(re.compile("5W1H lengkap")).check()
    review.get_by_label(re.compile("Ada izin")).check()
    review.get_by_label("Sumber informasi disebutkan").check()
    review.get_by_role("button", name="Terbitkan").click()
    assert review.get_by_text("Berita terbit.").is_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
