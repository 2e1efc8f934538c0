"""Public self-registration (/daftar-kim/), the e-mail link, and what the pembina does next."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from simpul.accounts.models import RoleAssignment, User
from simpul.audit.models import Event
from simpul.registry.models import EmailVerification, Kim, Member, Sector

from .kelola_support import errors, registration

URL = "/daftar-kim/"


def link_in(body):
    match = re.search(r"https?://\S+/daftar-kim/verifikasi/[\w-]+/", body)
    assert match, body
    return match.group(0)


def path_of(url):
    return "/" + url.split("/", 3)[3]


# --- step 1: where is the KIM? --------------------------------------------------------------


def test_home_page_links_to_registration(client, db):
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_search_lists_villages_with_radio_buttons(client, db):
    html = client.get(URL, {"q": "koto bangun"}).content.decode()
    assert 'type="radio" name="wilayah" value="13.07.07.2002"' in html
    assert "Nagari Koto Bangun" in html and "Kecamatan Kapur IX" in html
    assert "Kabupaten Lima Puluh Kota" in html
    # Only desa/nagari/kelurahan: kecamatan and kabupaten are not offered.
    assert 'value="13.07.07"' not in html


def test_search_without_results_says_what_to_do(client, db):
    html = client.get(URL, {"q": "zzzqqq"}).content.decode()
    assert "Tidak ada desa, nagari atau kelurahan dengan nama itu" in html


def test_code_goes_straight_to_the_form(client, db):
    r = client.get(URL, {"wilayah": "13.07.07.2002"})
    html = r.content.decode()
    assert "Langkah 2 dari 2" in html and "Nagari Koto Bangun" in html
    assert 'name="region_code" value="13.07.07.2002"' in html
    for field in ("name", "ketua_name", "ketua_email", "password1", "password2", "ketua_phone"):
        assert f'<label for="id_{field}">' in html
    assert "Data saya dipakai untuk pembinaan KIM oleh Diskominfo" in html
    assert "csrfmiddlewaretoken" in html
    assert '<div class="hp" aria-hidden="true">' in html and "Jangan isi kolom ini" in html


@pytest.mark.parametrize(
    "code,message",
    [
        ("13.07", "bukan di kabupaten"),
        ("13.07.99.9999", "Wilayah dengan kode ini tidak ada."),
        ("abc", "Kode wilayah tidak valid"),
    ],
)
def test_bad_code_is_explained(client, db, code, message):
    html = client.get(URL, {"wilayah": code}).content.decode()
    assert "Langkah 1 dari 2" in html and message in html


# --- step 2: the lifecycle ---------------------------------------------------------------


def test_self_registration_lifecycle(
    client,
    login,
    pembina_limapuluhkota,
    pembina_bukittinggi,
    smtp,
    django_capture_on_commit_callbacks,
):
    sectors = list(
        Sector.objects.filter(slug__in=["pertanian", "umkm"]).values_list("pk", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(URL, registration(sectors=sectors))
    assert r.status_code == 302 and r["Location"] == "/daftar-kim/terkirim/"
    html = client.get(r["Location"]).content.decode()
    assert "Periksa e-mail Anda" in html and "yusrizal@contoh.id" in html

    kim = Kim.objects.get()
    assert kim.status == Kim.Status.PENGAJUAN
    assert kim.name == "Kelompok Informasi Masyarakat Koto Bangun Saiyo"
    assert kim.sectors.count() == 2
    ketua = Member.objects.get(kim=kim)
    assert ketua.position == "ketua" and ketua.phone == "+6281266123456"
    assert ketua.consent_purpose == "Data saya dipakai untuk pembinaan KIM oleh Diskominfo"
    user = User.objects.get(email="yusrizal@contoh.id")
    assert user.email_verified_at is None
    assert RoleAssignment.objects.filter(user=user, role="pengurus", kim=kim).exists()

    # The e-mail reaches a real SMTP server, with the link to /daftar-kim/verifikasi/.
    (mail,) = smtp.wait_for(1)
    assert mail["to"] == ["yusrizal@contoh.id"]
    link = link_in(smtp.bodies()[0])

    # Not in the pembina's list before the link is opened.
    pembina = login(pembina_limapuluhkota)
    assert kim.name not in pembina.get("/kelola/kim/").content.decode()
    assert pembina.get(f"/kelola/kim/{kim.slug}/").status_code == 404
    pembina.logout()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(path_of(link))
    assert r.status_code == 200
    assert "Pembina akan memeriksa dan memverifikasinya" in r.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    # The pembina of Lima Puluh Kota is told; Bukittinggi is not.
    messages = smtp.wait_for(2)
    assert messages[1]["to"] == ["pembina.5okota@contoh.id"]

    pembina = login(pembina_limapuluhkota)
    html = pembina.get("/kelola/kim/").content.decode()
    pending = html.split("Pengajuan menunggu verifikasi")[1].split("</section>")[0]
    assert kim.name in pending
    bukittinggi = login(pembina_bukittinggi)
    assert kim.name not in bukittinggi.get("/kelola/kim/").content.decode()
    assert bukittinggi.get(f"/kelola/kim/{kim.slug}/").status_code == 404

    pembina = login(pembina_limapuluhkota)
    with django_capture_on_commit_callbacks(execute=True):
        r = pembina.post(f"/kelola/kim/{kim.slug}/verifikasi/", {"note": "Selamat bergabung"})
    assert r.status_code == 302
    kim.refresh_from_db()
    assert kim.status == Kim.Status.AKTIF and kim.verified_at is not None
    ev = Event.objects.get(action="registry.kim.verified", kim_id=kim.pk)
    assert ev.actor == pembina_limapuluhkota
    messages = smtp.wait_for(3)
    assert messages[2]["to"] == ["yusrizal@contoh.id"]
    assert "sudah diverifikasi" in smtp.bodies()[2] and "Selamat bergabung" in smtp.bodies()[2]
    html = pembina.get("/kelola/kim/").content.decode()
    assert "Pengajuan menunggu verifikasi" not in html and kim.name in html


def test_pembina_rejects_a_confirmed_registration_with_a_reason(
    client, login, pembina_limapuluhkota, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, registration())
    smtp.wait_for(1)
    client.get(path_of(link_in(smtp.bodies()[0])))
    kim = Kim.objects.get()
    pembina = login(pembina_limapuluhkota)
    r = pembina.post(f"/kelola/kim/{kim.slug}/tolak/", {"reason": " "})
    assert "Alasan penolakan: Alasan penolakan wajib diisi." in errors(r)
    with django_capture_on_commit_callbacks(execute=True):
        r = pembina.post(
            f"/kelola/kim/{kim.slug}/tolak/", {"reason": "Bukan KIM, tetapi grup arisan"}
        )
    assert r.status_code == 302
    kim.refresh_from_db()
    assert kim.status == Kim.Status.DITOLAK
    messages = smtp.wait_for(3)  # confirmation link, notice to the pembina, rejection
    assert messages[-1]["to"] == ["yusrizal@contoh.id"]
    assert "Bukan KIM, tetapi grup arisan" in smtp.bodies()[-1]


def test_confirm_link_is_idempotent(client, db, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, registration())
    smtp.wait_for(1)
    link = path_of(link_in(smtp.bodies()[0]))
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    assert Event.objects.filter(action="registry.kim.email_verified").count() == 1


def test_bad_or_expired_link_is_explained(client, db):
    r = client.get("/daftar-kim/verifikasi/bukan-token-yang-benar/")
    assert r.status_code == 404
    assert "Tautan tidak berlaku" in r.content.decode()
    client.post(URL, registration())
    row = EmailVerification.objects.get()
    EmailVerification.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    r = client.get(f"/daftar-kim/verifikasi/{row.token}/")
    assert r.status_code == 404 and "sudah kedaluwarsa" in r.content.decode()
    assert User.objects.get().email_verified_at is None


def test_sent_page_without_a_registration_goes_back_to_the_start(client, db):
    r = client.get("/daftar-kim/terkirim/")
    assert r.status_code == 302 and r["Location"] == URL


# --- checks and anti-spam -------------------------------------------------------------------


@pytest.mark.parametrize(
    "over,message",
    [
        ({"name": ""}, "Nama KIM: Wajib diisi."),
        ({"ketua_email": "bukan-email"}, "E-mail ketua: E-mail tidak valid"),
        ({"password2": "Lain-Sekali-2024"}, "Ulangi kata sandi: Kedua kata sandi tidak sama."),
        ({"password1": "pendek", "password2": "pendek"}, "Kata sandi: "),
        ({"ketua_phone": "12"}, "Nomor telepon ketua (boleh kosong): Nomor telepon"),
        ({"consent": ""}, "Centang persetujuan agar data Anda boleh dipakai untuk pembinaan KIM."),
    ],
)
def test_form_errors_name_the_field(client, db, over, message):
    r = client.post(URL, registration(**over))
    assert r.status_code == 200
    assert message in errors(r)
    assert not Kim.objects.exists() and not User.objects.exists()


def test_duplicate_name_in_the_same_wilayah(client, kim):
    r = client.post(URL, registration(name="KIM Tujuh Koto Talago"))
    assert r.status_code == 200
    assert "Nama KIM: Sudah ada KIM dengan nama ini di wilayah ini." in errors(r)
    assert Kim.objects.count() == 1 and not User.objects.exists()
    # The same name in another nagari is fine.
    r = client.post(URL, registration(name="KIM Tujuh Koto Talago", region_code="13.07.07.2001"))
    assert r.status_code == 302


def test_email_already_registered(client, pengurus):
    r = client.post(URL, registration(ketua_email="KETUA@contoh.id"))
    assert "E-mail ketua: E-mail ini sudah terdaftar." in errors(r)
    assert list(Kim.objects.all()) == [pengurus.role_assignments.get().kim]


def test_honeypot_filled_is_refused_and_nothing_is_created(client, db, smtp):
    r = client.post(URL, registration(alamat_web="http://spam.example"))
    assert r.status_code == 400
    assert "Kosongkan kolom “Jangan isi kolom ini”" in errors(r)
    assert not Kim.objects.exists() and not User.objects.exists()
    assert smtp.wait_for(1, timeout=0.5) == []


def test_sixth_registration_from_one_ip_in_the_window_is_refused(client, db):
    for i in range(5):
        r = client.post(
            URL, registration(name=f"KIM Uji Banyak {i}", ketua_email=f"ketua{i}@contoh.id")
        )
        assert r.status_code == 302, errors(r)
    r = client.post(URL, registration(name="KIM Keenam", ketua_email="ketua6@contoh.id"))
    assert r.status_code == 429
    assert "Terlalu banyak pendaftaran dari jaringan ini. Coba lagi dalam" in errors(r)
    assert Kim.objects.count() == 5
    # Another network is not affected.
    r = client.post(
        URL,
        registration(name="KIM Keenam", ketua_email="ketua6@contoh.id"),
        REMOTE_ADDR="10.1.2.3",
    )
    assert r.status_code == 302


def test_refused_service_attempts_count_typos_do_not(client, pengurus):
    """Probing which e-mails exist is slowed down; fixing a typo costs nothing."""
    for _ in range(10):
        r = client.post(URL, registration(password2="tidak-sama-123"))
        assert r.status_code == 200
    for _ in range(5):
        r = client.post(URL, registration(ketua_email="ketua@contoh.id"))
        assert "E-mail ini sudah terdaftar" in errors(r)
    r = client.post(URL, registration())
    assert r.status_code == 429 and Kim.objects.count() == 1  # the pengurus's own KIM


def test_registration_needs_csrf(db):
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post(URL, registration())
    assert r.status_code == 403
    assert not Kim.objects.exists()
