import base64
import re

import pytest
from django_otp.oath import totp

from simpul.accounts.roles import Role
from simpul.audit.models import Event

from ..factories import PASSWORD, OfficeFactory, UserFactory, assign
from .conftest import screenshot

pytestmark = pytest.mark.browser


def code_for(secret, drift=0):
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=drift):06d}"


def test_pembina_logs_in_enrols_totp_and_sees_their_kabupaten(live_server, phone):
    office = OfficeFactory(name="Diskominfo Kabupaten Lima Puluh Kota", region_code="13.07")
    user = UserFactory(full_name="Rina Pembina", email="rina@contoh.id")
    assign(user, Role.PEMBINA, region_code="13.07", office=office)

    page = phone
    page.goto(f"{live_server.url}/kelola/")
    assert "/akun/masuk/" in page.url
    page.get_by_label("E-mail").fill("rina@contoh.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    # Office roles must enrol a second factor before the back office opens.
    page.wait_for_url(re.compile(r"/akun/keamanan/daftar/"))
    assert page.locator(".qr svg").is_visible()
    screenshot(page, "pembina-2fa-enrol")
    secret = page.locator("#secret").inner_text()
    page.get_by_label("Kode verifikasi").fill("000000")
    page.get_by_role("button", name="Aktifkan").click()
    assert page.get_by_text("Kode salah atau kedaluwarsa").is_visible()
    page.get_by_label("Kode verifikasi").fill(code_for(secret))
    page.get_by_role("button", name="Aktifkan").click()

    page.wait_for_url(re.compile(r"/akun/keamanan/kode-cadangan/"))
    assert page.locator("#backup-codes li").count() == 10
    page.get_by_role("link", name="Sudah saya simpan, lanjutkan").click()

    page.wait_for_url(re.compile(r"/kelola/$"))
    assert page.get_by_role("heading", name="Selamat datang, Rina").is_visible()
    link = page.get_by_role("link", name="Kabupaten Lima Puluh Kota")
    assert link.is_visible()
    assert page.get_by_text("Diskominfo Kabupaten Lima Puluh Kota").is_visible()
    screenshot(page, "pembina-kelola-home")

    link.click()
    page.wait_for_url(re.compile(r"/wilayah/13\.07/$"))
    assert page.get_by_role("heading", name="Kabupaten Lima Puluh Kota", level=1).is_visible()
    assert page.locator("table a").count() >= 13  # its kecamatan, linked
    assert Event.objects.filter(action="accounts.2fa.enrolled", actor=user).exists()


def test_public_pages_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/wilayah/")
    page.get_by_role("link", name="Sumatera Barat").click()
    page.wait_for_url(re.compile(r"/wilayah/13/$"))
    assert page.locator("tbody tr").count() == 19
    page.get_by_label("Cari wilayah menurut nama").fill("koto tangah")
    page.get_by_role("button", name="Cari").click()
    assert page.get_by_role("link", name="Kecamatan Koto Tangah").is_visible()
    # Keyboard: the skip link is the first focusable element.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Langsung ke isi"
    screenshot(page, "wilayah-search-nojs")
    page.get_by_role("link", name="EN").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
