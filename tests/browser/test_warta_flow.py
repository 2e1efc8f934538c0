"""Warta end to end on phones (360x740), through the real pages: a KIM member writes a draft with
a phone photo (EXIF with GPS) and submits it; the KIM's redaksi ticks the checklist and
publishes; a registered citizen comments, the redaksi approves the comment; the article is
found by an Indonesian word with another form (stemming) and is in the RSS feed."""

import io
import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import feedparser
import pytest
from django.utils import timezone
from PIL import ExifTags, Image
from playwright.sync_api import expect

from simpul.newsroom.models import Article, ArticleImage, Comment

from ..factories import PASSWORD
from ..registry.factories import SectorFactory
from .conftest import screenshot

pytestmark = pytest.mark.browser

TITLE = "Pelatihan pertanian organik di Nagari Tujuh Koto Talago"
BODY = (
    "Kelompok Informasi Masyarakat Tujuh Koto Talago mengadakan **pelatihan pertanian "
    "organik** pada Sabtu pagi di balai nagari. Dua puluh lima warga belajar membuat pupuk "
    "kompos dari jerami dan kotoran sapi.\n\n"
    "## Mengapa organik\n\n"
    "Menurut penyuluh dari Dinas Pertanian Kabupaten Lima Puluh Kota, pupuk kompos "
    "menghemat biaya dan menjaga kesuburan sawah.\n\n"
    "- Tempat: balai nagari\n- Waktu: Sabtu, 08.00 WIB"
)
COMMENT = "Terima kasih infonya. Kapan pelatihan berikutnya diadakan?"
REPLY = "Saya juga ingin ikut. Apakah perlu mendaftar dulu ke KIM?"
ALT = "Warga mengaduk pupuk kompos di balai nagari"
# The query "tani" must match only through stemming ("pertanian" -> "tani").
assert not re.search(r"\btani\b", f"{TITLE} {BODY}".lower())
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "id-ID"}


def jpeg_with_gps():
    """A phone photo: JPEG carrying the camera model and the GPS position of the taker."""
    picture = Image.new("RGB", (1600, 1200), (70, 140, 60))
    for y in range(0, 400):
        for x in range(0, 1600, 8):
            picture.putpixel((x, y), (150, 200, 235))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "Galaxy A05"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (0.0, 13.0, 45.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (100.0, 35.0, 12.25)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, quality=85)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "S"
    return data


def assert_no_metadata(data):
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "WEBP"
        exif = img.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo), "GPS position left in the photo"
        assert ExifTags.Base.Model not in exif, "camera data left in the photo"
    assert b"Galaxy A05" not in data


