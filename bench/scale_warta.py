"""Scale steps for Warta: articles and comments nationally (appended to scale.STEPS).

About 1,000,000 articles and 3,000,000 comments for the national preset, spread over the
generated KIM (`step_kim`, slug "skala-..."; not the ones still in pengajuan), with text from
the demo's templates (`simpul.newsroom.demo_corpus`, real place names of each KIM), and their
full-text index rows. Rows go in with `fast_insert` (COPY on PostgreSQL), a chunk of KIM at a
time; a KIM that already has generated articles is skipped, so a second run adds nothing.

On PostgreSQL the GIN index of the search table is dropped while the table is being filled
and built once at the end (one sort instead of a million index insertions).
"""

import html
import importlib
import sys
from datetime import timedelta

from django.db import connection

from simpul.accounts.models import public_id
from simpul.newsroom import counts, demo_corpus, search
from simpul.newsroom.models import Article, Comment
from simpul.regions.models import Region
from simpul.registry.models import Kim, Sector

SCALE_SLUG_PREFIX = "skala-"  # the generated KIM (scale.SCALE_SLUG_PREFIX)
# step_kim makes ~59,000 KIM nationally, ~56,000 of them past pengajuan (those get articles).
NATIONAL_KIM_WITH_ARTICLES = 56_070
ARTICLES_PER_KIM = 1_000_000 / NATIONAL_KIM_WITH_ARTICLES  # mean; uniform 0 .. 2x per KIM
COMMENTS_PER_ARTICLE = 3.0  # mean over published articles; uniform 0 .. 2x
CHUNK_KIM = 500
DAYS_BACK = 3 * 365
STATUSES = (("published", 0.96), ("draft", 0.02), ("submitted", 0.02))
TOPICS = tuple(demo_corpus.TOPICS)
ARTICLE_COLUMNS = (
    "public_id", "kim", "region_code", "title", "slug", "summary", "body_source", "body_html",
    "body_text", "sector", "adinda", "event_date", "status", "author_name", "checked_5w1h",
    "checked_consent", "checked_sources", "review_note", "copy_match", "unpublished_reason",
    "published_at", "submitted_at", "created_at", "updated_at",
)  # fmt: skip
COMMENT_COLUMNS = (
    "public_id", "article", "kim", "region_code", "author_name", "body", "status",
    "report_count", "created_at",
)  # fmt: skip
COMMENT_NAMES = ("Chaniago", "Piliang", "Koto", "Tanjung", "Sikumbang", "Siregar", "Lubis")
GIN_INDEX = "newsroom_article_search_doc"


def _status(rng):
    u, acc = rng.random(), 0.0
    for status, share in STATUSES:
        acc += share
        if u < acc:
            return status
    return STATUSES[0][0]


def _article_rows(ctx, kim, names, sectors):
    """The planned articles of one KIM as ARTICLE_COLUMNS tuples (deterministic text)."""
    rng = ctx.rng("warta", kim.slug)
    count = rng.randint(0, round(2 * ARTICLES_PER_KIM))
    desa = names.get(kim.region_code, kim.name)
    kab = names.get(kim.region_code[:5], "")
    short = kim.name.removeprefix("Kelompok Informasi Masyarakat ").removeprefix("KIM ")
    rows = []
    for n in range(1, count + 1):
        topic = rng.choice(TOPICS)
        sector_slug, adinda = demo_corpus.TOPICS[topic][:2]
        title, summary, paragraphs = demo_corpus.article_text(
            rng, topic, desa=desa, kim=short, kab=kab, paragraphs=(2, 4)
        )
        text = "\n\n".join(paragraphs)
        body_html = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
        status = _status(rng)
        when = ctx.now - timedelta(seconds=rng.randrange(DAYS_BACK * 86400))
        published = status == "published"
        rows.append(
            (
                public_id(),
                kim.pk,
                kim.region_code,
                title[:200],
                f"{kim.slug}-b{n}",
                summary[:160],
                text,
                body_html,
                text,
                sectors.get(sector_slug),
                adinda,
                when.date(),
                status,
                f"{rng.choice(demo_corpus.PEOPLE)} ({short})"[:150],
                published,
                published,
                published,
                "",
                "{}",
                "",
                when if published else None,
                when if status == "submitted" else None,
                when,
                when,
            )
        )
    return rows


