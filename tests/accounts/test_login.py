import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from simpul.accounts import throttle
from simpul.audit.models import Event

from ..factories import PASSWORD, UserFactory


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/akun/masuk/", {"email": email, "password": password}, **extra)


def current_code(device, drift=0):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def test_login_page_has_labelled_fields(client, db):
    r = client.get("/akun/masuk/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<label for="id_email">' in html and '<label for="id_password">' in html
    assert "csrfmiddlewaretoken" in html


def test_login_requires_csrf(db, warga):
    c = Client(enforce_csrf_checks=True)
    r = post_login(c, warga.email)
    assert r.status_code == 403
    assert "_auth_user_id" not in c.session


def test_warga_logs_in_without_second_factor(client, warga):
    r = post_login(client, "WARGA@contoh.id")  # e-mail is case-insensitive
    assert r.status_code == 302 and r["Location"] == "/kelola/"
    assert client.get("/kelola/").status_code == 200
    assert Event.objects.filter(action="accounts.user.logged_in", actor=warga).exists()


def test_wrong_password_says_so_in_indonesian(client, warga):
    r = post_login(client, warga.email, "salah-sandi")
    assert r.status_code == 200
    assert "E-mail atau kata sandi salah" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_fields_name_the_field(client, db):
    html = client.post("/akun/masuk/", {"email": "", "password": ""}).content.decode()
    assert "E-mail: E-mail wajib diisi." in html
    assert "Kata sandi: Kata sandi wajib diisi." in html


def test_brute_force_is_throttled_with_a_time_to_retry(client, warga, settings, monkeypatch):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        post_login(client, warga.email, "tebakan")
    r = post_login(client, warga.email)  # even the right password is refused now
    html = r.content.decode()
    assert "Terlalu banyak percobaan yang gagal" in html
    assert re.search(r"Coba lagi dalam \d+ menit \(sekitar pukul \d\d\.\d\d WIB\)", html)
    assert "_auth_user_id" not in client.session
    # After the window has passed the right password works again.
    real = time.time
    monkeypatch.setattr(throttle.time, "time", lambda: real() + settings.LOGIN_WINDOW + 5)
    r = post_login(client, warga.email)
    assert r.status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 2  # the IP limit is 4x: 8 failures
    users = [UserFactory() for _ in range(9)]
    for u in users[:8]:
        post_login(client, u.email, "salah")
    r = post_login(client, users[8].email)
    assert "Terlalu banyak percobaan" in r.content.decode()
    other_ip = post_login(client, users[8].email, REMOTE_ADDR="10.9.9.9")
    assert other_ip.status_code == 302


def test_office_role_must_enrol_totp_then_backup_codes_work(client, pembina_limapuluhkota):
    user = pembina_limapuluhkota
    r = post_login(client, user.email)
    assert r["Location"].startswith("/akun/keamanan/daftar/")
    # Without the second factor, /kelola/ sends them to enrolment.
    r = client.get("/kelola/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/keamanan/daftar/")

    page = client.get("/akun/keamanan/daftar/").content.decode()
    assert "<svg" in page  # the QR code, rendered on the server
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert len(secret.replace(" ", "")) >= 16

    bad = client.post("/akun/keamanan/daftar/", {"token": "000000"})
    assert "Kode salah atau kedaluwarsa" in bad.content.decode()

    enrol_code = current_code(device)
    r = client.post("/akun/keamanan/daftar/", {"token": enrol_code, "next": "/kelola/"})
    assert r.status_code == 302 and r["Location"].startswith("/akun/keamanan/kode-cadangan/")
    codes_page = client.get(r["Location"]).content.decode()
    codes = re.findall(r"<li>(\d{4}-\d{4})</li>", codes_page)
    assert len(codes) == 10
    # Shown once only.
    assert client.get("/akun/keamanan/kode-cadangan/").status_code == 302

    home = client.get("/kelola/")
    assert home.status_code == 200
    assert "Kabupaten Lima Puluh Kota" in home.content.decode()
    assert Event.objects.filter(action="accounts.2fa.enrolled", actor=user).exists()

    # Next login: verify with a backup code, which then cannot be reused.
    client.post("/akun/keluar/")
    r = post_login(client, user.email)
    assert r["Location"].startswith("/akun/keamanan/verifikasi/")
    r = client.post("/akun/keamanan/verifikasi/", {"token": codes[0]})
    assert r.status_code == 302 and r["Location"] == "/kelola/"
    client.post("/akun/keluar/")
    post_login(client, user.email)
    r = client.post("/akun/keamanan/verifikasi/", {"token": codes[0]})
    assert r.status_code == 200 and "Kode salah" in r.content.decode()
    # A TOTP code used once (at enrolment) cannot be replayed; the next one works.
    r = client.post("/akun/keamanan/verifikasi/", {"token": enrol_code})
    assert r.status_code == 200
    r = client.post("/akun/keamanan/verifikasi/", {"token": current_code(device, drift=1)})
    assert r.status_code == 302


def test_otp_guessing_is_throttled(client, pembina_bukittinggi, settings):
    settings.LOGIN_MAX_FAILURES = 3
    device = TOTPDevice.objects.create(user=pembina_bukittinggi, name="a", confirmed=True)
    post_login(client, pembina_bukittinggi.email)
    for _ in range(3):
        client.post("/akun/keamanan/verifikasi/", {"token": "123456"})
    r = client.post("/akun/keamanan/verifikasi/", {"token": current_code(device)})
    assert "Terlalu banyak percobaan" in r.content.decode()
    assert client.get("/kelola/").status_code == 302


def test_open_redirect_is_refused(client, warga):
    r = client.post(
        "/akun/masuk/",
        {"email": warga.email, "password": PASSWORD, "next": "https://jahat.example/"},
    )
    assert r["Location"] == "/kelola/"


@pytest.mark.django_db(transaction=False)
def test_password_reset_by_email_over_real_smtp(
    client, warga, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/akun/sandi/lupa/", {"email": warga.email})
    assert r.status_code == 302
    smtp.wait_for(1)
    assert smtp.messages[0]["to"] == [warga.email]
    body = smtp.bodies()[0]
    link = re.search(r"http://testserver(/akun/sandi/atur/\S+/)", body).group(1)
    r = client.get(link, follow=True)
    form_url = r.redirect_chain[-1][0] if r.redirect_chain else link
    new = "Sandi-Baru-Kuat-2026"
    r = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert r.status_code == 302
    client.logout()
    assert post_login(client, warga.email, new).status_code == 302


def test_password_reset_for_unknown_email_sends_nothing(client, db, smtp):
    r = client.post("/akun/sandi/lupa/", {"email": "tidak.ada@contoh.id"})
    assert r.status_code == 302  # same answer: no account enumeration
    time.sleep(0.2)
    assert smtp.messages == []


def test_django_admin_is_for_superusers_only(login, pembina_limapuluhkota, db):
    c = login(pembina_limapuluhkota)
    r = c.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    root = UserFactory(is_superuser=True, is_staff=True)
    c = login(root)
    assert c.get("/admin/").status_code == 200


def test_superuser_needs_second_factor_for_admin(client, db):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/keamanan/daftar/")


def test_logout_is_post_only(login, warga):
    c = login(warga)
    assert c.get("/akun/keluar/").status_code == 405
    assert c.post("/akun/keluar/").status_code == 302
    assert c.get("/kelola/").status_code == 302


def test_registration_limit_is_its_own_setting(settings):
    settings.LOGIN_MAX_FAILURES, settings.REGISTRATIONS_PER_IP = 50, 2
    assert throttle.limit("register-ip") == 2
    assert throttle.limit("email") == 50 and throttle.limit("ip") == 200
    for _ in range(2):
        throttle.failed(("register-ip", "10.0.0.1"))
    assert throttle.retry_after(("register-ip", "10.0.0.1")) > 0
    assert throttle.retry_after(("register-ip", "10.0.0.2")) == 0
