"""The office's siaran pages (/kelola/siaran/): list, compose, one siaran with its actions.

Read with SIARAN_VIEW (prefix of the sender office's wilayah), write with SIARAN_SEND,
approve with SIARAN_APPROVE. Every lookup goes through queries (404 outside scope) and every
write through services, which check scope again.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from simpul.accounts import scope
from simpul.accounts.roles import SIARAN_APPROVE, SIARAN_RELAY, SIARAN_SEND, SIARAN_VIEW
from simpul.registry.models import Kim

from . import queries, services
from .forms import (
    RENAME,
    AttachmentForm,
    CancelForm,
    PolicyForm,
    ReturnForm,
    SiaranForm,
    apply_errors,
    strip_label,
)
from .models import Channel, Siaran

KIM_STATUS = dict(Kim.Status.choices)
CHANNEL = dict(Channel.choices)

STATUS_CLASS = {
    Siaran.Status.DRAFT: "",
    Siaran.Status.PENDING_APPROVAL: "warn",
    Siaran.Status.SCHEDULED: "info",
    Siaran.Status.SENDING: "info",
    Siaran.Status.SENT: "ok",
    Siaran.Status.CANCELLED: "bad",
}


def _detail(siaran):
    return redirect("kelola:siaran:detail", public_id=siaran.public_id)


def file_response(field, filename, content_type=None):
    """A stored file as a download, never rendered inline by the browser."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = content_type or mimetypes.guess_type(field.name)[0]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- list -----------------------------------------------------------------------------


@login_required
@require_safe
def siaran_list(request):
    actor = request.user
    scope.require(actor, SIARAN_VIEW)
    status = request.GET.get("status", "")
    if status not in Siaran.Status.values:
        status = ""
    page = Paginator(queries.siaran_list(actor, status=status), 30).get_page(
        request.GET.get("page")
    )
    pending = []
    if scope.has_capability(actor, SIARAN_APPROVE):
        pending = list(
            scope.scope_filter(
                actor,
                queries.siaran_list(actor, status=Siaran.Status.PENDING_APPROVAL),
                SIARAN_APPROVE,
            ).exclude(created_by=actor)[:20]
        )
    office = services.sender_office(actor) if scope.has_capability(actor, SIARAN_SEND) else None
    policy = queries.policy_for(actor, office)
    for s in page.object_list:
        s.status_class = STATUS_CLASS.get(s.status, "")
    context = {
        "page": page,
        "status": status,
        "statuses": Siaran.Status.choices,
        "pending": pending,
        "can_send": scope.has_capability(actor, SIARAN_SEND),
        "can_relay": bool(scope.kim_ids(actor, SIARAN_RELAY)),
        "office": office,
        "policy": policy,
        "policy_form": PolicyForm(
            initial={"requires_approval": policy.requires_approval if policy else False}
        ),
    }
    return render(request, "broadcasts/kelola/list.html", context)


@login_required
@require_POST
def policy_set(request):
    actor = request.user
    office = services.sender_office(actor)
    if office is None or queries.policy_for(actor, office) is None:
        raise Http404
    form = PolicyForm(request.POST)
    form.is_valid()
    services.office_policy_set(
        actor=actor,
        office=office,
        requires_approval=form.cleaned_data.get("requires_approval", False),
    )
    messages.success(request, _("Pengaturan persetujuan siaran disimpan."))
    return redirect("kelola:siaran:list")


# --- compose ----------------------------------------------------------------------------


def _render_form(request, form, *, siaran=None):
    title = _("Ubah siaran") if siaran else _("Tulis siaran")
    return render(
        request,
        "broadcasts/kelola/form.html",
        {"form": form, "siaran": siaran, "title": title},
    )


@login_required
@never_cache
def siaran_new(request):
    actor = request.user
    scope.require(actor, SIARAN_SEND)
    form = SiaranForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            siaran = services.siaran_create(actor=actor, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc, rename=RENAME)
        else:
            messages.success(request, _("Draf disimpan. Periksa jangkauannya, lalu tekan Kirim."))
            return _detail(siaran)
    return _render_form(request, form)


