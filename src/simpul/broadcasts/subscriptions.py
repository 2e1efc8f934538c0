"""Citizens subscribe to siaran by wilayah and topic on one channel (writes).

Double opt-in everywhere a stranger could type someone else's address:
- e-mail: a confirmation link is mailed; the subscription is PENDING until it is opened;
- SMS / WhatsApp: the confirmation link goes to the phone by SMS / WhatsApp template;
- Telegram: the person opens the bot with `/start <token>` from their own chat, which is the
  confirmation (the chat id is only known then);
- Web Push: the browser's own permission prompt is the consent, and only that browser holds
  the endpoint, so the subscription is ACTIVE at once.
Submitting an address that is already subscribed changes nothing and says nothing different
(no way to learn who subscribed); a lapsed one gets a new confirmation.

Addresses are encrypted at rest (EncryptedTextField) and found by `address_hash`, an HMAC
keyed with the field-encryption key. Tokens are `secrets.token_urlsafe(32)`: not guessable.
Nothing personal goes into the audit log or the logs.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import normalise_phone
from simpul.accounts.roles import ARTICLE_PUBLISH
from simpul.core.tasks import send_email
from simpul.regions.models import Region
from simpul.registry.models import Sector

from .models import Channel, ProviderConfig, Subscriber

logger = logging.getLogger("simpul.broadcasts.subscriptions")

CONFIRM_DAYS = 7


def new_token():
    return secrets.token_urlsafe(32)


def _hash_key():
    first = (settings.FIELD_ENCRYPTION_KEYS or settings.SECRET_KEY).split(",")[0].strip()
    return hashlib.sha256(b"simpul-subscriber:" + first.encode()).digest()


def normalise_address(channel, address):
    """The canonical form of an address on a channel; raises ValidationError({"address": ...})."""
    raw = (address or "").strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(raw)
        except ValidationError:
            raise ValidationError(
                {"address": _("Alamat e-mail tidak valid, mis. nama@contoh.id.")}
            ) from None
        local, _at, domain = raw.rpartition("@")
        return f"{local}@{domain.lower()}"
    if channel in (Channel.SMS, Channel.WHATSAPP):
        try:
            return normalise_phone(raw)
        except ValidationError as exc:
            raise ValidationError({"address": exc.messages[0]}) from None
    if channel == Channel.TELEGRAM:
        if raw.lstrip("-").isdigit() or (raw.startswith("@") and len(raw) > 5):
            return raw
        raise ValidationError(
            {"address": _("ID obrolan atau kanal Telegram tidak valid, mis. @kimtujuhkoto.")}
        )
    if channel == Channel.WEBPUSH:
        try:
            data = json.loads(raw)
            endpoint = data["endpoint"]
            data["keys"]["p256dh"], data["keys"]["auth"]  # noqa: B018
        except (ValueError, KeyError, TypeError):
            raise ValidationError({"address": _("Langganan notifikasi peramban rusak.")}) from None
        if not str(endpoint).startswith("https://") and not settings.DEBUG and not settings.TESTING:
            raise ValidationError({"address": _("Alamat notifikasi peramban harus https.")})
        return json.dumps(
            {
                "endpoint": endpoint,
                "keys": {"p256dh": data["keys"]["p256dh"], "auth": data["keys"]["auth"]},
            }
        )
    raise ValidationError({"channel": _("Kanal tidak dikenal.")})


def address_hash(channel, address):
    """HMAC of the normalised address (for Web Push: of the endpoint)."""
    if channel == Channel.WEBPUSH:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            address = json.loads(address)["endpoint"]
    message = f"{channel}:{str(address).strip().lower()}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


def config_for(channel, region_code):
    """The enabled ProviderConfig serving a wilayah: its province's, else the national one."""
    province = (region_code or "")[:2]
    rows = {
        c.region_code: c
        for c in ProviderConfig.objects.filter(
            channel=channel, region_code__in=[province, ""], enabled=True
        )
    }
    return rows.get(province) or rows.get("")


def available_channels(region_code):
    """Channels a citizen of this wilayah can choose: e-mail always, others if configured."""
    out = [Channel.EMAIL]
    for ch in (Channel.TELEGRAM, Channel.WHATSAPP, Channel.SMS, Channel.WEBPUSH):
        if config_for(ch, region_code) is not None:
            out.append(ch)
    return out


