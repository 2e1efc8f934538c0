# SQL here is assembled from constants and "%s" placeholders only; values are parameters.
# ruff: noqa: S608
"""Full-text search of published articles: PostgreSQL `indonesian` text search with a GIN
index, SQLite FTS5 with Indonesian stemming done in Python (PySastrawi).

The editorial services call `index_articles` / `unindex_articles` after their transaction
commits; a published article's index entry always matches its current text.

Why two stemmers: PostgreSQL's built-in `indonesian` snowball stemmer already reduces
"pertanian", "petani" and "bertani" to "tani" (checked on PostgreSQL 15 and in the tests),
so PostgreSQL indexes `to_tsvector('indonesian', ...)` directly: one GIN index, weights
title A > summary B > body C, ranked with `ts_rank`. SQLite has no stemmer, so the FTS5
table holds text stemmed in Python with PySastrawi, and the query is stemmed the same way;
FTS5's bm25 weights the columns 10 : 4 : 1.

Snippets are built in Python for both: the text is split into words, each word is escaped,
and only words whose stem matches a query stem are wrapped in <mark>.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import Article

PER_PAGE = 10
MAX_PAGES = 100  # deeper pages are never read; capping them bounds the count too
MAX_QUERY_WORDS = 8
SNIPPET_WORDS = 30
PG_CONFIG = "indonesian"
WORD_RE = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word):
    """PySastrawi's stem of one lower-case word (cached: text repeats its words)."""
    if word.isdigit() or len(word) < 3:
        return word
    return _stemmer().stem(word) or word


def stem_text(text):
    """The text as space-separated stems, as the SQLite index stores it."""
    return " ".join(stem(w) for w in WORD_RE.findall(text.lower()))


def query_words(q):
    return WORD_RE.findall((q or "").lower())[:MAX_QUERY_WORDS]


# --- index ------------------------------------------------------------------------


def _is_postgresql():
    return connection.vendor == "postgresql"


PG_DOCUMENT = (
    f"setweight(to_tsvector('{PG_CONFIG}', a.title), 'A') || "
    f"setweight(to_tsvector('{PG_CONFIG}', a.summary), 'B') || "
    f"setweight(to_tsvector('{PG_CONFIG}', a.body_text), 'C')"
)


def index_articles(article_ids):
    """(Re)index these articles if published, drop them from the index otherwise."""
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return 0
    published = Article.Status.PUBLISHED
    with transaction.atomic(), connection.cursor() as cursor:
        if _is_postgresql():
            cursor.execute(
                "DELETE FROM newsroom_article_search s USING newsroom_article a "
                "WHERE s.article_id = a.id AND a.id = ANY(%s) AND a.status <> %s",
                [ids, published],
            )
            cursor.execute(
                "INSERT INTO newsroom_article_search "
                "(article_id, region_code, sector_id, published_at, document) "
                f"SELECT a.id, a.region_code, a.sector_id, a.published_at, {PG_DOCUMENT} "
                "FROM newsroom_article a WHERE a.id = ANY(%s) AND a.status = %s "
                "ON CONFLICT (article_id) DO UPDATE SET region_code = EXCLUDED.region_code, "
                "sector_id = EXCLUDED.sector_id, published_at = EXCLUDED.published_at, "
                "document = EXCLUDED.document",
                [ids, published],
            )
            return cursor.rowcount
        rows = list(
            Article.objects.filter(pk__in=ids, status=published).values_list(
                "pk", "title", "summary", "body_text"
            )
        )
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM newsroom_article_fts WHERE rowid IN ({marks})", ids)
        cursor.executemany(
            "INSERT INTO newsroom_article_fts (rowid, title, summary, body) "
            "VALUES (%s, %s, %s, %s)",
            [(pk, stem_text(t), stem_text(s), stem_text(b)) for pk, t, s, b in rows],
        )
        return len(rows)


def unindex_articles(article_ids):
    """Remove these articles from the index."""
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return
    with connection.cursor() as cursor:
        if _is_postgresql():
            cursor.execute("DELETE FROM newsroom_article_search WHERE article_id = ANY(%s)", [ids])
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM newsroom_article_fts WHERE rowid IN ({marks})", ids)


def drop_orphans(**kwargs):
    """With no articles at all, empty the index too (post_migrate).

    The index tables are not Django models, so `flush` (tests, `simpul flush`) empties
    newsroom_article but not them; rows left behind would be counted by PostgreSQL search,
    which reads its own table only. Cheap: one EXISTS when articles exist.
    """
    from .models import Article

    if Article.objects.exists():
        return
    table = "newsroom_article_search" if _is_postgresql() else "newsroom_article_fts"
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return  # migrating backwards, or a database older than the index
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constant table name)


