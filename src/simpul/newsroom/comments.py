"""Writes of the discussion under articles: comments, abuse reports, moderation, the KIM's
comment settings, and hak jawab (right of reply) requests.

Each is a named action: keyword arguments, the acting user, one transaction, an audit event
with a `newsroom.` action (which also invalidates the public page cache), e-mails queued on
commit. Comment and hak-jawab texts are plain text: stored as typed, escaped when shown.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import RoleAssignment
from simpul.accounts.roles import ARTICLE_PUBLISH, Role
from simpul.accounts.throttle import _key as throttle_key
from simpul.core.tasks import send_email
from simpul.registry.models import full_kim_name
from simpul.registry.notify import pembina_emails

from . import counts
from .models import Article, Comment, CommentReport, KimNewsroom, ReplyRequest

# Flood limits (per window): an account, and an IP address (villages share one address).
COMMENT_WINDOW = 10 * 60
COMMENTS_PER_ACCOUNT = 5
COMMENTS_PER_IP = 20
REPLY_REQUEST_WINDOW = 60 * 60
REPLY_REQUESTS_PER_IP = 5
MAX_LINKS = 2
REPORTS_TO_HIDE = 3

LINK_RE = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|id|net|org|info|xyz|co)(/\S*)?\b", re.I)


class Throttled(Exception):
    def __init__(self, seconds):
        self.seconds = seconds
        super().__init__(seconds)


# --- throttle (shared cache, hashed keys: no address or account id in cache keys) ---------


def _over_limit(kind, value, limit, window):
    state = cache.get(throttle_key(kind, value))
    now = time.time()
    if state and now - state[1] <= window and state[0] >= limit:
        return int(state[1] + window - now) + 1
    return 0


def _count(kind, value, window):
    key = throttle_key(kind, value)
    now = time.time()
    count, first = cache.get(key) or (0, now)
    if now - first > window:
        count, first = 0, now
    cache.set(key, (count + 1, first), window + 5)


def check_throttle(*limits):
    """limits: (kind, value, limit, window). Raises Throttled(seconds) when any is full."""
    wait = max((_over_limit(*spec) for spec in limits if spec[1]), default=0)
    if wait:
        raise Throttled(wait)


def count_throttle(*limits):
    for kind, value, _limit, window in limits:
        if value:
            _count(kind, value, window)


def count_links(text):
    return len(LINK_RE.findall(text or ""))


def check_text(text, *, field_label, max_chars):
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("%(field)s wajib diisi.") % {"field": field_label})
    if len(text) > max_chars:
        raise ValidationError(
            _("%(field)s terlalu panjang: paling banyak %(n)s karakter.")
            % {"field": field_label, "n": max_chars}
        )
    if count_links(text) > MAX_LINKS:
        raise ValidationError(
            _(
                "%(field)s berisi lebih dari %(n)s tautan. Kurangi tautannya: komentar dengan "
                "banyak tautan biasanya spam."
            )
            % {"field": field_label, "n": MAX_LINKS}
        )
    return text


# --- recipients ---------------------------------------------------------------------------


def redaksi_emails(kim_id):
    """E-mail addresses of the KIM's redaksi (active pengurus role at the KIM)."""
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role=Role.PENGURUS, kim_id=kim_id, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def _mail(to, subject, template, **context):
    to = [t for t in to if t]
    if not to:
        return
    body = loader.render_to_string(template, {"site_url": settings.SITE_URL, **context})
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=list(to)))


# --- comments -----------------------------------------------------------------------------


def can_comment(user):
    return bool(user and user.is_authenticated and user.is_active and user.email_verified_at)


def comment_settings(article):
    """(mode, open) for an article's comments: from `article.comment_settings` when the
    article was read with them (queries.public_article_or_404), else from the database."""
    known = getattr(article, "comment_settings", False)
    if known is False:
        return comment_mode(article.kim_id)
    return known or (KimNewsroom.CommentMode.APPROVE_FIRST, True)


