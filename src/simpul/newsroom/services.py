"""Writes of the Warta editorial workflow. Each is one atomic, audited action that takes the
actor; scope is checked here (HTML views and the API share it), outside it is Http404.

draft (anggota/pengurus) -> submitted -> published / scheduled by the KIM's redaksi
(pengurus), or returned with a note; the pembina (or the redaksi) takes a published article
down with a reason; published articles carry public correction notes.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template import loader
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import RoleAssignment
from simpul.accounts.roles import (
    ARTICLE_PUBLISH,
    ARTICLE_UNPUBLISH,
    ARTICLE_WRITE,
    SIARAN_SEND,
    Role,
)
from simpul.core.tasks import send_email
from simpul.regions.models import Region

from . import copyguard, counts
from .models import (
    BODY_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    Adinda,
    Article,
    ArticleImage,
    Correction,
    OfficialText,
    Tag,
)

S = Article.Status
TITLE_MAX = 200
NOTE_MAX = 2000
EDITABLE_BY_AUTHOR = (S.DRAFT, S.RETURNED)
PUBLISHABLE = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.SCHEDULED)
FIELDS = (
    "title",
    "body_source",
    "summary",
    "sector",
    "adinda",
    "region_code",
    "tags",
    "event_date",
    "cover",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _err(field, message):
    return ValidationError({field: [message]})


def _line(value):
    """One line of plain text: no control characters, single spaces."""
    return " ".join(_CONTROL.sub("", value or "").split())


def _record(actor, action, article, **data):
    audit.record(actor=actor, action=action, obj=article, data=data)


def _reindex(article):
    from . import search

    ids = [article.pk]
    transaction.on_commit(lambda: search.index_articles(ids))


# --- who may do what -------------------------------------------------------------------


def is_redaksi(actor, article_or_kim):
    kim_id = getattr(article_or_kim, "kim_id", None) or article_or_kim.pk
    return scope.can(actor, ARTICLE_PUBLISH, kim_id=kim_id)


def may_edit(actor, article):
    if is_redaksi(actor, article):
        return article.status != S.UNPUBLISHED
    return (
        article.author_id == getattr(actor, "pk", None)
        and scope.can(actor, ARTICLE_WRITE, kim_id=article.kim_id)
        and article.status in EDITABLE_BY_AUTHOR
    )


def may_unpublish(actor, article):
    return scope.can(actor, ARTICLE_UNPUBLISH, region_code=article.region_code) or is_redaksi(
        actor, article
    )


def _require_visible(actor, article):
    """Anyone who cannot even see the article gets 404; others get a readable refusal."""
    if not (
        scope.can(actor, ARTICLE_WRITE, kim_id=article.kim_id)
        or scope.can(actor, ARTICLE_UNPUBLISH, region_code=article.region_code)
    ):
        raise Http404


# --- checks and derived fields ---------------------------------------------------------


def lead_text(body_html):
    """The body's text without headings, tables and code (a summary reads as prose)."""
    from .markup import to_text

    prose = re.sub(r"<(h[2-4]|table|pre)>.*?</\1>", " ", body_html or "", flags=re.S)
    return to_text(prose)


