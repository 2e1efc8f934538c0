"""A reader on a phone (360x740): home -> article, no sideways scrolling; a registered citizen
logs in and comments without any script."""

import re

import pytest
from django.utils import timezone

from simpul.newsroom import counts
from simpul.newsroom.models import Correction, KimNewsroom

from ..factories import PASSWORD, UserFactory
from ..newsroom.factories import ArticleFactory, CommentFactory
from ..registry.factories import SectorFactory
from .conftest import screenshot

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def add_cover(article, user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from simpul.newsroom.images import image_add

    picture = Image.new("RGB", (1200, 800), (120, 180, 90))
    ImageDraw.Draw(picture).rectangle((0, 0, 1200, 300), fill=(150, 200, 235))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG")
    upload = SimpleUploadedFile("sawah.jpg", buffer.getvalue(), content_type="image/jpeg")
    image = image_add(actor=user, kim=article.kim, upload=upload, alt="Sawah siap panen",
                      caption="Sawah di Koto Bangun", article=article)  # fmt: skip
    article.cover = image
    article.save(update_fields=["cover"])


def test_reader_and_commenter_on_a_phone(live_server, phone, kim, pengurus, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    page = phone
    base = live_server.url
    KimNewsroom.objects.create(
        kim=kim, region_code=kim.region_code, comment_mode=KimNewsroom.CommentMode.PUBLISH_FIRST
    )
    article = ArticleFactory(
        kim=kim,
        published=True,
        title="Panen raya padi organik di Nagari Koto Bangun",
        sector=SectorFactory(slug="pertanian", name="Pertanian"),
        author_name="Heri Nizwar",
        event_date=timezone.localdate(),
    )
    add_cover(article, pengurus)
    Correction.objects.create(
        article=article, region_code=article.region_code, note="Luas sawah yang benar 12 hektare."
    )
    counts.refresh(article.pk)  # as article_correct does
    top = CommentFactory(article=article, body="Alhamdulillah, semoga harga gabah bagus.")
    CommentFactory(article=article, parent=top, body="Amin, kata penyuluh harga naik.")
    ArticleFactory(
        kim=kim,
        published=True,
        title="Pelatihan literasi digital untuk pemuda",
        sector=SectorFactory(slug="literasi-digital", name="Literasi digital"),
    )
    citizen = UserFactory(full_name="Rina Warga", email="rina@contoh.id")
    citizen.email_verified_at = timezone.now()
    citizen.save()

    page.goto(base + "/")
    assert no_sideways_scroll(page)
    screenshot(page, "warta-home-360")
    page.get_by_role("link", name=article.title).first.click()
    page.wait_for_url(re.compile(re.escape(f"/berita/{article.slug}/") + "$"))
    assert page.get_by_role("heading", level=1).inner_text() == article.title
    assert page.get_by_text("Luas sawah yang benar 12 hektare.").is_visible()
    assert page.get_by_role("link", name="WhatsApp").is_visible()
    cover = page.get_by_role("img", name="Sawah siap panen")
    cover.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('figure.cover img').naturalWidth > 0")
    assert cover.bounding_box()["width"] <= 360
    assert no_sideways_scroll(page)
    screenshot(page, "warta-article-360")
    page.emulate_media(media="print")  # print: no menu, share buttons or comment forms
    assert not page.get_by_role("link", name="WhatsApp").is_visible()
    assert not page.get_by_role("navigation", name="Menu utama").is_visible()
    assert page.get_by_text("Luas sawah yang benar 12 hektare.").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Masuk", exact=True).last.click()
    page.get_by_label("E-mail").fill(citizen.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(re.escape(f"/berita/{article.slug}/")))
    page.get_by_label("Komentar Anda").fill("Terima kasih, informasinya bermanfaat.")
    page.get_by_role("button", name="Kirim").last.click()
    page.wait_for_url(re.compile(r"#k-"))
    assert page.get_by_text("Komentar Anda sudah tampil.").is_visible()
    assert page.get_by_text("Terima kasih, informasinya bermanfaat.").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "warta-article-commented-360")
