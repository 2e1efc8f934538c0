"""Share buttons for articles and siaran: plain links with prefilled text, no scripts.

WhatsApp (wa.me), Telegram (t.me/share) and Facebook (sharer.php) all accept a URL in a
GET link, so sharing works on phones without JavaScript; "copy" is a read-only field the
visitor can select (a tiny script adds a copy button where JavaScript runs).
"""

from urllib.parse import quote, urlencode


def share_links(url, text):
    """`url` must be absolute (previews need it). Returns {channel: href}."""
    message = f"{text}\n{url}" if text else url
    return {
        "whatsapp": "https://wa.me/?" + urlencode({"text": message}, quote_via=quote),
        "telegram": "https://t.me/share/url?"
        + urlencode({"url": url, "text": text or ""}, quote_via=quote),
        "facebook": "https://www.facebook.com/sharer/sharer.php?"
        + urlencode({"u": url}, quote_via=quote),
        "copy": url,
    }
