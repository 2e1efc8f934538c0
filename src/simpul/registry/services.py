"""Writes to the KIM registry. Each is one atomic, audited action that takes the actor.

Scope is checked here too (not only in views), so the API and the HTML views share it:
outside the actor's scope is Http404, the same as a KIM that does not exist.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template import loader
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import RoleAssignment, User, normalise_phone
from simpul.accounts.roles import KIM_EDIT, KIM_REGISTER, KIM_VERIFY, Role
from simpul.core.tasks import send_email
from simpul.core.uploads import MB, check_upload, clean_image
from simpul.regions.models import Region, is_valid_code

from . import notify
from .models import (
    Channel,
    Decree,
    EmailVerification,
    Kim,
    Member,
    Sector,
    full_kim_name,
    normalise_kim_name,
)

SK_MAX_BYTES = 10 * MB
LOGO_MAX_BYTES = 5 * MB
KIM_FIELDS = (
    "name",
    "address",
    "latitude",
    "longitude",
    "founded_on",
    "description",
    "kimid_id",
    "kimid_url",
)


def _err(field, message):
    return ValidationError({field: [message]})


def check_region(region_code, field="region_code"):
    """The wilayah a KIM sits in: an existing desa/nagari/kelurahan or kecamatan."""
    if not is_valid_code(region_code or ""):
        raise _err(field, _("Kode wilayah tidak valid, mis. 13.07.07.2002."))
    region = Region.objects.filter(code=region_code, retired=False).first()
    if region is None:
        raise _err(field, _("Wilayah dengan kode ini tidak ada."))
    if region.level < 3:
        raise _err(
            field,
            _("KIM berada di desa/nagari/kelurahan atau kecamatan, bukan di %(kind)s.")
            % {"kind": region.get_kind_display().lower()},
        )
    return region


def unique_slugs(names):
    """Free slugs for new KIM, in order: 'kim-<name>', then -2 .. -5, then a random suffix.
    One query per 500 candidates, so an import of thousands of rows stays cheap."""
    bases = [f"kim-{slugify(normalise_kim_name(n) or n)[:60].strip('-') or 'kim'}" for n in names]
    tries = ("", "-2", "-3", "-4", "-5")
    candidates = sorted({b + t for b in set(bases) for t in tries})
    taken = set()
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        taken.update(Kim.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = next((base + t for t in tries if base + t not in taken), None)
        if slug is None:  # a crowded name: a random suffix, checked one by one (rare)
            slug = f"{base}-{secrets.token_hex(3)}"
            while slug in taken or Kim.objects.filter(slug=slug).exists():
                slug = f"{base}-{secrets.token_hex(3)}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def unique_slug(name):
    return unique_slugs([name])[0]


def _record(actor, action, kim, **data):
    audit.record(
        actor=actor,
        action=action,
        obj=kim,
        object_type="kim",
        object_id=kim.slug,
        region_code=kim.region_code,
        kim_id=kim.pk,
        data=data,
    )


def _coordinates(fields):
    """Floats from forms or JSON become 6-decimal Decimals (about 10 cm), as the column holds."""
    from decimal import Decimal, InvalidOperation

    for key in ("latitude", "longitude"):
        value = fields.get(key)
        if value is not None and value != "":
            try:
                fields[key] = Decimal(str(value)).quantize(Decimal("0.000001"))
            except InvalidOperation as exc:
                raise _err(key, _("Koordinat harus berupa angka, mis. -0.2345.")) from exc
    return fields


def _check_duplicate(name, region_code, *, exclude_pk=None):
    qs = Kim.objects.filter(region_code=region_code, normalised_name=normalise_kim_name(name))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _err("name", _("Sudah ada KIM dengan nama ini di wilayah ini."))


def refresh_denormalised(kim):
    """Keep list columns (legality, member count) in step with SK and member rows."""
    current = kim.decrees.order_by("-issued_on", "-id").first()
    kim.has_sk = current is not None
    kim.legality_ends_on = current.term_ends_on if current else None
    today = timezone.localdate()
    kim.member_count = kim.members.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)).count()
    kim.save(update_fields=["has_sk", "legality_ends_on", "member_count", "updated_at"])


# --- create, register, verify ---------------------------------------------------


@transaction.atomic
def kim_create(*, actor, name, region_code, sectors=(), status=Kim.Status.AKTIF, **fields):
    """A pembina (or admin provinsi) registers a KIM in their scope; it is active at once."""
    region = check_region(region_code)
    scope.require(actor, KIM_REGISTER, region_code=region.code)
    name = full_kim_name(name)
    if not normalise_kim_name(name):
        raise _err("name", _("Nama KIM wajib diisi, mis. KIM Tujuh Koto Talago."))
    _check_duplicate(name, region.code)
    now = timezone.now()
    _coordinates(fields)
    kim = Kim(
        name=name,
        normalised_name=normalise_kim_name(name),
        slug=unique_slug(name),
        region_code=region.code,
        status=status,
        status_changed_at=now,
        verified_at=now if status == Kim.Status.AKTIF else None,
        **{k: v for k, v in fields.items() if k in KIM_FIELDS},
    )
    kim.full_clean(exclude=["slug", "normalised_name"])
    kim.save()
    if sectors:
        kim.sectors.set(sectors)
    _record(actor, "registry.kim.created", kim, status=status)
    return kim


@transaction.atomic
def kim_self_register(
    *,
    name,
    region_code,
    ketua_name,
    ketua_email,
    password,
    ketua_phone="",
    consent_purpose,
    sectors=(),
    site_url="",
):
    """A KIM registers itself: a pengajuan, the ketua's account (e-mail to verify), the ketua
    as first member with recorded consent, and the pengurus role at that KIM."""
    region = check_region(region_code)
    name = full_kim_name(name)
    if not normalise_kim_name(name):
        raise _err("name", _("Nama KIM wajib diisi, mis. KIM Tujuh Koto Talago."))
    _check_duplicate(name, region.code)
    email = ketua_email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _err(
            "ketua_email", _("E-mail ini sudah terdaftar. Masuk dulu, atau pakai e-mail lain.")
        )
    try:
        phone = normalise_phone(ketua_phone) if ketua_phone else ""
    except ValidationError as exc:
        raise _err("ketua_phone", exc.messages[0]) from exc
    user = User(email=email, full_name=ketua_name.strip(), phone=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    kim = Kim.objects.create(
        name=name,
        normalised_name=normalise_kim_name(name),
        slug=unique_slug(name),
        region_code=region.code,
        status=Kim.Status.PENGAJUAN,
        status_changed_at=timezone.now(),
    )
    if sectors:
        kim.sectors.set(sectors)
    Member.objects.create(
        kim=kim,
        region_code=kim.region_code,
        user=user,
        full_name=user.full_name,
        position=Member.Position.KETUA,
        phone=phone,
        consent_on=timezone.localdate(),
        consent_purpose=consent_purpose,
    )
    RoleAssignment.objects.create(user=user, role=Role.PENGURUS, kim=kim)
    refresh_denormalised(kim)
    token = secrets.token_urlsafe(32)
    EmailVerification.objects.create(token=token, user=user, kim=kim)
    _record(user, "registry.kim.self_registered", kim)
    body = loader.render_to_string(
        "registry/email/verify_registration.txt",
        {"user": user, "kim": kim, "link": f"{site_url}/daftar-kim/verifikasi/{token}/"},
    )
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=_("Konfirmasi pendaftaran %(kim)s") % {"kim": kim.name}, body=body, to=[email]
        )
    )
    return kim, user


@transaction.atomic
def registration_confirm(*, token, max_age_days=7):
    """The ketua opens the link: the e-mail is verified and the pengajuan reaches the pembina."""
    row = (
        EmailVerification.objects.select_for_update(of=("self",))
        .select_related("user", "kim")
        .filter(token=token)
        .first()
    )
    if row is None or row.created_at < timezone.now() - timedelta(days=max_age_days):
        return None
    if row.used_at is None:
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        row.user.email_verified_at = row.used_at
        row.user.save(update_fields=["email_verified_at"])
        if row.kim is not None:
            _record(row.user, "registry.kim.email_verified", row.kim)
            notify.pembina(
                row.kim,
                "registry/email/new_registration.txt",
                _("Pengajuan KIM baru: %(kim)s") % {"kim": row.kim.name},
            )
    return row.kim


def pending_visible(kim):
    """A self-registered pengajuan reaches the pembina only after the e-mail is verified."""
    ketua = kim.members.filter(position=Member.Position.KETUA).select_related("user").first()
    return not (ketua and ketua.user and ketua.user.email_verified_at is None)


def _transition(kim, status, note=""):
    kim.status = status
    kim.status_note = note
    kim.status_changed_at = timezone.now()
    fields = ["status", "status_note", "status_changed_at", "updated_at"]
    if status == Kim.Status.AKTIF and kim.verified_at is None:
        kim.verified_at = kim.status_changed_at
        fields.append("verified_at")
    kim.save(update_fields=fields)


@transaction.atomic
def kim_verify(*, actor, kim, note=""):
    scope.require(actor, KIM_VERIFY, kim)
    if kim.status != Kim.Status.PENGAJUAN:
        raise _err("status", _("Hanya pengajuan yang bisa diverifikasi."))
    if not pending_visible(kim):
        raise _err("status", _("Ketua KIM belum mengonfirmasi e-mailnya."))
    _transition(kim, Kim.Status.AKTIF, note)
    _record(actor, "registry.kim.verified", kim, note=note)
    notify.officers(
        kim,
        "registry/email/verified.txt",
        _("%(kim)s sudah diverifikasi") % {"kim": kim.name},
        note=note,
    )
    return kim


@transaction.atomic
def kim_request_changes(*, actor, kim, note):
    scope.require(actor, KIM_VERIFY, kim)
    if kim.status != Kim.Status.PENGAJUAN:
        raise _err("status", _("Hanya pengajuan yang bisa diminta perbaikan."))
    if not note.strip():
        raise _err("note", _("Tulis apa yang perlu diperbaiki."))
    _transition(kim, Kim.Status.PENGAJUAN, note.strip())
    _record(actor, "registry.kim.changes_requested", kim, note=note.strip())
    notify.officers(
        kim,
        "registry/email/changes_requested.txt",
        _("Pengajuan %(kim)s perlu diperbaiki") % {"kim": kim.name},
        note=note,
    )
    return kim


@transaction.atomic
def kim_reject(*, actor, kim, reason):
    scope.require(actor, KIM_VERIFY, kim)
    if kim.status != Kim.Status.PENGAJUAN:
        raise _err("status", _("Hanya pengajuan yang bisa ditolak."))
    if not reason.strip():
        raise _err("reason", _("Alasan penolakan wajib diisi."))
    _transition(kim, Kim.Status.DITOLAK, reason.strip())
    _record(actor, "registry.kim.rejected", kim, reason=reason.strip())
    notify.officers(
        kim,
        "registry/email/rejected.txt",
        _("Pengajuan %(kim)s ditolak") % {"kim": kim.name},
        note=reason,
    )
    return kim


@transaction.atomic
def kim_set_status(*, actor, kim, status, note=""):
    """The pembina sets a KIM nonaktif (or back to aktif); dormancy is computed, not set."""
    scope.require(actor, KIM_VERIFY, kim)
    allowed = {Kim.Status.NONAKTIF, Kim.Status.AKTIF}
    if status not in allowed or kim.status in (Kim.Status.PENGAJUAN, Kim.Status.DITOLAK):
        raise _err("status", _("Status ini tidak bisa dipilih di sini."))
    if status == Kim.Status.NONAKTIF and not note.strip():
        raise _err("note", _("Tulis alasan KIM dinonaktifkan."))
    old = kim.status
    _transition(kim, status, note.strip())
    _record(actor, "registry.kim.status_set", kim, old=old, new=status, note=note.strip())
    return kim


# --- profile ------------------------------------------------------------------


def _require_edit(actor, kim):
    scope.require(actor, KIM_EDIT, kim)


@transaction.atomic
def kim_update(*, actor, kim, sectors=None, region_code=None, **fields):
    _require_edit(actor, kim)
    changed = []
    _coordinates(fields)
    if "name" in fields:
        fields["name"] = full_kim_name(fields["name"])
    if region_code is not None and region_code != kim.region_code:
        # Moving a KIM to another wilayah is a pembina's decision, inside their scope.
        region = check_region(region_code)
        scope.require(actor, KIM_VERIFY, kim)
        scope.require(actor, KIM_VERIFY, region_code=region.code)
        kim.region_code = region.code
        changed.append("region_code")
    for key, value in fields.items():
        if key in KIM_FIELDS and getattr(kim, key) != value:
            setattr(kim, key, value)
            changed.append(key)
    if "name" in changed or "region_code" in changed:
        _check_duplicate(kim.name, kim.region_code, exclude_pk=kim.pk)
        kim.normalised_name = normalise_kim_name(kim.name)
        changed.append("normalised_name")
    if changed:
        kim.full_clean(exclude=["slug"])
        kim.save(update_fields=[*changed, "updated_at"])
        if "region_code" in changed:
            for model in (Channel, Decree, Member):
                model.objects.filter(kim=kim).update(region_code=kim.region_code)
    if sectors is not None:
        before = set(kim.sectors.values_list("pk", flat=True))
        after = {s.pk if isinstance(s, Sector) else s for s in sectors}
        if before != after:
            kim.sectors.set(after)
            changed.append("sectors")
    if changed:
        _record(
            actor,
            "registry.kim.updated",
            kim,
            fields=sorted(c for c in changed if c != "normalised_name"),
        )
    return changed


@transaction.atomic
def kim_resubmit(*, actor, kim):
    """After the pembina asked for changes, the pengurus sends the pengajuan back."""
    _require_edit(actor, kim)
    if kim.status != Kim.Status.PENGAJUAN or not kim.status_note:
        raise _err("status", _("Tidak ada permintaan perbaikan yang perlu dijawab."))
    kim.status_note = ""
    kim.save(update_fields=["status_note", "updated_at"])
    _record(actor, "registry.kim.resubmitted", kim)
    notify.pembina(
        kim,
        "registry/email/new_registration.txt",
        _("Pengajuan KIM diperbaiki: %(kim)s") % {"kim": kim.name},
    )


@transaction.atomic
def kim_logo_set(*, actor, kim, upload):
    _require_edit(actor, kim)
    check_upload(
        upload, kinds=("jpeg", "png", "webp"), max_bytes=LOGO_MAX_BYTES, field_label=_("Logo")
    )
    cleaned, _w, _h = clean_image(upload, max_side=400, field_label=_("Logo"))
    old = kim.logo.name if kim.logo else ""
    kim.logo.save(f"{kim.public_id}.webp", cleaned, save=False)
    kim.save(update_fields=["logo", "updated_at"])
    _record(actor, "registry.kim.logo_set", kim)
    if old:
        storage = kim.logo.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def channel_save(*, actor, kim, kind, handle="", audience=None, last_updated_on=None, channel=None):
    _require_edit(actor, kim)
    if channel is not None and channel.kim_id != kim.pk:
        raise _err("channel", _("Saluran ini bukan milik KIM ini."))
    channel = channel or Channel(kim=kim)
    channel.region_code = kim.region_code
    channel.kind, channel.handle = kind, handle.strip()
    channel.audience, channel.last_updated_on = audience, last_updated_on
    channel.full_clean()
    channel.save()
    _record(actor, "registry.channel.saved", kim, kind=kind)
    return channel


@transaction.atomic
def channel_delete(*, actor, channel):
    _require_edit(actor, channel.kim)
    kind = channel.kind
    channel.delete()
    _record(actor, "registry.channel.deleted", channel.kim, kind=kind)


# --- SK ----------------------------------------------------------------------


@transaction.atomic
def decree_add(
    *, actor, kim, number, issued_on, signatory_office, signatory_name, term_ends_on=None, scan=None
):
    _require_edit(actor, kim)
    if kim.decrees.filter(number=number.strip()).exists():
        raise _err("number", _("SK dengan nomor ini sudah tercatat untuk KIM ini."))
    if scan is not None:
        kind = check_upload(
            scan, kinds=("pdf", "jpeg", "png"), max_bytes=SK_MAX_BYTES, field_label=_("Pindaian SK")
        )
        if kind != "pdf":
            # A photo of the SK: keep it readable but without EXIF (GPS of the house!).
            scan, _w, _h = clean_image(
                scan, max_side=2400, field_label=_("Pindaian SK"), quality=85
            )
    decree = Decree(
        kim=kim,
        region_code=kim.region_code,
        number=number.strip(),
        issued_on=issued_on,
        signatory_office=signatory_office.strip(),
        signatory_name=signatory_name.strip(),
        term_ends_on=term_ends_on,
    )
    decree.full_clean(exclude=["scan"])
    if scan is not None:
        decree.scan.save(scan.name, scan, save=False)
    decree.save()
    refresh_denormalised(kim)
    _record(
        actor,
        "registry.decree.added",
        kim,
        number=decree.number,
        term_ends_on=str(term_ends_on or ""),
    )
    return decree


# --- members -----------------------------------------------------------------


def _sync_member_role(member):
    """A member with an account holds pengurus (officers) or anggota at the KIM."""
    if member.user_id is None:
        return
    wanted = None
    if member.is_current:
        wanted = Role.PENGURUS if member.position in Member.OFFICER_POSITIONS else Role.ANGGOTA
    current = RoleAssignment.objects.active().filter(
        user_id=member.user_id, kim_id=member.kim_id, role__in=[Role.PENGURUS, Role.ANGGOTA]
    )
    current.exclude(role=wanted).update(ends_at=timezone.now())
    if wanted and not current.filter(role=wanted).exists():
        RoleAssignment.objects.create(user_id=member.user_id, role=wanted, kim_id=member.kim_id)
    if member.user is not None:
        scope.forget(member.user)


MEMBER_FIELDS = (
    "full_name",
    "position",
    "started_on",
    "ended_on",
    "phone",
    "consent_on",
    "consent_purpose",
    "listed_publicly",
    "user",
)


@transaction.atomic
def member_add(*, actor, kim, full_name, position=Member.Position.ANGGOTA, **fields):
    _require_edit(actor, kim)
    if fields.get("phone"):
        try:
            fields["phone"] = normalise_phone(fields["phone"])
        except ValidationError as exc:
            raise _err("phone", exc.messages[0]) from exc
    member = Member(
        kim=kim,
        region_code=kim.region_code,
        full_name=full_name.strip(),
        position=position,
        **{k: v for k, v in fields.items() if k in MEMBER_FIELDS},
    )
    member.full_clean()
    member.save()
    _sync_member_role(member)
    refresh_denormalised(kim)
    _record(actor, "registry.member.added", kim, member=member.public_id, position=position)
    return member


@transaction.atomic
def member_update(*, actor, member, **fields):
    kim = member.kim
    _require_edit(actor, kim)
    if fields.get("phone"):
        try:
            fields["phone"] = normalise_phone(fields["phone"])
        except ValidationError as exc:
            raise _err("phone", exc.messages[0]) from exc
    changed = [k for k, v in fields.items() if k in MEMBER_FIELDS and getattr(member, k) != v]
    for key in changed:
        setattr(member, key, fields[key])
    if changed:
        member.full_clean()
        member.save(update_fields=[("user" if k == "user" else k) for k in changed])
        _sync_member_role(member)
        refresh_denormalised(kim)
        # Never the phone itself in the log: only that it changed.
        _record(
            actor, "registry.member.updated", kim, member=member.public_id, fields=sorted(changed)
        )
    return changed


@transaction.atomic
def member_end(*, actor, member, ended_on=None):
    return member_update(actor=actor, member=member, ended_on=ended_on or timezone.localdate())


@transaction.atomic
def ketua_hand_over(*, actor, kim, to_member):
    """The ketua (or the pembina) hands the ketua role to another current member."""
    _require_edit(actor, kim)
    if to_member.kim_id != kim.pk or not to_member.is_current:
        raise _err("to_member", _("Pilih anggota KIM ini yang masih aktif."))
    if to_member.position == Member.Position.KETUA:
        raise _err("to_member", _("Orang ini sudah ketua."))
    old = list(kim.members.filter(position=Member.Position.KETUA, ended_on__isnull=True))
    for m in old:
        m.position = Member.Position.ANGGOTA
        m.save(update_fields=["position"])
        _sync_member_role(m)
    to_member.position = Member.Position.KETUA
    to_member.save(update_fields=["position"])
    _sync_member_role(to_member)
    _record(
        actor,
        "registry.kim.ketua_handed_over",
        kim,
        to=to_member.public_id,
        previous=[m.public_id for m in old],
    )
