"""Public reads of Warta: lists, the article page, news of a KIM or a wilayah, feeds.

Public content is visible by its status (published), not by scope, so the public functions
take no actor. Lists fetch what a card shows with `select_related` and the wilayah names of a
whole page in one query, so the number of queries does not grow with the rows. Nothing here
selects an author's e-mail or phone, or a hak-jawab sender's e-mail.
"""

from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404

from simpul.registry.models import Kim, full_kim_name
from simpul.registry.queries import regions_for, under, wilayah_label

from .models import Adinda, Article, Comment, Correction, ReplyRequest, Tag

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


# --- the article page -----------------------------------------------------------------------


def public_article_or_404(slug):
    try:
        return (
            published()
            .select_related("kim", "sector", "cover")
            .defer("body_source", "body_text", "copy_match", "review_note")
            .get(slug=slug)
        )
    except Article.DoesNotExist as exc:
        raise Http404 from exc


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


def comment_threads(article):
    """Visible comments, one level of replies, oldest first (one query).

    Pending comments are not shown. A removed comment stays as a placeholder ("dihapus oleh
    moderator") so its replies keep their context.
    """
    rows = list(
        Comment.objects.filter(
            article=article, status__in=(Comment.Status.PUBLISHED, Comment.Status.REMOVED)
        )
        .only(*COMMENT_FIELDS)
        .order_by("created_at", "id")
    )
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


def article_page(article):
    """Everything the article page shows besides the article row itself."""
    tags = list(Tag.objects.filter(articles=article).only("name", "slug"))
    corrections = list(
        Correction.objects.filter(article=article).only("note", "created_at", "article_id")
    )
    replies = list(
        ReplyRequest.objects.filter(article=article, status=ReplyRequest.Status.ANSWERED)
        .only("name", "body", "response", "created_at", "article_id")
        .order_by("created_at")
    )
    threads, comment_count = comment_threads(article)
    regions = regions_for([article.region_code])
    return {
        "tags": tags,
        "corrections": corrections,
        "reply_requests": replies,
        "threads": threads,
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
