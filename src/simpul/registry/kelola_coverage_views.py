"""Back-office coverage (/kelola/cakupan/): the public numbers plus pengajuan, for the
official's own wilayah, with CSV and XLSX export. Login and 2FA come from the middleware;
anything outside the official's scope is 404, the same as a wilayah that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from simpul.accounts import scope
from simpul.accounts.roles import KIM_VIEW
from simpul.core.spreadsheets import CONTENT_TYPES
from simpul.regions import queries as region_queries
from simpul.regions.models import Region, is_valid_code

from . import coverage as cov
from .public_views import DEFAULT_PROVINCE, coverage_context


def kelola_link(code):
    return reverse("kelola:coverage:region", args=[code])


def _prefixes(user):
    if not scope.has_capability(user, KIM_VIEW):
        raise Http404
    return scope.region_prefixes(user, KIM_VIEW)


def _in_scope(prefixes, code):
    return any(scope.code_in(code, p) for p in prefixes)


def _region_in_scope(user, code):
    """A wilayah of level 1-3 inside the user's KIM_VIEW scope, or 404."""
    prefixes = _prefixes(user)
    if not is_valid_code(code) or code.count(".") > 2 or not _in_scope(prefixes, code):
        raise Http404
    return region_queries.region_or_404(code)


def _choices(prefixes):
    """The wilayah a user can start from: provinces for the whole country, else their own."""
    if prefixes == [""]:
        return list(region_queries.provinces().order_by("code"))
    codes = [p for p in prefixes if p and p.count(".") <= 2]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


@require_safe
@login_required
def index(request):
    prefixes = _prefixes(request.user)
    wanted = (request.GET.get("wilayah") or request.GET.get("provinsi") or "").strip()
    if wanted:
        return redirect(kelola_link(_region_in_scope(request.user, wanted).code))
    choices = _choices(prefixes)
    if not choices:
        raise Http404
    if len(choices) == 1:
        return redirect(kelola_link(choices[0].code))
    return render(
        request,
        "registry/coverage/kelola_choose.html",
        {"choices": choices, "everywhere": prefixes == [""], "default": DEFAULT_PROVINCE},
    )


def _context(user, region):
    context = coverage_context(region, include_pending=True, link=kelola_link)
    prefixes = scope.region_prefixes(user, KIM_VIEW)
    context["crumbs"] = [
        {"region": c, "url": kelola_link(c.code) if _in_scope(prefixes, c.code) else ""}
        for c in region_queries.breadcrumbs(region)
    ]
    return context


@require_safe
@login_required
@cache_control(private=True)
def region(request, code):
    region = _region_in_scope(request.user, code)
    return render(request, "registry/coverage/kelola.html", _context(request.user, region))


def _export_region(request):
    code = request.GET.get("wilayah", "").strip()
    if not code:
        choices = _choices(_prefixes(request.user))
        if len(choices) == 1:
            code = choices[0].code
        elif scope.region_prefixes(request.user, KIM_VIEW) == [""]:
            code = DEFAULT_PROVINCE
        else:
            raise Http404
    region = _region_in_scope(request.user, code)
    coverage = cov.coverage_for(region, include_pending=True)
    if region.level >= 2:
        cov.blank_spots(coverage)
    return coverage


def _attachment(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def export_csv(request):
    coverage = _export_region(request)
    return _attachment(
        cov.to_csv(coverage), CONTENT_TYPES["csv"], cov.export_filename(coverage, "csv")
    )


@require_safe
@login_required
def export_xlsx(request):
    coverage = _export_region(request)
    return _attachment(
        cov.to_xlsx(coverage), CONTENT_TYPES["xlsx"], cov.export_filename(coverage, "xlsx")
    )