def _comment_rows(ctx, articles):
    """Comments for published (pk, slug, kim id, region, published_at) articles."""
    rows = []
    for pk, slug, kim_id, region_code, published_at in articles:
        rng = ctx.rng("komentar", slug)
        for _ in range(rng.randint(0, round(2 * COMMENTS_PER_ARTICLE))):
            status = "published" if rng.random() < 0.9 else rng.choice(("pending", "removed"))
            rows.append(
                (
                    public_id(),
                    pk,
                    kim_id,
                    region_code,
                    f"{rng.choice(demo_corpus.PEOPLE)} {rng.choice(COMMENT_NAMES)}",
                    rng.choice(demo_corpus.COMMENTS),
                    status,
                    0,
                    published_at + timedelta(minutes=rng.randrange(1, 60 * 24 * 14)),
                )
            )
    return rows


def _scale():
    """bench/scale.py as `simpul scale` loaded it (it imports this module while loading)."""
    return sys.modules.get("simpul_bench_scale") or importlib.import_module("scale")


def _insert_chunk(ctx, kims, names, sectors):
    fast_insert = _scale().fast_insert
    rows = []
    for kim in kims:
        rows += _article_rows(ctx, kim, names, sectors)
    made = fast_insert(Article, ARTICLE_COLUMNS, rows)
    if not made:
        return 0, 0
    inserted = list(
        Article.objects.filter(kim_id__in=[k.pk for k in kims], slug__startswith=SCALE_SLUG_PREFIX)
        .values_list("pk", "slug", "kim_id", "region_code", "published_at", "status")
        .order_by("pk")
    )
    published = [r[:5] for r in inserted if r[5] == "published"]
    search.index_articles([r[0] for r in published])
    comments = fast_insert(Comment, COMMENT_COLUMNS, _comment_rows(ctx, published))
    counts.refresh_queryset(Article.objects.filter(pk__in=[r[0] for r in published]))
    return made, comments


def _set_gin(present):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if present:
            # The search table's foreign key is deferred: its checks must run before an
            # index can be built in the same transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON newsroom_article_search "
                "USING gin (document)"
            )
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


def step_articles(ctx):
    """Articles (96% published) with their search index rows, and comments on them."""
    sectors = dict(Sector.objects.values_list("slug", "pk"))
    totals = {"article": 0, "comment": 0}
    _set_gin(False)
    try:
        for province in ctx.provinces:
            prefix = province.code + "."
            done = set(
                Article.objects.filter(
                    region_code__startswith=prefix, slug__startswith=SCALE_SLUG_PREFIX
                )
                .values_list("kim_id", flat=True)
                .distinct()
            )
            kims = [
                k
                for k in Kim.objects.filter(
                    slug__startswith=SCALE_SLUG_PREFIX, region_code__startswith=prefix
                )
                .exclude(status=Kim.Status.PENGAJUAN)
                .only("pk", "slug", "name", "region_code")
                .order_by("region_code", "slug")
                if k.pk not in done
            ]
            if not kims:
                continue
            codes = {k.region_code for k in kims} | {k.region_code[:5] for k in kims}
            names = dict(
                Region.objects.filter(code__in=codes).values_list("code", "name").iterator()
            )
            for start in range(0, len(kims), CHUNK_KIM):
                made, comments = _insert_chunk(ctx, kims[start : start + CHUNK_KIM], names, sectors)
                totals["article"] += made
                totals["comment"] += comments
    finally:
        _set_gin(True)
    if totals["article"]:
        _scale().analyze(Article, Comment)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE newsroom_article_search")
    return totals


STEPS = [("warta", step_articles)]
