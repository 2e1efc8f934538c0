"""The A4 poster (typst PDF) with a QR code of the KIM's own poster short link."""

import pytest
import segno
from django.urls import reverse

from simpul.broadcasts import poster, shortlinks
from simpul.broadcasts.models import Relay, ShortLink

from .factories import InboxFactory, SiaranFactory
from .siaran_support import pengurus_of


@pytest.fixture
def inbox(kim):
    siaran = SiaranFactory(title="Cek Kesehatan Gratis di Puskesmas Koto Baru", priority="penting")
    return InboxFactory(siaran=siaran, kim=kim)


def test_poster_is_a_pdf_with_the_kims_poster_link_in_the_qr(inbox, settings):
    settings.SITE_URL = "https://simpul.sumbarprov.go.id"
    data = poster.inputs(inbox.siaran, inbox.kim)
    link = ShortLink.objects.get(siaran=inbox.siaran, kim=inbox.kim, channel="poster")
    assert data["url"] == f"https://simpul.sumbarprov.go.id/s/{link.code}"
    # The QR is exactly the code segno makes for that URL (what a phone will read).
    assert data["qr"] == poster.qr_svg(data["url"])
    assert segno.make(data["url"], error="m").designator  # a real, encodable QR
    assert inbox.kim.name in data["kim"] and "PENTING" in data["label"]
    pdf = poster.render(inbox.siaran, inbox.kim)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert b"Cek Kesehatan Gratis" in pdf  # the document title, in the PDF metadata


def test_each_kim_gets_its_own_qr(inbox, sibling_kim):
    other = InboxFactory(siaran=inbox.siaran, kim=sibling_kim)
    a = poster.inputs(inbox.siaran, inbox.kim)["url"]
    b = poster.inputs(other.siaran, other.kim)["url"]
    assert a != b


def test_typst_markup_in_user_text_is_printed_not_run(kim):
    siaran = SiaranFactory(
        title='#panic("boom") $x^2$ [link](x) <lbl> @ref',
        short_text='#import "/etc/passwd": * \\ *tebal*',
        body='#read("/etc/passwd")',
        body_html="<p>#read(&quot;/etc/passwd&quot;)</p>",
    )
    pdf = poster.render(siaran, kim)
    assert pdf.startswith(b"%PDF")
    assert b"root:" not in pdf


def test_pengurus_downloads_the_poster_and_a_poster_relay_is_logged(login, pengurus, inbox):
    url = reverse("kelola:siaran:inbox-poster", args=[inbox.siaran.public_id, inbox.kim.slug])
    r = login(pengurus).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "attachment" in r["Content-Disposition"]
    relay = Relay.objects.get()
    assert (relay.channel, relay.kim_id) == ("poster", inbox.kim_id)
    assert shortlinks.link_for(channel="poster", siaran=inbox.siaran, kim=inbox.kim).clicks == 0


@pytest.mark.parametrize("who", ["sibling", "pembina_limapuluhkota", "admin_sumbar", "warga"])
def test_poster_denied_outside_the_kim(request, login, inbox, sibling_kim, who):
    user = pengurus_of(sibling_kim) if who == "sibling" else request.getfixturevalue(who)
    url = reverse("kelola:siaran:inbox-poster", args=[inbox.siaran.public_id, inbox.kim.slug])
    assert login(user).get(url).status_code == 404
    assert not Relay.objects.exists()
