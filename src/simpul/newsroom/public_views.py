"""Public Warta pages: the news list (/berita/) and the article page (/berita/<slug>/).

Anonymous visitors get cached copies (`public_page`); publishing, correcting and moderating
are audited with `newsroom.` actions, which invalidate the cache. Pages carry no CSRF token
for anonymous visitors: the comment forms are shown only to people who are logged in (their
pages are never cached).
"""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from simpul.registry import queries as kim_queries
from simpul.web.filters import PublishedBetweenFilter
from simpul.web.pagecache import public_page
from simpul.web.paginator import CappedPaginator
from simpul.web.paths import slug_path
from simpul.web.share import share_links
from simpul.web.templatetags.fastdate import fastdate

from . import queries
from .comments import can_comment, comment_settings
from .models import Adinda, KimNewsroom


class ListFilterForm(PublishedBetweenFilter):
    adinda = forms.ChoiceField(
        label=gettext_lazy("ADINDA"),
        required=False,
        choices=[("", gettext_lazy("Semua kegiatan"))] + list(Adinda.choices),
    )
    kim = forms.SlugField(label=gettext_lazy("KIM (alamat singkat)"), required=False)
    field_order = ["wilayah", "sektor", "adinda", "kim", "dari", "sampai"]


@require_safe
@public_page()
def article_list(request):
    form = ListFilterForm(request.GET, sectors=kim_queries.sector_choices())
    valid = form.is_valid()
    filters = {k: v for k, v in form.cleaned_data.items() if v} if valid else {}
    articles = (
        queries.article_list(
            wilayah=filters.get("wilayah"),
            sector=filters.get("sektor"),
            adinda=filters.get("adinda"),
            kim=filters.get("kim"),
            date_from=filters.get("dari"),
            date_to=filters.get("sampai"),
        )
        if valid
        else queries.published().none()
    )
    page = CappedPaginator(articles, queries.PER_PAGE).get_page(request.GET.get("page"))
    wilayah_code = filters.get("wilayah")
    rows, regions = queries.cards(page.object_list, extra_codes=[wilayah_code or ""])
    wilayah = regions.get(wilayah_code) if wilayah_code else None
    query = request.GET.copy()
    query.pop("page", None)
    feed = reverse("warta:feed-rss")
    if wilayah and wilayah.level == 2:
        feed = reverse("warta:feed-wilayah", args=[wilayah.code])
    elif filters.get("sektor") and len(filters) == 1:
        feed = reverse("warta:feed-sektor", args=[filters["sektor"]])
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "wilayah": wilayah,
        "filtered": bool(filters),
        "query": query.urlencode(),
        "feed_url": feed,
    }
    return render(request, "newsroom/public/list.html", context)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Komentar"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput, max_length=16)
    # Honeypot: hidden from people (CSS), filled in by naive bots.
    situs = forms.CharField(label=gettext_lazy("Jangan diisi"), required=False)


def render_article(request, article, *, comments=None, comment_form=None, status=200):
    """The article page. Also used by the comment view to show a form with its errors."""
    context = queries.article_page(article, comments)
    path = slug_path("warta:detail", article.slug)
    region = context["region"]
    mode, is_open = comment_settings(article)
    allowed = can_comment(request.user)
    published = timezone.localtime(article.published_at)
    context.update(
        article=article,
        paths={
            "kim": slug_path("kim:profile", article.kim.slug),
            "kim_feed": slug_path("warta:feed-kim", article.kim.slug),
            "region": slug_path("regions:detail", region.code) if region else "",
            "reply": slug_path("warta:reply-request", article.slug),
        },
        canonical=settings.SITE_URL + path,
        published_iso=fastdate(published, "c"),
        published_text=fastdate(published, "l, j F Y, H.i"),
        share=share_links(settings.SITE_URL + path, article.title),
        # Only people who may comment see the form (most visitors are anonymous).
        comment_form=comment_form or (CommentForm() if allowed and is_open else None),
        comments_open=is_open,
        can_comment=allowed,
        approve_first=mode == KimNewsroom.CommentMode.APPROVE_FIRST,
    )
    return render(request, "newsroom/public/article.html", context, status=status)


@require_safe
@public_page()
def article_detail(request, slug):
    article, comments = queries.public_article_with_comments(slug)
    return render_article(request, article, comments=comments)