def derive_summary(text, limit=SUMMARY_MAX_CHARS):
    """The first words of the text, cut at a word, at most `limit` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def unique_article_slug(title, *, exclude_pk=None):
    base = slugify(title)[:200].strip("-") or "warta"
    taken = set(
        Article.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def check_region(kim, region_code):
    """The article's wilayah: the KIM's own, or a desa/kelurahan below it."""
    code = (region_code or "").strip() or kim.region_code
    if code == kim.region_code:
        return code
    if not code.startswith(kim.region_code + "."):
        raise _err(
            "region_code", _("Wilayah harus wilayah KIM ini atau desa/kelurahan di bawahnya.")
        )
    if not Region.objects.filter(code=code, retired=False).exists():
        raise _err("region_code", _("Wilayah dengan kode ini tidak ada."))
    return code


def _clean_fields(kim, fields, *, article=None):
    """Validate and normalise the writable fields; ValidationError names every bad field."""
    errors = {}
    out = {}
    if "title" in fields:
        title = _line(fields["title"])
        if not title:
            errors["title"] = [_("Judul wajib diisi.")]
        elif len(title) > TITLE_MAX:
            errors["title"] = [_("Judul paling panjang %(n)d karakter.") % {"n": TITLE_MAX}]
        out["title"] = title
    if "body_source" in fields:
        body = _CONTROL.sub("", fields["body_source"] or "").replace("\r\n", "\n")
        if not body.strip():
            errors["body_source"] = [_("Isi berita wajib diisi.")]
        elif len(body.encode()) > BODY_MAX_CHARS:
            errors["body_source"] = [
                _("Isi berita terlalu panjang (%(kb)d KB); paling panjang 200 KB.")
                % {"kb": len(body.encode()) // 1000}
            ]
        out["body_source"] = body
    if "summary" in fields:
        summary = _line(fields["summary"])
        if len(summary) > SUMMARY_MAX_CHARS:
            errors["summary"] = [
                _("Ringkasan paling panjang %(n)d karakter (sekarang %(len)d).")
                % {"n": SUMMARY_MAX_CHARS, "len": len(summary)}
            ]
        out["summary"] = summary
    if "adinda" in fields:
        adinda = fields["adinda"] or Adinda.DISEMINASI
        if adinda not in Adinda.values:
            errors["adinda"] = [_("Pilih salah satu tag ADINDA.")]
        out["adinda"] = adinda
    if "sector" in fields:
        out["sector"] = fields["sector"] or None
    if "event_date" in fields:
        out["event_date"] = fields["event_date"] or None
    if "region_code" in fields:
        try:
            out["region_code"] = check_region(kim, fields["region_code"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "cover" in fields:
        cover = fields["cover"] or None
        if cover is not None and (
            not isinstance(cover, ArticleImage)
            or cover.kim_id != kim.pk
            or (article is not None and cover.article_id not in (None, article.pk))
        ):
            errors["cover"] = [_("Gambar sampul harus gambar yang diunggah untuk berita ini.")]
        out["cover"] = cover
    if "tags" in fields:
        tags = fields["tags"]
        if isinstance(tags, str):
            tags = tags.split(",")
        names = []
        for t in tags or ():
            name = _line(t)[:50]
            if name and slugify(name) and slugify(name) not in {slugify(n) for n in names}:
                names.append(name)
        if len(names) > 10:
            errors["tags"] = [_("Paling banyak 10 tag.")]
        out["tags"] = names
    if errors:
        raise ValidationError(errors)
    return out


def _set_tags(article, names):
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(slug=slugify(name)[:60], defaults={"name": name})
        tags.append(tag)
    article.tags.set(tags)
    counts.refresh(article.pk)


def _render(article):
    from .markup import render

    article.body_html, article.body_text = render(article.body_source)


# --- create and edit --------------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    actor,
    kim,
    title,
    body_source,
    summary="",
    sector=None,
    adinda=None,
    region_code=None,
    tags=(),
    event_date=None,
    cover=None,
):
    """A KIM member writes a draft."""
    scope.require(actor, ARTICLE_WRITE, kim)
    data = _clean_fields(
        kim,
        {
            "title": title,
            "body_source": body_source,
            "summary": summary,
            "sector": sector,
            "adinda": adinda,
            "region_code": region_code,
            "tags": tags,
            "event_date": event_date,
            "cover": cover,
        },
    )
    tag_names = data.pop("tags")
    article = Article(kim=kim, author=actor, author_name=actor.full_name, status=S.DRAFT, **data)
    _render(article)
    if not article.summary:
        article.summary = derive_summary(lead_text(article.body_html))
    article.slug = unique_article_slug(article.title)
    article.save()
    _set_tags(article, tag_names)
    _record(actor, "newsroom.article.created", article)
    return article


@transaction.atomic
def article_update(*, actor, article, **fields):
    """The author while draft/returned; the KIM's redaksi at any time (not once taken down)."""
    _require_visible(actor, article)
    article = Article.objects.select_for_update().get(pk=article.pk)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"article_update: unknown fields {sorted(unknown)}")
    if not may_edit(actor, article):
        raise ValidationError(
            _("Berita berstatus “%(status)s” tidak bisa Anda ubah.")
            % {"status": article.get_status_display()}
        )
    data = _clean_fields(article.kim, fields, article=article)
    tag_names = data.pop("tags", None)
    changed = [k for k, v in data.items() if getattr(article, k) != v]
    for key, value in data.items():
        setattr(article, key, value)
    if "body_source" in data:
        _render(article)
        changed += ["body_html", "body_text"]
    if "summary" in data and not article.summary:
        article.summary = derive_summary(lead_text(article.body_html))
        changed.append("summary")
    if "title" in changed and article.published_at is None:
        article.slug = unique_article_slug(article.title, exclude_pk=article.pk)
        changed.append("slug")
    article.save(update_fields=sorted(set(changed) | {"updated_at"}))
    if tag_names is not None:
        _set_tags(article, tag_names)
    _record(actor, "newsroom.article.updated", article, fields=sorted(set(data)))
    if article.status == S.PUBLISHED:
        if "body_source" in data:
            copyguard.fingerprint_article(article)
        _reindex(article)
    return article


