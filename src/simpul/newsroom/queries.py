"""Public reads of Warta: lists, the article page, news of a KIM or a wilayah, feeds.

Public content is visible by its status (published), not by scope, so the public functions
take no actor. Lists fetch what a card shows with `select_related` and the wilayah names of a
whole page in one query, so the number of queries does not grow with the rows. Nothing here
selects an author's e-mail or phone, or a hak-jawab sender's e-mail.
"""

import functools
import weakref
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.models.expressions import Col
from django.http import Http404
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from simpul.registry.models import Kim, Sector, full_kim_name
from simpul.registry.queries import regions_for, under, wilayah_label
from simpul.web.paths import slug_path
from simpul.web.templatetags.fastdate import fastdate

from .models import (
    Adinda,
    Article,
    ArticleImage,
    Comment,
    Correction,
    KimNewsroom,
    ReplyRequest,
    Tag,
)

CARD_FIELDS = (
    "title",
    "slug",
    "summary",
    "published_at",
    "region_code",
    "adinda",
    "author_name",
    "kim__name",
    "kim__slug",
    "kim__region_code",
    "sector__name",
    "sector__slug",
    "cover__file",
    "cover__width",
    "cover__height",
    "cover__variants",
    "cover__alt",
)
PER_PAGE = 20
HOME_POOL = 60  # the home page groups the latest articles by sector and kab/kota in Python


def published():
    return Article.objects.filter(status=Article.Status.PUBLISHED, published_at__isnull=False)


def cards_qs(qs):
    return qs.select_related("kim", "sector", "cover").only(*CARD_FIELDS)


