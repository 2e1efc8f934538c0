"""Scale steps for Siaran: subscribers nationally (appended to scale.STEPS).

About 2,000,000 active subscribers for the national preset (~30,000 for Sumbar): 70% at a
desa/kelurahan, 20% at a kecamatan, 10% at a kab/kota, so the fan-out meets subscriptions
both below and above a target code. Channels ~70% e-mail, 15% Telegram, 10% WhatsApp,
5% SMS; 20% follow one or two topics (sectors), the rest all topics.

Deterministic and idempotent like the other steps: each wilayah draws its subscribers from
its own Random (seed, "subscriber", code), and a wilayah that already holds generated
subscribers (token prefix "skala") is skipped. Addresses are encrypted as the model stores
them (Fernet, like members' phones) and `address_hash` is the HMAC the subscription code
uses, unique per channel because every address carries its wilayah and a number.
"""

import hashlib
import hmac
import importlib
import string
import sys
from datetime import timedelta

from django.conf import settings

from simpul.accounts.models import public_id
from simpul.broadcasts.models import Subscriber
from simpul.regions.models import Region
from simpul.registry.crypto import encrypt
from simpul.registry.models import Sector

TOTAL = 2_000_000  # national preset; a province gets its share by number of villages
NATIONAL_VILLAGES = 83_762
SHARE_BY_LEVEL = {4: 0.70, 3: 0.20, 2: 0.10}
CHANNELS = (("email", 70), ("telegram", 15), ("whatsapp", 10), ("sms", 5))
TOPIC_SHARE = 0.20
TOKEN_PREFIX = "skala"  # marks generated subscribers
EMAIL_DOMAIN = "warga.scale.simpul"
CHUNK = 50_000
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"

SUBSCRIBER_COLUMNS = (
    "public_id", "channel", "address", "address_hash", "region_code", "all_topics", "status",
    "token", "language", "consent_at", "confirmed_at", "end_reason", "created_at",
)  # fmt: skip


def address_hash(channel, address):
    """The subscription module's hash when it offers one, else HMAC-SHA256 of channel and
    the lower-cased address (the same fallback as tests/broadcasts/factories.py)."""
    try:
        from simpul.broadcasts.subscriptions import address_hash as real
    except ImportError:
        real = None
    if real is not None:
        try:
            return real(channel, address)
        except TypeError:
            return real(address)
    key = settings.SECRET_KEY.encode()
    return hmac.new(
        key, f"{channel}:{address.strip().lower()}".encode(), hashlib.sha256
    ).hexdigest()


def _address(channel, code, n):
    digits = code.replace(".", "")
    if channel == "email":
        return f"w{n}.{digits}@{EMAIL_DOMAIN}"
    if channel == "telegram":
        return str(int(digits.ljust(10, "0")) * 10_000 + n)
    # WhatsApp and SMS: +62 numbers, unique per wilayah code and index.
    return f"+628{digits.ljust(10, '0')}{n:04d}"


def _per_region(level, regions_at_level, villages):
    """Average subscribers per wilayah of a level, so the province gets its share."""
    if not regions_at_level:
        return 0
    province_total = TOTAL * villages / NATIONAL_VILLAGES
    return province_total * SHARE_BY_LEVEL[level] / regions_at_level


def _plan(ctx, code, average, sectors, hasher):
    rng = ctx.rng("subscriber", code)
    n = rng.randint(0, max(round(2 * average), 0))
    kinds, weights = zip(*CHANNELS, strict=True)
    rows, topics = [], []
    for i in range(n):
        channel = rng.choices(kinds, weights=weights)[0]
        address = _address(channel, code, i)
        since = ctx.now - timedelta(days=rng.randrange(1, 700), seconds=rng.randrange(86400))
        token = TOKEN_PREFIX + "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(38))
        all_topics = not (sectors and rng.random() < TOPIC_SHARE)
        if not all_topics:
            topics.append((token, rng.sample(sectors, rng.randint(1, 2))))
        rows.append(
            (
                public_id(),
                channel,
                encrypt(address),
                hasher(channel, address),
                code,
                all_topics,
                Subscriber.Status.ACTIVE.value,
                token,
                "id",
                since,
                since,
                "",
                since,
            )
        )
    return rows, topics


def _insert(ctx, fast_insert, rows, topics):
    made = fast_insert(Subscriber, SUBSCRIBER_COLUMNS, rows)
    links = 0
    if topics:
        ids = {}
        tokens = [t for t, _ in topics]
        for start in range(0, len(tokens), 5000):
            ids.update(
                Subscriber.objects.filter(token__in=tokens[start : start + 5000]).values_list(
                    "token", "id"
                )
            )
        pairs = [(ids[t], s) for t, sector_ids in topics for s in sector_ids]
        links = fast_insert(Subscriber.topics.through, ("subscriber", "sector"), pairs)
    return made, links


def step_subscribers(ctx):
    """~2,000,000 subscribers nationally (see the module docstring)."""
    # The generator module: loaded by file path as simpul_bench_scale (simpul scale), or
    # imported as `scale` from bench/ (the benches).
    scale = sys.modules.get("simpul_bench_scale") or importlib.import_module("scale")

    sectors = list(Sector.objects.order_by("position", "pk").values_list("pk", flat=True))
    totals = {"subscriber": 0, "topic link": 0}
    done = set(
        Subscriber.objects.filter(token__startswith=TOKEN_PREFIX)
        .order_by()
        .values_list("region_code", flat=True)
        .distinct()
    )
    hasher = address_hash
    for province in ctx.provinces:
        regions = list(
            Region.objects.filter(
                code__startswith=province.code + ".", level__in=(2, 3, 4), retired=False
            )
            .order_by("code")
            .values_list("code", "level")
        )
        by_level = {level: sum(1 for _c, lv in regions if lv == level) for level in (2, 3, 4)}
        villages = by_level[4]
        average = {lv: _per_region(lv, by_level[lv], villages) for lv in (2, 3, 4)}
        rows, topics = [], []
        for code, level in regions:
            if code in done:
                continue
            more, more_topics = _plan(ctx, code, average[level], sectors, hasher)
            rows += more
            topics += more_topics
            if len(rows) >= CHUNK:
                made, links = _insert(ctx, scale.fast_insert, rows, topics)
                totals["subscriber"] += made
                totals["topic link"] += links
                rows, topics = [], []
        if rows:
            made, links = _insert(ctx, scale.fast_insert, rows, topics)
            totals["subscriber"] += made
            totals["topic link"] += links
    if totals["subscriber"]:
        scale.analyze(Subscriber, Subscriber.topics.through)
    return totals


STEPS = [("subscribers", step_subscribers)]
