"""Share buttons for articles and siaran: plain links with prefilled text, no scripts.

WhatsApp (wa.me), Telegram (t.me/share) and Facebook (sharer.php) all accept a URL in a
GET link, so sharing works on phones without JavaScript; "copy" is a read-only field the
visitor can select (a tiny script adds a copy button where JavaScript runs).
"""

from urllib.parse import quote


def share_links(url, text):
    """`url` must be absolute (previews need it). Returns {channel: href}.

    The query strings are what urlencode(..., quote_via=quote) makes, quoted directly
    (the article page builds these on every view)."""
    message = f"{text}\n{url}" if text else url
    url_q = quote(url, safe="")
    return {
        "whatsapp": "https://wa.me/?text=" + quote(message, safe=""),
        "telegram": f"https://t.me/share/url?url={url_q}&text={quote(text or '', safe='')}",
        "facebook": "https://www.facebook.com/sharer/sharer.php?u=" + url_q,
        "copy": url,
    }