# --- the workflow ------------------------------------------------------------------------


def redaksi_emails(kim, *, exclude=None):
    qs = RoleAssignment.objects.active().filter(role=Role.PENGURUS, kim=kim, user__is_active=True)
    if exclude is not None:
        qs = qs.exclude(user=exclude)
    return sorted(set(qs.values_list("user__email", flat=True)))


def _mail(to, template, subject, **context):
    to = [e for e in to if e]
    if not to:
        return
    body = loader.render_to_string(template, {"site_url": settings.SITE_URL, **context})
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to))


@transaction.atomic
def article_submit(*, actor, article):
    """The author hands the draft to the redaksi; the copy guard runs now."""
    _require_visible(actor, article)
    article = (
        Article.objects.select_for_update(of=("self",)).select_related("kim").get(pk=article.pk)
    )
    if article.status not in EDITABLE_BY_AUTHOR or not may_edit(actor, article):
        raise ValidationError(
            _("Hanya draf atau berita yang dikembalikan yang bisa diajukan ke redaksi.")
        )
    article.copy_match = copyguard.find_match(article.body_text, exclude_article_id=article.pk)
    article.status = S.SUBMITTED
    article.submitted_at = timezone.now()
    article.save(update_fields=["copy_match", "status", "submitted_at", "updated_at"])
    _record(
        actor,
        "newsroom.article.submitted",
        article,
        copy_match=article.copy_match.get("public_id", ""),
    )
    _mail(
        redaksi_emails(article.kim, exclude=actor),
        "newsroom/email/submitted.txt",
        _("Berita menunggu redaksi: %(title)s") % {"title": article.title},
        article=article,
        actor=actor,
    )
    return article


def _publish_now(article, *, when):
    article.status = S.PUBLISHED
    article.published_at = when
    article.unpublished_reason = ""
    copyguard.fingerprint_article(article)


