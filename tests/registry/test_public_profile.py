"""Public KIM profile /kim/<slug>/: what is shown, and the personal data that never is."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from simpul.registry.models import Channel, Kim, Member

from ..conftest import PERSONAS
from ..factories import KimFactory, UserFactory
from .factories import ChannelFactory, DecreeFactory, MemberFactory, sector

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"


def profile(client, slug="tujuh-koto-talago"):
    r = client.get(f"/kim/{slug}/")
    assert r.status_code == 200
    return r.content.decode()


def main(html):
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)


@pytest.fixture
def talago(db):
    kim = KimFactory(
        name="KIM Tujuh Koto Talago",
        slug="tujuh-koto-talago",
        region_code="13.07.02.2002",
        founded_on=date(2012, 5, 1),
        description="Informasi pertanian dan pariwisata.\nMotto M2B: <b>Mau</b>, Mampu, Berbuat.",
        kimid_id="KIM-1307-0001",
        kimid_url="https://kim.id/tujuhkototalago",
        address="Jorong Talago, Jalan Rahasia No. 12",
        latitude="-0.151234",
        longitude="100.551234",
        has_sk=True,
        legality_ends_on=date(2027, 6, 30),
        member_count=24,
    )
    kim.sectors.add(sector("pertanian"), sector("umkm"))
    return kim


def test_title_and_heading_are_always_the_full_name(client, talago):
    html = profile(client)
    assert "<title>Kelompok Informasi Masyarakat Tujuh Koto Talago · Simpul</title>" in html
    assert "<h1>Kelompok Informasi Masyarakat Tujuh Koto Talago</h1>" in html
    assert 'content="Kelompok Informasi Masyarakat Tujuh Koto Talago, Nagari' in html


def test_breadcrumbs_link_every_wilayah_level(client, talago):
    html = profile(client)
    trail = re.search(r'<ol class="crumbs">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r'href="(/wilayah/[^"]*)"', trail) == [
        "/wilayah/",
        "/wilayah/13/",
        "/wilayah/13.07/",
        "/wilayah/13.07.02/",
        "/wilayah/13.07.02.2002/",
    ]
    assert ">Nagari VII Koto Talago</a>" in trail


def test_shows_status_legality_founding_sectors_description_and_kimid(client, talago):
    DecreeFactory(
        kim=talago,
        number="12/SK/WN-VIIKT/2024",
        signatory_office="Wali Nagari VII Koto Talago",
        scan="kim/sk/abc/rahasia-pindaian.pdf",
    )
    html = profile(client)

    assert "<dd>Aktif</dd>" in html
    assert "SK berlaku" in html
    assert "SK nomor 12/SK/WN-VIIKT/2024 tanggal 30 Juni 2024 oleh Wali Nagari" in html
    assert "Berlaku sampai 30 Juni 2027" in html
    assert "1 Mei 2012" in html
    assert "Pertanian, UMKM" in html
    assert "Informasi pertanian dan pariwisata.<br>Motto M2B: &lt;b&gt;Mau&lt;/b&gt;" in html
    assert (
        '<a href="https://kim.id/tujuhkototalago" rel="nofollow noopener">KIM-1307-0001</a>' in html
    )
    # Never the scanned SK, the address or the exact coordinates.
    assert "rahasia-pindaian" not in html and "/media/" not in html
    assert "Rahasia" not in html and "Jorong Talago" not in html
    assert "0.151234" not in html and "100.551234" not in html


def test_kim_without_sk_says_so(client):
    KimFactory(name="KIM Baru Berdiri", slug="baru", has_sk=False)
    assert "Belum ada SK" in profile(client, "baru")


def test_channels_link_only_http_urls_and_never_show_phones(client, talago):
    ChannelFactory(
        kim=talago,
        kind=Channel.Kind.FACEBOOK,
        handle="https://www.facebook.com/kimtujuhkototalago",
        audience=3200,
        last_updated_on=date(2025, 11, 20),
    )
    ChannelFactory(kim=talago, kind=Channel.Kind.RADIO, handle="Radio Talago FM 107.7")
    ChannelFactory(kim=talago, kind=Channel.Kind.WEBSITE, handle="javascript:alert(1)")
    ChannelFactory(kim=talago, kind=Channel.Kind.WHATSAPP, handle="https://chat.whatsapp.com/Ab")
    ChannelFactory(kim=talago, kind=Channel.Kind.INSTAGRAM, handle="https://wa.me/6281299998888")
    ChannelFactory(kim=talago, kind=Channel.Kind.TELEGRAM, handle="hubungi 0812-7777-6666")

    html = profile(client)

    assert (
        '<a class="break" href="https://www.facebook.com/kimtujuhkototalago" '
        'rel="nofollow noopener">facebook.com/kimtujuhkototalago</a>' in html
    )
    assert "3.200 pengikut/anggota" in html and "diperbarui 20 Nov 2025" in html
    assert "Radio Talago FM 107.7" in html and 'href="Radio' not in html
    assert 'href="javascript' not in html
    # WhatsApp handles (closed groups) and phone numbers in any handle stay hidden.
    assert "Grup WhatsApp" in html and "chat.whatsapp.com" not in html
    assert "99998888" not in html and "7777" not in html
    assert html.count('rel="nofollow noopener"') == 2  # the Facebook page and KIM.id


def test_officers_only_current_listed_officers_by_name_and_position(client, talago):
    today = timezone.localdate()
    user = UserFactory(full_name="Akun Heri", email="heri.rahasia@contoh.id")
    MemberFactory(kim=talago, full_name="Heri Nizwar", public_officer=True, phone=PHONE, user=user)
    MemberFactory(
        kim=talago,
        full_name="Rina Sari",
        position=Member.Position.SEKRETARIS,
        listed_publicly=True,
        consent_on=date(2024, 1, 1),
    )
    MemberFactory(kim=talago, full_name="Tidak Setuju", position=Member.Position.BENDAHARA)
    MemberFactory(
        kim=talago,
        full_name="Anggota Biasa",
        listed_publicly=True,
        consent_on=date(2024, 1, 1),
    )
    MemberFactory(
        kim=talago,
        full_name="Mantan Ketua",
        public_officer=True,
        ended_on=today - timedelta(days=1),
    )
    MemberFactory(
        kim=talago,
        full_name="Belum Mulai",
        position=Member.Position.WAKIL_KETUA,
        listed_publicly=True,
        consent_on=date(2024, 1, 1),
        started_on=today + timedelta(days=10),
    )
    other = KimFactory(name="KIM Lain", slug="lain", region_code="13.07.02.2001")
    MemberFactory(kim=other, full_name="Ketua Lain", public_officer=True)

    html = profile(client)

    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', html)
    assert rows == [("Ketua", "Heri Nizwar"), ("Sekretaris", "Rina Sari")]
    for hidden in ("Tidak Setuju", "Anggota Biasa", "Mantan Ketua", "Belum Mulai", "Ketua Lain"):
        assert hidden not in html
    assert "81234567890" not in html
    assert "heri.rahasia@contoh.id" not in html and "Akun Heri" not in html


@pytest.mark.parametrize("status", [Kim.Status.PENGAJUAN, Kim.Status.DITOLAK])
@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_non_public_kim_is_404_for_everyone(persona, status):
    _name, _user, client = persona
    KimFactory(name="KIM Belum Publik", slug="belum-publik", status=status)
    assert client.get("/kim/belum-publik/").status_code == 404


@pytest.mark.parametrize("status", [Kim.Status.VAKUM, Kim.Status.NONAKTIF])
def test_dormant_kim_is_public_with_its_status(client, status):
    KimFactory(name="KIM Tidur", slug="tidur", status=status)
    assert f"<dd>{Kim.Status(status).label}</dd>" in profile(client, "tidur")


@pytest.mark.parametrize("slug", ["tidak-ada", "TIDAK", "a" * 300])
def test_unknown_slug_is_404(client, slug):
    assert client.get(f"/kim/{slug}/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_everyone_sees_the_same_profile(persona, talago):
    _name, _user, client = persona
    MemberFactory(kim=talago, full_name="Heri Nizwar", public_officer=True, phone=PHONE)
    ChannelFactory(kim=talago)
    anonymous = main(Client().get("/kim/tujuh-koto-talago/").content.decode())
    mine = main(profile(client))
    assert mine == anonymous
    assert "Heri Nizwar" in mine and "81234567890" not in mine


def test_profile_is_publicly_cacheable_get_only_and_without_javascript(client, talago):
    r = client.get("/kim/tujuh-koto-talago/")
    assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]
    assert "<script" not in r.content.decode()
    assert client.post("/kim/tujuh-koto-talago/").status_code == 405


def test_profile_query_count(client, talago, django_assert_num_queries):
    for i in range(5):
        ChannelFactory(kim=talago)
        MemberFactory(kim=talago, public_officer=True, full_name=f"Pengurus {i}")
    # KIM, sectors, wilayah trail, channels, officers, current SK, latest articles
    with django_assert_num_queries(7):
        profile(client)


def test_logo_is_served_for_public_kim_only(client, pengurus, kim, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from simpul.registry import services
    from simpul.registry.models import Kim

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (600, 300), "green").save(buf, "PNG")
    services.kim_logo_set(
        actor=pengurus, kim=kim, upload=SimpleUploadedFile("logo.png", buf.getvalue())
    )
    html = client.get(f"/kim/{kim.slug}/").content.decode()
    assert f'src="/kim/{kim.slug}/logo.webp"' in html and 'alt="Logo ' in html
    r = client.get(f"/kim/{kim.slug}/logo.webp")
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(r.streaming_content))) as img:
        assert max(img.size) <= 400
    Kim.objects.filter(pk=kim.pk).update(status=Kim.Status.PENGAJUAN)
    assert client.get(f"/kim/{kim.slug}/logo.webp").status_code == 404
    assert client.get("/kim/tidak-ada/logo.webp").status_code == 404