def article_list(*, wilayah=None, sector=None, adinda=None, kim=None, date_from=None, date_to=None):
    """Published articles, newest first, filtered (all filters optional)."""
    qs = published()
    if wilayah:
        qs = qs.filter(under(wilayah))
    if sector:
        qs = qs.filter(sector__slug=sector)
    if adinda:
        qs = qs.filter(adinda=adinda)
    if kim:
        qs = qs.filter(kim__slug=kim)
    if date_from:
        qs = qs.filter(published_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(published_at__date__lte=date_to)
    return cards_qs(qs).order_by("-published_at", "-id")


# --- images -------------------------------------------------------------------------------


def media_url(name):
    return default_storage.url(name) if name else ""


@dataclass
class Cover:
    src: str
    srcset: str
    width: int
    height: int
    alt: str
    caption: str = ""

    @property
    def absolute_src(self):
        return self.src if self.src.startswith("http") else settings.SITE_URL + self.src


def cover_of(image, *, prefer=960):
    """<img> data for an ArticleImage: the rendition nearest `prefer` px as src, every
    rendition in srcset, width/height scaled to the src (keeps the aspect ratio)."""
    if image is None or not image.file:
        return None
    variants = {}
    for key, name in (image.variants or {}).items():
        try:
            variants[int(key)] = name
        except (TypeError, ValueError):
            continue
    width, height = image.width or 0, image.height or 0
    if variants:
        chosen = min(variants, key=lambda w: (abs(w - prefer), w))
        src = media_url(variants[chosen])
        if width:
            height = round(height * chosen / width)
        width = chosen
        srcset = ", ".join(f"{media_url(variants[w])} {w}w" for w in sorted(variants))
    else:
        src = media_url(image.file.name)
        srcset = ""
    return Cover(src=src, srcset=srcset, width=width, height=height, alt=image.alt)


# --- cards --------------------------------------------------------------------------------


@dataclass
class Card:
    article: Article
    kim_name: str
    wilayah: str
    cover: Cover | None = None
    path: str = ""  # the article's page
    kim_path: str = ""  # its KIM's profile


def cards(articles, *, extra_codes=(), regions=None):
    """Cards for a page of articles, and {code: Region} (one query for every wilayah)."""
    articles = list(articles)
    if regions is None:
        regions = regions_for([a.region_code for a in articles] + list(extra_codes))
    rows = [
        Card(
            article=a,
            kim_name=full_kim_name(a.kim.name),
            wilayah=wilayah_label(a.region_code, regions),
            cover=cover_of(a.cover, prefer=480),
            path=slug_path("warta:detail", a.slug),
            kim_path=slug_path("kim:profile", a.kim.slug),
        )
        for a in articles
    ]
    return rows, regions


def latest(limit=6, **filters):
    return cards(article_list(**filters)[:limit])[0]


def kabkota_code(code):
    return ".".join(code.split(".")[:2]) if code.count(".") >= 1 else ""


@dataclass
class Section:
    title: str
    url: str
    cards: list = field(default_factory=list)


def home_sections(*, per_section=3, sections=6):
    """The home page: the latest articles, and the latest per sector and per kab/kota.

    Two queries whatever the number of articles: the newest HOME_POOL articles, grouped
    here, and the wilayah names they mention.
    """
    from django.urls import reverse

    pool = list(article_list()[:HOME_POOL])
    codes = [a.region_code for a in pool] + [kabkota_code(a.region_code) for a in pool]
    all_cards, regions = cards(pool, extra_codes=codes)
    by_sector, by_kabkota = {}, {}
    for card in all_cards:
        a = card.article
        if a.sector_id:
            by_sector.setdefault(a.sector.slug, (a.sector.name, []))[1].append(card)
        kk = kabkota_code(a.region_code)
        if kk:
            by_kabkota.setdefault(kk, []).append(card)
    sector_sections = [
        Section(
            title=name,
            url=reverse("warta:list") + f"?sektor={slug}",
            cards=rows[:per_section],
        )
        for slug, (name, rows) in islice(by_sector.items(), sections)
    ]
    kabkota_sections = [
        Section(
            title=regions[code].label if code in regions else code,
            url=reverse("warta:list") + f"?wilayah={code}",
            cards=rows[:per_section],
        )
        for code, rows in islice(by_kabkota.items(), sections)
    ]
    return {
        "latest": all_cards[:6],
        "by_sector": sector_sections,
        "by_kabkota": kabkota_sections,
    }


# --- the article page ------------------------------------------------------------------------

#: What the public article page (and its comment, hak jawab and API views) read, in one
#: statement: the article without its editorial fields (source text, checklist, review notes,
#: copy match), its KIM, sector, cover and the KIM's comment settings.
PAGE_PARTS = (
    # (model, alias, join, fields)
    (
        Article,
        "a",
        "",
        (
            "id",
            "public_id",
            "kim",
            "region_code",
            "title",
            "slug",
            "summary",
            "body_html",
            "cover",
            "sector",
            "adinda",
            "event_date",
            "status",
            "author_name",
            "published_at",
            "updated_at",
            "tag_count",
            "correction_count",
            "reply_count",
            "comment_count",
        ),
    ),
    (Kim, "k", "INNER JOIN {table} k ON k.id = a.kim_id", ("id", "name", "slug", "region_code")),
    (Sector, "s", "LEFT JOIN {table} s ON s.id = a.sector_id", ("id", "name", "slug")),
    (
        ArticleImage,
        "i",
        "LEFT JOIN {table} i ON i.id = a.cover_id",
        ("id", "file", "width", "height", "variants", "alt", "caption"),
    ),
    (
        KimNewsroom,
        "n",
        "LEFT JOIN {table} n ON n.kim_id = a.kim_id",
        ("id", "comment_mode", "comments_open"),
    ),
)


def _select(model, alias, names):
    """(columns, attnames, converters) to select `names` of `model` as table `alias`, and
    convert the values like the ORM's compiler does (aware datetimes, JSON, booleans)."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    converters = []
    for f in fields:
        col = Col(model._meta.db_table, f)
        converters.append(
            (col, connection.ops.get_db_converters(col) + f.get_db_converters(connection))
        )
    columns = [f"{alias}.{quote(f.column)}" for f in fields]
    return columns, [f.attname for f in fields], converters


def _instance(model, attnames, converters, values):
    for i, (col, funcs) in enumerate(converters):
        for func in funcs:
            values[i] = func(values[i], col, connection)
    return model.from_db(connection.alias, attnames, values)


@functools.cache
def _page_statement(vendor):
    """(SQL, parts) of the article page's statement, built once per database vendor from the
    models' metadata. Each part: (model, alias, attnames, converters)."""
    quote = connection.ops.quote_name
    columns, joins, parts = [], [], []
    for model, alias, join, names in PAGE_PARTS:
        selected, attnames, converters = _select(model, alias, names)
        columns += selected
        if join:
            joins.append(join.format(table=quote(model._meta.db_table)))
        parts.append((model, alias, attnames, converters))
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(Article._meta.db_table)} a "  # noqa: S608
        + " ".join(joins)
        + " WHERE a.slug = %s AND a.status = %s AND a.published_at IS NOT NULL"
    )
    return sql, parts


