"""E-mails about a KIM to its officers and to the pembina of its kab/kota (sent by the worker
after the surrounding transaction commits)."""

from django.db import transaction
from django.db.models import Q
from django.template import loader
from django.utils import timezone

from simpul.accounts.models import RoleAssignment
from simpul.accounts.roles import Role
from simpul.core.tasks import send_email
from simpul.regions.models import ancestor_codes

from .models import Member


def officer_emails(kim):
    today = timezone.localdate()
    return sorted(
        set(
            kim.members.filter(
                position__in=Member.OFFICER_POSITIONS, user__isnull=False, user__is_active=True
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
            .values_list("user__email", flat=True)
        )
    )


def pembina_emails(kim):
    codes = [*ancestor_codes(kim.region_code), kim.region_code]
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role=Role.PEMBINA, region_code__in=codes, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def mail(to, template, subject, **context):
    if not to:
        return
    body = loader.render_to_string(template, context)
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=list(to)))


def officers(kim, template, subject, **context):
    mail(officer_emails(kim), template, subject, kim=kim, **context)


def pembina(kim, template, subject, **context):
    mail(pembina_emails(kim), template, subject, kim=kim, **context)