@transaction.atomic
def article_publish(
    *, actor, article, checked_5w1h, checked_consent, checked_sources, publish_at=None
):
    """The KIM's redaksi publishes now or at `publish_at` after the pre-publish checklist."""
    scope.require(actor, ARTICLE_PUBLISH, kim_id=article.kim_id)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in PUBLISHABLE:
        raise ValidationError(
            _("Berita berstatus “%(status)s” tidak bisa diterbitkan.")
            % {"status": article.get_status_display()}
        )
    errors = {}
    if not checked_5w1h:
        errors["checked_5w1h"] = [
            _("Periksa 5W1H: apa, siapa, kapan, di mana, mengapa dan bagaimana sudah terjawab.")
        ]
    if not checked_consent:
        errors["checked_consent"] = [
            _("Pastikan ada izin dari orang yang dapat dikenali dan dari wali anak di bawah umur.")
        ]
    if not checked_sources:
        errors["checked_sources"] = [_("Pastikan sumber informasi disebutkan.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    article.checked_5w1h = article.checked_consent = article.checked_sources = True
    article.published_by = actor
    if publish_at is not None and publish_at > now:
        article.status = S.SCHEDULED
        article.publish_at = publish_at
        copyguard.forget_article(article)
        action = "newsroom.article.scheduled"
    else:
        article.publish_at = None
        _publish_now(article, when=now)
        action = "newsroom.article.published"
    article.save(
        update_fields=[
            "status",
            "published_at",
            "publish_at",
            "published_by",
            "unpublished_reason",
            "checked_5w1h",
            "checked_consent",
            "checked_sources",
            "updated_at",
        ]
    )
    _record(
        actor,
        action,
        article,
        publish_at=article.publish_at.isoformat() if article.publish_at else "",
    )
    _reindex(article)
    return article


def publish_due(now=None):
    """Scheduled articles whose time has come are published (safe to run twice)."""
    now = now or timezone.now()
    done = 0
    due = Article.objects.filter(status=S.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:500]):
        with transaction.atomic():
            article = (
                Article.objects.select_for_update()
                .filter(pk=pk, status=S.SCHEDULED, publish_at__lte=now)
                .first()
            )
            if article is None:
                continue
            _publish_now(article, when=article.publish_at)
            article.save(
                update_fields=["status", "published_at", "unpublished_reason", "updated_at"]
            )
            _record(None, "newsroom.article.published", article, scheduled=True)
            _reindex(article)
            done += 1
    return done


@transaction.atomic
def article_return(*, actor, article, note):
    """The redaksi sends the article back to its author with a note."""
    scope.require(actor, ARTICLE_PUBLISH, kim_id=article.kim_id)
    article = (
        Article.objects.select_for_update(of=("self",)).select_related("author").get(pk=article.pk)
    )
    note = (note or "").strip()
    if not note:
        raise _err("note", _("Catatan untuk penulis wajib diisi."))
    if len(note) > NOTE_MAX:
        raise _err("note", _("Catatan paling panjang %(n)d karakter.") % {"n": NOTE_MAX})
    if article.status not in (S.SUBMITTED, S.SCHEDULED):
        raise ValidationError(
            _("Hanya berita yang diajukan atau terjadwal yang bisa dikembalikan.")
        )
    article.status = S.RETURNED
    article.review_note = note
    article.publish_at = None
    article.save(update_fields=["status", "review_note", "publish_at", "updated_at"])
    _record(actor, "newsroom.article.returned", article)
    if article.author and article.author.is_active and article.author != actor:
        _mail(
            [article.author.email],
            "newsroom/email/returned.txt",
            _("Berita dikembalikan redaksi: %(title)s") % {"title": article.title},
            article=article,
            actor=actor,
        )
    return article


@transaction.atomic
def article_unpublish(*, actor, article, reason):
    """The pembina/admin of the wilayah, or the KIM's redaksi, takes an article down."""
    if not may_unpublish(actor, article):
        raise Http404
    article = Article.objects.select_for_update().get(pk=article.pk)
    reason = (reason or "").strip()
    if not reason:
        raise _err("reason", _("Alasan menurunkan berita wajib diisi."))
    if len(reason) > NOTE_MAX:
        raise _err("reason", _("Alasan paling panjang %(n)d karakter.") % {"n": NOTE_MAX})
    if article.status not in (S.PUBLISHED, S.SCHEDULED):
        raise ValidationError(_("Hanya berita yang terbit atau terjadwal yang bisa diturunkan."))
    article.status = S.UNPUBLISHED
    article.unpublished_reason = reason
    article.publish_at = None
    article.save(update_fields=["status", "unpublished_reason", "publish_at", "updated_at"])
    copyguard.forget_article(article)
    _record(actor, "newsroom.article.unpublished", article, reason=reason)
    _reindex(article)
    return article


@transaction.atomic
def article_correct(*, actor, article, note, body_source=None):
    """A public correction note on a published article, optionally with the corrected text."""
    scope.require(actor, ARTICLE_PUBLISH, kim_id=article.kim_id)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != S.PUBLISHED:
        raise ValidationError(_("Koreksi hanya untuk berita yang sudah terbit."))
    note = (note or "").strip()
    if not note:
        raise _err("note", _("Catatan koreksi wajib diisi: apa yang salah dan apa yang benar."))
    if len(note) > NOTE_MAX:
        raise _err("note", _("Catatan koreksi paling panjang %(n)d karakter.") % {"n": NOTE_MAX})
    if body_source is not None and body_source.strip():
        body = _clean_fields(article.kim, {"body_source": body_source})["body_source"]
        if body != article.body_source:
            article.body_source = body
            _render(article)
            article.save(update_fields=["body_source", "body_html", "body_text", "updated_at"])
            copyguard.fingerprint_article(article)
    correction = Correction.objects.create(
        article=article, region_code=article.region_code, note=note, created_by=actor
    )
    counts.refresh(article.pk)
    _record(actor, "newsroom.article.corrected", article, note=note[:200])
    _reindex(article)
    return correction


# --- official texts (compared by the copy guard) --------------------------------------------


@transaction.atomic
def official_text_add(*, actor, region_code, title, body, source_url=""):
    """An office records an official text (press release, siaran) KIM may not pass off as
    their own reporting."""
    scope.require(actor, SIARAN_SEND, region_code=region_code)
    title = _line(title)
    if not title:
        raise _err("title", _("Judul wajib diisi."))
    if not (body or "").strip():
        raise _err("body", _("Isi wajib diisi."))
    official = OfficialText(
        region_code=region_code,
        title=title[:TITLE_MAX],
        body=body,
        source_url=source_url,
        created_by=actor,
    )
    official.full_clean()
    official.save()
    copyguard.fingerprint_official(official)
    audit.record(actor=actor, action="newsroom.official_text.added", obj=official)
    return official
