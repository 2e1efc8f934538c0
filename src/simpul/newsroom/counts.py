"""What an article page shows beside the article row, counted on the article itself.

The public article page is the page most people open, and most articles have no tags,
corrections, answered hak jawab or comments. With these counts on the row, rendering such an
article takes one query instead of six; the page queries tags, corrections, hak jawab and
comments only when their count says there is something to show.

The counts are always *recomputed* from the rows (never incremented), inside the same
transaction as the write that changes them, so they cannot drift: every service that adds
or changes a tag set, correction, hak jawab or comment calls `refresh()` for its article.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Article, Comment, Correction, ReplyRequest

#: Comments the page shows: published ones, and removed ones kept as placeholders.
VISIBLE_COMMENTS = (Comment.Status.PUBLISHED, Comment.Status.REMOVED)


def _count(qs):
    per_article = qs.filter(article_id=OuterRef("pk")).order_by().values("article_id")
    return Coalesce(
        Subquery(per_article.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def expressions():
    """{field: expression} computing every count of the outer article (for `update()`)."""
    tags = Article.tags.through.objects.all()
    return {
        "tag_count": _count(tags),
        "correction_count": _count(Correction.objects.all()),
        "reply_count": _count(ReplyRequest.objects.filter(status=ReplyRequest.Status.ANSWERED)),
        "comment_count": _count(Comment.objects.filter(status__in=VISIBLE_COMMENTS)),
    }


def refresh(*article_ids):
    """Recompute the counts of these articles (one UPDATE)."""
    ids = [pk for pk in article_ids if pk is not None]
    if ids:
        Article.objects.filter(pk__in=ids).update(**expressions())


def refresh_queryset(qs):
    """Recompute the counts of every article of `qs` (data loads, migrations)."""
    return qs.update(**expressions())
