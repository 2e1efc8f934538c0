"""Reads for the Warta back office (/kelola/warta/). Every function takes the actor; an
article outside the actor's scope is Http404, the same as one that does not exist.

Who sees what: the KIM's redaksi (pengurus) every article of the KIM; an anggota their own
articles and the KIM's published ones; the pembina/admin of a wilayah the articles that have
been public there (published, scheduled, taken down) — never someone's unfinished draft.
"""

from django.db.models import Q
from django.http import Http404

from simpul.accounts import scope
from simpul.accounts.roles import ARTICLE_PUBLISH, ARTICLE_UNPUBLISH, ARTICLE_WRITE
from simpul.regions.models import Region
from simpul.registry.models import Kim

from .models import Article, ArticleImage

S = Article.Status
OFFICE_STATUSES = (S.PUBLISHED, S.SCHEDULED, S.UNPUBLISHED)
# The order of the sections on the list page.
SECTIONS = (S.SUBMITTED, S.RETURNED, S.DRAFT, S.SCHEDULED, S.PUBLISHED, S.UNPUBLISHED)
LIST_LIMIT = 300


def articles_q(actor):
    q = Q(pk__in=[])
    redaksi = scope.kim_ids(actor, ARTICLE_PUBLISH)
    if redaksi:
        q |= Q(kim_id__in=redaksi)
    writers = scope.kim_ids(actor, ARTICLE_WRITE)
    if writers:
        q |= Q(kim_id__in=writers) & (Q(author=actor) | Q(status=S.PUBLISHED))
    prefixes = scope.region_prefixes(actor, ARTICLE_UNPUBLISH)
    if prefixes:
        q |= scope.region_q(prefixes) & Q(status__in=OFFICE_STATUSES)
    return q


def articles_visible_to(actor):
    if actor is None or not actor.is_authenticated:
        return Article.objects.none()
    return Article.objects.filter(articles_q(actor))


def article_for(actor, public_id):
    try:
        return (
            articles_visible_to(actor)
            .select_related("kim", "author", "cover", "sector")
            .get(public_id=public_id)
        )
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def writing_kims(actor):
    """The KIM the actor writes for (anggota or pengurus)."""
    return Kim.objects.filter(pk__in=scope.kim_ids(actor, ARTICLE_WRITE)).order_by("name")


def kim_articles_by_status(actor):
    """{status: [articles]} of the KIM the actor writes for (one query)."""
    writers = scope.kim_ids(actor, ARTICLE_WRITE)
    groups = {s: [] for s in SECTIONS}
    if not writers:
        return groups
    rows = (
        articles_visible_to(actor)
        .filter(kim_id__in=writers)
        .select_related("kim")
        .order_by("-updated_at")[:LIST_LIMIT]
    )
    for article in rows:
        groups.setdefault(article.status, []).append(article)
    return groups


def office_articles(actor, *, limit=50):
    """Published articles in the wilayah of a pembina/admin (newest first), for take-downs."""
    prefixes = scope.region_prefixes(actor, ARTICLE_UNPUBLISH)
    if not prefixes:
        return []
    return list(
        Article.objects.filter(scope.region_q(prefixes), status=S.PUBLISHED)
        .select_related("kim")
        .order_by("-published_at")[:limit]
    )


def region_choices(kim):
    """The KIM's own wilayah first, then the desa/nagari/kelurahan below it."""
    own = Region.objects.filter(code=kim.region_code).first()
    choices = [(kim.region_code, own.label if own else kim.region_code)]
    if own is not None and own.level < 4:
        for code, name, kind in (
            Region.objects.filter(code__startswith=kim.region_code + ".", level=4, retired=False)
            .order_by("name")
            .values_list("code", "name", "kind")
        ):
            kind_label = dict(Region.Kind.choices).get(kind, "")
            choices.append((code, f"{kind_label} {name}"))
    return choices


def region_label(code):
    region = Region.objects.filter(code=code).first()
    return region.label if region else code


def images_of(article):
    return list(ArticleImage.objects.filter(article=article).order_by("created_at"))