def reindex_all(batch=2000):
    """Rebuild the whole index from the published articles (after a bulk load)."""
    ids = Article.objects.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True)
    ids = list(ids.order_by("pk"))
    with connection.cursor() as cursor:
        table = "newsroom_article_search" if _is_postgresql() else "newsroom_article_fts"
        cursor.execute(f"DELETE FROM {table}")
    for start in range(0, len(ids), batch):
        index_articles(ids[start : start + batch])
    return len(ids)


# --- search -----------------------------------------------------------------------


@dataclass
class Hit:
    article: Article
    title: str  # safe HTML with <mark>
    snippet: str  # safe HTML with <mark>
    rank: float


@dataclass
class Results:
    q: str
    hits: list = field(default_factory=list)
    total: int = 0  # capped at PER_PAGE * MAX_PAGES (+1 means "more")
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self):
        return min(-(-self.total // self.per_page), MAX_PAGES)

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def capped(self):
        return self.total > self.per_page * MAX_PAGES


def _day_start(day):
    """Midnight WIB of `day`, as the database compares it (SQLite: UTC text)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return connection.ops.adapt_datetimefield_value(start)


def _filters(*, wilayah, sector, since, until, alias):
    """SQL conditions and params for the filters, on columns of `alias`."""
    where, params = [], []
    if wilayah:
        where.append(f"({alias}.region_code = %s OR {alias}.region_code LIKE %s)")
        params += [wilayah, wilayah.rstrip(".") + ".%"]
    if sector:
        where.append(f"{alias}.sector_id = %s")
        params.append(int(sector))
    if since:
        where.append(f"{alias}.published_at >= %s")
        params.append(_day_start(since))
    if until:  # inclusive: the whole last day
        where.append(f"{alias}.published_at < %s")
        params.append(_day_start(until + timedelta(days=1)))
    return where, params


def _postgresql_sql(where):
    conditions = " AND ".join(["s.document @@ query", *where])
    return (
        f"SELECT s.article_id, ts_rank(s.document, query) AS rank "
        f"FROM newsroom_article_search s, plainto_tsquery('{PG_CONFIG}', %s) query "
        f"WHERE {conditions} ORDER BY rank DESC, s.published_at DESC, s.article_id DESC "
        "LIMIT %s OFFSET %s",
        f"SELECT count(*) FROM (SELECT 1 FROM newsroom_article_search s, "
        f"plainto_tsquery('{PG_CONFIG}', %s) query WHERE {conditions} LIMIT %s) t",
    )


def _sqlite_sql(where):
    conditions = " AND ".join(["newsroom_article_fts MATCH %s", "a.status = 'published'", *where])
    base = "FROM newsroom_article_fts JOIN newsroom_article a ON a.id = newsroom_article_fts.rowid"
    return (
        # bm25 is lower-is-better; negate it so both databases sort "rank DESC".
        f"SELECT a.id, -bm25(newsroom_article_fts, 10.0, 4.0, 1.0) AS rank {base} "
        f"WHERE {conditions} ORDER BY rank DESC, a.published_at DESC, a.id DESC "
        "LIMIT %s OFFSET %s",
        f"SELECT count(*) FROM (SELECT 1 {base} WHERE {conditions} LIMIT %s) t",
    )


# Very common queries (over WINDOW_PROBE matches, i.e. >= 1% of a million articles) are
# ranked among their WINDOW newest matches only: ranking every match reads each one from
# the heap (170,000 rows for "irigasi sawah" in the national data: 600 ms), while walking
# the published_at index finds the newest few hundred after a few thousand rows.
WINDOW_PROBE = 10_000
WINDOW = 200


def _postgresql_window(where, params, limit, offset):
    """One page ranked within the newest matches, or None if the query is not common."""
    conditions = " AND ".join(["s.document @@ query", *where])
    source = f"newsroom_article_search s, plainto_tsquery('{PG_CONFIG}', %s) query"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {conditions} LIMIT %s) t",
            [*params, WINDOW_PROBE + 1],
        )
        if cursor.fetchone()[0] <= WINDOW_PROBE:
            return None
        # The planner underestimates tsquery matches; it must walk the date index here.
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            f"SELECT c.article_id, ts_rank(c.document, query) AS rank FROM ("
            f"SELECT s.article_id, s.document, s.published_at FROM {source} "
            f"WHERE {conditions} ORDER BY s.published_at DESC LIMIT %s) c, "
            f"plainto_tsquery('{PG_CONFIG}', %s) query "
            "ORDER BY rank DESC, c.published_at DESC, c.article_id DESC LIMIT %s OFFSET %s",
            [*params, max(WINDOW, offset + limit), params[0], limit, offset],
        )
        return cursor.fetchall()


def raw_query(q, *, wilayah=None, sector=None, since=None, until=None, limit=PER_PAGE, offset=0):
    """[(article id, rank)] for one page, best first, and the (capped) number of matches."""
    words = query_words(q)
    if not words:
        return [], 0
    if _is_postgresql():
        where, params = _filters(
            wilayah=wilayah, sector=sector, since=since, until=until, alias="s"
        )
        select, count = _postgresql_sql(where)
        match = " ".join(words)
    else:
        where, params = _filters(
            wilayah=wilayah, sector=sector, since=since, until=until, alias="a"
        )
        select, count = _sqlite_sql(where)
        match = " ".join(f'"{stem(w)}"' for w in words)  # words are \w+: no quotes inside
    cap = PER_PAGE * MAX_PAGES + 1
    if _is_postgresql():
        windowed = _postgresql_window(where, [match, *params], limit, offset)
        if windowed is not None:
            return windowed, cap
    with connection.cursor() as cursor:
        cursor.execute(select, [match, *params, limit, offset])
        rows = cursor.fetchall()
        if offset == 0 and len(rows) < limit:
            total = len(rows)
        else:
            cursor.execute(count, [match, *params, cap])
            total = cursor.fetchone()[0]
    return rows, total


def search(*, q, wilayah=None, sector=None, since=None, until=None, page=1):
    """Published articles matching `q` (all words, stemmed), best first, one page of hits
    with highlighted title and snippet. Filters: wilayah prefix, sector id, date range of
    publication (inclusive days, WIB)."""
    page = max(1, min(int(page or 1), MAX_PAGES))
    results = Results(q=q or "", page=page)
    rows, total = raw_query(
        q,
        wilayah=wilayah,
        sector=sector,
        since=since,
        until=until,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    results.total = total
    if not rows:
        return results
    articles = (
        Article.objects.filter(pk__in=[r[0] for r in rows], status=Article.Status.PUBLISHED)
        .select_related("kim", "sector", "cover")
        .defer("body_source", "body_html")
    )
    by_id = {a.pk: a for a in articles}
    found = [(by_id[pk], rank) for pk, rank in rows if pk in by_id]
    matcher = _matcher(q, [a.title + " " + (a.summary or "") + " " + a.body_text for a, _ in found])
    for article, rank in found:
        results.hits.append(
            Hit(
                article=article,
                title=highlight(article.title, matcher),
                snippet=snippet(article.body_text or article.summary, matcher),
                rank=float(rank),
            )
        )
    return results


# --- highlighting -----------------------------------------------------------------


def _matcher(q, texts):
    """A predicate: does this lower-case word match one of the query's words? By
    PySastrawi stem on both databases, and on PostgreSQL also by its own stemmer (so
    what PostgreSQL found is what gets marked)."""
    words = query_words(q)
    stems = {stem(w) for w in words}
    extra = set()
    if _is_postgresql() and words:
        candidates = sorted({w for t in texts for w in WORD_RE.findall(t.lower())})
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w FROM unnest(%s::text[]) w WHERE ts_lexize('{PG_CONFIG}_stem', w) "
                f"&& ARRAY(SELECT unnest(ts_lexize('{PG_CONFIG}_stem', x)) "
                "FROM unnest(%s::text[]) x)",
                [candidates, list(words)],
            )
            extra = {r[0] for r in cursor.fetchall()}

    def matches(word):
        return word in extra or stem(word) in stems

    return matches


def _marked(text, spans):
    """Escape `text`, wrapping the (start, end) spans in <mark>."""
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def highlight(text, matches):
    spans = [m.span() for m in WORD_RE.finditer(text) if matches(m.group().lower())]
    return mark_safe(_marked(text, spans))  # noqa: S308 - built from escaped parts only


def snippet(text, matches, size=SNIPPET_WORDS):
    """The window of `size` words with the most matches, escaped, matches in <mark>."""
    words = list(WORD_RE.finditer(text or ""))
    if not words:
        return mark_safe("")
    hit = [matches(m.group().lower()) for m in words]
    best, best_count, count = 0, -1, 0
    for i in range(len(words)):
        count += hit[i]
        if i >= size:
            count -= hit[i - size]
        start = max(0, i - size + 1)
        if count > best_count:
            best, best_count = start, count
    # Centre a little: start a few words before the first match of the best window.
    first = next((i for i in range(best, min(best + size, len(words))) if hit[i]), best)
    start = max(0, min(best, first - 5))
    end = min(len(words), start + size)
    lo = 0 if start == 0 else words[start].start()
    hi = len(text) if end == len(words) else words[end - 1].end()
    part = text[lo:hi]
    spans = [
        (m.start() - lo, m.end() - lo)
        for m, h in zip(words[start:end], hit[start:end], strict=True)
        if h
    ]
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return mark_safe(prefix + _marked(part, spans) + suffix)  # noqa: S308 - escaped parts
