"""Writes of Siaran: an office composes, sends (or schedules, or asks for approval) and
cancels; a KIM reads, acknowledges and relays. Each is one atomic, audited action that takes
the actor and checks scope itself, so views and the API share it (outside scope = 404).

Status flow: draft -> [pending_approval ->] scheduled | sending -> sent; cancelled from any
state before sent. Sending enqueues `tasks.send_siaran` after commit; that task fans out
(`fanout.fan_out`: inboxes and dispatches) and marks the siaran sent.
"""

import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import Office, RoleAssignment
from simpul.accounts.roles import (
    CAPABILITIES,
    OFFICE_MANAGE,
    SIARAN_APPROVE,
    SIARAN_SEND,
)
from simpul.core.uploads import MB, check_upload, clean_image
from simpul.newsroom import markup
from simpul.regions.models import Region, is_valid_code
from simpul.registry.models import Kim, Sector

from .channels import ConfigError, adapter_class
from .models import (
    SHORT_TEXT_MAX,
    Attachment,
    Channel,
    OfficePolicy,
    Siaran,
)

ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENT_KINDS = ("pdf", "jpeg", "png", "webp")
ATTACHMENTS_PER_SIARAN = 10
TARGET_KIM_STATUSES = (Kim.Status.AKTIF, Kim.Status.KURANG_AKTIF, Kim.Status.VAKUM)
EDITABLE = (Siaran.Status.DRAFT, Siaran.Status.PENDING_APPROVAL, Siaran.Status.SCHEDULED)
CANCELLABLE = EDITABLE + (Siaran.Status.SENDING,)
SIARAN_FIELDS = (
    "title",
    "body",
    "short_text",
    "priority",
    "target_regions",
    "sector_ids",
    "kim_statuses",
    "channels",
    "send_at",
    "is_public",
)


def _err(field, message):
    return ValidationError({field: [message]})


def _record(actor, action, siaran, **data):
    audit.record(
        actor=actor,
        action=action,
        obj=siaran,
        object_type="siaran",
        object_id=siaran.public_id,
        region_code=siaran.region_code,
        data=data,
    )


# --- checks ---------------------------------------------------------------------------


