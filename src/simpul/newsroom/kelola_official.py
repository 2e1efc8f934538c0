"""/kelola/warta/teks-resmi/: offices record official texts (press releases, siaran) so the
copy-paste guard can tell the redaksi when a KIM draft is one of them passed off as news."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from simpul.accounts import scope
from simpul.accounts.roles import SIARAN_SEND
from simpul.registry.forms import apply_errors

from . import kelola_queries as queries
from . import services
from .forms import OfficialTextForm
from .models import OfficialText


def _region_choices(actor):
    prefixes = scope.region_prefixes(actor, SIARAN_SEND)
    return [(p, queries.region_label(p) if p else _("Seluruh Indonesia")) for p in prefixes]


@login_required
@never_cache
def official_texts(request):
    actor = request.user
    choices = _region_choices(actor)
    if not choices:
        raise Http404
    form = OfficialTextForm(request.POST or None, region_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.official_text_add(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Teks resmi tersimpan dan ikut dibandingkan."))
            return redirect("kelola:warta:official")
    rows = scope.scope_filter(actor, OfficialText.objects.all(), SIARAN_SEND).order_by(
        "-created_at"
    )[:50]
    return render(request, "newsroom/kelola/official.html", {"form": form, "texts": list(rows)})
