"""Login and OTP throttling in the shared cache (file cache or Redis, shared by processes).

After `LOGIN_MAX_FAILURES` failures for one key (an e-mail address, an IP address, or a
user's second factor) within `LOGIN_WINDOW` seconds, further attempts are refused until
the window that started with the first failure has passed.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(kind, value):
    digest = hashlib.sha256(f"{kind}:{value}".lower().encode()).hexdigest()[:32]
    return f"throttle:{kind}:{digest}"  # hashed: no e-mail or IP address in cache keys


def client_ip(request):
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. granian --respect-proxy-headers).
    return request.META.get("REMOTE_ADDR", "")


# Village offices and cafés share one IP address: allow it more failures than one account.
LIMIT_FACTOR = {"ip": 4}


def limit(kind):
    if kind == "register-ip":  # KIM self-registrations, not failures: their own setting
        return settings.REGISTRATIONS_PER_IP
    return settings.LOGIN_MAX_FAILURES * LIMIT_FACTOR.get(kind, 1)


def retry_after(*keys):
    """Seconds until every one of `keys` ((kind, value) pairs) accepts attempts again."""
    now = time.time()
    wait = 0
    for kind, value in keys:
        state = cache.get(_key(kind, value))
        if state and state[0] >= limit(kind):
            wait = max(wait, int(state[1] + settings.LOGIN_WINDOW - now) + 1)
    return max(wait, 0)


def failed(*keys):
    now = time.time()
    for kind, value in keys:
        key = _key(kind, value)
        count, first = cache.get(key) or (0, now)
        if now - first > settings.LOGIN_WINDOW:
            count, first = 0, now
        cache.set(key, (count + 1, first), settings.LOGIN_WINDOW + 5)


def reset(*keys):
    cache.delete_many([_key(kind, value) for kind, value in keys])
