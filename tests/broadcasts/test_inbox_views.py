"""The KIM's inbox (/kelola/siaran/kotak/): allowed for the KIM's pengurus and anggota,
404 for a sibling KIM, offices and citizens, login for anonymous."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from simpul.broadcasts import shortlinks
from simpul.broadcasts.models import Attachment, Relay, ShortLink
from simpul.registry.models import Channel as KimChannel

from ..registry.factories import ChannelFactory
from .factories import InboxFactory, SiaranFactory
from .siaran_support import expected, pengurus_of

WHO = [
    "pengurus",
    "anggota",
    "sibling",
    "pembina_limapuluhkota",
    "admin_sumbar",
    "admin_other_province",
    "warga",
    "anonymous",
]
ALLOWED = {"pengurus", "anggota"}


@pytest.fixture
def actor(request, login, client, sibling_kim):
    name = request.param
    if name == "anonymous":
        return name, client
    user = pengurus_of(sibling_kim) if name == "sibling" else request.getfixturevalue(name)
    return name, login(user)


@pytest.fixture
def inbox(kim):
    siaran = SiaranFactory(
        title="Cek Kesehatan Gratis",
        short_text="Cek Kesehatan Gratis di puskesmas. Bawa KTP.",
        body="Datang **pagi**, bawa KTP.",
        body_html="<p>Datang <strong>pagi</strong>, bawa KTP.</p>",
    )
    return InboxFactory(siaran=siaran, kim=kim)


def url(name, inbox, *args):
    return reverse(f"kelola:siaran:{name}", args=[inbox.siaran.public_id, inbox.kim.slug, *args])


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_inbox_list(actor, inbox, sibling_kim):
    name, client = actor
    InboxFactory(siaran=SiaranFactory(title="Hanya untuk KIM tetangga"), kim=sibling_kim)
    r = client.get(reverse("kelola:siaran:inbox"))
    assert r.status_code == expected(name, ALLOWED | {"sibling"})
    if r.status_code == 200:
        page = r.content.decode()
        assert ("Cek Kesehatan Gratis" in page) == (name in ALLOWED)
        assert ("Hanya untuk KIM tetangga" in page) == (name == "sibling")


def test_inbox_list_query_count(login, pengurus, kim, django_assert_max_num_queries):
    client = login(pengurus)
    InboxFactory(kim=kim)
    with django_assert_max_num_queries(30) as ctx:
        client.get(reverse("kelola:siaran:inbox"))
    few = len(ctx.captured_queries)
    for _ in range(10):
        InboxFactory(kim=kim)
    with django_assert_max_num_queries(few):
        r = client.get(reverse("kelola:siaran:inbox"))
    assert r.content.decode().count('class="tag st-pending_approval"') == 11  # all "Baru"


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_opening_marks_read(actor, inbox):
    name, client = actor
    r = client.get(url("inbox-detail", inbox))
    assert r.status_code == expected(name, ALLOWED)
    inbox.refresh_from_db()
    assert (inbox.read_at is not None) == (name in ALLOWED)
    if r.status_code == 200:
        page = r.content.decode()
        assert "<strong>pagi</strong>" in page and "Sudah diterima" in page
        copy = ShortLink.objects.get(siaran=inbox.siaran, kim=inbox.kim, channel="copy")
        assert f"/s/{copy.code}" in page


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_acknowledge(actor, inbox):
    name, client = actor
    r = client.post(url("inbox-ack", inbox))
    assert r.status_code == expected(name, ALLOWED, ok=302)
    inbox.refresh_from_db()
    assert (inbox.acknowledged_at is not None) == (name in ALLOWED)


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_whatsapp_share_carries_the_kims_short_link(actor, inbox, settings):
    settings.SITE_URL = "https://simpul.example"
    name, client = actor
    ChannelFactory(kim=inbox.kim, kind=KimChannel.Kind.WHATSAPP, audience=230)
    r = client.get(url("inbox-share", inbox, "whatsapp"))
    assert r.status_code == expected(name, ALLOWED, ok=302)
    if name not in ALLOWED:
        assert not Relay.objects.exists()
        return
    target = urlparse(r["Location"])
    assert target.netloc == "wa.me"
    text = parse_qs(target.query)["text"][0]
    link = shortlinks.link_for(channel="whatsapp", siaran=inbox.siaran, kim=inbox.kim)
    assert f"https://simpul.example/s/{link.code}" in text
    assert "Cek Kesehatan Gratis di puskesmas" in text
    relay = Relay.objects.get()
    assert (relay.channel, relay.audience, relay.kim_id) == ("whatsapp", 230, inbox.kim_id)


def test_telegram_and_facebook_share(login, pengurus, inbox):
    client = login(pengurus)
    tg = client.get(url("inbox-share", inbox, "telegram"))
    fb = client.get(url("inbox-share", inbox, "facebook"))
    assert urlparse(tg["Location"]).netloc == "t.me"
    assert urlparse(fb["Location"]).netloc == "www.facebook.com"
    tg_link = ShortLink.objects.get(kim=inbox.kim, channel="telegram")
    assert tg_link.code in tg["Location"]
    assert client.get(url("inbox-share", inbox, "myspace")).status_code == 404
    assert sorted(Relay.objects.values_list("channel", flat=True)) == ["facebook", "telegram"]


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_radio_script(actor, inbox):
    name, client = actor
    r = client.get(url("inbox-radio", inbox))
    assert r.status_code == expected(name, ALLOWED)
    if r.status_code == 200:
        assert r["Content-Type"].startswith("text/plain")
        text = r.content.decode()
        assert "NASKAH RADIO" in text and "Cek Kesehatan Gratis di puskesmas" in text
        assert "Datang pagi, bawa KTP." in text and "<strong>" not in text
        radio = ShortLink.objects.get(kim=inbox.kim, channel="radio")
        assert f"/s/{radio.code}" in text


@pytest.mark.parametrize("actor", WHO, indirect=True)
def test_attachment_in_the_inbox(actor, inbox, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    a = Attachment(siaran=inbox.siaran, region_code="13", name="jadwal.pdf", size=9)
    a.content_type = "application/pdf"
    a.file.save("jadwal.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    name, client = actor
    r = client.get(url("inbox-attachment", inbox, a.public_id))
    assert r.status_code == expected(name, ALLOWED)


def test_cancelled_siaran_shows_no_share_buttons(login, pengurus, inbox):
    inbox.siaran.status = "cancelled"
    inbox.siaran.cancel_reason = "Jadwal berubah"
    inbox.siaran.save()
    page = login(pengurus).get(url("inbox-detail", inbox)).content.decode()
    assert "dibatalkan" in page and "inbox-share" not in page and "/bagikan/" not in page


def test_cancelled_siaran_cannot_be_shared_or_printed(login, pengurus, inbox):
    inbox.siaran.status = "cancelled"
    inbox.siaran.save()
    client = login(pengurus)
    r = client.get(url("inbox-share", inbox, "whatsapp"))
    assert r.status_code == 302 and r["Location"] == url("inbox-detail", inbox)
    r = client.get(url("inbox-poster", inbox))
    assert r.status_code == 302 and r["Location"] == url("inbox-detail", inbox)
    assert not Relay.objects.exists()


def test_officers_find_the_telegram_connect_link(login, pengurus, anggota, kim):
    """Only the KIM's officers (redaksi) are offered to connect its Telegram channel."""
    href = f'href="/langganan/kim/{kim.slug}/telegram/"'
    assert href in login(pengurus).get("/kelola/siaran/kotak/").content.decode()
    assert href not in login(anggota).get("/kelola/siaran/kotak/").content.decode()