def clean_target_regions(actor, codes, *, field="target_regions"):
    """Wilayah codes, each existing and inside the actor's SIARAN_SEND scope; duplicates and
    codes already covered by another chosen code are dropped. Returns a sorted list."""
    codes = [(c or "").strip() for c in codes or () if c is not None]
    if "" in codes:  # the whole country: only for whoever holds SIARAN_SEND nationally
        if not scope.can(actor, SIARAN_SEND, region_code=""):
            raise _err(field, _("Hanya petugas nasional yang dapat menyasar seluruh Indonesia."))
        return [""]
    if not codes:
        raise _err(field, _("Pilih paling sedikit satu wilayah sasaran."))
    for code in codes:
        if not is_valid_code(code):
            raise _err(
                field,
                _("Kode wilayah “%(code)s” tidak valid, mis. 13.07 atau 13.07.07.2002.")
                % {"code": code},
            )
    known = set(Region.objects.filter(code__in=codes, retired=False).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            raise _err(field, _("Wilayah dengan kode %(code)s tidak ada.") % {"code": code})
        if not scope.can(actor, SIARAN_SEND, region_code=code):
            raise _err(
                field,
                _("Wilayah %(code)s di luar wilayah tanggung jawab Anda.") % {"code": code},
            )
    kept = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(scope.code_in(code, k) for k in kept):
            kept.append(code)
    return sorted(kept)


def _clean_fields(actor, fields):
    out = dict(fields)
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            raise _err("title", _("Judul wajib diisi."))
        if len(out["title"]) > 200:
            raise _err("title", _("Judul paling panjang 200 karakter."))
    if "body" in out:
        out["body"] = out["body"] or ""
        if not out["body"].strip():
            raise _err("body", _("Isi wajib diisi."))
    if "short_text" in out:
        out["short_text"] = " ".join((out["short_text"] or "").split())
        if not out["short_text"]:
            raise _err("short_text", _("Teks singkat wajib diisi (dipakai untuk SMS)."))
        if len(out["short_text"]) > SHORT_TEXT_MAX:
            raise _err(
                "short_text",
                _("Teks singkat paling panjang %(max)d karakter; sekarang %(n)d.")
                % {"max": SHORT_TEXT_MAX, "n": len(out["short_text"])},
            )
    if "priority" in out and out["priority"] not in Siaran.Priority.values:
        raise _err("priority", _("Prioritas tidak dikenal."))
    if "target_regions" in out:
        out["target_regions"] = clean_target_regions(actor, out["target_regions"])
    if "kim_statuses" in out:
        statuses = sorted(set(out["kim_statuses"] or ()))
        if any(s not in TARGET_KIM_STATUSES for s in statuses):
            raise _err("kim_statuses", _("Status KIM sasaran hanya aktif, kurang aktif, vakum."))
        out["kim_statuses"] = statuses
    if "channels" in out:
        channels = sorted(set(out["channels"] or ()))
        if any(c not in Channel.values for c in channels):
            raise _err("channels", _("Kanal tidak dikenal."))
        out["channels"] = channels
    if "sector_ids" in out:
        ids = sorted({int(i) for i in out["sector_ids"] or ()})
        if Sector.objects.filter(pk__in=ids).count() != len(ids):
            raise _err("sector_ids", _("Sektor tidak dikenal."))
        out["sector_ids"] = ids
    if out.get("send_at") is not None and timezone.is_naive(out["send_at"]):
        out["send_at"] = timezone.make_aware(out["send_at"])
    return out


def sender_office(actor):
    """The office an actor sends siaran for: their SIARAN_SEND assignment with an office
    (the widest one if several). None if they hold the role without an office."""
    roles = [r for r, caps in CAPABILITIES.items() if SIARAN_SEND in caps]
    rows = (
        RoleAssignment.objects.active()
        .filter(user=actor, role__in=roles, office__isnull=False)
        .select_related("office")
    )
    offices = sorted((r.office for r in rows), key=lambda o: (len(o.region_code), o.pk))
    return offices[0] if offices else None


def _unique_slug(title):
    base = slugify(title)[:80].strip("-") or "siaran"
    slug = base
    while Siaran.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _render_body(siaran):
    siaran.body_html, _text = markup.render(siaran.body)


# --- compose ----------------------------------------------------------------------------


@transaction.atomic
def siaran_create(
    *,
    actor,
    office=None,
    title,
    body,
    short_text,
    priority=Siaran.Priority.BIASA,
    target_regions,
    sector_ids=(),
    kim_statuses=(),
    channels=(),
    send_at=None,
    is_public=True,
):
    """A draft siaran of the actor's office. Targets must lie inside the actor's scope."""
    scope.require(actor, SIARAN_SEND)
    office = office or sender_office(actor)
    if office is not None:
        if not isinstance(office, Office) or not scope.can(
            actor, SIARAN_SEND, region_code=office.region_code
        ):
            raise Http404
        region_code = office.region_code
    else:
        prefixes = scope.region_prefixes(actor, SIARAN_SEND)
        region_code = prefixes[0] if prefixes else None
        if region_code is None:
            raise Http404
    d = _clean_fields(
        actor,
        {
            "title": title,
            "body": body,
            "short_text": short_text,
            "priority": priority,
            "target_regions": target_regions,
            "sector_ids": sector_ids,
            "kim_statuses": kim_statuses,
            "channels": channels,
            "send_at": send_at,
        },
    )
    siaran = Siaran(
        slug=_unique_slug(d["title"]),
        office=office,
        region_code=region_code,
        title=d["title"],
        body=d["body"],
        short_text=d["short_text"],
        priority=d["priority"],
        target_regions=d["target_regions"],
        target_kim_statuses=d["kim_statuses"],
        channels=d["channels"],
        send_at=d["send_at"],
        is_public=bool(is_public),
        created_by=actor,
    )
    _render_body(siaran)
    siaran.save()
    if d["sector_ids"]:
        siaran.target_sectors.set(d["sector_ids"])
    _record(actor, "broadcasts.siaran.created", siaran, targets=siaran.target_regions)
    return siaran


def _lock(siaran):
    return Siaran.objects.select_for_update().get(pk=siaran.pk)


@transaction.atomic
def siaran_update(*, actor, siaran, **fields):
    """Change a siaran not yet sent. An edit after asking for approval or scheduling returns
    it to draft: what is approved must be what goes out."""
    unknown = set(fields) - set(SIARAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    scope.require(actor, SIARAN_SEND, siaran)
    siaran = _lock(siaran)
    if siaran.status not in EDITABLE:
        raise ValidationError(_("Siaran yang sudah dikirim atau dibatalkan tidak bisa diubah."))
    d = _clean_fields(actor, fields)
    changed = []
    mapping = {"kim_statuses": "target_kim_statuses"}
    for key, value in d.items():
        if key == "sector_ids":
            current = sorted(siaran.target_sectors.values_list("pk", flat=True))
            if current != value:
                siaran.target_sectors.set(value)
                changed.append(key)
            continue
        attr = mapping.get(key, key)
        if getattr(siaran, attr) != value:
            setattr(siaran, attr, value)
            changed.append(attr)
    if not changed:
        return siaran
    if "body" in changed:
        _render_body(siaran)
        changed.append("body_html")
    if siaran.status != Siaran.Status.DRAFT:
        siaran.status = Siaran.Status.DRAFT
        siaran.approved_by, siaran.approved_at = None, None
        changed += ["status", "approved_by", "approved_at"]
    db_fields = [f for f in changed if f != "sector_ids"]
    siaran.save(update_fields=[*db_fields, "updated_at"])
    _record(actor, "broadcasts.siaran.updated", siaran, fields=sorted(set(changed)))
    return siaran


@transaction.atomic
def attachment_add(*, actor, siaran, upload):
    """A PDF or image (<= 10 MB); images are re-encoded without metadata."""
    scope.require(actor, SIARAN_SEND, siaran)
    if siaran.status not in EDITABLE:
        raise _err("file", _("Lampiran hanya bisa ditambah sebelum siaran dikirim."))
    if siaran.attachments.count() >= ATTACHMENTS_PER_SIARAN:
        raise _err(
            "file", _("Paling banyak %(n)d lampiran per siaran.") % {"n": ATTACHMENTS_PER_SIARAN}
        )
    label = _("Lampiran")
    try:
        kind = check_upload(
            upload, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES, field_label=label
        )
        name = (upload.name or "lampiran").rsplit("/", 1)[-1][:150]
        if kind != "pdf":
            upload, _w, _h = clean_image(upload, field_label=label)
            name = upload.name
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = Attachment(
        siaran=siaran,
        region_code=siaran.region_code,
        name=name,
        content_type="application/pdf" if kind == "pdf" else "image/webp",
        size=upload.size,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(actor, "broadcasts.attachment.added", siaran, name=name, size=attachment.size)
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment):
    siaran = attachment.siaran
    scope.require(actor, SIARAN_SEND, siaran)
    if siaran.status not in EDITABLE:
        raise ValidationError(_("Lampiran siaran yang sudah dikirim tidak bisa dihapus."))
    name = attachment.name
    file = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.delete(save=False))
    _record(actor, "broadcasts.attachment.removed", siaran, name=name)


@transaction.atomic
def office_policy_set(*, actor, office, requires_approval):
    """Whether siaran of `office` need a second person's approval (OFFICE_MANAGE there)."""
    if not scope.can(actor, OFFICE_MANAGE, region_code=office.region_code):
        raise Http404
    policy, _created = OfficePolicy.objects.get_or_create(
        office=office, defaults={"region_code": office.region_code}
    )
    if policy.requires_approval != bool(requires_approval):
        policy.requires_approval = bool(requires_approval)
        policy.save(update_fields=["requires_approval"])
        audit.record(
            actor=actor,
            action="broadcasts.policy.set",
            obj=office,
            object_type="office",
            object_id=office.public_id,
            region_code=office.region_code,
            data={"requires_approval": policy.requires_approval},
        )
    return policy


# --- send, approve, cancel --------------------------------------------------------------


def requires_approval(siaran):
    if siaran.office_id is None:
        return False
    return OfficePolicy.objects.filter(office_id=siaran.office_id, requires_approval=True).exists()


def _go(actor, siaran, *, now):
    """Approved (or no approval needed): schedule it, or start sending now."""
    if siaran.send_at and siaran.send_at > now:
        siaran.status = Siaran.Status.SCHEDULED
        siaran.save(update_fields=["status", "updated_at"])
        _record(actor, "broadcasts.siaran.scheduled", siaran, send_at=siaran.send_at.isoformat())
        return siaran
    siaran.status = Siaran.Status.SENDING
    siaran.sent_at = now
    siaran.save(update_fields=["status", "sent_at", "updated_at"])
    _record(actor, "broadcasts.siaran.sent", siaran, targets=siaran.target_regions)
    _enqueue_send(siaran.pk)
    return siaran


def _enqueue_send(siaran_id):
    from . import tasks

    transaction.on_commit(lambda: tasks.send_siaran.enqueue(siaran_id))


@transaction.atomic
def siaran_send(*, actor, siaran):
    """Send a draft: to approval if the office requires it, else scheduled or sent now."""
    scope.require(actor, SIARAN_SEND, siaran)
    siaran = _lock(siaran)
    if siaran.status != Siaran.Status.DRAFT:
        raise ValidationError(_("Siaran ini sudah dikirim atau sedang menunggu."))
    # The targets are checked again: the sender's scope may have changed since the draft.
    clean_target_regions(actor, siaran.target_regions)
    now = timezone.now()
    if requires_approval(siaran):
        siaran.status = Siaran.Status.PENDING_APPROVAL
        siaran.save(update_fields=["status", "updated_at"])
        _record(actor, "broadcasts.siaran.approval_requested", siaran)
        return siaran
    return _go(actor, siaran, now=now)


@transaction.atomic
def siaran_approve(*, actor, siaran):
    """A second person with SIARAN_APPROVE in scope (not the author) lets it go out."""
    scope.require(actor, SIARAN_APPROVE, siaran)
    siaran = _lock(siaran)
    if siaran.status != Siaran.Status.PENDING_APPROVAL:
        raise ValidationError(_("Siaran ini tidak sedang menunggu persetujuan."))
    if siaran.created_by_id == actor.pk:
        raise ValidationError(_("Siaran harus disetujui orang lain, bukan penulisnya."))
    now = timezone.now()
    siaran.approved_by, siaran.approved_at = actor, now
    siaran.save(update_fields=["approved_by", "approved_at", "updated_at"])
    _record(actor, "broadcasts.siaran.approved", siaran)
    return _go(actor, siaran, now=now)


@transaction.atomic
def siaran_return(*, actor, siaran, note=""):
    """The approver sends it back to the author as a draft."""
    scope.require(actor, SIARAN_APPROVE, siaran)
    siaran = _lock(siaran)
    if siaran.status != Siaran.Status.PENDING_APPROVAL:
        raise ValidationError(_("Siaran ini tidak sedang menunggu persetujuan."))
    siaran.status = Siaran.Status.DRAFT
    siaran.save(update_fields=["status", "updated_at"])
    _record(actor, "broadcasts.siaran.returned", siaran, note=note[:500])
    return siaran


@transaction.atomic
def siaran_cancel(*, actor, siaran, reason):
    """Stop a siaran before it is fully sent: a scheduled one never goes out; for one being
    sent, queued dispatches are cancelled (delivery.cancel) and no new fan-out starts."""
    scope.require(actor, SIARAN_SEND, siaran)
    reason = (reason or "").strip()
    if not reason:
        raise _err("reason", _("Tulis alasan pembatalan."))
    siaran = _lock(siaran)
    if siaran.status not in CANCELLABLE:
        raise ValidationError(_("Siaran yang sudah terkirim tidak bisa dibatalkan."))
    siaran.status = Siaran.Status.CANCELLED
    siaran.cancelled_at = timezone.now()
    siaran.cancel_reason = reason[:2000]
    siaran.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _record(actor, "broadcasts.siaran.cancelled", siaran, reason=siaran.cancel_reason)
    cancelled = 0
    if siaran.fanned_out_at is not None:
        from . import delivery

        cancelled = delivery.cancel(siaran.pk)
    return cancelled


@transaction.atomic
def mark_sent(siaran_id):
    """After fan-out: the siaran is out (inboxes exist, dispatches queued) and public. The
    audit event also refreshes cached public pages."""
    updated = Siaran.objects.filter(pk=siaran_id, status=Siaran.Status.SENDING).update(
        status=Siaran.Status.SENT, updated_at=timezone.now()
    )
    if updated:
        _record(None, "broadcasts.siaran.published", Siaran.objects.get(pk=siaran_id))
    return updated


def start_due(*, now=None):
    """Scheduled siaran whose time has come start sending; returns their ids."""
    now = now or timezone.now()
    started = []
    due = Siaran.objects.filter(status=Siaran.Status.SCHEDULED, send_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Siaran.objects.filter(pk=pk, status=Siaran.Status.SCHEDULED).update(
                status=Siaran.Status.SENDING, sent_at=now, updated_at=now
            )
            if updated:
                siaran = Siaran.objects.get(pk=pk)
                _record(None, "broadcasts.siaran.sent", siaran, scheduled=True)
                _enqueue_send(pk)
                started.append(pk)
    return started


STUCK_AFTER = timedelta(minutes=10)


def resume_stuck(*, now=None):
    """Siaran left `sending` without a finished fan-out (the process died between commit and
    enqueue, or the task failed for good) are enqueued again; fan-out is idempotent, so a
    slow one that is still running costs only a repeated, empty pass. Returns their ids."""
    now = now or timezone.now()
    stuck = list(
        Siaran.objects.filter(
            status=Siaran.Status.SENDING, fanned_out_at__isnull=True, sent_at__lt=now - STUCK_AFTER
        ).values_list("pk", flat=True)[:100]
    )
    for pk in stuck:
        from . import tasks

        tasks.send_siaran.enqueue(pk)
    return stuck


# The KIM's side (inbox and relays) lives in inbox_services; exported here as one API.
from .inbox_services import (  # noqa: E402
    OFFLINE_CHANNELS,
    inbox_acknowledge,
    inbox_mark_read,
    relay_log,
    share_relay,
)

__all__ = [
    "OFFLINE_CHANNELS",
    "inbox_acknowledge",
    "inbox_mark_read",
    "relay_log",
    "share_relay",
]


# --- providers ----------------------------------------------------------------------------

WEBHOOK_SECRET_BYTES = 32  # Telegram accepts 1-256 characters of A-Z a-z 0-9 _ -


def telegram_webhook_install(*, config, actor=None):
    """Point a province's (or the national) Telegram bot at Simpul's webhook, so /start and
    /stop reach the subscriptions: keeps a random `webhook_secret` in the credentials (made
    if missing), calls the Bot API's setWebhook. Returns (url, error): error "" on success,
    else Telegram's reason. Officials no longer call setWebhook by hand."""
    try:
        credentials = json.loads(config.credentials or "{}")
    except ValueError:
        return "", _(
            "Kredensial Telegram bukan JSON yang sah. Perbaiki di admin Django (Provider "
            'config), mis. {"token": "123456:ABC...", "bot_username": "SiaranSumbarBot"}.'
        )
    if not credentials.get("token"):
        return "", _(
            "Kredensial Telegram belum berisi token bot. Minta token dari @BotFather, lalu "
            'isi "token" di admin Django (Provider config).'
        )
    secret = credentials.get("webhook_secret") or secrets.token_urlsafe(WEBHOOK_SECRET_BYTES)
    if secret != credentials.get("webhook_secret"):
        credentials["webhook_secret"] = secret
        config.credentials = json.dumps(credentials)
        config.save(update_fields=["credentials", "updated_at"])
    url = settings.SITE_URL.rstrip("/") + reverse("langganan:telegram", args=[secret])
    try:
        with adapter_class(Channel.TELEGRAM)(config) as adapter:
            error = adapter.set_webhook(url, secret)
    except ConfigError as exc:
        error = str(exc)
    audit.record(
        actor=actor,
        action="broadcasts.provider.telegram_webhook",
        obj=config,
        data={"ok": not error, "error": error[:200]},
    )
    return url, error
