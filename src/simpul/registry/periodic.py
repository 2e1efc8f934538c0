"""Periodic registry work (each run idempotent): dormancy from the audit log, SK reminders,
and removal of self-registrations never confirmed."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts.models import RoleAssignment
from simpul.audit.models import Event

from . import notify
from . import rules as kim_rules
from .models import DecreeReminder, EmailVerification, Kim
from .services import _record

REMINDER_DAYS = (60, 14)


def purge_unconfirmed_registrations(*, now=None, max_age_days=7):
    """Self-registrations never confirmed within the link's life are removed, so the ketua
    can register again with the same e-mail and KIM name. Only people with no other role,
    no verified e-mail and no login since are removed with them."""
    now = now or timezone.now()
    stale = EmailVerification.objects.filter(
        used_at__isnull=True, created_at__lt=now - timedelta(days=max_age_days)
    ).select_related("user", "kim")
    removed = 0
    for row in stale:
        with transaction.atomic():
            kim, user = row.kim, row.user
            if kim is not None and kim.status == Kim.Status.PENGAJUAN:
                audit.record(
                    actor=None,
                    action="registry.kim.registration_expired",
                    obj=kim,
                    object_type="kim",
                    object_id=kim.slug,
                    region_code=kim.region_code,
                    kim_id=None,
                    data={"name": kim.name},
                )
                kim.delete()
                removed += 1
            others = RoleAssignment.objects.filter(user=user).exists()
            if user.email_verified_at is None and user.last_login is None and not others:
                user.delete()
            else:
                row.delete()
    return removed


# Events that are not the KIM's own activity: they must not keep it "aktif".
NOT_ACTIVITY = ("registry.kim.status_computed",)


def refresh_dormancy(*, now=None):
    """aktif -> kurang aktif -> vakum (and back) from the last audited activity of each KIM.

    Activity = any audit event with the KIM's id and a person as actor. Thresholds come from
    the KIM's wilayah rules. Idempotent: running twice changes nothing the second time.
    """
    now = now or timezone.now()
    last = dict(
        Event.objects.filter(kim_id__isnull=False, actor__isnull=False)
        .exclude(action__in=NOT_ACTIVITY)
        .values("kim_id")
        .annotate(last=Max("created_at"))
        .values_list("kim_id", "last")
    )
    table = kim_rules.all_rules_table()
    watched = (Kim.Status.AKTIF, Kim.Status.KURANG_AKTIF, Kim.Status.VAKUM)
    changes = {}
    to_touch = []
    for kim in (
        Kim.objects.filter(status__in=watched)
        .only(
            "pk", "status", "region_code", "last_activity_at", "verified_at", "created_at", "slug"
        )
        .iterator(chunk_size=5000)
    ):
        seen = last.get(kim.pk)
        since = max(d for d in (seen, kim.verified_at, kim.created_at) if d is not None)
        idle = (now - since).days
        r = kim_rules.rules_for(kim.region_code, table=table)
        status = (
            Kim.Status.VAKUM
            if idle >= r.dormant_after_days
            else Kim.Status.KURANG_AKTIF
            if idle >= r.less_active_after_days
            else Kim.Status.AKTIF
        )
        if seen and seen != kim.last_activity_at:
            kim.last_activity_at = seen
            to_touch.append(kim)
        if status != kim.status:
            changes.setdefault((kim.status, status), []).append(kim)
    with transaction.atomic():
        Kim.objects.bulk_update(to_touch, ["last_activity_at"], batch_size=2000)
        for (old, new), kims in changes.items():
            Kim.objects.filter(pk__in=[k.pk for k in kims], status=old).update(
                status=new, status_changed_at=now
            )
            for kim in kims:
                kim.status = new
                _record(None, "registry.kim.status_computed", kim, old=old, new=new)
    return {f"{old}->{new}": len(kims) for (old, new), kims in changes.items()}


def send_decree_reminders(*, today=None):
    """Remind officers and the pembina 60 and 14 days before the current SK ends. Each
    reminder is recorded (unique per SK and day count) in the same transaction that queues
    the mail, so running twice never mails twice."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    sent = 0
    kims = Kim.objects.filter(
        status__in=Kim.PUBLIC_STATUSES,
        has_sk=True,
        legality_ends_on__gte=today,
        legality_ends_on__lte=horizon,
    )
    for kim in kims.iterator():
        decree = kim.decrees.order_by("-issued_on", "-id").first()
        if decree is None or decree.term_ends_on is None:
            continue
        days_left = (decree.term_ends_on - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d]
        if not due:
            continue
        with transaction.atomic():
            done = set(decree.reminders.values_list("days_before", flat=True))
            if set(due) <= done:
                continue
            try:
                with transaction.atomic():
                    for d in due:
                        if d not in done:
                            DecreeReminder.objects.create(decree=decree, days_before=d)
            except IntegrityError:
                continue  # another worker got here first
            to = sorted(set(notify.officer_emails(kim)) | set(notify.pembina_emails(kim)))
            notify.mail(
                to,
                "registry/email/sk_reminder.txt",
                _("SK %(kim)s berakhir dalam %(days)d hari") % {"kim": kim.name, "days": days_left},
                kim=kim,
                decree=decree,
                days=days_left,
            )
            audit.record(
                actor=None,
                action="registry.decree.reminder_sent",
                obj=decree,
                object_type="decree",
                object_id=decree.public_id,
                region_code=kim.region_code,
                kim_id=kim.pk,
                data={"days": min(due)},
            )
            sent += 1
    return sent
