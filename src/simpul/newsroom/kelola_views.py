"""The Warta back office (/kelola/warta/): write, review, publish, correct, take down.

Small views: parse, look the article up through the actor (404 outside scope), call one
service, redirect with a message. A form with errors re-renders the page it belongs to.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from simpul.accounts import scope
from simpul.accounts.roles import ARTICLE_UNPUBLISH, ARTICLE_WRITE, KELOLA, SIARAN_SEND
from simpul.registry.forms import apply_errors

from . import images as image_service
from . import kelola_queries as queries
from . import services
from .forms import ArticleForm, CorrectionForm, ImageForm, NoteForm, PublishForm, UnpublishForm
from .models import Article

S = Article.Status
SECTION_TITLES = {
    S.SUBMITTED: gettext_lazy("Menunggu redaksi"),
    S.RETURNED: gettext_lazy("Dikembalikan dengan catatan"),
    S.DRAFT: gettext_lazy("Draf"),
    S.SCHEDULED: gettext_lazy("Terjadwal"),
    S.PUBLISHED: gettext_lazy("Terbit"),
    S.UNPUBLISHED: gettext_lazy("Diturunkan"),
}


def _detail(article):
    return redirect("kelola:warta:detail", public_id=article.public_id)


def _fail(request, exc):
    for message in exc.messages:
        messages.error(request, message)


# --- list ---------------------------------------------------------------------------------


@login_required
@require_safe
def article_list(request):
    actor = request.user
    can_write = bool(scope.kim_ids(actor, ARTICLE_WRITE))
    can_office = bool(scope.region_prefixes(actor, ARTICLE_UNPUBLISH))
    if not (can_write or can_office):
        raise Http404
    groups = queries.kim_articles_by_status(actor)
    sections = [
        {"status": status, "title": SECTION_TITLES[status], "articles": groups.get(status, [])}
        for status in queries.SECTIONS
    ]
    context = {
        "sections": sections if can_write else [],
        "can_write": can_write,
        "office_articles": queries.office_articles(actor) if can_office else [],
        "can_office": can_office,
        "can_official": bool(scope.region_prefixes(actor, SIARAN_SEND)),
    }
    return render(request, "newsroom/kelola/list.html", context)


# --- write ----------------------------------------------------------------------------------


def _article_form(request, *, kims, kim, article=None):
    images = None if article is None else queries.images_of(article)
    initial = None
    if article is not None:
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body_source": article.body_source,
            "cover": article.cover_id,
            "sector": article.sector_id,
            "adinda": article.adinda,
            "region_code": article.region_code,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "event_date": article.event_date,
        }
    else:
        initial = {"region_code": kim.region_code}
    form = ArticleForm(
        request.POST if request.method == "POST" and "title" in request.POST else None,
        initial=initial,
        kims=kims,
        region_choices=queries.region_choices(kim),
        images=None if article is None else article.images.all().order_by("created_at"),
    )
    return form, images


@login_required
@never_cache
def article_new(request):
    actor = request.user
    kims = list(queries.writing_kims(actor))
    if not kims:
        raise Http404
    chosen = next((k for k in kims if k.slug == request.POST.get("kim")), kims[0])
    form, _images = _article_form(request, kims=kims, kim=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(
                actor=actor, kim=form.chosen_kim(), **form.service_fields()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Draf tersimpan. Unggah foto di bawah, lalu ajukan ke redaksi bila sudah siap."),
            )
            return redirect("kelola:warta:edit", public_id=article.public_id)
    return render(
        request,
        "newsroom/kelola/form.html",
        {"form": form, "title": _("Tulis berita"), "article": None},
    )


@login_required
@never_cache
def article_edit(request, public_id):
    actor = request.user
    article = queries.article_for(actor, public_id)
    if not services.may_edit(actor, article):
        messages.error(
            request,
            _("Berita berstatus “%(status)s” tidak bisa Anda ubah.")
            % {"status": article.get_status_display()},
        )
        return _detail(article)
    form, images = _article_form(request, kims=[article.kim], kim=article.kim, article=article)
    image_form = ImageForm()
    if request.method == "POST" and request.POST.get("action") == "image":
        image_form = ImageForm(request.POST, request.FILES)
        if image_form.is_valid():
            try:
                image = image_service.image_add(
                    actor=actor,
                    kim=article.kim,
                    article=article,
                    upload=image_form.cleaned_data["upload"],
                    alt=image_form.cleaned_data["alt"],
                    caption=image_form.cleaned_data["caption"],
                )
            except ValidationError as exc:
                apply_errors(image_form, exc)
            else:
                messages.success(
                    request,
                    _("Foto tersimpan. Salin kode ini ke isi berita: %(code)s")
                    % {"code": image_service.markdown_for(image)},
                )
                return redirect("kelola:warta:edit", public_id=article.public_id)
    elif request.method == "POST" and form.is_valid():
        try:
            services.article_update(actor=actor, article=article, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Perubahan tersimpan."))
            if "submit" in request.POST and article.status in services.EDITABLE_BY_AUTHOR:
                return _submit(request, actor, article)
            return _detail(article)
    for image in images:
        image.markdown = image_service.markdown_for(image)
        image.url = image_service.media_url(image.variants.get("480") or image.file.name)
    return render(
        request,
        "newsroom/kelola/form.html",
        {
            "form": form,
            "image_form": image_form,
            "images": images,
            "title": _("Ubah berita"),
            "article": article,
        },
    )


def _submit(request, actor, article):
    try:
        article = services.article_submit(actor=actor, article=article)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Berita diajukan ke redaksi."))
    return _detail(article)


@login_required
@require_POST
def article_submit(request, public_id):
    actor = request.user
    article = queries.article_for(actor, public_id)
    return _submit(request, actor, article)


# --- review ---------------------------------------------------------------------------------


def _review_context(actor, article, **forms):
    redaksi = services.is_redaksi(actor, article)
    context = {
        "article": article,
        "region_label": queries.region_label(article.region_code),
        "tags": list(article.tags.all()),
        "corrections": list(article.corrections.all()),
        "is_redaksi": redaksi,
        "may_edit": services.may_edit(actor, article),
        "may_submit": services.may_edit(actor, article)
        and article.status in services.EDITABLE_BY_AUTHOR,
        "may_publish": redaksi and article.status in services.PUBLISHABLE,
        "may_return": redaksi and article.status in (S.SUBMITTED, S.SCHEDULED),
        "may_correct": redaksi and article.status == S.PUBLISHED,
        "may_unpublish": services.may_unpublish(actor, article)
        and article.status in (S.PUBLISHED, S.SCHEDULED),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "return_form": forms.get("return_form") or NoteForm(),
        "unpublish_form": forms.get("unpublish_form") or UnpublishForm(),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
        "match": article.copy_match or None,
    }
    if article.cover_id:
        context["cover_url"] = image_service.media_url(
            article.cover.variants.get("960") or article.cover.file.name
        )
    return context


def _review(request, article, status=200, **forms):
    return render(
        request,
        "newsroom/kelola/review.html",
        _review_context(request.user, article, **forms),
        status=status,
    )


@login_required
@require_safe
def article_detail(request, public_id):
    return _review(request, queries.article_for(request.user, public_id))


@login_required
@require_POST
def article_publish(request, public_id):
    actor = request.user
    article = queries.article_for(actor, public_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            article = services.article_publish(
                actor=actor,
                article=article,
                checked_5w1h=d["checked_5w1h"],
                checked_consent=d["checked_consent"],
                checked_sources=d["checked_sources"],
                publish_at=d["publish_at"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if article.status == S.SCHEDULED:
                messages.success(request, _("Berita dijadwalkan terbit."))
            else:
                messages.success(request, _("Berita terbit."))
            return _detail(article)
    return _review(request, article, status=400, publish_form=form)


def _note_action(request, public_id, form_class, form_key, act, done):
    """Return, take down, correct: a form with a note, one service call, back to review."""
    article = queries.article_for(request.user, public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(article, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return _detail(article)
    return _review(request, article, status=400, **{form_key: form})


@login_required
@require_POST
def article_return(request, public_id):
    return _note_action(
        request,
        public_id,
        NoteForm,
        "return_form",
        lambda article, data: services.article_return(
            actor=request.user, article=article, note=data["note"]
        ),
        _("Berita dikembalikan ke penulis dengan catatan."),
    )


@login_required
@require_POST
def article_unpublish(request, public_id):
    return _note_action(
        request,
        public_id,
        UnpublishForm,
        "unpublish_form",
        lambda article, data: services.article_unpublish(
            actor=request.user, article=article, reason=data["reason"]
        ),
        _("Berita diturunkan."),
    )


@login_required
@require_POST
def article_correct(request, public_id):
    return _note_action(
        request,
        public_id,
        CorrectionForm,
        "correction_form",
        lambda article, data: services.article_correct(
            actor=request.user,
            article=article,
            note=data["note"],
            body_source=data["body_source"] or None,
        ),
        _("Koreksi dimuat."),
    )


def has_warta(user):
    """For the back-office home: may this user open /kelola/warta/?"""
    return scope.has_capability(user, KELOLA) and bool(
        scope.kim_ids(user, ARTICLE_WRITE) or scope.region_prefixes(user, ARTICLE_UNPUBLISH)
    )