@functools.cache
def _comments_statement(vendor):
    """(SQL, attnames, converters): the given statuses' comments of an article (by id),
    oldest first."""
    quote = connection.ops.quote_name
    columns, attnames, converters = _select(Comment, "c", ("id", *COMMENT_FIELDS))
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(Comment._meta.db_table)} c "  # noqa: S608
        "WHERE c.article_id = %s AND c.status IN (%s, %s) ORDER BY c.created_at, c.id"
    )
    return sql, attnames, converters


@functools.cache
def _slug_comments_statement(vendor):
    """As _comments_statement, for the published article with a slug: sent together with the
    page statement, before the article's id is known."""
    sql, attnames, converters = _comments_statement(vendor)
    article = (
        f"(SELECT a.id FROM {connection.ops.quote_name(Article._meta.db_table)} a "  # noqa: S608
        "WHERE a.slug = %s AND a.status = %s AND a.published_at IS NOT NULL)"
    )
    return sql.replace("c.article_id = %s", f"c.article_id = {article}"), attnames, converters


# The page's statements are prepared on PostgreSQL once per database session (PREPARE /
# EXECUTE): planning the article's five-table join took longer than running it, on every
# page view. Built from the models once per vendor; the ORM's queryset compiler is not used
# for them because compiling took longer than the query too.
STATEMENTS = {
    "warta_article_page": _page_statement,
    "warta_article_comments": _comments_statement,
    "warta_slug_comments": _slug_comments_statement,
}
_prepared = weakref.WeakKeyDictionary()  # raw PostgreSQL connection -> names prepared on it


def prepare_statements(sender=None, connection=None, **kwargs):
    """`connection_created`: prepare the page's statements on a new PostgreSQL session.
    A database without the tables yet (before `migrate`) is left alone: the statements then
    run unprepared on that session, which is only slower."""
    if connection is None or connection.vendor != "postgresql":
        return
    names = set()
    try:
        with connection.cursor() as cursor:
            for name, build in STATEMENTS.items():
                pieces = build(connection.vendor)[0].split("%s")  # %s -> $1, $2, ...
                sql = "".join(f"{p}${i}" for i, p in enumerate(pieces[:-1], 1)) + pieces[-1]
                cursor.execute(f"PREPARE {name} AS {sql}")
                names.add(name)
    except DatabaseError:
        pass  # autocommit: a failed PREPARE leaves the session usable
    _prepared[connection.connection] = names


def _execute(cursor, name, params):
    """Run one of the page's statements: EXECUTE where prepared on this session, else plain."""
    if connection.vendor == "postgresql" and name in _prepared.get(connection.connection, ()):
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(STATEMENTS[name](connection.vendor)[0], params)


def _one_round_trip():
    """Whether several statements can be sent as one query: on PostgreSQL, where Django's
    psycopg cursor binds parameters on the client (unless `server_side_binding` is set)."""
    options = connection.settings_dict.get("OPTIONS", {})
    return connection.vendor == "postgresql" and not options.get("server_side_binding")


def _execute_together(cursor, statements):
    """Run several of the page's statements, [(name, params), ...], in one round trip (see
    `_one_round_trip`) and return each one's rows. A round trip to the database cost about as
    much as running one of these statements."""
    prepared = _prepared.get(connection.connection, ())
    sql, values = [], []
    for name, params in statements:
        if name in prepared:
            sql.append(f"EXECUTE {name}({', '.join(['%s'] * len(params))})")
        else:
            sql.append(STATEMENTS[name](connection.vendor)[0])
        values += params
    cursor.execute("; ".join(sql), values)
    results = [cursor.fetchall()]
    while cursor.nextset():
        results.append(cursor.fetchall())
    return results


