"""The reach ledger pages (/kelola/siaran/<id>/jangkauan/): table, map, gap view, export.
Login and 2FA come from the middleware; outside the actor's scope is 404 (ledger.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from simpul.core.spreadsheets import CONTENT_TYPES
from simpul.regions.models import Region

from . import ledger as queries
from . import ledger_export, ledger_svg


def _url(name, siaran, code="", **kwargs):
    url = reverse(f"kelola:jangkauan:{name}", kwargs={"public_id": siaran.public_id, **kwargs})
    return f"{url}?{urlencode({'wilayah': code})}" if code else url


def _ledger(request, public_id):
    siaran = queries.siaran_for(request.user, public_id)
    result = queries.ledger(request.user, siaran, wilayah=request.GET.get("wilayah", ""))
    for row in result.rows:
        if row.region is not None and row.region.level < 4:
            row.url = _url("ledger", siaran, row.code)
    return siaran, result


def _crumbs(request, siaran, result):
    crumbs = []
    if result.whole and result.level == 2:
        # A kab/kota target: its province's ledger is the one with the map.
        province = Region.objects.filter(code=result.root.code[:2]).first()
        if province is not None:
            crumbs.append({"label": province.label, "url": _url("ledger", siaran, province.code)})
    if request.GET.get("wilayah"):  # drilled down: a way back to the ledger's own root
        crumbs.append({"label": _("Semua sasaran"), "url": _url("ledger", siaran)})
    crumbs += [{"label": name, "url": _url("ledger", siaran, code)} for code, name in result.crumbs]
    return crumbs


@require_safe
@login_required
@cache_control(private=True)
def ledger(request, public_id):
    siaran, result = _ledger(request, public_id)
    title = _("Peta jangkauan: persen KIM yang meneruskan, per kabupaten/kota di %(name)s") % {
        "name": result.label
    }
    kims = queries.kim_rows(siaran, result, page=request.GET.get("hal") or 1)
    return render(
        request,
        "broadcasts/ledger/ledger.html",
        {
            "siaran": siaran,
            "ledger": result,
            "kims": kims,
            "map": ledger_svg.ledger_map(result, title=title),
            "legend": ledger_svg.legend(),
            "crumbs": _crumbs(request, siaran, result),
            "here": result.root_code,
            "gap_url": _url("gap", siaran, request.GET.get("wilayah", "")),
            "csv_url": _url("export", siaran, request.GET.get("wilayah", ""), fmt="csv"),
            "xlsx_url": _url("export", siaran, request.GET.get("wilayah", ""), fmt="xlsx"),
        },
    )


@require_safe
@login_required
@cache_control(private=True)
def gap(request, public_id):
    siaran, result = _ledger(request, public_id)
    counts = queries.gap_counts(siaran, result) if result.level < 2 else {}
    rows = [
        {"row": r, "villages": counts.get(r.code, (0, 0))[0], "gap": counts.get(r.code, (0, 0))[1]}
        for r in result.rows
    ]
    return render(
        request,
        "broadcasts/ledger/gap.html",
        {
            "siaran": siaran,
            "ledger": result,
            "rows": rows,
            "villages": queries.gap_villages(siaran, result),
            "crumbs": _crumbs(request, siaran, result),
            "ledger_url": _url("ledger", siaran, request.GET.get("wilayah", "")),
            "gap_base": reverse("kelola:jangkauan:gap", kwargs={"public_id": siaran.public_id}),
        },
    )


@require_safe
@login_required
def export(request, public_id, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _siaran, result = _ledger(request, public_id)
    body = ledger_export.to_csv(result) if fmt == "csv" else ledger_export.to_xlsx(result)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = ledger_export.filename(result, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
