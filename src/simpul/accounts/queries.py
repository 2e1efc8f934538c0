"""Reads about people and roles; every function takes the actor."""

from django.db.models import Q
from django.http import Http404

from . import scope
from .models import Office, RoleAssignment
from .roles import ROLE_ASSIGN


def _assignment_scope_q(actor):
    prefixes = scope.region_prefixes(actor, ROLE_ASSIGN)
    q = scope.region_q(prefixes, "region_code") | scope.region_q(prefixes, "kim__region_code")
    kim_ids = scope.kim_ids(actor, ROLE_ASSIGN)
    if kim_ids:
        q |= Q(kim_id__in=kim_ids)
    return q


def assignments_visible_to(actor, *, include_ended=False, role="", q=""):
    """Role assignments inside the actor's scope (where they may hand out roles)."""
    qs = RoleAssignment.objects.filter(_assignment_scope_q(actor)).select_related(
        "user", "office", "kim"
    )
    if not include_ended:
        qs = qs.active()
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(user__email__iexact=q))
    return qs.order_by("region_code", "role", "user__full_name")


def assignment_for(actor, public_id):
    try:
        return assignments_visible_to(actor).get(public_id=public_id)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404 from exc


def offices_visible_to(actor):
    prefixes = scope.region_prefixes(actor, ROLE_ASSIGN)
    return Office.objects.filter(scope.region_q(prefixes, "region_code")).order_by(
        "region_code", "name"
    )