def public_article_or_404(slug):
    """A published article for its public page, or 404 (one query).

    The most-read page of the site, so its statement is built once from the models and
    prepared (see STATEMENTS). The KIM, sector and cover come attached; the KIM's comment
    settings are `article.comment_settings` ((mode, open), or None for a KIM that never
    changed them)."""
    with connection.cursor() as cursor:
        _execute(cursor, "warta_article_page", [slug, Article.Status.PUBLISHED])
        return _article_from_row(cursor.fetchone())


def public_article_with_comments(slug):
    """(article, visible comments) for the article page, or 404: the article as
    `public_article_or_404` gives it, and on PostgreSQL the comments `comment_threads` shows,
    read in the same round trip. Elsewhere the comments are None: `article_page` reads them
    when the article has some."""
    if not _one_round_trip():
        return public_article_or_404(slug), None
    published = Article.Status.PUBLISHED
    visible = [Comment.Status.PUBLISHED, Comment.Status.REMOVED]
    with connection.cursor() as cursor:
        page, comments = _execute_together(
            cursor,
            [
                ("warta_article_page", [slug, published]),
                ("warta_slug_comments", [slug, published, *visible]),
            ],
        )
    article = _article_from_row(page[0] if page else None)
    _sql, attnames, converters = _slug_comments_statement(connection.vendor)
    return article, [_instance(Comment, attnames, converters, list(r)) for r in comments]


def _article_from_row(row):
    if row is None:
        raise Http404
    parts = _page_statement(connection.vendor)[1]
    found, at = {}, 0
    for model, alias, attnames, converters in parts:
        values = list(row[at : at + len(attnames)])
        at += len(attnames)
        # A LEFT JOIN without a row gives a NULL id: no sector, cover or settings.
        found[alias] = None if values[0] is None else _instance(model, attnames, converters, values)
    article = found["a"]
    article.kim = found["k"]
    article.sector = found["s"]
    article.cover = found["i"]
    settings_row = found["n"]
    article.comment_settings = (
        (settings_row.comment_mode, settings_row.comments_open) if settings_row else None
    )
    return article


COMMENT_FIELDS = (
    "public_id",
    "article_id",
    "parent_id",
    "author_id",
    "author_name",
    "body",
    "status",
    "created_at",
)


@dataclass
class Thread:
    comment: Comment
    replies: list

    def rows(self):
        """The thread as the page writes it: one flat dict per comment (one loop in the
        template, no include per comment, and dictionary lookups, which are the template
        language's cheapest), saying what to open and close around each."""
        top, last = self.comment, len(self.replies)
        yield _row(top, top, reply=False, opens=False, closes=False, ends=not last)
        for i, reply in enumerate(self.replies, 1):
            yield _row(reply, top, reply=True, opens=i == 1, closes=i == last, ends=i == last)


def _row(comment, top, **where):
    """`where`: reply (under `top`), opens (first reply: opens the replies' list), closes
    (last reply: closes it), ends (last row of the thread: the reply form, then </li>).
    The time and the body's paragraphs come ready to print (as the template's date and
    linebreaks filters would write them)."""
    created = timezone.localtime(comment.created_at)
    return {
        "public_id": comment.public_id,
        "removed": comment.status == Comment.Status.REMOVED,
        "author_name": comment.author_name,
        "author_id": comment.author_id,
        "created_iso": fastdate(created, "c"),
        "created": fastdate(created, "j M Y, H.i"),
        "body_html": mark_safe(linebreaks(comment.body, autoescape=True)),  # noqa: S308
        "top_id": top.public_id,
        "top_open": top.status == Comment.Status.PUBLISHED,  # replies only to a shown comment
        **where,
    }


