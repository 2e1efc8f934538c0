"""Public siaran pages: /siaran/ (sent and public, klarifikasi hoaks highlighted),
/siaran/<slug>/, its public attachments, and the short links /s/<code>.

The same for every visitor, so list and page go through the anonymous page cache; a short
link is never cached (each visit is one counted click) and stores nothing about the visitor.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from simpul.web.pagecache import public_page
from simpul.web.share import share_links

from . import queries, shortlinks
from .kelola_views import file_response
from .models import Siaran

PER_PAGE = 20


@require_safe
@public_page()
def siaran_index(request):
    rows = queries.public_list()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    hoaks = []
    if page.number == 1:
        hoaks = list(rows.filter(priority=Siaran.Priority.HOAKS)[:3])
    return render(
        request,
        "broadcasts/public/list.html",
        {"page": page, "hoaks": hoaks, "HOAKS": Siaran.Priority.HOAKS},
    )


@require_safe
@public_page()
def siaran_page(request, slug):
    siaran = queries.public_detail(slug)
    return render(
        request,
        "broadcasts/public/detail.html",
        {
            "siaran": siaran,
            "attachments": list(siaran.attachments.order_by("created_at")),
            "HOAKS": Siaran.Priority.HOAKS,
            "share": share_links(
                settings.SITE_URL + reverse("siaran:detail", kwargs={"slug": siaran.slug}),
                siaran.short_text,
            ),
        },
    )


@require_safe
def siaran_attachment(request, slug, attachment_id):
    siaran = queries.public_detail(slug)
    attachment = queries.attachment_for(None, siaran, attachment_id)
    response = file_response(attachment.file, attachment.name, attachment.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
@never_cache
def short(request, code):
    """Count one click (a single UPDATE) and go to the target; unknown codes are 404."""
    target = shortlinks.click(code)
    if not target or not target.startswith("/"):
        raise Http404
    return HttpResponseRedirect(target)
