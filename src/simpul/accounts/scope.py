"""The one place that answers "may this actor do this to this object" and filters lists.

A role held at wilayah code P covers every row whose `region_code` is P or starts with
"P." (codes have fixed-width segments, so a plain prefix test on an indexed column is
exact). A role held at a KIM covers rows of that KIM (`kim_id`). Outside scope is 404.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from .roles import CAPABILITIES, OFFICE_ROLES


@dataclass(frozen=True)
class Grant:
    role: str
    region_code: str | None  # '' = all of Indonesia
    kim_id: int | None
    kim_region_code: str | None = None


def grants(user):
    """Active grants of a user, loaded once per request (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return ()
    cached = getattr(user, "_simpul_grants", None)
    if cached is None:
        from .models import RoleAssignment

        rows = (
            RoleAssignment.objects.active()
            .filter(user=user)
            .values_list("role", "region_code", "kim_id", "kim__region_code")
        )
        cached = tuple(Grant(*row) for row in rows)
        user._simpul_grants = cached
    return cached


def forget(user):
    """Drop cached grants after assignments change."""
    user.__dict__.pop("_simpul_grants", None)


def roles(user):
    return {g.role for g in grants(user)}


def has_capability(user, capability):
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return any(capability in CAPABILITIES.get(g.role, ()) for g in grants(user))


def needs_two_factor(user):
    return bool(user.is_authenticated and (user.is_superuser or roles(user) & OFFICE_ROLES))


def region_prefixes(user, capability):
    """Wilayah prefixes where the user holds `capability`; [''] means everywhere."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return [""]
    prefixes = sorted(
        {
            g.region_code
            for g in grants(user)
            if g.region_code is not None and capability in CAPABILITIES.get(g.role, ())
        }
    )
    if "" in prefixes:
        return [""]
    # Drop prefixes already covered by a shorter one.
    kept = []
    for p in prefixes:
        if not any(p == k or p.startswith(k + ".") for k in kept):
            kept.append(p)
    return kept


def kim_ids(user, capability):
    return sorted(
        {
            g.kim_id
            for g in grants(user)
            if g.kim_id is not None and capability in CAPABILITIES.get(g.role, ())
        }
    )


def code_in(code, prefix):
    return prefix == "" or code == prefix or code.startswith(prefix + ".")


def region_q(prefixes, field="region_code"):
    """Q for rows under any of the prefixes (exact code or descendant)."""
    q = Q(pk__in=[])
    for p in prefixes:
        if p == "":
            return Q()
        q |= Q(**{field: p}) | Q(**{f"{field}__startswith": p + "."})
    return q


def scope_q(user, capability, *, region_field="region_code", kim_field=None):
    prefixes = region_prefixes(user, capability)
    if prefixes == [""]:
        # Everywhere. Not OR-ed with the KIM ids below: Q() | x is x, which would narrow it.
        return Q()
    q = region_q(prefixes, region_field)
    if kim_field:
        ids = kim_ids(user, capability)
        if ids:
            q |= Q(**{f"{kim_field}__in": ids})
    return q


def scope_filter(user, queryset, capability, *, region_field="region_code", kim_field=None):
    """Only the rows of `queryset` the user may act on with `capability`."""
    return queryset.filter(
        scope_q(user, capability, region_field=region_field, kim_field=kim_field)
    )


def can(user, capability, obj=None, *, region_code=None, kim_id=None):
    """May `user` use `capability` on `obj` (or on a wilayah code / KIM id)?"""
    if user is None or not user.is_authenticated:
        return False
    if obj is not None:
        region_code = getattr(obj, "region_code", region_code)
        kim_id = getattr(obj, "kim_id", kim_id)
        if obj._meta.label == "registry.Kim":  # a KIM is its own tenant: its pk is the kim_id
            kim_id = obj.pk
    if not has_capability(user, capability):
        return False
    if obj is None and region_code is None and kim_id is None:
        return True
    if region_code is not None and any(
        code_in(region_code, p) for p in region_prefixes(user, capability)
    ):
        return True
    return kim_id is not None and kim_id in kim_ids(user, capability)


def get_or_404(user, queryset, capability, *, region_field="region_code", kim_field=None, **kw):
    """Fetch one object inside the user's scope; anything else is 404, the same as missing."""
    try:
        return scope_filter(
            user, queryset, capability, region_field=region_field, kim_field=kim_field
        ).get(**kw)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def require(user, capability, obj=None, **kw):
    if not can(user, capability, obj, **kw):
        raise Http404
