"""Tracked short links `/s/<code>`: one per (siaran or article, KIM, channel).

A share from a KIM's WhatsApp group and the QR code on its printed poster each carry their
own link, so clicks and scans count reach per KIM and channel. The code is random
(48 bits from `secrets`), so links cannot be enumerated; a click is one UPDATE of a counter,
nothing about the visitor (IP address, browser) is stored.
"""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import RelayChannel, ShortLink

CODE_BYTES = 6  # 8 URL-safe characters, 2**48 possibilities


def _new_code():
    return secrets.token_urlsafe(CODE_BYTES)


def _target(siaran, article):
    if siaran is not None:
        return reverse("siaran:detail", kwargs={"slug": siaran.slug})
    url = getattr(article, "get_absolute_url", None)
    return url() if url else reverse("warta:detail", kwargs={"slug": article.slug})


def link_for(*, channel, siaran=None, article=None, kim=None):
    """The short link of this siaran/article for this KIM (or none) and channel; created once."""
    if (siaran is None) == (article is None):
        raise ValueError("give exactly one of siaran or article")
    if channel not in RelayChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    lookup = {"siaran": siaran, "article": article, "kim": kim, "channel": channel}
    if kim is None:
        lookup = {**lookup, "kim": None}
    existing = ShortLink.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    region_code = kim.region_code if kim is not None else ""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    code=_new_code(),
                    target=_target(siaran, article),
                    region_code=region_code,
                    **lookup,
                )
        except IntegrityError:
            # Another request made the same link first (or, rarely, the code was taken).
            existing = ShortLink.objects.filter(**lookup).first()
            if existing is not None:
                return existing
    raise RuntimeError("could not create a short link")


def path(link):
    return reverse("siaran:short", kwargs={"code": link.code})


def url(link):
    """Absolute URL of the short link (for messages, posters and QR codes)."""
    return settings.SITE_URL + path(link)


def click(code):
    """Count one click; returns the link's target path, or None for an unknown code."""
    updated = ShortLink.objects.filter(code=code).update(
        clicks=F("clicks") + 1, last_clicked_at=timezone.now()
    )
    if not updated:
        return None
    return ShortLink.objects.filter(code=code).values_list("target", flat=True).first()
