"""Public siaran pages: /siaran/, /siaran/<slug>/, attachments and /siaran/rss/."""

import gzip
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.urls import reverse

from simpul.broadcasts.models import Attachment

from ..conftest import PERSONAS
from .factories import SiaranFactory

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def published(db, office_sumbar):
    return SiaranFactory(
        office=office_sumbar,
        title="Cek Kesehatan Gratis dibuka di 19 kab/kota",
        slug="cek-kesehatan-gratis",
        priority="penting",
        sent_at=datetime(2026, 11, 20, 1, 30, tzinfo=ZoneInfo("UTC")),  # 08:30 WIB
    )


@pytest.fixture
def hidden(db):
    """Siaran the public must not see: draft, scheduled, being sent, cancelled, not public."""
    return [
        SiaranFactory(draft=True, title="Draf rahasia", slug="draf"),
        SiaranFactory(status="scheduled", sent_at=None, title="Terjadwal", slug="terjadwal"),
        SiaranFactory(status="cancelled", title="Dibatalkan saja", slug="batal"),
        SiaranFactory(is_public=False, title="Internal kantor", slug="internal"),
    ]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_shows_sent_public_siaran_to_everyone(persona, published, hidden):
    _name, _user, client = persona
    r = client.get("/siaran/")
    assert r.status_code == 200
    page = r.content.decode()
    assert published.title in page and "20 Nov 2026 08.30 WIB" in page
    for s in hidden:
        assert s.title not in page


def test_hoax_clarifications_are_highlighted(client, published):
    hoax = SiaranFactory(hoaks=True, title="Klarifikasi: tidak ada bantuan Rp5 juta lewat WA")
    page = client.get("/siaran/").content.decode()
    assert "Klarifikasi hoaks terbaru" in page
    box = page.split('class="hoaks-box"')[1].split("</section>")[0]
    assert hoax.title in box and published.title not in box
    assert 'class="card hoaks"' in page


def test_list_is_paginated_cacheable_small_and_query_count_is_flat(
    db, client, django_assert_max_num_queries
):
    SiaranFactory()
    with django_assert_max_num_queries(10) as ctx:
        client.get("/siaran/")
    few = len(ctx.captured_queries)
    for i in range(30):
        SiaranFactory(title=f"Informasi resmi kantor Diskominfo yang cukup panjang nomor {i}")
    with django_assert_max_num_queries(few):
        r = client.get("/siaran/?page=1")
    assert "Halaman 1 dari 2" in r.content.decode()
    assert "public" in r["Cache-Control"]
    css = Path(finders.find("simpul/site.css")).read_bytes()
    assert len(gzip.compress(r.content)) + len(gzip.compress(css)) <= 30 * 1024


def test_a_new_siaran_shows_up_despite_the_page_cache(
    client, admin_sumbar, kim, settings, django_capture_on_commit_callbacks
):
    from simpul.broadcasts import services

    settings.PAGE_CACHE = True
    client.get("/siaran/")
    assert client.get("/siaran/")["X-Page-Cache"] == "hit"
    siaran = services.siaran_create(
        actor=admin_sumbar,
        title="Siaran baru sekali",
        body="Isi",
        short_text="Singkat",
        target_regions=["13.07"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_send(actor=admin_sumbar, siaran=siaran)
    assert "Siaran baru sekali" in client.get("/siaran/").content.decode()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_detail_page(persona, published):
    _name, _user, client = persona
    r = client.get(reverse("siaran:detail", args=[published.slug]))
    assert r.status_code == 200
    page = r.content.decode()
    assert published.title in page and "Penting" in page
    assert "Dinas Komunikasi, Informatika dan Statistik Provinsi Sumatera Barat" in page
    assert "20 Nov 2026 08.30 WIB" in page
    assert "<strong>Cek Kesehatan Gratis</strong>" in page
    assert "wa.me" in page  # share buttons, plain links


@pytest.mark.parametrize("slug", ["draf", "terjadwal", "batal", "internal", "tidak-ada"])
def test_detail_of_unpublished_is_404(client, hidden, slug):
    assert client.get(f"/siaran/{slug}/").status_code == 404


def test_detail_is_small(client, published):
    r = client.get(reverse("siaran:detail", args=[published.slug]))
    css = Path(finders.find("simpul/site.css")).read_bytes()
    assert len(gzip.compress(r.content)) + len(gzip.compress(css)) <= 30 * 1024
    assert "<script" not in r.content.decode()


def _attach(siaran):
    a = Attachment(siaran=siaran, region_code=siaran.region_code, name="jadwal.pdf", size=9)
    a.content_type = "application/pdf"
    a.file.save("jadwal.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return a


def test_public_attachment_downloads(client, published, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = _attach(published)
    page = client.get(reverse("siaran:detail", args=[published.slug])).content.decode()
    link = reverse("siaran:attachment", args=[published.slug, a.public_id])
    assert link in page
    r = client.get(link)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_attachment_of_an_internal_siaran_is_404(client, hidden, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    internal = hidden[3]
    a = _attach(internal)
    r = client.get(reverse("siaran:attachment", args=[internal.slug, a.public_id]))
    assert r.status_code == 404


def test_rss_feed(client, published, hidden, settings):
    settings.SITE_URL = "https://simpul.example"
    SiaranFactory(
        hoaks=True,
        title="Klarifikasi: pesan berantai palsu",
        slug="klarifikasi-1",
        sent_at=published.sent_at + timedelta(hours=1),
    )
    r = client.get("/siaran/rss/")
    assert r.status_code == 200 and "xml" in r["Content-Type"]
    feed = feedparser.parse(r.content)
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert titles == ["[Klarifikasi hoaks] Klarifikasi: pesan berantai palsu", published.title]
    entry = feed.entries[1]
    assert entry.link.endswith("/siaran/cek-kesehatan-gratis/")
    assert "<strong>Cek Kesehatan Gratis</strong>" in entry.summary
    assert entry.published_parsed[:5] == (2026, 11, 20, 1, 30)
    for s in hidden:
        assert s.title not in r.content.decode()
