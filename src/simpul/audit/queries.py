from django.db.models import Q

from simpul.accounts.roles import AUDIT_VIEW
from simpul.accounts.scope import scope_filter
from simpul.regions.models import is_valid_code

from .models import Event


def events_visible_to(user, *, action="", region="", actor="", since=None, until=None):
    """Audit events inside the user's scope, newest first, with optional filters."""
    qs = scope_filter(user, Event.objects.select_related("actor"), AUDIT_VIEW, kim_field="kim_id")
    if action:
        qs = qs.filter(action__startswith=action)
    if region and is_valid_code(region):
        qs = qs.filter(Q(region_code=region) | Q(region_code__startswith=region + "."))
    if actor:
        qs = qs.filter(Q(actor__public_id=actor) | Q(actor_label__icontains=actor))
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs
