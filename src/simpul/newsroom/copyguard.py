"""Copy-paste guard: is a submitted draft a near copy of a published article or an official
text?

Texts become sets of 5-word shingles. Published articles and official texts keep 32 LSH
band values of their MinHash (64 hashes, 2 per band) in `Fingerprint`; a draft's
candidates are the documents sharing at least one band (an indexed lookup, so the cost does
not grow with the number of articles), and only those are compared exactly. The warning is
raised when at least half of the draft's shingles come from one document (containment).
"""

import hashlib
import re

from django.db import transaction
from django.db.models import Count

from .models import Article, Fingerprint, OfficialText

SHINGLE_WORDS = 5
BANDS = 32
ROWS = 2  # hashes per band: 2 rows in 32 bands catch pairs from about 0.2 Jaccard up
THRESHOLD = 0.5  # share of the draft's shingles found in one document
MAX_CANDIDATES = 50
EXCERPT_CHARS = 400

_MASK = (1 << 64) - 1
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+", re.UNICODE)


def _seeds():
    out = []
    for i in range(BANDS * ROWS):
        digest = hashlib.blake2b(f"simpul-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % _PRIME or 1
        b = int.from_bytes(digest[8:], "big") % _PRIME
        out.append((a, b))
    return out


SEEDS = _seeds()


def words(text):
    return _WORD.findall((text or "").lower())


def _hash(value):
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


def shingle_list(text):
    """The shingle hashes of a text, in order (a text shorter than 5 words is one shingle)."""
    w = words(text)
    if not w:
        return []
    if len(w) < SHINGLE_WORDS:
        return [_hash(" ".join(w))]
    return [_hash(" ".join(w[i : i + SHINGLE_WORDS])) for i in range(len(w) - SHINGLE_WORDS + 1)]


def minhash(shingles):
    return [min((a * x + b) % _PRIME for x in shingles) for a, b in SEEDS]


def bands(text):
    """The LSH band values of a text (signed 64-bit, to fit a BigInteger column)."""
    shingles = set(shingle_list(text))
    if not shingles:
        return []
    sig = minhash(shingles)
    out = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        key = f"{band}:" + ",".join(map(str, rows))
        value = _hash(key)
        out.append(value - (1 << 64) if value >= (1 << 63) else value)
    return out


# --- fingerprints of published documents -------------------------------------------


@transaction.atomic
def fingerprint_article(article):
    Fingerprint.objects.filter(article=article).delete()
    Fingerprint.objects.bulk_create(
        [Fingerprint(article=article, band=b) for b in bands(article.body_text)]
    )


def forget_article(article):
    Fingerprint.objects.filter(article=article).delete()


@transaction.atomic
def fingerprint_official(official):
    Fingerprint.objects.filter(official=official).delete()
    Fingerprint.objects.bulk_create(
        [Fingerprint(official=official, band=b) for b in bands(official.body)]
    )


# --- the check -----------------------------------------------------------------------


def _excerpt(text, draft_shingles, other):
    """The longest run of the draft's text whose shingles all appear in the other text."""
    w = words(text)
    best_start = best_len = run_start = 0
    run = 0
    for i, s in enumerate(draft_shingles):
        if s in other:
            if run == 0:
                run_start = i
            run += 1
            if run > best_len:
                best_start, best_len = run_start, run
        else:
            run = 0
    if not best_len:
        return ""
    span = w[best_start : best_start + best_len + SHINGLE_WORDS - 1]
    excerpt = " ".join(span)
    return excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[: EXCERPT_CHARS - 1] + "…"


def find_match(text, *, exclude_article_id=None):
    """The document the text copies most, as a dict for `Article.copy_match`, or {}."""
    ordered = shingle_list(text)
    draft = set(ordered)
    if not draft:
        return {}
    rows = Fingerprint.objects.filter(band__in=bands(text))
    if exclude_article_id is not None:
        rows = rows.exclude(article_id=exclude_article_id)
    rows = (
        rows.values("article_id", "official_id")
        .annotate(shared=Count("id"))
        .order_by("-shared")[:MAX_CANDIDATES]
    )
    rows = list(rows)
    article_ids = [r["article_id"] for r in rows if r["article_id"]]
    official_ids = [r["official_id"] for r in rows if r["official_id"]]
    docs = [
        ("article", a, a.body_text)
        for a in Article.objects.filter(
            pk__in=article_ids, status=Article.Status.PUBLISHED
        ).select_related("kim")
    ] + [("official", o, o.body) for o in OfficialText.objects.filter(pk__in=official_ids)]
    best = None
    for kind, doc, body in docs:
        other = set(shingle_list(body))
        containment = len(draft & other) / len(draft)
        if containment >= THRESHOLD and (best is None or containment > best[0]):
            best = (containment, kind, doc, other)
    if best is None:
        return {}
    containment, kind, doc, other = best
    match = {
        "kind": kind,
        "public_id": doc.public_id,
        "title": doc.title,
        "containment": round(containment, 3),
        "excerpt": _excerpt(text, ordered, other),
    }
    if kind == "article":
        match["url"] = f"/berita/{doc.slug}/"
        match["kim"] = doc.kim.name
    else:
        match["url"] = doc.source_url
    return match
