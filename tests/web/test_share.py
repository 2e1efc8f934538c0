"""Share links: the query strings urlencode would make, for any title."""

from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from simpul.web.share import share_links

URL = "https://simpul.example/berita/panen-raya/"


@pytest.mark.parametrize("text", ["Panen raya & syukuran: 100% berhasil?", "", 'Ä/ü #1 "x"\n'])
def test_same_as_urlencode(text):
    links = share_links(URL, text)
    message = f"{text}\n{URL}" if text else URL
    assert links["whatsapp"] == "https://wa.me/?" + urlencode({"text": message}, quote_via=quote)
    assert links["telegram"] == "https://t.me/share/url?" + urlencode(
        {"url": URL, "text": text}, quote_via=quote
    )
    assert links["facebook"] == "https://www.facebook.com/sharer/sharer.php?" + urlencode(
        {"u": URL}, quote_via=quote
    )
    assert links["copy"] == URL
    assert parse_qs(urlsplit(links["telegram"]).query).get("url") == [URL]
