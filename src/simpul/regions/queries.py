"""Reads of the wilayah table. Region pages are public: no actor is needed."""

from django.db.models import Q
from django.http import Http404

from .models import Region, ancestor_codes, is_valid_code, normalise_name


def provinces():
    return Region.objects.filter(level=1).only(
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
    return region.children.only(
        "code", "name", "kind", "level", "child_count", "village_count", "parent_id"
    ).order_by("code")


def search(q, limit=200):
    """Name search tolerant of spacing and case: 'koto tangah' finds 'Koto Tangah' and
    'Kototangah'. Exact names first, then by level (provinsi before desa)."""
    key = normalise_name(q or "")
    if len(key) < 3:
        return []
    rows = (
        Region.objects.filter(Q(search_name__contains=key))
        .select_related("parent", "parent__parent")
        .order_by("level", "name", "code")[: limit + 1]
    )
    rows = list(rows)
    rows.sort(key=lambda r: (r.search_name != key, r.level, r.name))
    return rows[:limit]
