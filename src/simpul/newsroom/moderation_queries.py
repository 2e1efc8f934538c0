"""Back-office reads for the discussion: the redaksi's moderation queue, hak-jawab requests
(for the redaksi and the kab/kota pembina), the KIM whose comment settings a user manages.
Every read takes the actor; anything outside the actor's scope is 404."""

from django.db.models import Prefetch, Q
from django.http import Http404

from simpul.accounts import scope
from simpul.accounts.roles import ARTICLE_PUBLISH, ARTICLE_UNPUBLISH
from simpul.registry.models import Kim

from .models import Comment, CommentReport, KimNewsroom, ReplyRequest

QUEUE_FIELDS = (
    "public_id",
    "body",
    "author_name",
    "status",
    "report_count",
    "created_at",
    "parent_id",
    "kim_id",
    "region_code",
    "article__title",
    "article__slug",
)


def moderated_comments(actor):
    return scope.scope_filter(actor, Comment.objects.all(), ARTICLE_PUBLISH, kim_field="kim_id")


def moderation_queue(actor):
    """Comments waiting for the redaksi: pending ones and published ones with reports."""
    return (
        moderated_comments(actor)
        .filter(
            Q(status=Comment.Status.PENDING)
            | Q(status=Comment.Status.PUBLISHED, report_count__gt=0)
        )
        .select_related("article")
        .only(*QUEUE_FIELDS)
        .prefetch_related(  # why people reported it (never who)
            Prefetch(
                "reports",
                queryset=CommentReport.objects.only("comment_id", "reason").order_by("id"),
            )
        )
        .order_by("-report_count", "created_at")
    )


def comment_for_moderation_or_404(actor, public_id):
    try:
        return moderated_comments(actor).select_related("article").get(public_id=public_id)
    except Comment.DoesNotExist as exc:
        raise Http404 from exc


def reply_scope_q(actor):
    """The KIM's redaksi (ARTICLE_PUBLISH at the KIM) and offices that may unpublish in the
    wilayah (pembina of the kab/kota, admin provinsi)."""
    if scope.region_prefixes(actor, ARTICLE_PUBLISH) == [""] or scope.region_prefixes(
        actor, ARTICLE_UNPUBLISH
    ) == [""]:
        return Q()
    return scope.scope_q(actor, ARTICLE_PUBLISH, kim_field="kim_id") | scope.scope_q(
        actor, ARTICLE_UNPUBLISH
    )


def reply_requests(actor, *, status=None):
    qs = ReplyRequest.objects.filter(reply_scope_q(actor)).select_related("article")
    if status:
        qs = qs.filter(status=status)
    return qs.only(
        "public_id", "name", "status", "created_at", "kim_id", "region_code", "article__title",
        "article__slug", "body",
    ).order_by("-created_at")  # fmt: skip


def reply_request_or_404(actor, public_id):
    try:
        return (
            ReplyRequest.objects.filter(reply_scope_q(actor))
            .select_related("article", "article__kim")
            .get(public_id=public_id)
        )
    except ReplyRequest.DoesNotExist as exc:
        raise Http404 from exc


def can_handle_reply(actor, request):
    return scope.can(actor, ARTICLE_PUBLISH, kim_id=request.kim_id) or scope.can(
        actor, ARTICLE_UNPUBLISH, region_code=request.region_code
    )


def can_moderate(actor):
    return bool(scope.kim_ids(actor, ARTICLE_PUBLISH)) or scope.region_prefixes(
        actor, ARTICLE_PUBLISH
    ) == [""]


def can_see_replies(actor):
    return can_moderate(actor) or bool(scope.region_prefixes(actor, ARTICLE_UNPUBLISH))


def redaksi_kims(actor):
    """KIM whose comment settings the actor manages (redaksi), with their settings row."""
    qs = Kim.objects.only("name", "slug", "region_code")
    if scope.region_prefixes(actor, ARTICLE_PUBLISH) != [""]:
        qs = qs.filter(pk__in=scope.kim_ids(actor, ARTICLE_PUBLISH))
    kims = list(qs.order_by("normalised_name"))
    rows = {r.kim_id: r for r in KimNewsroom.objects.filter(kim__in=kims)}
    for k in kims:
        k.newsroom_row = rows.get(k.pk)
    return kims


def redaksi_kim_or_404(actor, slug):
    try:
        kim = Kim.objects.get(slug=slug)
    except Kim.DoesNotExist as exc:
        raise Http404 from exc
    scope.require(actor, ARTICLE_PUBLISH, kim)
    return kim
