"""Personal API tokens. Only a SHA-256 hash is stored; the token itself is shown once."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simpul.accounts.models import public_id

TOKEN_PREFIX = "simpul_"


def new_raw_token():
    """'simpul_' + 43 URL-safe characters (256 bits): recognisable in logs and secret scanners."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nama"), max_length=100, help_text=_("mis. sinkronisasi OpenSID"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Office roles must pass a second factor; a token made on the server's command line (or,
    # later, on a page behind 2FA) counts as made after it. Tokens without it do not work
    # for users who need two-factor authentication.
    created_with_two_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self):
        return f"{self.name} ({self.public_id})"

    @property
    def is_revoked(self):
        return self.revoked_at is not None and self.revoked_at <= timezone.now()
