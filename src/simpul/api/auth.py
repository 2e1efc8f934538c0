"""Who is calling the API: a personal token (Authorization: Bearer ...) or a Django session.

Both give `request.auth` = the user; the services then check scope as for the HTML pages.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from simpul.accounts import scope

from .models import TOKEN_PREFIX, ApiToken, hash_token

# last_used_at is written at most this often per token: reads must not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        row = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if row is None:
            return None
        user = row.user
        if scope.needs_two_factor(user) and not row.created_with_two_factor:
            return None
        now = timezone.now()
        if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.api_token = row
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, as ninja's `django_auth`, with two differences: CSRF is checked only
    once a session user exists (so a request without any credentials gets 401, not a CSRF
    403), and office roles must have passed their second factor in that session."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return None  # the session middleware already resolved request.user

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if scope.needs_two_factor(user) and not user.is_verified():
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(
                403, "Pemeriksaan CSRF gagal: kirim header X-CSRFToken (dari cookie csrftoken)."
            )
        return user

    def authenticate(self, request, key):
        return None  # not reached: __call__ does the work


token_auth = TokenAuth()
session_auth = SessionAuth()
# Tokens first: a script that sends a token never needs a CSRF token.
AUTH = [token_auth, session_auth]
