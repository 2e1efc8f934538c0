"""Reads of the wilayah table. Region pages are public: no actor is needed."""

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
