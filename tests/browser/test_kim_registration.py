"""A KIM registers itself on a phone, confirms by e-mail, and the pembina verifies it."""

import re

import pytest
from django_otp.oath import totp

from simpul.accounts.roles import Role
from simpul.audit.models import Event
from simpul.registry.models import Kim

from ..factories import PASSWORD, OfficeFactory, UserFactory, assign, confirmed_totp
from .conftest import screenshot

pytestmark = pytest.mark.browser

KIM_NAME = "Kelompok Informasi Masyarakat Koto Bangun Saiyo"


def current_code(device):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def office_person(full_name, email, code, office_name):
    office = OfficeFactory(name=office_name, region_code=code)
    user = UserFactory(full_name=full_name, email=email)
    assign(user, Role.PEMBINA, region_code=code, office=office)
    return user, confirmed_totp(user)


def log_in(page, base, email, device, next_path):
    page.goto(f"{base}/akun/masuk/?next={next_path}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/akun/keamanan/verifikasi/"))
    page.get_by_label("Kode verifikasi").fill(current_code(device))
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_kim_registers_confirms_and_is_verified_by_its_pembina(live_server, browser, phone, smtp):
    page = phone
    base = live_server.url

    # 1. The ketua finds the form from the home page and looks the nagari up by name.
    page.goto(base + "/")
    page.get_by_role("link", name="Daftarkan KIM Anda").click()
    page.wait_for_url(re.compile(r"/daftar-kim/$"))
    page.get_by_label("Nama desa, nagari atau kelurahan").fill("Koto Bangun")
    page.get_by_role("button", name="Cari", exact=True).click()
    screenshot(page, "kim-registration-search")
    page.get_by_label(re.compile(r"Nagari Koto Bangun — Kecamatan Kapur IX")).check()
    page.get_by_role("button", name="Lanjut", exact=True).click()
    page.wait_for_url(re.compile(r"wilayah=13\.07\.07\.2002"))

    # 2. The form: labelled fields, consent, honeypot invisible.
    assert page.get_by_text("Nagari Koto Bangun", exact=True).is_visible()
    trap = page.get_by_label("Jangan isi kolom ini").bounding_box()
    assert trap["x"] + trap["width"] < 0  # off screen for people, still there for robots
    page.get_by_label("Nama KIM").fill("KIM Koto Bangun Saiyo")
    page.get_by_label("Nama lengkap ketua").fill("Yusrizal Datuak")
    page.get_by_label("E-mail ketua").fill("yusrizal@contoh.id")
    page.get_by_label("Kata sandi", exact=True).fill("Nagari-Kapur-IX-2024")
    page.get_by_label("Ulangi kata sandi").fill("Nagari-Kapur-IX-2024")
    page.get_by_label("Nomor telepon ketua (boleh kosong)").fill("0812 6612 3456")
    page.get_by_label("Pertanian").check()
    page.get_by_label("Data saya dipakai untuk pembinaan KIM oleh Diskominfo").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "kim-registration-form")
    page.get_by_role("button", name="Daftarkan KIM").click()
    page.wait_for_url(re.compile(r"/daftar-kim/terkirim/$"))
    assert page.get_by_role("heading", name="Periksa e-mail Anda").is_visible()

    # 3. The e-mail arrives at a real SMTP server; the ketua opens the link.
    (mail,) = smtp.wait_for(1)
    assert mail["to"] == ["yusrizal@contoh.id"]
    link = re.search(r"http://\S+/daftar-kim/verifikasi/[\w-]+/", smtp.bodies()[0]).group(0)
    assert link.startswith(base)
    page.goto(link)
    assert page.get_by_role("heading", name="E-mail terkonfirmasi").is_visible()
    assert page.get_by_text("Pembina akan memeriksa dan memverifikasinya").is_visible()
    kim = Kim.objects.get()
    assert kim.status == Kim.Status.PENGAJUAN
    page.context.clear_cookies()

    # 4. The pembina of Lima Puluh Kota logs in with TOTP and verifies it.
    _, device = office_person(
        "Rina Pembina", "rina@contoh.id", "13.07", "Diskominfo Kabupaten Lima Puluh Kota"
    )
    log_in(page, base, "rina@contoh.id", device, "/kelola/kim/")
    pending = page.locator("section.warn", has_text="Pengajuan menunggu verifikasi")
    assert pending.get_by_role("link", name=KIM_NAME).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "kim-kelola-list")
    pending.get_by_role("link", name=KIM_NAME).click()
    page.wait_for_url(re.compile(rf"/kelola/kim/{kim.slug}/$"))
    assert page.get_by_text("+6281266123456").is_visible()  # the pembina sees the full number
    assert page.get_by_text("Belum ada Sekretaris.").is_visible()  # a warning, not an error
    screenshot(page, "kim-kelola-detail")
    page.get_by_label("Catatan untuk pengurus (boleh kosong)").fill("Selamat bergabung")
    page.get_by_role("button", name="Verifikasi", exact=True).click()
    page.wait_for_url(re.compile(rf"/kelola/kim/{kim.slug}/$"))
    assert page.get_by_text("sudah diverifikasi dan aktif").is_visible()
    assert page.locator("#riwayat ~ ul").get_by_text("Diverifikasi").first.is_visible()
    screenshot(page, "kim-kelola-detail-verified")
    kim.refresh_from_db()
    assert kim.status == Kim.Status.AKTIF
    assert Event.objects.filter(action="registry.kim.verified", kim_id=kim.pk).exists()
    bodies = smtp.wait_for(3) and smtp.bodies()
    assert any("sudah diverifikasi" in b and "Selamat bergabung" in b for b in bodies)

    # 5. The pembina of Bukittinggi cannot see it.
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    other_page = other.new_page()
    _, device2 = office_person(
        "Budi Pembina", "budi@contoh.id", "13.75", "Diskominfo Kota Bukittinggi"
    )
    log_in(other_page, base, "budi@contoh.id", device2, "/kelola/kim/")
    assert other_page.get_by_text(KIM_NAME).count() == 0
    response = other_page.goto(f"{base}/kelola/kim/{kim.slug}/")
    assert response.status == 404
    other.close()

    # 6. It is public now: directory, profile and coverage of Lima Puluh Kota.
    page.context.clear_cookies()
    page.goto(f"{base}/kim/")
    assert page.get_by_role("link", name=re.compile("Koto Bangun Saiyo")).first.is_visible()
    response = page.goto(f"{base}/kim/{kim.slug}/")
    assert response.status == 200
    assert page.get_by_role("heading", name=KIM_NAME).is_visible()
    page.goto(f"{base}/kim/cakupan/13.07/")
    assert page.get_by_text("1 KIM terdaftar.").is_visible()
    row = page.locator("tr", has=page.get_by_role("link", name="Kecamatan Kapur IX"))
    assert row.locator("td.num").first.inner_text() == "1"
