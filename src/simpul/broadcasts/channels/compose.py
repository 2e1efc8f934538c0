"""What a subscriber receives on each channel, built once per delivery task and filled in
per recipient (only the address and the unsubscribe link differ between recipients)."""

import re
import textwrap

from django.conf import settings
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from simpul.newsroom import markup

from .base import Message

UNSUB = "__SIMPUL_UNSUBSCRIBE__"


def absolute(path):
    return settings.SITE_URL + path


def siaran_url(siaran):
    try:
        path = reverse("siaran:detail", kwargs={"slug": siaran.slug})
    except NoReverseMatch:
        path = f"/siaran/{siaran.slug}/"
    return absolute(path)


def unsubscribe_url(token):
    return absolute(reverse("langganan:unsubscribe", kwargs={"token": token}))


# E-mail bodies keep their lines short: a line over 998 bytes (RFC 5322) makes Django encode
# the whole part as quoted-printable, which the e-mail adapter's fast path cannot fill in per
# recipient (channels/email.py), and a paragraph of a press release is often that long.
TEXT_WIDTH = 76  # plain text, as mail clients expect
HTML_WIDTH = 200  # HTML: a newline is a space, so any space may become one (outside <pre>)


def wrap_text(text, width=TEXT_WIDTH):
    """Plain text with lines of at most `width` characters, broken at spaces; a word or link
    longer than that stays whole on its own line."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
        else:
            lines += textwrap.wrap(
                line, width=width, break_long_words=False, break_on_hyphens=False
            ) or [""]
    return "\n".join(lines)


def wrap_html(html, width=HTML_WIDTH):
    """HTML with long lines broken at spaces, except inside <pre> (where a newline shows)."""
    lines, depth = [], 0
    for line in html.split("\n"):
        opens, closes = len(re.findall(r"<pre[\s>]", line)), line.count("</pre>")
        if depth or opens or len(line) <= width:
            lines.append(line)
        else:
            lines += textwrap.wrap(
                line, width=width, break_long_words=False, break_on_hyphens=False
            ) or [""]
        depth = max(0, depth + opens - closes)
    return "\n".join(lines)


def subject_for(siaran):
    from ..models import Siaran

    if siaran.priority == Siaran.Priority.BIASA:
        return siaran.title
    return f"[{siaran.get_priority_display()}] {siaran.title}"


class Composer:
    def __init__(self, siaran, channel):
        self.siaran = siaran
        self.channel = channel
        self.url = siaran_url(siaran)
        self._cache = {}
        # reverse() once, not per recipient: the token is the only part that differs.
        self._unsub = unsubscribe_url("TOKEN").rsplit("TOKEN", 1)

    def _parts(self, language):
        """(subject, text, html) with UNSUB where the unsubscribe link goes, per language."""
        if language not in self._cache:
            s = self.siaran
            with translation.override(language or "id"):
                subject = subject_for(s)
                html_body, text_body = markup.render(s.body)
                context = {
                    "siaran": s,
                    "subject": subject,
                    "body_text": text_body,
                    "body_html": s.body_html or html_body,
                    "url": self.url,
                    "unsubscribe_url": UNSUB,
                }
                if self.channel == "email":
                    text = wrap_text(
                        loader.render_to_string("broadcasts/email/siaran.txt", context)
                    )
                    html = wrap_html(
                        loader.render_to_string("broadcasts/email/siaran.html", context)
                    )
                else:
                    text = loader.render_to_string("broadcasts/email/siaran_short.txt", context)
                    html = ""
            self._cache[language] = (subject, text, html)
        return self._cache[language]

    def message(self, dispatch, subscriber, address):
        subject, text, html = self._parts(subscriber.language)
        unsub = subscriber.token.join(self._unsub)
        return Message(
            dispatch_id=dispatch.id,
            key=f"siaran-{dispatch.siaran_id}-{dispatch.id}",
            address=address,
            subject=subject,
            text=text.replace(UNSUB, unsub),
            html=html.replace(UNSUB, unsub),
            short_text=self.siaran.short_text,
            url=self.url,
            unsubscribe_url=unsub,
            priority=self.siaran.priority,
        )
