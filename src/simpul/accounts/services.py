import base64
import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from simpul import audit

from . import scope
from .models import RoleAssignment
from .roles import ASSIGNABLE, KIM_ROLES, Role

BACKUP_CODES = 10


def has_confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user):
    """The unconfirmed TOTP device being enrolled (one per user, reused across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


def base32_secret(device):
    """The secret for typing into an authenticator app by hand, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def confirm_totp(*, actor, device):
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor, action="accounts.2fa.enrolled", obj=actor, region_code="")
    return _replace_backup_codes(actor)


def _replace_backup_codes(user):
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def new_backup_codes(*, actor):
    codes = _replace_backup_codes(actor)
    audit.record(actor=actor, action="accounts.2fa.backup_codes_renewed", obj=actor, region_code="")
    return codes


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class NotAllowed(Exception):
    pass


@transaction.atomic
def may_hand_out(actor, role, *, region_code=None, kim=None):
    """May `actor` give (or end) `role` at this wilayah code or KIM? None = the system."""
    if actor is None or actor.is_superuser:
        return True
    target_code = kim.region_code if kim is not None else (region_code or "")
    return any(
        role in ASSIGNABLE.get(g.role, ())
        and (
            (g.region_code is not None and scope.code_in(target_code, g.region_code))
            or (g.kim_id is not None and kim is not None and g.kim_id == kim.pk)
        )
        for g in scope.grants(actor)
    )


def role_assign(*, actor, user, role, region_code=None, kim=None, office=None):
    """Give `user` a role at a wilayah code or a KIM, if the actor may hand it out there."""
    target_code = kim.region_code if kim is not None else region_code
    if not may_hand_out(actor, role, region_code=region_code, kim=kim):
        raise NotAllowed(role)
    if role in KIM_ROLES:
        assignment = RoleAssignment(user=user, role=role, kim=kim, office=office, granted_by=actor)
    else:
        assignment = RoleAssignment(
            user=user, role=role, region_code=region_code or "", office=office, granted_by=actor
        )
    assignment.full_clean()
    assignment.save()
    scope.forget(user)
    audit.record(
        actor=actor,
        action="accounts.role.assigned",
        object_type="roleassignment",
        object_id=assignment.public_id,
        region_code=target_code or "",
        kim_id=kim.pk if kim else None,
        data={"role": role, "user": user.public_id},
    )
    return assignment


@transaction.atomic
def role_end(*, actor, assignment):
    """End an assignment (officials rotate); only who may give that role there may end it."""
    from django.utils import timezone

    if not may_hand_out(
        actor, assignment.role, region_code=assignment.region_code, kim=assignment.kim
    ):
        raise NotAllowed(assignment.role)

    assignment.ends_at = timezone.now()
    assignment.save(update_fields=["ends_at"])
    scope.forget(assignment.user)
    audit.record(
        actor=actor,
        action="accounts.role.ended",
        object_type="roleassignment",
        object_id=assignment.public_id,
        region_code=assignment.region_code
        or (assignment.kim.region_code if assignment.kim_id else ""),
        kim_id=assignment.kim_id,
        data={"role": assignment.role, "user": assignment.user.public_id},
    )


__all__ = ["Role", "role_assign", "role_end"]


@transaction.atomic
def person_assign(*, actor, email, full_name, role, region_code, office=None, site_url=""):
    """Give a role to a person by e-mail; a new person gets an account and an invitation
    to set a password (sent by the worker after commit). Returns (assignment, created)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.template import loader
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from simpul.core.tasks import send_email

    from .models import User

    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action="accounts.user.invited", obj=user, region_code=region_code)
    if (
        RoleAssignment.objects.active()
        .filter(user=user, role=role, region_code=region_code)
        .exists()
    ):
        raise NotAllowed("duplicate")
    assignment = role_assign(
        actor=actor, user=user, role=role, region_code=region_code, office=office
    )
    if created:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        body = loader.render_to_string(
            "accounts/email/invitation.txt",
            {
                "user": user,
                "actor": actor,
                "assignment": assignment,
                "link": f"{site_url}/akun/sandi/atur/{uid}/{token}/",
            },
        )
        subject = loader.render_to_string("accounts/email/invitation_subject.txt").strip()
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[email]))
    return assignment, created
