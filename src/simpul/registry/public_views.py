"""Public KIM pages: directory (/kim/), profile (/kim/<slug>/), coverage (/kim/cakupan/).

Everything here is the same for every visitor (public content is visible by its status),
so the pages are publicly cacheable for five minutes.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from simpul.newsroom import queries as warta_queries
from simpul.regions import queries as region_queries
from simpul.regions.models import is_valid_code
from simpul.web.filters import WilayahSectorFilter
from simpul.web.pagecache import public_page

from . import coverage as cov
from . import queries, svg
from .models import Kim, full_kim_name

PER_PAGE = 25
DEFAULT_PROVINCE = "13"


class DirectoryFilterForm(WilayahSectorFilter):
    q = forms.CharField(label=gettext_lazy("Nama KIM"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Semua status"))]
        + [(s.value, s.label) for s in Kim.PUBLIC_STATUSES],
    )
    field_order = ["q", "wilayah", "sektor", "status"]

    def __init__(self, data, *, sectors):
        super().__init__(data, sectors=sectors)
        self.fields["q"].widget.attrs.update(type="search", placeholder=_("mis. Tujuh Koto"))


@require_safe
@public_page()
def directory(request):
    form = DirectoryFilterForm(request.GET, sectors=queries.sector_choices())
    valid = form.is_valid()
    filters = {k: v for k, v in form.cleaned_data.items() if v} if valid else {}
    # An invalid filter lists nothing: showing every KIM under a wrong wilayah would mislead.
    kims = (
        queries.directory(
            wilayah=filters.get("wilayah"),
            sector=filters.get("sektor"),
            status=filters.get("status"),
            q=filters.get("q"),
        )
        if valid
        else Kim.objects.none()
    )
    page = Paginator(kims, PER_PAGE).get_page(request.GET.get("page"))
    wilayah_code = filters.get("wilayah")
    rows, regions = queries.directory_rows(page.object_list, extra_codes=[wilayah_code or ""])
    wilayah = regions.get(wilayah_code) if wilayah_code else None
    if wilayah_code and wilayah is None:
        form.add_error(
            "wilayah",
            _("Tidak ada wilayah dengan kode %(code)s. Cari kodenya di halaman Wilayah.")
            % {"code": wilayah_code},
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "wilayah": wilayah,
        "filtered": bool(filters),
        "query": query.urlencode(),
    }
    return render(request, "registry/public/directory.html", context)


@require_safe
@public_page()
def profile(request, slug):
    kim = queries.public_kim_or_404(slug)
    crumbs = queries.breadcrumb_regions(kim.region_code)
    context = {
        "kim": kim,
        "full_name": full_kim_name(kim.name),
        "crumbs": crumbs,
        "place": crumbs[-1] if crumbs else None,
        "sectors": list(kim.sectors.all()),
        "channels": queries.public_channels(kim),
        "officers": queries.public_officers(kim),
        "decree": queries.current_decree(kim),
        "kimid_url": kim.kimid_url if kim.kimid_url.startswith(("https://", "http://")) else "",
        "news": warta_queries.kim_latest(kim),
        "news_url": reverse("warta:list") + f"?kim={kim.slug}",
        "news_feed": reverse("warta:feed-kim", args=[kim.slug]),
    }
    return render(request, "registry/public/profile.html", context)


@require_safe
def logo(request, slug):
    """The logo of a public KIM. Media are not served as a folder (SK scans are private), so
    the one public kind of upload has its own view. Logos are WebP, EXIF-free, <= 400 px."""
    from django.http import FileResponse, Http404

    kim = queries.public_kim_or_404(slug)
    if not kim.logo:
        raise Http404
    try:
        handle = kim.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- coverage ---------------------------------------------------------------


def coverage_context(region, *, include_pending=False, link=None):
    """What both coverage pages (public and back office) render for `region` (level 1-3)."""
    coverage = cov.coverage_for(region, include_pending=include_pending)
    for row in coverage.rows:
        row.url = link(row.region.code) if link and row.region.level < 4 else ""
    context = {"coverage": coverage, "region": region}
    if region.level == 1:
        context["map"] = svg.coverage_map(
            coverage,
            title=_("Peta petak cakupan KIM per kabupaten/kota di %(name)s")
            % {"name": region.name},
        )
        points = cov.kim_points(region)
        context["points"] = len(points)
        context["inset"] = svg.points_inset(
            region.code,
            points,
            title=_("%(n)s titik KIM dengan koordinat di %(name)s (dibulatkan sekitar 2 km)")
            % {"n": len(points), "name": region.name},
        )
        context["legend"] = svg.legend()
    else:
        cov.blank_spots(coverage)
    return context


def public_coverage_link(code):
    return reverse("kim:coverage-region", args=[code])


def _province_or_404(code):
    if not is_valid_code(code) or "." in code:
        raise Http404
    return region_queries.region_or_404(code)


@require_safe
@public_page()
def coverage(request):
    code = request.GET.get("provinsi", DEFAULT_PROVINCE).strip()
    region = _province_or_404(code)
    context = coverage_context(region, link=public_coverage_link)
    context["provinces"] = region_queries.provinces().order_by("code")
    return render(request, "registry/coverage/public.html", context)


@require_safe
@public_page()
def coverage_region(request, code):
    region = region_queries.region_or_404(code)
    if region.level == 1:
        return redirect(f"{reverse('kim:coverage')}?provinsi={region.code}")
    if region.level == 4:
        raise Http404
    context = coverage_context(region, link=public_coverage_link)
    province = reverse("kim:coverage") + "?provinsi="
    context["crumbs"] = [
        {"region": c, "url": province + c.code if c.level == 1 else public_coverage_link(c.code)}
        for c in region_queries.breadcrumbs(region)
    ]
    return render(request, "registry/coverage/public.html", context)