def comment_mode(kim_id):
    settings_row = KimNewsroom.objects.filter(kim_id=kim_id).only("comment_mode", "comments_open")
    row = settings_row.first()
    if row is None:
        return KimNewsroom.CommentMode.APPROVE_FIRST, True
    return row.comment_mode, row.comments_open


def comment_post(*, actor, article, body, parent=None, ip=""):
    """A registered citizen's comment (or a reply to a top-level comment).

    Approve-first KIM: the comment waits for the redaksi. Publish-first: shown at once.
    Raises Http404 for an article that is not public, PermissionDenied-like ValidationError
    for accounts without a verified e-mail, Throttled for floods.
    """
    if article.status != Article.Status.PUBLISHED:
        raise Http404
    if not can_comment(actor):
        raise ValidationError(_("Hanya akun dengan e-mail terverifikasi yang dapat berkomentar."))
    mode, is_open = comment_settings(article)
    if not is_open:
        raise ValidationError(_("Komentar untuk artikel ini ditutup oleh redaksi KIM."))
    body = check_text(body, field_label=_("Komentar"), max_chars=2000)
    if parent is not None:
        if parent.article_id != article.id or parent.parent_id is not None:
            raise Http404  # one level of replies, on the same article
        if parent.status != Comment.Status.PUBLISHED:
            raise ValidationError(_("Komentar ini tidak dapat dibalas."))
    limits = (
        ("comment-user", str(actor.pk), COMMENTS_PER_ACCOUNT, COMMENT_WINDOW),
        ("comment-ip", ip, COMMENTS_PER_IP, COMMENT_WINDOW),
    )
    check_throttle(*limits)
    status = (
        Comment.Status.PUBLISHED
        if mode == KimNewsroom.CommentMode.PUBLISH_FIRST
        else Comment.Status.PENDING
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            kim_id=article.kim_id,
            region_code=article.region_code,
            parent=parent,
            author=actor,
            author_name=actor.full_name or _("Warga"),
            body=body,
            status=status,
        )
        counts.refresh(article.pk)
        audit.record(
            actor=actor,
            action="newsroom.comment.posted",
            obj=comment,
            data={"article": article.public_id, "status": status},
        )
        if status == Comment.Status.PENDING:
            _mail(
                redaksi_emails(article.kim_id),
                _("Komentar baru menunggu moderasi: %(title)s") % {"title": article.title[:80]},
                "newsroom/email/comment_pending.txt",
                article=article,
                comment=comment,
            )
    count_throttle(*limits)
    return comment


def comment_report(*, actor, comment, reason=""):
    """One report per person. At REPORTS_TO_HIDE reports a published comment is hidden
    (back to pending) until the redaksi reviews it. Returns False if already reported."""
    if not (actor and actor.is_authenticated):
        raise Http404
    if comment.status != Comment.Status.PUBLISHED:
        raise Http404
    reason = (reason or "").strip()[:300]
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=actor, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            comment.refresh_from_db(fields=["report_count", "status"])
            hidden = (
                comment.report_count >= REPORTS_TO_HIDE
                and comment.status == Comment.Status.PUBLISHED
            )
            if hidden:
                comment.status = Comment.Status.PENDING
                comment.save(update_fields=["status"])
                counts.refresh(comment.article_id)
            audit.record(
                actor=actor,
                action="newsroom.comment.hidden" if hidden else "newsroom.comment.reported",
                obj=comment,
                data={"reports": comment.report_count},
            )
            if hidden:
                article = comment.article
                _mail(
                    redaksi_emails(comment.kim_id),
                    _("Komentar disembunyikan karena laporan warga: %(title)s")
                    % {"title": article.title[:80]},
                    "newsroom/email/comment_reported.txt",
                    article=article,
                    comment=comment,
                )
    except IntegrityError:
        return False
    return True


def _require_redaksi(actor, obj):
    if not scope.can(actor, ARTICLE_PUBLISH, kim_id=obj.kim_id):
        raise Http404


def comment_approve(*, actor, comment):
    """Show a pending (or reported) comment; its report count starts again from zero."""
    _require_redaksi(actor, comment)
    with transaction.atomic():
        comment.status = Comment.Status.PUBLISHED
        comment.report_count = 0
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment.save(update_fields=["status", "report_count", "moderated_by", "moderated_at"])
        counts.refresh(comment.article_id)
        audit.record(actor=actor, action="newsroom.comment.approved", obj=comment)
    return comment


