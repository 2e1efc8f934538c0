from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from simpul.accounts import scope
from simpul.accounts.roles import AUDIT_VIEW

from .forms import EventFilterForm
from .queries import events_visible_to


@login_required
def event_list(request):
    scope.require(request.user, AUDIT_VIEW)
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = events_visible_to(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
