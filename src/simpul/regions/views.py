from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import queries


@require_safe
@cache_control(public=True, max_age=300)
def index(request):
    return render(request, "regions/index.html", {"provinces": queries.provinces()})


@require_safe
@cache_control(public=True, max_age=300)
def detail(request, code):
    region = queries.region_or_404(code)
    context = {
        "region": region,
        "crumbs": queries.breadcrumbs(region),
        "children": queries.children(region),
    }
    return render(request, "regions/detail.html", context)


@require_safe
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = queries.search(q) if q else []
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "regions/search.html",
        {"q": q, "page": page, "too_short": bool(q) and len(q.replace(" ", "")) < 3},
    )
