"""The back office for the KIM registry (/kelola/kim/).

Small views, one form each: parse, look the KIM up through the actor (404 outside scope),
call one service, redirect with a message. A form with errors re-renders the page it
belongs to. Every write is in services.py, which checks scope again.
"""

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from simpul.accounts import scope
from simpul.accounts.models import mask_phone
from simpul.accounts.roles import KIM_EDIT, KIM_REGISTER, KIM_VERIFY, KIM_VIEW, KIM_VIEW_PRIVATE
from simpul.regions.models import Region

from . import kelola_queries as queries
from . import rules, services
from .forms import (
    ChannelForm,
    DecreeForm,
    HandOverForm,
    KimFilterForm,
    KimForm,
    LogoForm,
    MemberEndForm,
    MemberForm,
    RejectForm,
    RequestChangesForm,
    StatusForm,
    VerifyForm,
    apply_errors,
    strip_label,
)
from .models import Kim

ACTION_LABELS = {
    "registry.kim.created": gettext_lazy("Didaftarkan oleh kantor pembina"),
    "registry.kim.self_registered": gettext_lazy("Mendaftar sendiri"),
    "registry.kim.email_verified": gettext_lazy("E-mail ketua dikonfirmasi"),
    "registry.kim.verified": gettext_lazy("Diverifikasi"),
    "registry.kim.changes_requested": gettext_lazy("Diminta perbaikan"),
    "registry.kim.resubmitted": gettext_lazy("Pengajuan dikirim ulang"),
    "registry.kim.rejected": gettext_lazy("Ditolak"),
    "registry.kim.status_set": gettext_lazy("Status diubah"),
    "registry.kim.status_computed": gettext_lazy("Status dihitung dari kegiatan"),
    "registry.kim.updated": gettext_lazy("Profil diubah"),
    "registry.kim.logo_set": gettext_lazy("Logo diganti"),
    "registry.kim.ketua_handed_over": gettext_lazy("Ketua diserahterimakan"),
    "registry.decree.added": gettext_lazy("SK ditambahkan"),
    "registry.decree.reminder_sent": gettext_lazy("Pengingat SK dikirim"),
    "registry.member.added": gettext_lazy("Anggota ditambahkan"),
    "registry.member.updated": gettext_lazy("Data anggota diubah"),
    "registry.channel.saved": gettext_lazy("Saluran media disimpan"),
    "registry.channel.deleted": gettext_lazy("Saluran media dihapus"),
}
STATUS_LABELS = dict(Kim.Status.choices)


def _detail(kim):
    return redirect("kelola:kim-detail", slug=kim.slug)


def _attach_regions(*groups):
    kims = [k for group in groups for k in group]
    regions = queries.regions_for(kims)
    for k in kims:
        k.region = regions.get(k.region_code)


# --- list and create ---------------------------------------------------------------


