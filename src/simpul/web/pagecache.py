"""Whole-page cache for public pages seen by anonymous visitors.

Public pages (wilayah, KIM directory, profiles, coverage) are the same for every anonymous
visitor, so the rendered bytes are kept in the shared cache, keyed by language and full path,
under a version number. Any audited write to public content (`regions.*`, `registry.*`)
bumps the version after its transaction commits (see simpul.audit.record), so a change is
visible on the next request; old entries simply expire.

Visitors with a session or messages cookie get a freshly rendered page (they may see their
own state, e.g. the logout button), and only 200 responses without cookies are stored.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages", settings.CSRF_COOKIE_NAME)


def bump():
    """Invalidate every cached public page (cheap: one cache write)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def public_page(timeout=300, *, browser_max_age=60):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            personal = any(c in request.COOKIES for c in PERSONAL_COOKIES)
            if request.method not in ("GET", "HEAD") or personal or not settings.PAGE_CACHE:
                response = view(request, *args, **kwargs)
                if not personal and response.status_code == 200:
                    patch_cache_control(response, public=True, max_age=browser_max_age)
                return response
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
            key = f"page:{_version()}:{get_language()}:{path}"
            hit = cache.get(key)
            if hit is not None:
                body, content_type = hit
                response = HttpResponse(body, content_type=content_type)
                response["X-Page-Cache"] = "hit"
            else:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if response.status_code == 200 and not response.cookies:
                    cache.set(key, (response.content, response["Content-Type"]), timeout)
                response["X-Page-Cache"] = "miss"
            patch_cache_control(response, public=True, max_age=browser_max_age)
            return response

        return wrapped

    return decorator