def _check_region(region_code):
    region = Region.objects.filter(code=region_code, retired=False, level__gte=2).first()
    if region is None:
        raise ValidationError({"region_code": _("Pilih kabupaten/kota yang ada.")})
    return region


def _topics(sector_ids):
    ids = list(Sector.objects.filter(pk__in=list(sector_ids or ())).values_list("pk", flat=True))
    if sector_ids and len(ids) != len(set(sector_ids)):
        raise ValidationError({"topics": _("Topik tidak dikenal.")})
    return ids


def site_url():
    return settings.SITE_URL


def confirm_url(subscriber):
    return site_url() + reverse("langganan:confirm", kwargs={"token": subscriber.token})


def unsubscribe_url(subscriber):
    return site_url() + reverse("langganan:unsubscribe", kwargs={"token": subscriber.token})


def telegram_start_link(subscriber):
    config = config_for(Channel.TELEGRAM, subscriber.region_code)
    bot = json.loads(config.credentials or "{}").get("bot_username", "") if config else ""
    return f"https://t.me/{bot}?start={subscriber.token}" if bot else ""


# --- writes ---------------------------------------------------------------------------


def subscriber_subscribe(
    *, channel, address="", region_code, sector_ids=(), all_topics=True, language="id"
):
    """Start a subscription. Returns the Subscriber (PENDING unless Web Push); the caller
    tells the person to check their e-mail/phone or open the Telegram link."""
    region = _check_region(region_code)
    topics = [] if all_topics else _topics(sector_ids)
    if not all_topics and not topics:
        raise ValidationError({"topics": _("Pilih minimal satu topik, atau semua topik.")})
    if channel not in available_channels(region.code):
        raise ValidationError({"channel": _("Kanal ini belum tersedia di provinsi Anda.")})
    now = timezone.now()
    if channel == Channel.TELEGRAM:
        token = new_token()
        # address_hash holds 64 characters; the chat id is only known at /start.
        fields = {"address": "", "address_hash": "pending:" + _sha(token)[:56]}
    else:
        normal = normalise_address(channel, address)
        fields = {"address": normal, "address_hash": address_hash(channel, normal)}
    active_now = channel == Channel.WEBPUSH
    with transaction.atomic():
        sub = (
            Subscriber.objects.select_for_update()
            .filter(channel=channel, address_hash=fields["address_hash"])
            .first()
        )
        if sub is not None and sub.status == Subscriber.Status.ACTIVE and not active_now:
            # Already subscribed: change nothing (a stranger must not change it) and tell
            # the owner, who can manage it from the link in that message.
            _notify_existing(sub)
            return sub
        if sub is None:
            sub = Subscriber(channel=channel, **fields)
        sub.region_code = region.code
        sub.all_topics = bool(all_topics)
        sub.language = (language or "id")[:5]
        sub.token = new_token() if channel != Channel.TELEGRAM else token
        sub.consent_at = now
        sub.ended_at = None
        sub.end_reason = ""
        sub.status = Subscriber.Status.ACTIVE if active_now else Subscriber.Status.PENDING
        sub.confirmed_at = now if active_now else None
        sub.save()
        sub.topics.set(topics)
        audit.record(
            actor=None,
            action="broadcasts.subscriber.subscribed",
            obj=sub,
            data={"channel": channel},
        )
        if channel == Channel.EMAIL:
            _mail_confirmation(sub)
        elif channel in (Channel.SMS, Channel.WHATSAPP):
            sub_id = sub.pk
            transaction.on_commit(lambda: send_confirmation.enqueue(subscriber_id=sub_id))
    return sub


def subscriber_confirm(*, token):
    """PENDING -> ACTIVE by the link sent to the address. Returns the subscriber or None."""
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().filter(token=token).first()
        if sub is None:
            return None
        if sub.status == Subscriber.Status.ACTIVE:
            return sub
        if sub.status != Subscriber.Status.PENDING or sub.channel == Channel.TELEGRAM:
            return None
        if sub.consent_at and sub.consent_at < timezone.now() - timedelta(days=CONFIRM_DAYS):
            return None
        sub.status = Subscriber.Status.ACTIVE
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["status", "confirmed_at"])
        audit.record(actor=None, action="broadcasts.subscriber.confirmed", obj=sub)
    return sub


