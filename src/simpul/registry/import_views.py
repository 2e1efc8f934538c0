"""KIM import and export pages under /kelola/kim/impor/. Thin: the work is in imports.py
and exports.py. Import needs KIM_REGISTER, export KIM_VIEW; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from simpul.accounts import scope
from simpul.accounts.roles import KIM_REGISTER, KIM_VIEW
from simpul.core.spreadsheets import Limits, format_size
from simpul.regions.models import Region, is_valid_code

from . import exports, imports
from .models import Kim

FORM_FIELD = "berkas"
SHOWN_ISSUES = 500
SHOWN_ROWS = 300
# Room for the multipart envelope and the CSRF token around the file itself.
ENVELOPE = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """Stops storing an upload as soon as it passes the limit (the rest is skipped)."""

    def __init__(self, request, max_bytes):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size = start + len(raw_data)
        if self.size > self.max_bytes:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def _require_register(user):
    if not scope.has_capability(user, KIM_REGISTER):
        raise Http404


def _start_context(user, limits):
    prefixes = scope.region_prefixes(user, KIM_REGISTER)
    return {
        "max_size": format_size(limits.max_bytes),
        "columns": imports.COLUMNS,
        "everywhere": "" in prefixes,
        "regions": Region.objects.filter(code__in=prefixes).order_by("code"),
    }


@login_required
@csrf_exempt  # checked by _upload (csrf_protect) once the upload handlers are in place
def start(request):
    _require_register(request.user)
    limits = Limits.from_settings()
    if request.method == "POST":
        return _upload(request, limits)
    return render(request, "registry/import/start.html", _start_context(request.user, limits))


@csrf_protect
def _upload(request, limits):
    # Refuse an oversized body before reading it; the handler covers chunked uploads.
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    handler = LimitedUploadHandler(request, limits.max_bytes)
    too_big = length > limits.max_bytes + ENVELOPE
    if not too_big:
        request.upload_handlers.insert(0, handler)
        upload = request.FILES.get(FORM_FIELD)
        too_big = handler.exceeded
    if too_big:
        return _error(request, limits, imports.too_big_message(None, limits), status=413)
    if upload is None:
        return _error(request, limits, _("Pilih berkas XLSX atau CSV untuk diunggah."))
    report, token = imports.check_upload(upload, actor=request.user, limits=limits)
    return render(
        request,
        "registry/import/report.html",
        _report_context(request.user, limits, report, token),
    )


def _error(request, limits, message, status=400):
    context = _start_context(request.user, limits) | {"upload_error": message}
    return render(request, "registry/import/start.html", context, status=status)


def _report_context(user, limits, report, token):
    issues = report.issues()
    return _start_context(user, limits) | {
        "report": report,
        "counts": report.counts,
        "token": token,
        "issues": issues[:SHOWN_ISSUES],
        "hidden_issues": max(0, len(issues) - SHOWN_ISSUES),
        "rows": report.rows[:SHOWN_ROWS],
        "hidden_rows": max(0, len(report.rows) - SHOWN_ROWS),
    }


@login_required
@require_POST
def apply(request):
    _require_register(request.user)
    limits = Limits.from_settings()
    try:
        report = imports.apply_upload(request.POST.get("token"), actor=request.user, limits=limits)
    except imports.UploadExpired:
        messages.warning(
            request,
            _("Impor ini sudah diterapkan atau kedaluwarsa. Unggah berkasnya lagi bila perlu."),
        )
        return redirect("kelola:kim_import:start")
    if not report.applied:
        context = _report_context(request.user, limits, report, None)
        return render(request, "registry/import/report.html", context, status=409)
    counts = report.counts
    messages.success(
        request,
        _("Impor diterapkan: %(new)s KIM baru, %(updated)s diubah, %(unchanged)s tetap.") % counts,
    )
    return redirect("kelola:kim_import:start")


@login_required
@require_safe
def template(request, fmt):
    _require_register(request.user)
    return _download(*exports.template_file(fmt))


@login_required
@require_safe
def export(request, fmt):
    if not scope.has_capability(request.user, KIM_VIEW):
        raise Http404
    queryset = scope.scope_filter(request.user, Kim.objects.all(), KIM_VIEW, kim_field="pk")
    prefix = request.GET.get("wilayah", "").strip()
    if prefix:
        if not is_valid_code(prefix):
            raise Http404
        queryset = queryset.filter(scope.region_q([prefix]))
    return _download(*exports.export_kims(queryset, fmt))


def _download(data, content_type, filename):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
