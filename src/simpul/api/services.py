"""Writes for personal API tokens: created (the raw token returned once) and revoked."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul import audit

from .models import ApiToken, hash_token, new_raw_token


def _record(actor, action, token):
    audit.record(
        actor=actor,
        action=action,
        obj=token,
        object_type="apitoken",
        object_id=token.public_id,
        region_code="",
        data={"user": token.user.public_id, "name": token.name},
    )


@transaction.atomic
def token_create(*, actor, user, name, two_factor):
    """A new token for `user`; returns (ApiToken, raw token). Only the hash is kept, so the
    raw token cannot be shown again. `two_factor`: made after a second factor (or on the
    server's command line, which is stronger)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Beri nama token, mis. sinkronisasi OpenSID.")]})
    if not user.is_active:
        raise ValidationError({"user": [_("Akun ini tidak aktif.")]})
    raw = new_raw_token()
    token = ApiToken(
        user=user, name=name[:100], token_hash=hash_token(raw), created_with_two_factor=two_factor
    )
    token.save()
    _record(actor, "api.token.created", token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _record(actor, "api.token.revoked", token)
    return token
