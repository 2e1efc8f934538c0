"""What a subscriber receives on each channel, built once per delivery task and filled in
per recipient (only the address and the unsubscribe link differ between recipients)."""

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
                    text = loader.render_to_string("broadcasts/email/siaran.txt", context)
                    html = loader.render_to_string("broadcasts/email/siaran.html", context)
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
