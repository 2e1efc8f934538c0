from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from simpul.newsroom import queries as warta_queries
from simpul.registry import queries as kim_queries
from simpul.web.pagecache import public_page

from . import queries
from .models import normalise_name


@require_safe
@public_page()
def index(request):
    return render(request, "regions/index.html", {"provinces": queries.provinces()})


@require_safe
@public_page()
def detail(request, code):
    region = queries.region_or_404(code)
    children = list(queries.children(region)) if region.level < 4 else []
    # Public KIM under the region and under each child: one aggregate query.
    kim_total, kim_by_child = kim_queries.public_kim_counts(region)
    for child in children:
        child.kim_count = kim_by_child.get(child.code, 0)
    context = {
        "region": region,
        "crumbs": queries.breadcrumbs(region),
        "children": children,
        "kim_total": kim_total,
        "news": warta_queries.region_latest(region.code),
    }
    return render(request, "regions/detail.html", context)


SEARCH_LIMIT = 200


@require_safe
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = queries.search(q, limit=SEARCH_LIMIT + 1) if q else []
    capped = len(results) > SEARCH_LIMIT
    page = Paginator(results[:SEARCH_LIMIT], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "regions/search.html",
        # The same rule as queries.search: 3 letters or digits, punctuation does not count.
        {
            "q": q,
            "page": page,
            "capped": capped,
            "limit": SEARCH_LIMIT,
            "too_short": bool(q) and len(normalise_name(q)) < 3,
        },
    )
