"""Public search of published articles: /cari/?q=... with wilayah, sector and date filters.

The same for every anonymous visitor, so the page goes through the page cache; a write to
public content (newsroom.*) bumps it.
"""

from django import forms
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from simpul.registry import queries as registry_queries
from simpul.registry.models import Sector, full_kim_name
from simpul.registry.queries import regions_for, wilayah_label
from simpul.web.filters import PublishedBetweenFilter
from simpul.web.pagecache import public_page

from . import search as engine


class SearchForm(PublishedBetweenFilter):
    q = forms.CharField(label=gettext_lazy("Kata kunci"), required=False, max_length=200)
    field_order = ["q", "wilayah", "sektor", "dari", "sampai"]

    def __init__(self, data, *, sectors):
        super().__init__(data, sectors=sectors)
        self.fields["q"].widget.attrs.update(type="search", placeholder=_("mis. panen padi"))


def article_url(slug):
    try:
        return reverse("warta:detail", args=[slug])
    except NoReverseMatch:  # the public article pages are wired by another module
        return f"/berita/{slug}/"


@require_safe
@public_page()
def results(request):
    form = SearchForm(request.GET, sectors=registry_queries.sector_choices())
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    found = None
    if valid and engine.query_words(data.get("q")):
        sector_id = None
        if data.get("sektor"):
            sector_id = Sector.objects.filter(slug=data["sektor"]).values_list("pk", flat=True)
            sector_id = sector_id.first() or 0
        try:
            page = int(request.GET.get("page") or 1)
        except ValueError:
            page = 1
        found = engine.search(
            q=data["q"],
            wilayah=data.get("wilayah") or None,
            sector=sector_id,
            since=data.get("dari"),
            until=data.get("sampai"),
            page=page,
        )
    codes = [h.article.region_code for h in found.hits] if found else []
    regions = regions_for([*codes, data.get("wilayah") or ""])
    rows = [
        {
            "hit": hit,
            "url": article_url(hit.article.slug),
            "kim_name": full_kim_name(hit.article.kim.name),
            "wilayah": wilayah_label(hit.article.region_code, regions),
        }
        for hit in (found.hits if found else [])
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "found": found,
        "rows": rows,
        "wilayah": regions[data["wilayah"]].label if data.get("wilayah") in regions else None,
        "query": query.urlencode(),
    }
    return render(request, "newsroom/search/results.html", context)
