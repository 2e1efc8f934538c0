"""Siaran end to end on a phone: the province sends, a KIM opens and relays it (WhatsApp group
with its own tracked short link, a meeting with 40 people), and the reach ledger shows both."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django_otp.oath import totp

from simpul.audit.models import Event
from simpul.broadcasts.models import Inbox, Relay, RelayChannel, ShortLink, Siaran
from simpul.registry.models import Channel as KimChannel

from ..factories import PASSWORD, KimFactory, confirmed_totp
from .conftest import screenshot

pytestmark = pytest.mark.browser

TITLE = "Cek Kesehatan Gratis di Puskesmas Kapur IX"
SHORT = "Cek Kesehatan Gratis tiap Sabtu di Puskesmas Kapur IX. Bawa KTP. Gratis untuk semua warga."
BODY = (
    "Pemerintah Provinsi Sumatera Barat mengundang warga mengikuti **Cek Kesehatan Gratis**.\n\n"
    "- Tempat: Puskesmas Kapur IX\n- Waktu: setiap Sabtu, 08.00-12.00 WIB\n- Bawa KTP"
)
WA_GROUP_MEMBERS = 120
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "id-ID"}


def current_code(device):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def log_in(page, base, email, next_path, device=None):
    page.goto(f"{base}/akun/masuk/?next={next_path}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    if device is not None:  # office roles: the second factor
        page.wait_for_url(re.compile(r"/akun/keamanan/verifikasi/"))
        page.get_by_label("Kode verifikasi").fill(current_code(device))
        page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def cells(table, name):
    """The data cells of the row whose header is `name`."""
    exact = None if isinstance(name, re.Pattern) else True
    row = table.locator("tr", has=table.page.get_by_role("rowheader", name=name, exact=exact))
    assert row.count() == 1, f"no single row {name!r}"
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def table_after(page, heading):
    return page.locator("h2", has_text=heading).locator("xpath=following-sibling::div[1]//table")


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def outside_kim(db):
    """A KIM of Kota Bukittinggi: outside the target, must get nothing."""
    return KimFactory(name="Kelompok Informasi Masyarakat Jambu Air", region_code="13.75.01.1001")


def test_siaran_sent_opened_relayed_and_counted(
    live_server, browser, phone, settings, admin_sumbar, kim, pengurus, outside_kim
):
    base = live_server.url
    settings.SITE_URL = base  # short links point at this server, as in production
    KimChannel.objects.create(
        kim=kim,
        region_code=kim.region_code,
        kind=KimChannel.Kind.WHATSAPP,
        handle="Info Nagari Koto Bangun",
        audience=WA_GROUP_MEMBERS,
    )
    admin_device = confirmed_totp(admin_sumbar)

    # --- 1. The province composes, previews the reach and sends --------------------------
    page = phone
    log_in(page, base, "admin.sumbar@contoh.id", "/kelola/siaran/", admin_device)
    page.get_by_role("link", name="Tulis siaran").click()
    page.wait_for_url(re.compile(r"/kelola/siaran/baru/$"))
    page.get_by_label("Judul", exact=True).fill(TITLE)
    page.get_by_label("Isi", exact=True).fill(BODY)
    short = page.get_by_label("Teks singkat (SMS)")
    short.fill("x" * 159)  # the counter (a small script) counts down as one types
    assert page.locator("#short-count").text_content() == "1 karakter tersisa"
    short.fill(SHORT)
    assert page.locator("#short-count").text_content() == f"{160 - len(SHORT)} karakter tersisa"
    page.get_by_label("Prioritas").select_option(label="Penting")
    page.get_by_label(re.compile(r"Lima Puluh Kota \(13\.07\)")).check()
    no_overflow(page)
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r"/kelola/siaran/[\w-]+/$"))
    assert page.get_by_text("Draf disimpan.").is_visible()
    siaran = Siaran.objects.get(title=TITLE)
    assert siaran.status == Siaran.Status.DRAFT
    assert siaran.target_regions == ["13.07"]
    assert siaran.priority == Siaran.Priority.PENTING

    preview = page.locator("section", has=page.get_by_role("heading", name="Perkiraan jangkauan"))
    assert cells(preview, "KIM") == ["1"]  # Tujuh Koto Talago; not the Bukittinggi KIM
    assert cells(preview, "E-mail") == ["0"]
    screenshot(page, "siaran-office-preview")
    page.get_by_role("button", name="Kirim sekarang").click()
    page.wait_for_url(re.compile(rf"/kelola/siaran/{re.escape(siaran.public_id)}/$"))
    assert page.get_by_text("Siaran sedang dikirim.").is_visible()
    assert page.get_by_text("1 KIM menerima · 0 membaca").is_visible()
    assert Inbox.objects.filter(siaran=siaran, kim=kim).count() == 1
    assert not Inbox.objects.filter(siaran=siaran, kim=outside_kim).exists()
    assert Event.objects.filter(action="broadcasts.siaran.sent", actor=admin_sumbar).exists()

    # --- 2. The KIM pengurus opens the inbox and the siaran ------------------------------
    kim_ctx = browser.new_context(**PHONE)
    shared = []

    def route(r):
        """Nothing leaves the machine. A share tap is answered by the live server; its
        redirect to wa.me is recorded and replaced by a stub page (Playwright does not route
        the target of a redirect, so the redirect is read here instead of followed)."""
        url = r.request.url
        if not url.startswith(base):
            shared.append(url)
            r.abort()
            return
        if "/bagikan/" not in urlsplit(url).path:
            r.continue_()
            return
        response = r.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        if urlsplit(location).netloc == "wa.me":
            shared.append(location)
            r.fulfill(status=200, content_type="text/html", body="<title>WhatsApp</title>wa.me")
        else:
            r.fulfill(response=response)

    kim_ctx.route("**/*", route)
    kpage = kim_ctx.new_page()
    kpage.set_default_timeout(15000)
    log_in(kpage, base, "ketua@contoh.id", "/kelola/siaran/kotak/")
    item = kpage.locator("ul.inbox li", has=kpage.get_by_role("link", name=TITLE))
    assert item.get_by_text("Baru", exact=True).is_visible()
    assert item.get_by_text("Penting", exact=True).is_visible()
    item.get_by_role("link", name=TITLE).click()
    kpage.wait_for_url(re.compile(rf"/kotak/{re.escape(siaran.public_id)}/{kim.slug}/$"))
    assert kpage.get_by_role("heading", name=TITLE).is_visible()
    assert kpage.locator(".prose strong", has_text="Cek Kesehatan Gratis").is_visible()
    inbox = Inbox.objects.get(siaran=siaran, kim=kim)
    assert inbox.read_at is not None
    no_overflow(kpage)

    # The WhatsApp button: logs the share and opens wa.me with the KIM's own short link.
    with kpage.expect_popup() as popup_info:
        kpage.get_by_role("link", name="Grup WhatsApp").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.title() == "WhatsApp"  # the stub standing in for wa.me
    popup.close()
    (wa_url,) = shared
    text = parse_qs(urlsplit(wa_url).query)["text"][0]
    link = ShortLink.objects.get(siaran=siaran, kim=kim, channel=RelayChannel.WHATSAPP)
    short_url = f"{base}/s/{link.code}"
    assert text.startswith(TITLE)
    assert SHORT in text
    assert text.rstrip().endswith(short_url)
    assert len(link.code) >= 8
    assert link.clicks == 0
    # The share endpoint itself answers with the redirect (read without following it).
    share_href = kpage.get_by_role("link", name="Grup WhatsApp").get_attribute("href")
    answer = kpage.request.get(base + share_href, max_redirects=0)
    assert answer.status == 302
    assert answer.headers["location"] == wa_url
    # Two taps on the same day are one relay.
    share = Relay.objects.get(siaran=siaran, kim=kim, channel=RelayChannel.WHATSAPP)
    assert share.audience == WA_GROUP_MEMBERS

    # A villager in the WhatsApp group opens the short link: one counted click.
    villager = browser.new_context(java_script_enabled=False, **PHONE)
    vpage = villager.new_page()
    response = vpage.goto(short_url)
    assert response.ok
    assert urlsplit(vpage.url).path == f"/siaran/{siaran.slug}/"
    assert vpage.get_by_role("heading", name=TITLE).is_visible()
    link.refresh_from_db()
    assert link.clicks == 1
    assert vpage.goto(f"{base}/s/{link.code}x").status == 404
    villager.close()

    # --- 3. The pengurus logs a meeting with 40 people -----------------------------------
    kpage.reload()
    kpage.get_by_label("Cara penyebaran").select_option(label="Musyawarah/pertemuan")
    kpage.get_by_label("Perkiraan jumlah orang").fill("40")
    kpage.get_by_label("Catatan", exact=True).fill("musyawarah nagari di balai jorong")
    kpage.get_by_role("button", name="Catat", exact=True).click()
    kpage.wait_for_url(re.compile(rf"/kotak/{re.escape(siaran.public_id)}/{kim.slug}/$"))
    assert kpage.get_by_text("Penyebaran dicatat. Terima kasih!").is_visible()
    relays = kpage.locator("ul.relays")
    assert relays.get_by_text(re.compile(r"Musyawarah/pertemuan · 40 orang")).is_visible()
    assert relays.get_by_text(re.compile(r"Grup WhatsApp · 120 orang")).is_visible()
    meeting = Relay.objects.get(siaran=siaran, kim=kim, channel=RelayChannel.MEETING)
    assert meeting.audience == 40
    assert meeting.logged_by == pengurus
    no_overflow(kpage)
    screenshot(kpage, "siaran-inbox-item")
    # A KIM person cannot open the office's reach ledger.
    ledger_path = f"/kelola/siaran/{siaran.public_id}/jangkauan/"
    assert kpage.goto(base + ledger_path).status == 404
    kim_ctx.close()

    # --- 4. The province reads the reach ledger ------------------------------------------
    page.goto(f"{base}/kelola/siaran/{siaran.public_id}/")
    assert page.get_by_text("1 KIM menerima · 1 membaca").is_visible()
    assert page.get_by_text("2 penyebaran tercatat, perkiraan 160 orang").is_visible()
    page.get_by_role("link", name="Buku jangkauan").click()
    page.wait_for_url(re.compile(re.escape(ledger_path) + "$"))
    assert page.get_by_role("heading", name=re.compile("Buku jangkauan")).is_visible()
    summary = page.locator("main p", has_text="KIM menerima siaran ini").first
    assert re.search(
        r"1 KIM menerima siaran ini; 1 KIM meneruskannya kepada sekitar 160 orang",
        " ".join(summary.inner_text().split()),
    )

    by_channel = table_after(page, "Penerusan oleh KIM, per cara")
    # [relays, KIM, audience]
    assert cells(by_channel, "Grup WhatsApp") == ["1", "1", str(WA_GROUP_MEMBERS)]
    assert cells(by_channel, "Musyawarah/pertemuan") == ["1", "1", "40"]
    clicks = table_after(page, "Klik tautan dan pindaian QR poster")
    assert cells(clicks, "Grup WhatsApp") == ["1", "1"]  # [links, clicks]

    per_region = page.locator("table.ledger")
    # [KIM, read, acknowledged, relayed KIM, audience, sent, failed, clicks, scans]
    assert cells(per_region, re.compile(r"^(Kecamatan )?Kapur IX$")) == [
        "1",
        "1",
        "0",
        "1",
        "160",
        "0",
        "0",
        "1",
        "0",
    ]
    per_kim = table_after(page, "Per KIM")
    row = per_kim.locator("tbody tr", has=page.get_by_role("link", name=kim.name))
    assert row.count() == 1
    numbers = [c.strip() for c in row.locator("td.num").all_inner_texts()]
    assert numbers == ["2", "160", "1", "0"]  # relays, audience, clicks, scans
    assert "belum" not in row.locator("td").nth(0).inner_text()  # read
    no_overflow(page)  # wide tables scroll inside their own box, not the page
    screenshot(page, "siaran-ledger")