@login_required
@require_safe
def kim_list(request):
    actor = request.user
    scope.require(actor, KIM_VIEW)
    form = KimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.kim_list(
        actor,
        wilayah=filters.get("wilayah", ""),
        status=filters.get("status", ""),
        legality=filters.get("legalitas", ""),
        q=(filters.get("q") or "").strip(),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    pending = list(queries.pending_for(actor)[:50])
    _attach_regions(page.object_list, pending)
    query = request.GET.copy()
    query.pop("page", None)
    can_register = scope.has_capability(actor, KIM_REGISTER)
    context = {
        "form": form,
        "page": page,
        "pending": pending,
        "query": query.urlencode(),
        "can_register": can_register,
        "wilayah": filters.get("wilayah", ""),
    }
    return render(request, "registry/kelola/list.html", context)


@login_required
@never_cache
def kim_create(request):
    actor = request.user
    scope.require(actor, KIM_REGISTER)
    form = KimForm(request.POST or None, actor=actor, region_capability=KIM_REGISTER)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            kim = services.kim_create(
                actor=actor,
                region_code=d["region_code"],
                sectors=list(d["sectors"]),
                **form.profile_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(kim)s sudah terdaftar dan aktif.") % {"kim": kim.name})
            return _detail(kim)
    return render(
        request,
        "registry/kelola/kim_form.html",
        {"form": form, "title": _("Daftarkan KIM"), "submit": _("Daftarkan")},
    )


# --- the KIM's page -----------------------------------------------------------------


def _event_rows(kim):
    rows = queries.kim_events(kim)
    for e in rows:
        e.label = ACTION_LABELS.get(e.action, e.action)
        data = e.data or {}
        e.note = data.get("note") or data.get("reason") or ""
        if e.action in ("registry.kim.status_set", "registry.kim.status_computed"):
            old, new = data.get("old", ""), data.get("new", "")
            e.change = f"{STATUS_LABELS.get(old, old)} → {STATUS_LABELS.get(new, new)}"
    return rows


def _render_detail(request, kim, **forms):
    actor = request.user
    can_edit = scope.can(actor, KIM_EDIT, kim)
    can_verify = scope.can(actor, KIM_VERIFY, kim)
    can_private = scope.can(actor, KIM_VIEW_PRIVATE, kim)
    members = list(kim.members.select_related("user"))
    for m in members:
        m.shown_phone = m.phone if can_private else mask_phone(m.phone)
    current = [m for m in members if m.is_current]
    former = [m for m in members if not m.is_current]
    region = (
        Region.objects.filter(code=kim.region_code)
        .select_related("parent", "parent__parent")
        .first()
    )
    context = {
        "kim": kim,
        "region": region,
        "sectors": list(kim.sectors.all()),
        "decrees": list(kim.decrees.all()),
        "current_members": current,
        "former_members": former,
        "channels": list(kim.channels.all()),
        "events": _event_rows(kim),
        "warnings": (
            rules.membership_warnings(kim, members=current)
            if kim.status != Kim.Status.DITOLAK
            else []
        ),
        "can_edit": can_edit,
        "can_verify": can_verify,
        "can_private": can_private,
        "is_pending": kim.status == Kim.Status.PENGAJUAN,
        "verify_form": VerifyForm(),
        "changes_form": RequestChangesForm(),
        "reject_form": RejectForm(),
        "status_form": StatusForm(
            initial={
                "status": Kim.Status.AKTIF
                if kim.status == Kim.Status.NONAKTIF
                else Kim.Status.NONAKTIF
            }
        ),
        "logo_form": LogoForm(),
        "hand_over_form": HandOverForm(members=current),
        "open": next(iter(forms), ""),
    }
    context.update(forms)
    return render(request, "registry/kelola/detail.html", context)


@login_required
@require_safe
def kim_detail(request, slug):
    return _render_detail(request, queries.kim_for(request.user, slug))


def _post_action(request, slug, *, capability, form, key, run, success):
    """POST → form → service → redirect; errors re-render the KIM's page with the form open."""
    kim = queries.kim_for(request.user, slug, capability)
    bound = form(request.POST)
    if bound.is_valid():
        try:
            run(kim, bound.cleaned_data)
        except ValidationError as exc:
            apply_errors(bound, exc)
            if set(bound.errors) == {NON_FIELD_ERRORS}:
                # The KIM's state changed (e.g. already verified): say so on its fresh page.
                for message in bound.non_field_errors():
                    messages.error(request, message)
                return _detail(kim)
        else:
            messages.success(request, success % {"kim": kim.name})
            return _detail(kim)
    return _render_detail(request, kim, **{key: bound})


@login_required
@require_POST
def kim_verify(request, slug):
    return _post_action(
        request,
        slug,
        capability=KIM_VERIFY,
        form=VerifyForm,
        key="verify_form",
        run=lambda kim, d: services.kim_verify(actor=request.user, kim=kim, note=d["note"]),
        success=_("%(kim)s sudah diverifikasi dan aktif. Pengurusnya diberi tahu lewat e-mail."),
    )


@login_required
@require_POST
def kim_request_changes(request, slug):
    return _post_action(
        request,
        slug,
        capability=KIM_VERIFY,
        form=RequestChangesForm,
        key="changes_form",
        run=lambda kim, d: services.kim_request_changes(
            actor=request.user, kim=kim, note=d["note"]
        ),
        success=_("Permintaan perbaikan dikirim ke pengurus %(kim)s."),
    )


@login_required
@require_POST
def kim_reject(request, slug):
    return _post_action(
        request,
        slug,
        capability=KIM_VERIFY,
        form=RejectForm,
        key="reject_form",
        run=lambda kim, d: services.kim_reject(actor=request.user, kim=kim, reason=d["reason"]),
        success=_("Pengajuan %(kim)s ditolak. Pengurusnya diberi tahu lewat e-mail."),
    )


@login_required
@require_POST
def kim_set_status(request, slug):
    return _post_action(
        request,
        slug,
        capability=KIM_VERIFY,
        form=StatusForm,
        key="status_form",
        run=lambda kim, d: services.kim_set_status(
            actor=request.user, kim=kim, status=d["status"], note=d["note"]
        ),
        success=_("Status %(kim)s diubah."),
    )


@login_required
@require_POST
def kim_resubmit(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    try:
        services.kim_resubmit(actor=request.user, kim=kim)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Pengajuan dikirim ulang ke pembina."))
    return _detail(kim)


@login_required
@require_POST
def kim_logo(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.kim_logo_set(actor=request.user, kim=kim, upload=form.cleaned_data["logo"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("logo", strip_label(message, str(form.fields["logo"].label)))
        else:
            messages.success(request, _("Logo disimpan."))
            return _detail(kim)
    return _render_detail(request, kim, logo_form=form)


def _file_response(field, filename):
    """A stored file as a download, never rendered inline by the browser."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def kim_logo_file(request, slug):
    kim = queries.kim_for(request.user, slug)
    if not kim.logo:
        raise Http404
    return _file_response(kim.logo, f"logo-{kim.slug}.webp")


@login_required
@never_cache
def kim_edit(request, slug):
    actor = request.user
    kim = queries.kim_for(actor, slug, KIM_EDIT)
    # Moving a KIM to another wilayah is the pembina's decision (services.kim_update).
    region_capability = KIM_VERIFY if scope.can(actor, KIM_VERIFY, kim) else None
    form = KimForm(
        request.POST or None,
        actor=actor,
        region_capability=region_capability,
        initial=KimForm.initial_for(kim),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            changed = services.kim_update(
                actor=actor,
                kim=kim,
                sectors=list(d["sectors"]),
                region_code=d.get("region_code"),
                **form.profile_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Profil disimpan.") if changed else _("Tidak ada yang berubah.")
            )
            return _detail(kim)
    return render(
        request,
        "registry/kelola/kim_form.html",
        {"form": form, "kim": kim, "title": _("Ubah profil KIM"), "submit": _("Simpan")},
    )


# --- SK --------------------------------------------------------------------------------


@login_required
@never_cache
def decree_add(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    form = DecreeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decree_add(
                actor=request.user,
                kim=kim,
                number=d["number"],
                issued_on=d["issued_on"],
                signatory_office=d["signatory_office"],
                signatory_name=d["signatory_name"],
                term_ends_on=d["term_ends_on"],
                scan=d["scan"] or None,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
            else:  # upload checks: size and real type of the scan
                for message in exc.messages:
                    form.add_error("scan", strip_label(message, str(form.fields["scan"].label)))
        else:
            messages.success(request, _("SK %(number)s disimpan.") % {"number": d["number"]})
            return _detail(kim)
    return render(
        request,
        "registry/kelola/form.html",
        {
            "form": form,
            "kim": kim,
            "title": _("Tambah SK"),
            "submit": _("Simpan SK"),
            "multipart": True,
        },
    )


@login_required
@require_safe
def decree_file(request, slug, public_id):
    kim = queries.kim_for(request.user, slug)
    decree = queries.decree_for(kim, public_id)
    if not decree.scan:
        raise Http404
    ext = os.path.splitext(decree.scan.name)[1].lower()
    name = slugify(f"sk-{kim.slug}-{decree.number}")[:80] or "sk"
    return _file_response(decree.scan, f"{name}{ext}")


# --- members ---------------------------------------------------------------------------


@login_required
@never_cache
def member_add(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.member_fields()
        try:
            member = services.member_add(actor=request.user, kim=kim, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s ditambahkan.") % {"name": member.full_name})
            return _detail(kim)
    return render(
        request,
        "registry/kelola/form.html",
        {"form": form, "kim": kim, "title": _("Tambah anggota"), "submit": _("Simpan")},
    )


@login_required
@never_cache
def member_edit(request, slug, public_id, end_form=None):
    actor = request.user
    kim = queries.kim_for(actor, slug, KIM_EDIT)
    member = queries.member_for(kim, public_id)
    show_phone = scope.can(actor, KIM_VIEW_PRIVATE, kim)
    initial = MemberForm.initial_for(member, show_phone=show_phone)
    bound = request.method == "POST" and end_form is None
    form = MemberForm(request.POST if bound else None, initial=initial)
    if bound and form.is_valid():
        fields = form.member_fields()
        if not show_phone and not fields["phone"]:
            fields.pop("phone")  # they never saw it: an empty box means "leave it"
        try:
            changed = services.member_update(actor=actor, member=member, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                (_("Data %(name)s disimpan.") if changed else _("Tidak ada yang berubah."))
                % {"name": member.full_name},
            )
            return _detail(kim)
    context = {
        "form": form,
        "kim": kim,
        "member": member,
        "end_form": end_form or MemberEndForm(),
        "title": _("Ubah data anggota"),
        "submit": _("Simpan"),
    }
    return render(request, "registry/kelola/member_form.html", context)


@login_required
@require_POST
def member_end(request, slug, public_id):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    member = queries.member_for(kim, public_id)
    form = MemberEndForm(request.POST)
    if form.is_valid():
        try:
            services.member_end(
                actor=request.user, member=member, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Keanggotaan %(name)s diakhiri.") % {"name": member.full_name}
            )
            return _detail(kim)
    return member_edit(request, slug, public_id, end_form=form)


@login_required
@require_POST
def ketua_hand_over(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    current = [m for m in kim.members.all() if m.is_current]
    form = HandOverForm(request.POST, members=current)
    if form.is_valid():
        member = queries.member_for(kim, form.cleaned_data["to_member"])
        try:
            services.ketua_hand_over(actor=request.user, kim=kim, to_member=member)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s sekarang ketua %(kim)s.") % {"name": member.full_name, "kim": kim.name},
            )
            return _detail(kim)
    return _render_detail(request, kim, hand_over_form=form)


# --- channels ---------------------------------------------------------------------------


@login_required
@never_cache
def channel_add(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_save(actor=request.user, kim=kim, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saluran media disimpan."))
            return _detail(kim)
    return render(
        request,
        "registry/kelola/form.html",
        {"form": form, "kim": kim, "title": _("Tambah saluran media"), "submit": _("Simpan")},
    )


@login_required
@require_POST
def channel_delete(request, slug):
    kim = queries.kim_for(request.user, slug, KIM_EDIT)
    # Channels have no public id; the row is looked up inside this KIM only.
    raw = request.POST.get("channel", "")
    channel = kim.channels.filter(pk=int(raw)).first() if raw.isdigit() else None
    if channel is None:
        raise Http404
    services.channel_delete(actor=request.user, channel=channel)
    messages.success(request, _("Saluran media dihapus."))
    return _detail(kim)