def subscriber_unsubscribe(*, token, reason=""):
    """End a subscription (one click). Idempotent; returns the subscriber or None."""
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().filter(token=token).first()
        if sub is None:
            return None
        if sub.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING):
            sub.status = Subscriber.Status.UNSUBSCRIBED
            sub.ended_at = timezone.now()
            sub.end_reason = (reason or "berhenti lewat tautan")[:300]
            sub.save(update_fields=["status", "ended_at", "end_reason"])
            audit.record(actor=None, action="broadcasts.subscriber.unsubscribed", obj=sub)
    return sub


def subscriber_change_topics(*, token, all_topics, sector_ids=(), region_code=None):
    """The owner (holder of the token) changes topics and, optionally, the wilayah."""
    topics = [] if all_topics else _topics(sector_ids)
    if not all_topics and not topics:
        raise ValidationError({"topics": _("Pilih minimal satu topik, atau semua topik.")})
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().filter(token=token).first()
        if sub is None or sub.status != Subscriber.Status.ACTIVE:
            return None
        fields = ["all_topics"]
        if region_code and region_code != sub.region_code:
            sub.region_code = _check_region(region_code).code
            fields.append("region_code")
        sub.all_topics = bool(all_topics)
        sub.save(update_fields=fields)
        sub.topics.set(topics)
        audit.record(actor=None, action="broadcasts.subscriber.changed", obj=sub)
    return sub


def telegram_link(*, token, chat_id):
    """`/start <token>` from a chat: that chat becomes the (confirmed) subscriber."""
    chat = str(chat_id)
    with transaction.atomic():
        pending = (
            Subscriber.objects.select_for_update()
            .filter(token=token, channel=Channel.TELEGRAM, kim__isnull=True)
            .first()
        )
        if pending is None:
            return None
        if pending.status == Subscriber.Status.ACTIVE:
            return pending if pending.address == chat else None
        if pending.consent_at and pending.consent_at < timezone.now() - timedelta(
            days=CONFIRM_DAYS
        ):
            return None
        digest = address_hash(Channel.TELEGRAM, chat)
        existing = (
            Subscriber.objects.select_for_update()
            .filter(channel=Channel.TELEGRAM, address_hash=digest)
            .exclude(pk=pending.pk)
            .first()
        )
        now = timezone.now()
        if existing is not None:  # the chat subscribed before: keep one row, take the new choice
            existing.region_code = pending.region_code
            existing.all_topics = pending.all_topics
            existing.language = pending.language
            existing.token = new_token()
            existing.status = Subscriber.Status.ACTIVE
            existing.consent_at = pending.consent_at
            existing.confirmed_at = now
            existing.ended_at = None
            existing.end_reason = ""
            existing.save()
            existing.topics.set(list(pending.topics.values_list("pk", flat=True)))
            pending.delete()
            sub = existing
        else:
            pending.address = chat
            pending.address_hash = digest
            pending.status = Subscriber.Status.ACTIVE
            pending.confirmed_at = now
            pending.save(update_fields=["address", "address_hash", "status", "confirmed_at"])
            sub = pending
        audit.record(actor=None, action="broadcasts.subscriber.confirmed", obj=sub)
    return sub


def telegram_unlink(*, chat_id):
    """`/stop` from a chat: end its subscription. Returns how many were ended."""
    digest = address_hash(Channel.TELEGRAM, str(chat_id))
    sub = Subscriber.objects.filter(channel=Channel.TELEGRAM, address_hash=digest).first()
    if sub is None:
        return 0
    return 1 if subscriber_unsubscribe(token=sub.token, reason="/stop di Telegram") else 0


