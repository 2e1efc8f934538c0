from django_tasks_db.models import DBTaskResult

from simpul.accounts.models import RoleAssignment
from simpul.accounts.roles import AUDIT_VIEW
from simpul.accounts.scope import scope_filter
from simpul.audit.models import Event
from simpul.regions.models import Region


def responsibilities(user):
    """What the user is responsible for: one entry per active role, with its wilayah or KIM."""
    rows = list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("office", "kim")
        .order_by("role", "region_code")
    )
    codes = {r.region_code for r in rows if r.region_code}
    codes |= {r.kim.region_code for r in rows if r.kim_id}
    regions = Region.objects.in_bulk(list(codes))
    result = []
    for r in rows:
        code = r.kim.region_code if r.kim_id else r.region_code
        result.append(
            {
                "assignment": r,
                "role": r.get_role_display(),
                "office": r.office,
                "kim": r.kim,
                "region": regions.get(code) if code else None,
                "everywhere": r.region_code == "",
            }
        )
    return result


def recent_events(user, limit=8):
    return list(
        scope_filter(user, Event.objects.select_related("actor"), AUDIT_VIEW, kim_field="kim_id")[
            :limit
        ]
    )


def failed_task_count():
    return DBTaskResult.objects.failed().count()
