"""A KIM reads, acknowledges and relays a siaran (services and the offline relay form)."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from simpul.audit.models import Event
from simpul.broadcasts import services
from simpul.broadcasts.models import Relay

from .factories import InboxFactory
from .siaran_support import errors, jpeg_with_gps, pengurus_of


@pytest.fixture
def inbox(kim):
    return InboxFactory(kim=kim)


def relay_url(inbox):
    return reverse("kelola:siaran:inbox-relay", args=[inbox.siaran.public_id, inbox.kim.slug])


def test_mark_read_and_acknowledge(pengurus, inbox):
    services.inbox_mark_read(actor=pengurus, inbox=inbox)
    inbox.refresh_from_db()
    first = inbox.read_at
    assert first is not None
    services.inbox_mark_read(actor=pengurus, inbox=inbox)
    inbox.refresh_from_db()
    assert inbox.read_at == first  # the first reading counts
    services.inbox_acknowledge(actor=pengurus, inbox=inbox)
    inbox.refresh_from_db()
    assert inbox.acknowledged_at is not None
    assert Event.objects.filter(action="broadcasts.inbox.acknowledged", kim_id=inbox.kim_id)


def test_a_sibling_kim_cannot_touch_the_inbox(sibling_kim, inbox):
    other = pengurus_of(sibling_kim)
    with pytest.raises(Http404):
        services.inbox_mark_read(actor=other, inbox=inbox)
    with pytest.raises(Http404):
        services.inbox_acknowledge(actor=other, inbox=inbox)
    with pytest.raises(Http404):
        services.relay_log(actor=other, inbox=inbox, channel="meeting", audience=10)
    inbox.refresh_from_db()
    assert inbox.read_at is None and not Relay.objects.exists()


def test_offices_do_not_relay_for_a_kim(pembina_limapuluhkota, inbox):
    with pytest.raises(Http404):
        services.relay_log(actor=pembina_limapuluhkota, inbox=inbox, channel="meeting")


def test_anggota_logs_a_meeting_relay(anggota, inbox):
    relay = services.relay_log(
        actor=anggota, inbox=inbox, channel="meeting", audience=40, note="Musyawarah nagari"
    )
    assert (relay.kim_id, relay.region_code, relay.audience) == (
        inbox.kim_id,
        inbox.region_code,
        40,
    )
    assert relay.relayed_on == timezone.localdate()
    inbox.refresh_from_db()
    assert inbox.read_at is not None
    ev = Event.objects.get(action="broadcasts.relay.logged")
    assert ev.data == {"channel": "meeting", "audience": 40}
    assert "Musyawarah" not in str(ev.data)


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"audience": -1}, "audience"),
        ({"relayed_on": timezone.localdate() + timedelta(days=1)}, "relayed_on"),
        ({"relayed_on": timezone.localdate() - timedelta(days=30)}, "relayed_on"),
        ({"channel": "carrier-pigeon"}, "channel"),
    ],
)
def test_bad_relays_are_refused(pengurus, inbox, kw, field):
    args = {"channel": "meeting", **kw}
    with pytest.raises(ValidationError) as exc:
        services.relay_log(actor=pengurus, inbox=inbox, **args)
    assert field in exc.value.message_dict


def test_share_taps_count_once_per_day(pengurus, inbox):
    a = services.share_relay(actor=pengurus, inbox=inbox, channel="whatsapp", audience=250)
    b = services.share_relay(actor=pengurus, inbox=inbox, channel="whatsapp", audience=250)
    c = services.share_relay(actor=pengurus, inbox=inbox, channel="telegram")
    assert a.pk == b.pk and c.pk != a.pk
    assert Relay.objects.count() == 2


# --- the form -------------------------------------------------------------------------


def test_relay_form_with_a_photo_strips_gps(login, pengurus, inbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(pengurus)
    r = client.post(
        relay_url(inbox),
        {
            "channel": "worship",
            "audience": "120",
            "relayed_on": timezone.localdate().isoformat(),
            "note": "Diumumkan sesudah salat Jumat",
            "photo": jpeg_with_gps("masjid.jpg"),
        },
    )
    assert r.status_code == 302
    relay = Relay.objects.get()
    assert (relay.channel, relay.audience, relay.logged_by) == ("worship", 120, pengurus)
    img = Image.open(io.BytesIO(relay.photo.read()))
    assert img.format == "WEBP" and not img.getexif().get_ifd(0x8825)
    page = client.get(r["Location"]).content.decode()
    assert "Pengumuman masjid/gereja" in page and "120 orang" in page


def test_relay_form_errors_name_the_field(login, pengurus, inbox):
    r = login(pengurus).post(
        relay_url(inbox), {"channel": "meeting", "audience": "banyak", "relayed_on": ""}
    )
    assert r.status_code == 200
    text = errors(r)
    assert "Perkiraan jumlah orang" in text and "Tanggal" in text
    assert not Relay.objects.exists()


def test_relay_form_refuses_a_non_image_photo(login, pengurus, inbox, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    r = login(pengurus).post(
        relay_url(inbox),
        {
            "channel": "meeting",
            "audience": "40",
            "relayed_on": timezone.localdate().isoformat(),
            "photo": SimpleUploadedFile("foto.jpg", b"not an image at all"),
        },
    )
    assert r.status_code == 200
    assert "Foto" in errors(r)
    assert not Relay.objects.exists()


def test_relay_form_denied_for_a_sibling_kim(login, sibling_kim, inbox):
    r = login(pengurus_of(sibling_kim)).post(
        relay_url(inbox),
        {"channel": "meeting", "audience": "40", "relayed_on": timezone.localdate().isoformat()},
    )
    assert r.status_code == 404
    assert not Relay.objects.exists()