def comment_threads(article, rows=None):
    """Visible comments, one level of replies, oldest first (one query, none when the
    comments were read with the article: `rows`).

    Pending comments are not shown. A removed comment stays as a placeholder ("dihapus oleh
    moderator") so its replies keep their context.
    """
    if rows is None:
        _sql, attnames, converters = _comments_statement(connection.vendor)
        visible = (Comment.Status.PUBLISHED, Comment.Status.REMOVED)
        with connection.cursor() as cursor:
            _execute(cursor, "warta_article_comments", [article.pk, *visible])
            rows = [_instance(Comment, attnames, converters, list(r)) for r in cursor.fetchall()]
    by_parent = {}
    for c in rows:
        by_parent.setdefault(c.parent_id, []).append(c)
    threads = []
    for c in by_parent.get(None, []):
        replies = by_parent.get(c.id, [])
        if c.status == Comment.Status.REMOVED and not replies:
            continue  # nothing left to give context to
        threads.append(Thread(comment=c, replies=replies))
    return threads, sum(1 for c in rows if c.status == Comment.Status.PUBLISHED)


def article_page(article, comments=None):
    """Everything the article page shows besides the article row itself.

    The counts on the article (newsroom.counts) say which of tags, corrections, answered hak
    jawab and comments exist: an article with none of them needs no query here (the wilayah
    names come from the process's region cache). `comments`: the visible comments, when read
    with the article (`public_article_with_comments`)."""
    tags = (
        list(Tag.objects.filter(articles=article).only("name", "slug")) if article.tag_count else []
    )
    corrections = (
        list(Correction.objects.filter(article=article).only("note", "created_at", "article_id"))
        if article.correction_count
        else []
    )
    replies = (
        list(
            ReplyRequest.objects.filter(article=article, status=ReplyRequest.Status.ANSWERED)
            .only("name", "body", "response", "created_at", "article_id")
            .order_by("created_at")
        )
        if article.reply_count
        else []
    )
    if comments is not None or article.comment_count:
        threads, comment_count = comment_threads(article, comments)
    else:
        threads, comment_count = [], 0
    regions = regions_for([article.region_code])
    return {
        "tags": tags,
        "corrections": corrections,
        "reply_requests": replies,
        "comment_rows": [row for t in threads for row in t.rows()],
        "comment_count": comment_count,
        "wilayah": wilayah_label(article.region_code, regions),
        "region": regions.get(article.region_code),
        "kabkota": regions.get(kabkota_code(article.region_code)),
        "cover": cover_of(article.cover),
        "kim_name": full_kim_name(article.kim.name),
        "adinda_label": Adinda(article.adinda).label,
    }


def newsroom_settings(kim_id):
    from .models import KimNewsroom

    return KimNewsroom.objects.filter(kim_id=kim_id).first()


# --- news of a KIM, of a wilayah (profile and region pages) ---------------------------------


def kim_latest(kim, limit=5):
    """The KIM's latest articles (one query). Titles and dates only."""
    return list(
        published()
        .filter(kim=kim)
        .only("title", "slug", "published_at", "kim_id")
        .order_by("-published_at", "-id")[:limit]
    )


def region_latest(code, limit=5):
    """The latest articles at `code` or below (one query). Titles and dates only."""
    return list(
        published()
        .filter(under(code))
        .only("title", "slug", "published_at", "region_code")
        .order_by("-published_at", "-id")[:limit]
    )


def public_kim_or_404(slug):
    try:
        return (
            Kim.objects.filter(status__in=Kim.PUBLIC_STATUSES)
            .only("name", "slug", "region_code")
            .get(slug=slug)
        )
    except Kim.DoesNotExist as exc:
        raise Http404 from exc


# --- feeds and sitemap ----------------------------------------------------------------------

FEED_ITEMS = 30


def feed_items(qs, limit=FEED_ITEMS):
    return list(
        qs.select_related("kim", "sector", "cover")
        .only(*CARD_FIELDS, "updated_at")
        .order_by("-published_at", "-id")[:limit]
    )


def sitemap_articles():
    return published().only("slug", "updated_at", "published_at").order_by("-published_at", "-id")