def comment_remove(*, actor, comment):
    """Remove a comment: it shows as "dihapus oleh moderator"; replies stay."""
    _require_redaksi(actor, comment)
    with transaction.atomic():
        comment.status = Comment.Status.REMOVED
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment.save(update_fields=["status", "moderated_by", "moderated_at"])
        counts.refresh(comment.article_id)
        audit.record(actor=actor, action="newsroom.comment.removed", obj=comment)
    return comment


def newsroom_settings_update(*, actor, kim, comment_mode, comments_open):
    if not scope.can(actor, ARTICLE_PUBLISH, kim):
        raise Http404
    if comment_mode not in KimNewsroom.CommentMode.values:
        raise ValidationError(_("Pilihan moderasi komentar tidak sah."))
    with transaction.atomic():
        row, _created = KimNewsroom.objects.select_for_update().get_or_create(
            kim=kim, defaults={"region_code": kim.region_code}
        )
        row.comment_mode = comment_mode
        row.comments_open = bool(comments_open)
        row.region_code = kim.region_code
        row.save(update_fields=["comment_mode", "comments_open", "region_code"])
        audit.record(
            actor=actor,
            action="newsroom.settings.updated",
            obj=row,
            data={"comment_mode": comment_mode, "comments_open": bool(comments_open)},
        )
    return row


# --- hak jawab ------------------------------------------------------------------------------


def reply_request_create(*, article, name, email, body, ip=""):
    """A public hak-jawab request: stored, and e-mailed to the KIM's redaksi and the pembina
    of its kab/kota. The sender's e-mail is never shown publicly nor logged."""
    if article.status != Article.Status.PUBLISHED:
        raise Http404
    limits = (("reply-ip", ip, REPLY_REQUESTS_PER_IP, REPLY_REQUEST_WINDOW),)
    check_throttle(*limits)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Nama wajib diisi."))
    body = check_text(body, field_label=_("Isi hak jawab"), max_chars=5000)
    with transaction.atomic():
        request = ReplyRequest.objects.create(
            article=article,
            kim_id=article.kim_id,
            region_code=article.region_code,
            name=name[:150],
            email=email,
            body=body,
        )
        audit.record(
            actor=None,
            action="newsroom.reply_request.received",
            obj=request,
            data={"article": article.public_id},
        )
        kim = article.kim
        _mail(
            sorted(set(redaksi_emails(kim.pk)) | set(pembina_emails(kim))),
            _("Hak jawab atas artikel %(title)s") % {"title": article.title[:80]},
            "newsroom/email/reply_request.txt",
            article=article,
            reply=request,
            kim_name=full_kim_name(kim.name),
        )
    count_throttle(*limits)
    return request


def reply_request_answer(*, actor, request, response):
    """Answer a hak-jawab request. Answered requests are shown under the article, with the
    redaksi's response (name and text; never the e-mail)."""
    from .moderation_queries import can_handle_reply

    if not can_handle_reply(actor, request):
        raise Http404
    response = check_text(response, field_label=_("Tanggapan redaksi"), max_chars=5000)
    with transaction.atomic():
        request.status = ReplyRequest.Status.ANSWERED
        request.response = response
        request.handled_by = actor
        request.save(update_fields=["status", "response", "handled_by"])
        counts.refresh(request.article_id)
        audit.record(actor=actor, action="newsroom.reply_request.answered", obj=request)
    return request


def reply_request_close(*, actor, request):
    """Close without publishing (spam, withdrawn, settled by a correction)."""
    from .moderation_queries import can_handle_reply

    if not can_handle_reply(actor, request):
        raise Http404
    with transaction.atomic():
        request.status = ReplyRequest.Status.CLOSED
        request.handled_by = actor
        request.save(update_fields=["status", "handled_by"])
        counts.refresh(request.article_id)
        audit.record(actor=actor, action="newsroom.reply_request.closed", obj=request)
    return request