def kim_telegram_connect(*, actor, kim, chat):
    """Connect a KIM's own Telegram channel (e.g. @kimtujuhkoto, the bot added as admin):
    every siaran aimed at the KIM's wilayah is posted there automatically. Officers only
    (ARTICLE_PUBLISH is the KIM's redaksi: pengurus)."""
    scope.require(actor, ARTICLE_PUBLISH, kim)
    normal = normalise_address(Channel.TELEGRAM, chat)
    if config_for(Channel.TELEGRAM, kim.region_code) is None:
        raise ValidationError({"address": _("Telegram belum disiapkan untuk provinsi ini.")})
    digest = address_hash(Channel.TELEGRAM, normal)
    with transaction.atomic():
        sub = (
            Subscriber.objects.select_for_update()
            .filter(channel=Channel.TELEGRAM, address_hash=digest)
            .first()
        )
        if sub is not None and sub.kim_id not in (None, kim.pk):
            raise ValidationError({"address": _("Kanal ini sudah terhubung ke KIM lain.")})
        now = timezone.now()
        if sub is None:
            sub = Subscriber(channel=Channel.TELEGRAM, address_hash=digest, token=new_token())
        sub.address = normal
        sub.kim = kim
        sub.region_code = kim.region_code
        sub.all_topics = True
        sub.status = Subscriber.Status.ACTIVE
        sub.consent_at = sub.confirmed_at = now
        sub.ended_at = None
        sub.end_reason = ""
        try:
            with transaction.atomic():
                sub.save()
        except IntegrityError:
            raise ValidationError({"address": _("Kanal ini sudah terhubung.")}) from None
        audit.record(actor=actor, action="broadcasts.kim_telegram.connected", obj=sub)
    return sub


def kim_telegram_disconnect(*, actor, kim):
    scope.require(actor, ARTICLE_PUBLISH, kim)
    with transaction.atomic():
        n = Subscriber.objects.filter(
            kim=kim, channel=Channel.TELEGRAM, status=Subscriber.Status.ACTIVE
        ).update(
            status=Subscriber.Status.UNSUBSCRIBED, ended_at=timezone.now(), end_reason="diputus KIM"
        )
        if n:
            audit.record(actor=actor, action="broadcasts.kim_telegram.disconnected", obj=kim)
    return n


def webpush_subscribe(*, subscription, region_code, sector_ids=(), all_topics=True, language="id"):
    raw = subscription if isinstance(subscription, str) else json.dumps(subscription)
    return subscriber_subscribe(
        channel=Channel.WEBPUSH,
        address=raw,
        region_code=region_code,
        sector_ids=sector_ids,
        all_topics=all_topics,
        language=language,
    )


# --- messages -------------------------------------------------------------------------


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _region_name(code):
    region = Region.objects.filter(code=code).first()
    return region.label if region else code


def _mail_confirmation(sub):
    context = {
        "confirm_url": confirm_url(sub),
        "unsubscribe_url": unsubscribe_url(sub),
        "region": _region_name(sub.region_code),
        "days": CONFIRM_DAYS,
    }
    body = loader.render_to_string("broadcasts/email/confirm.txt", context)
    subject = _("Konfirmasi langganan siaran Simpul")
    to = sub.address
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to]))


def _notify_existing(sub):
    if sub.channel != Channel.EMAIL:
        return  # a phone or chat that is already subscribed simply keeps receiving
    context = {"unsubscribe_url": unsubscribe_url(sub), "manage_url": manage_url(sub)}
    body = loader.render_to_string("broadcasts/email/already.txt", context)
    subject = _("Anda sudah berlangganan siaran Simpul")
    to = sub.address
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to]))


def manage_url(sub):
    return site_url() + reverse("langganan:manage", kwargs={"token": sub.token})


@task()
def send_confirmation(*, subscriber_id):
    """The confirmation link by SMS or WhatsApp (the phone's owner must open it)."""
    from . import channels

    sub = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING).first()
    if sub is None or sub.channel not in (Channel.SMS, Channel.WHATSAPP):
        return "skipped"
    config = config_for(sub.channel, sub.region_code)
    if config is None:
        return "no provider"
    message = channels.Message(
        dispatch_id=sub.pk,
        key=f"confirm-{sub.public_id}",
        address=sub.address,
        subject=_("Konfirmasi langganan siaran"),
        text="",
        short_text=_("Simpul: buka tautan ini untuk mulai menerima siaran pemerintah."),
        url=confirm_url(sub),
    )
    with channels.adapter_class(sub.channel)(config) as adapter:
        try:
            result = adapter.send([message])[0]
        except channels.BatchError as exc:
            from simpul.core.jobs import RetryLater

            raise RetryLater(exc.reason, seconds=exc.retry_after) from exc
    if result.status == channels.RETRY:
        from simpul.core.jobs import RetryLater

        raise RetryLater(result.error)
    return result.status
