"""Writes of a KIM's inbox: read, acknowledge ("Sudah diterima") and relays (share taps,
posters, offline relays with an audience estimate). Scope: SIARAN_RELAY at the inbox's KIM."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.roles import SIARAN_RELAY
from simpul.core.uploads import MB, check_upload, clean_image

from .models import Inbox, Relay, RelayChannel

RELAY_PHOTO_MAX_BYTES = 10 * MB
# Relays logged by hand in the inbox form (share taps and posters are logged by their views).
OFFLINE_CHANNELS = (
    RelayChannel.MEETING,
    RelayChannel.WORSHIP,
    RelayChannel.RADIO,
    RelayChannel.DOOR,
    RelayChannel.OTHER,
)


def _err(field, message):
    return ValidationError({field: [message]})


def _require_inbox(actor, inbox):
    if not scope.can(actor, SIARAN_RELAY, kim_id=inbox.kim_id):
        raise Http404


def inbox_mark_read(*, actor, inbox):
    """The first time someone of the KIM opens it. Idempotent."""
    _require_inbox(actor, inbox)
    if inbox.read_at is not None:
        return inbox
    now = timezone.now()
    if Inbox.objects.filter(pk=inbox.pk, read_at__isnull=True).update(read_at=now):
        inbox.read_at = now
    return inbox


@transaction.atomic
def inbox_acknowledge(*, actor, inbox):
    """ "Sudah diterima": the KIM confirms it received the siaran (also marks it read)."""
    _require_inbox(actor, inbox)
    now = timezone.now()
    if inbox.acknowledged_at is not None:
        return inbox
    Inbox.objects.filter(pk=inbox.pk, read_at__isnull=True).update(read_at=now)
    Inbox.objects.filter(pk=inbox.pk, acknowledged_at__isnull=True).update(acknowledged_at=now)
    inbox.read_at = inbox.read_at or now
    inbox.acknowledged_at = now
    audit.record(
        actor=actor,
        action="broadcasts.inbox.acknowledged",
        obj=inbox.siaran,
        object_type="siaran",
        object_id=inbox.siaran.public_id,
        region_code=inbox.region_code,
        kim_id=inbox.kim_id,
    )
    return inbox


@transaction.atomic
def relay_log(*, actor, inbox, channel, audience=None, note="", relayed_on=None, photo=None):
    """The KIM passed the siaran on: by a share button, a poster, or offline (a meeting, the
    mosque, radio, door to door) with an audience estimate and an optional photo."""
    _require_inbox(actor, inbox)
    if channel not in RelayChannel.values:
        raise _err("channel", _("Cara penyebaran tidak dikenal."))
    if audience is not None:
        audience = int(audience)
        if audience < 0 or audience > 10_000_000:
            raise _err("audience", _("Perkiraan jumlah orang tidak masuk akal."))
    relayed_on = relayed_on or timezone.localdate()
    if relayed_on > timezone.localdate():
        raise _err("relayed_on", _("Tanggal tidak boleh di masa depan."))
    if inbox.delivered_at and relayed_on < timezone.localdate(inbox.delivered_at):
        raise _err("relayed_on", _("Tanggal tidak boleh sebelum siaran diterima."))
    relay = Relay(
        siaran_id=inbox.siaran_id,
        kim_id=inbox.kim_id,
        region_code=inbox.region_code,
        channel=channel,
        audience=audience,
        note=(note or "").strip()[:500],
        relayed_on=relayed_on,
        logged_by=actor,
    )
    if photo is not None:
        try:
            check_upload(
                photo,
                kinds=("jpeg", "png", "webp"),
                max_bytes=RELAY_PHOTO_MAX_BYTES,
                field_label=_("Foto"),
            )
            cleaned, _w, _h = clean_image(photo, field_label=_("Foto"))
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc
        relay.photo.save(cleaned.name, cleaned, save=False)
    relay.save()
    _inbox_read(inbox)
    audit.record(
        actor=actor,
        action="broadcasts.relay.logged",
        obj=relay,
        object_type="relay",
        object_id=relay.public_id,
        region_code=relay.region_code,
        kim_id=relay.kim_id,
        data={"channel": channel, "audience": audience},
    )
    return relay


def _inbox_read(inbox):
    if inbox.read_at is None:
        now = timezone.now()
        Inbox.objects.filter(pk=inbox.pk, read_at__isnull=True).update(read_at=now)
        inbox.read_at = now


def share_relay(*, actor, inbox, channel, audience=None):
    """A tap on a share button: one Relay per KIM, channel and day (taps repeat)."""
    _require_inbox(actor, inbox)
    today = timezone.localdate()
    existing = Relay.objects.filter(
        siaran_id=inbox.siaran_id, kim_id=inbox.kim_id, channel=channel, relayed_on=today
    ).first()
    if existing is not None:
        return existing
    return relay_log(actor=actor, inbox=inbox, channel=channel, audience=audience)
