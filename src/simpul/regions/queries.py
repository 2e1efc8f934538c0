"""Reads of the wilayah table. Region pages are public: no actor is needed."""

import time

from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.http import Http404

from .models import Region, ancestor_codes, is_valid_code, normalise_name


def provinces():
    return Region.objects.filter(level=1, retired=False).only(
        "code", "name", "kind", "level", "child_count", "village_count"
    )


def region_or_404(code):
    if not is_valid_code(code):
        raise Http404
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise Http404 from exc


def breadcrumbs(region):
    """Ancestors, top first, in one query."""
    return list(Region.objects.filter(code__in=ancestor_codes(region.code)).order_by("level"))


def children(region):
    # Retired wilayah keep their own page but are not listed: child_count leaves them out too.
    return (
        region.children.filter(retired=False)
        .only("code", "name", "kind", "level", "child_count", "village_count", "parent_id")
        .order_by("code")
    )


def search(q, limit=200):
    """Name search tolerant of spacing and case: 'koto tangah' finds 'Koto Tangah' and
    'Kototangah'. Exact names first, then by level (provinsi before desa)."""
    key = normalise_name(q or "")
    if len(key) < 3:
        return []
    # Exact names are ranked in the database: sorting after the LIMIT would drop an exact
    # 'Tapan' (desa) behind 'Tapanuli …' (kabupaten) whenever the partial matches fill it.
    return list(
        Region.objects.filter(Q(search_name__contains=key))
        .annotate(inexact=Case(When(search_name=key, then=Value(0)), default=Value(1)))
        .select_related("parent", "parent__parent")
        .order_by("inexact", "level", "name", "code")[:limit]
    )


# --- rows kept in the process ---------------------------------------------------------------

#: Fields of a cached row: enough for `Region.label` and the wilayah chain of a page.
CACHED_FIELDS = ("code", "name", "kind", "level")
_rows = {}  # code -> (expires at, Region or None)
_MAX_ROWS = 100_000  # all of Indonesia is ~92,000 wilayah


def cached_rows(codes):
    """{code: Region} for `codes` (no ancestors added), kept in the process for
    settings.REGION_CACHE_SECONDS.

    Wilayah change only when `simpul regions load` runs (a few times a year), and it clears
    this cache in its own process; other processes see a renamed wilayah within
    REGION_CACHE_SECONDS. Public pages that name a wilayah (an article, a card) need no query
    for it when it was looked up recently. 0 turns the cache off (the test suite does, so a
    test's own wilayah are always read from the database)."""
    ttl = settings.REGION_CACHE_SECONDS
    codes = {c for c in codes if c}
    if not ttl:
        return {r.code: r for r in Region.objects.filter(code__in=codes).only(*CACHED_FIELDS)}
    now = time.monotonic()
    found, missing = {}, []
    for code in codes:
        hit = _rows.get(code)
        if hit is None or hit[0] < now:
            missing.append(code)
        elif hit[1] is not None:
            found[code] = hit[1]
    if missing:
        rows = {r.code: r for r in Region.objects.filter(code__in=missing).only(*CACHED_FIELDS)}
        if len(_rows) + len(missing) > _MAX_ROWS:
            _rows.clear()
        for code in missing:
            _rows[code] = (now + ttl, rows.get(code))
        found.update(rows)
    return found


def clear_cached_rows():
    _rows.clear()
