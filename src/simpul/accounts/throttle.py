"""Login and OTP throttling in the shared cache (file cache or Redis, shared by processes).

After `LOGIN_MAX_FAILURES` failures for one key (an e-mail address, an IP address, or a
user's second factor) within `LOGIN_WINDOW` seconds, further attempts are refused until
the window that started with the first failure has passed.
"""

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext, ngettext


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


def try_again(seconds, reason):
    """'<reason> Coba lagi dalam N menit (sekitar pukul HH.MM WIB).': what a refused person
    reads, with the minutes in the language's plural form and the clock time in WIB."""
    minutes = max(1, (seconds + 59) // 60)
    at = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
    wait = ngettext(
        "Coba lagi dalam %(minutes)d menit (sekitar pukul %(time)s WIB).",
        "Coba lagi dalam %(minutes)d menit (sekitar pukul %(time)s WIB).",
        minutes,
    ) % {"minutes": minutes, "time": time_format(at, "H.i")}
    return gettext("%(reason)s %(wait)s") % {"reason": reason, "wait": wait}