def log_in(page, base, email, next_path):
    page.goto(f"{base}/akun/masuk/?next={next_path}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def open_from_kelola(page, link, path):
    """From the back-office home, follow the menu link to `path`."""
    page.get_by_role("navigation", name="Menu kelola").get_by_role("link", name=link).click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def subject(message):
    return " ".join(str(make_header(decode_header(message["message"]["Subject"]))).split())


@pytest.fixture
def phones(browser):
    """phones() -> a new page in its own phone-sized context (one per person)."""
    contexts = []

    def make():
        context = browser.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def test_warta_from_phone_draft_to_comment_search_and_feed(
    live_server, phone, phones, kim, anggota, pengurus, warga, settings, tmp_path, smtp
):
    base = live_server.url
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = base  # links in e-mails and feeds point at this server
    SectorFactory(slug="pertanian", name="Pertanian")
    warga.email_verified_at = timezone.now()
    warga.save(update_fields=["email_verified_at"])

    # --- 1. The anggota writes a draft, uploads a photo and puts it in the body -----------
    page = phone
    log_in(page, base, anggota.email, "/kelola/")
    open_from_kelola(page, "Warta", "/kelola/warta/")
    page.get_by_role("link", name="Tulis berita").click()
    page.wait_for_url(re.compile(r"/kelola/warta/baru/$"))
    page.get_by_label("Judul").fill(TITLE)
    page.get_by_label("Isi berita", exact=True).fill(BODY)
    page.get_by_label("Sektor").select_option(label="Pertanian")
    page.get_by_label("Tag", exact=True).fill("pupuk kompos, organik")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r"/kelola/warta/[\w-]+/ubah/$"))
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT
    assert article.kim_id == kim.pk and article.author_id == anggota.pk

    photo_input = page.get_by_label("Foto", exact=True).and_(page.locator("input[type=file]"))
    photo_input.set_input_files(
        {"name": "IMG_20261128_0815.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    page.get_by_label("Teks alternatif").fill(ALT)
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.get_by_text("Foto tersimpan.")).to_be_visible()
    image = ArticleImage.objects.get(article=article)
    assert image.alt == ALT and image.width == 1600 and image.height == 1200
    assert {"480", "960"} <= set(image.variants)
    stored = {image.file.name, *image.variants.values()}
    for name in stored:  # every stored copy is free of GPS and camera data
        assert_no_metadata((tmp_path / name).read_bytes())
    code = page.get_by_label("Kode untuk isi berita").input_value()
    src = re.fullmatch(rf"!\[{re.escape(ALT)}\]\(/media/(\S+)\)", code)
    assert src and src[1] in stored, code  # a stored (clean) rendition of this photo
    body = page.get_by_label("Isi berita", exact=True)
    assert body.input_value() == BODY  # the draft came back into the form
    body.fill(BODY.replace("\n\n## Mengapa", f"\n\n{code}\n\n## Mengapa"))
    no_sideways_scroll(page)
    page.get_by_role("button", name="Simpan dan ajukan ke redaksi").click()
    page.wait_for_url(re.compile(rf"/kelola/warta/{article.public_id}/$"))
    expect(page.get_by_text("Berita diajukan ke redaksi.")).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    assert f'src="/media/{src[1]}"' in article.body_html

    # The redaksi gets an e-mail with the review link.
    review_path = f"/kelola/warta/{article.public_id}/"
    mails = [m for m in smtp.wait_for(1) if pengurus.email in m["to"]]
    assert mails and TITLE in subject(mails[0])
    assert base + review_path in smtp.bodies()[smtp.messages.index(mails[0])]

    # --- 2. The KIM's redaksi reviews: the checklist is enforced, then publishes ----------
    redaksi = phones()
    log_in(redaksi, base, pengurus.email, "/kelola/")
    open_from_kelola(redaksi, "Warta", "/kelola/warta/")
    waiting = redaksi.locator(
        "section", has=redaksi.get_by_role("heading", name="Menunggu redaksi")
    )
    waiting.get_by_role("link", name=TITLE).click()
    redaksi.wait_for_url(re.compile(re.escape(review_path) + "$"))
    expect(redaksi.get_by_role("heading", name="Periksa sebelum terbit")).to_be_visible()
    preview = redaksi.get_by_role("img", name=ALT)  # the photo in the body preview
    preview.scroll_into_view_if_needed()
    redaksi.wait_for_function(
        "alt => [...document.images].some(i => i.alt === alt && i.naturalWidth > 0)", arg=ALT
    )
    screenshot(redaksi, "warta-flow-review-360")
    assert preview.bounding_box()["width"] <= 360
    no_sideways_scroll(redaksi)

    redaksi.get_by_role("button", name="Terbitkan").click()  # nothing ticked: refused
    expect(redaksi.get_by_text("Pastikan sumber informasi disebutkan.")).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    redaksi.get_by_label(re.compile("5W1H lengkap")).check()
    redaksi.get_by_label(re.compile("Ada izin dari orang")).check()
    redaksi.get_by_label("Sumber informasi disebutkan").check()
    redaksi.get_by_role("button", name="Terbitkan").click()
    redaksi.wait_for_url(re.compile(re.escape(review_path) + "$"))
    expect(redaksi.get_by_text("Berita terbit.")).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None

    # --- 3. An anonymous reader, then a citizen who comments ------------------------------
    reader = phones()
    reader.goto(base + "/berita/")
    reader.get_by_role("link", name=TITLE).first.click()
    article_path = f"/berita/{article.slug}/"
    reader.wait_for_url(re.compile(re.escape(article_path) + "$"))
    assert reader.get_by_role("heading", level=1).inner_text() == TITLE
    expect(reader.get_by_role("heading", name="0 komentar")).to_be_visible()
    photo = reader.locator(".body img")
    assert photo.get_attribute("alt") == ALT
    public_photo = reader.request.get(base + photo.get_attribute("src"))
    assert public_photo.ok  # public now that the article is published
    assert_no_metadata(public_photo.body())

    citizen = phones()
    citizen.goto(base + article_path)
    citizen.get_by_role("link", name="Masuk", exact=True).last.click()
    citizen.get_by_label("E-mail").fill(warga.email)
    citizen.get_by_label("Kata sandi").fill(PASSWORD)
    citizen.get_by_role("button", name="Masuk").click()
    citizen.wait_for_url(re.compile(re.escape(article_path) + "$"))
    citizen.get_by_label("Komentar Anda").fill(COMMENT)
    citizen.get_by_role("button", name="Kirim").last.click()
    citizen.wait_for_url(re.compile(re.escape(article_path) + "#komentar$"))
    expect(
        citizen.get_by_text("Komentar Anda akan tampil setelah disetujui redaksi KIM.")
    ).to_be_visible()
    expect(citizen.get_by_text(COMMENT)).not_to_be_visible()  # approve first (the default)
    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.PENDING and comment.author_id == warga.pk
    reader.reload()
    expect(reader.get_by_text(COMMENT)).not_to_be_visible()
    assert smtp.wait_for(2) and any(
        pengurus.email in m["to"] and "menunggu moderasi" in subject(m) for m in smtp.messages
    )

    # The redaksi approves it in the moderation queue.
    redaksi.goto(base + "/kelola/")
    open_from_kelola(redaksi, "Moderasi komentar", "/kelola/warta/moderasi/")
    expect(redaksi.get_by_role("heading", name="Moderasi komentar")).to_be_visible()
    item = redaksi.locator("ul.rows li", has_text=COMMENT)
    expect(item.get_by_role("link", name=TITLE)).to_be_visible()
    no_sideways_scroll(redaksi)
    item.get_by_role("button", name="Tampilkan").click()
    expect(redaksi.get_by_text("Komentar ditampilkan.")).to_be_visible()
    expect(redaksi.get_by_text(COMMENT)).not_to_be_visible()  # the queue is empty now
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED

    reader.reload()  # the anonymous page cache was invalidated by the approval
    expect(reader.get_by_role("heading", name="1 komentar")).to_be_visible()
    thread = reader.locator(f"#k-{comment.public_id}")
    expect(thread.get_by_text(COMMENT)).to_be_visible()
    expect(thread.get_by_text(warga.full_name)).to_be_visible()
    assert warga.email not in reader.content()  # no personal data on the public page

    # The redaksi switches the KIM to "publish first": the citizen's reply shows at once.
    redaksi.get_by_role("link", name="Pengaturan komentar").click()
    redaksi.wait_for_url(re.compile(rf"/kelola/warta/moderasi/pengaturan/{kim.slug}/$"))
    mode = redaksi.get_by_role("group", name="Moderasi komentar")
    expect(mode.get_by_label("Setujui dulu, baru tampil")).to_be_checked()  # the default
    mode.get_by_label("Tampil langsung, dimoderasi kemudian").check()
    redaksi.get_by_role("button", name="Simpan").click()
    expect(redaksi.get_by_text("Pengaturan komentar disimpan.")).to_be_visible()
    citizen.reload()
    mine = citizen.locator(f"#k-{comment.public_id}")
    mine.get_by_text("Balas", exact=True).click()
    mine.get_by_label("Balasan Anda").fill(REPLY)
    mine.get_by_role("button", name="Kirim").click()
    expect(citizen.get_by_text("Komentar Anda sudah tampil.")).to_be_visible()
    reply = Comment.objects.get(parent=comment)
    assert reply.status == Comment.Status.PUBLISHED
    reader.reload()
    expect(reader.locator(f"#k-{comment.public_id} #k-{reply.public_id}")).to_contain_text(REPLY)

    # --- 4. Search by another form of a title word, and the RSS feed ----------------------
    reader.goto(base + "/cari/")
    reader.get_by_label("Kata kunci").fill("tani")  # title says "pertanian"
    reader.get_by_role("button", name="Cari", exact=True).click()
    reader.wait_for_url(re.compile(r"/cari/\?q=tani"))
    expect(reader.get_by_text("1 berita cocok dengan “tani”.")).to_be_visible()
    result = reader.locator("ol.results li", has=reader.get_by_role("link", name=TITLE))
    expect(result.locator("mark").first).to_have_text(re.compile("pertanian", re.I))
    no_sideways_scroll(reader)
    screenshot(reader, "warta-flow-search-360")
    reader.get_by_role("link", name=TITLE).click()
    reader.wait_for_url(re.compile(re.escape(article_path) + "$"))

    feed_href = reader.locator(
        'link[rel="alternate"][type="application/rss+xml"][title="Warta KIM (RSS)"]'
    ).get_attribute("href")
    assert urlsplit(feed_href).path == "/berita/rss/"
    response = reader.request.get(base + urlsplit(feed_href).path)
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.get("bozo_exception")
    (entry,) = [e for e in feed.entries if e.title == TITLE]
    assert urlsplit(entry.link).path == article_path
    assert entry.published_parsed is not None
    assert entry.summary == article.summary
    assert "Pertanian" in [t.term for t in entry.tags]

    # --- 5. The article page on the phone, with the comment, for a person to look at ------
    citizen.reload()
    expect(citizen.get_by_text(COMMENT)).to_be_visible()
    body_photo = citizen.locator(".body img")
    body_photo.scroll_into_view_if_needed()
    citizen.wait_for_function("document.querySelector('.body img').naturalWidth > 0")
    assert body_photo.bounding_box()["width"] <= 360
    no_sideways_scroll(citizen)
    screenshot(citizen, "warta-flow-article-360")