@login_required
@never_cache
def siaran_edit(request, public_id):
    actor = request.user
    siaran = queries.siaran_for(actor, public_id, SIARAN_SEND)
    if siaran.status not in services.EDITABLE:
        messages.error(request, _("Siaran yang sudah dikirim tidak bisa diubah."))
        return _detail(siaran)
    choices = queries.target_choices(actor)
    form = SiaranForm(
        request.POST or None, actor=actor, initial=SiaranForm.initial_for(siaran, choices)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.siaran_update(actor=actor, siaran=siaran, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc, rename=RENAME)
        else:
            messages.success(request, _("Perubahan disimpan."))
            return _detail(siaran)
    return _render_form(request, form, siaran=siaran)


# --- one siaran -------------------------------------------------------------------------


def _ledger_url(siaran):
    try:
        return reverse("kelola:jangkauan:ledger", kwargs={"public_id": siaran.public_id})
    except NoReverseMatch:  # the reach ledger is not wired in
        return None


def _render_detail(request, siaran, **forms):
    actor = request.user
    can_send = scope.can(actor, SIARAN_SEND, siaran)
    can_approve = (
        scope.can(actor, SIARAN_APPROVE, siaran)
        and siaran.status == Siaran.Status.PENDING_APPROVAL
        and siaran.created_by_id != actor.pk
    )
    codes = siaran.target_regions
    names = queries.region_names(codes)
    context = {
        "siaran": siaran,
        "status_class": STATUS_CLASS.get(siaran.status, ""),
        "targets": [(c, names.get(c, "")) for c in codes],
        "sectors": list(siaran.target_sectors.all()),
        "kim_statuses": [KIM_STATUS.get(v, v) for v in siaran.target_kim_statuses],
        "channels": [CHANNEL.get(v, v) for v in siaran.channels],
        "attachments": list(siaran.attachments.order_by("created_at")),
        "counts": queries.siaran_counts(siaran),
        "preview": queries.preview(siaran) if siaran.status in services.EDITABLE else None,
        "requires_approval": services.requires_approval(siaran),
        "can_send": can_send,
        "can_edit": can_send and siaran.status in services.EDITABLE,
        "can_approve": can_approve,
        "can_cancel": can_send and siaran.status in services.CANCELLABLE,
        "ledger_url": _ledger_url(siaran),
        "attachment_form": AttachmentForm(),
        "cancel_form": CancelForm(),
        "return_form": ReturnForm(),
    }
    context.update(forms)
    return render(request, "broadcasts/kelola/detail.html", context)


@login_required
@require_safe
def siaran_detail(request, public_id):
    return _render_detail(request, queries.siaran_for(request.user, public_id))


def _action(request, public_id, capability, run, success):
    siaran = queries.siaran_for(request.user, public_id, capability)
    try:
        run(siaran)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return _detail(siaran)


@login_required
@require_POST
def siaran_send(request, public_id):
    siaran = queries.siaran_for(request.user, public_id, SIARAN_SEND)
    try:
        siaran = services.siaran_send(actor=request.user, siaran=siaran)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _detail(siaran)
    texts = {
        Siaran.Status.PENDING_APPROVAL: _("Siaran menunggu persetujuan orang kedua."),
        Siaran.Status.SCHEDULED: _("Siaran dijadwalkan."),
    }
    messages.success(request, texts.get(siaran.status, _("Siaran sedang dikirim.")))
    return _detail(siaran)


@login_required
@require_POST
def siaran_approve(request, public_id):
    return _action(
        request,
        public_id,
        SIARAN_APPROVE,
        lambda s: services.siaran_approve(actor=request.user, siaran=s),
        _("Siaran disetujui."),
    )


@login_required
@require_POST
def siaran_return(request, public_id):
    form = ReturnForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return _action(
        request,
        public_id,
        SIARAN_APPROVE,
        lambda s: services.siaran_return(actor=request.user, siaran=s, note=note),
        _("Siaran dikembalikan ke penulisnya sebagai draf."),
    )


@login_required
@require_POST
def siaran_cancel(request, public_id):
    siaran = queries.siaran_for(request.user, public_id, SIARAN_SEND)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.siaran_cancel(
                actor=request.user, siaran=siaran, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
                return _detail(siaran)
        else:
            messages.success(request, _("Siaran dibatalkan."))
            return _detail(siaran)
    return _render_detail(request, siaran, cancel_form=form, open="cancel")


# --- attachments --------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, public_id):
    siaran = queries.siaran_for(request.user, public_id, SIARAN_SEND)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, siaran=siaran, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", strip_label(message, str(form.fields["file"].label)))
        else:
            messages.success(request, _("Lampiran ditambahkan."))
            return _detail(siaran)
    return _render_detail(request, siaran, attachment_form=form)


@login_required
@require_POST
def attachment_remove(request, public_id, attachment_id):
    siaran = queries.siaran_for(request.user, public_id, SIARAN_SEND)
    attachment = queries.attachment_for(request.user, siaran, attachment_id)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Lampiran dihapus."))
    return _detail(siaran)


@login_required
@require_safe
def attachment_file(request, public_id, attachment_id):
    siaran = queries.siaran_for(request.user, public_id)
    attachment = queries.attachment_for(request.user, siaran, attachment_id)
    return file_response(attachment.file, attachment.name, attachment.content_type)
