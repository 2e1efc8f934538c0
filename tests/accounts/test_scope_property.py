"""scope_filter / can against a plain-Python statement of the tenancy rule (DESIGN.md):

a role held at wilayah code P covers rows whose region_code is P or starts with "P."
('' covers all of Indonesia); a role held at a KIM covers rows with that kim_id; only
active assignments count, only roles whose capability set holds the capability.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.models import RoleAssignment, User
from simpul.accounts.roles import CAPABILITIES, KIM_ROLES, Role
from simpul.audit.models import Event
from simpul.regions.models import Region

from ..factories import KimFactory, UserFactory, assign

# One capability per distinct set of roles holding it (the others behave the same), plus
# one that no role holds.
_HOLDERS = {}
for _cap in sorted(set().union(*CAPABILITIES.values())):
    _HOLDERS.setdefault(frozenset(r for r, caps in CAPABILITIES.items() if _cap in caps), _cap)
ALL_CAPABILITIES = [*_HOLDERS.values(), "tidak.dipegang.siapa.pun"]
REGION_ROLES = [r for r in Role if r not in KIM_ROLES]
TIMINGS = ["open", "open", "ends_later", "ended", "not_started"]


def pick(prefix, level, n=2):
    return list(
        Region.objects.filter(level=level, code__startswith=prefix)
        .order_by("code")
        .values_list("code", flat=True)[:n]
    )


@pytest.fixture
def codes(db):
    """Real codes at every level, in two provinces, including siblings that share digits."""
    pool = ["", "11", "12", "13"]
    pool += ["13.07", "13.75", "13.71", "13.09", "12.71", "12.01"]
    for kab in ("13.07", "13.75", "12.71"):
        pool += pick(kab + ".", 3)
    for kec in ("13.07.07", "13.07.01", "13.75.01", "12.71.01"):
        pool += pick(kec + ".", 4)
    assert set(Region.objects.filter(code__in=pool).values_list("code", flat=True)) == set(pool[1:])
    return pool


@pytest.fixture
def kims(db):
    return [
        KimFactory(region_code="13.07.07.2002"),
        KimFactory(region_code="13.07.07.2001"),
        KimFactory(region_code="13.75.01.1001"),
    ]


@dataclass
class Held:
    role: str
    region_code: str | None
    kim_id: int | None
    active: bool


def under(code, prefix):
    """Written out again on purpose instead of importing scope.code_in."""
    if prefix == "":
        return True
    return code == prefix or code[: len(prefix) + 1] == prefix + "."


def expected_visible(row, held, capability, *, superuser, with_kim):
    if superuser:
        return True
    for h in held:
        if not h.active or capability not in CAPABILITIES[h.role]:
            continue
        if h.region_code is not None and under(row.region_code, h.region_code):
            return True
        if with_kim and h.kim_id is not None and row.kim_id == h.kim_id:
            return True
    return False


def held_strategy(codes, kims):
    region_role = st.builds(
        lambda role, code, timing: (role, code, None, timing),
        st.sampled_from(REGION_ROLES),
        st.sampled_from(codes),
        st.sampled_from(TIMINGS),
    )
    kim_role = st.builds(
        lambda role, kim, timing: (role, None, kim.pk, timing),
        st.sampled_from(sorted(KIM_ROLES)),
        st.sampled_from(kims),
        st.sampled_from(TIMINGS),
    )
    return st.lists(st.one_of(region_role, region_role, kim_role), max_size=4)


def create_assignment(user, role, region_code, kim_id, timing, now):
    starts_at, ends_at = now - timedelta(days=30), None
    if timing == "ends_later":
        ends_at = now + timedelta(days=30)
    elif timing == "ended":
        ends_at = now - timedelta(seconds=1)
    elif timing == "not_started":
        starts_at = now + timedelta(days=1)
    RoleAssignment.objects.create(
        user=user,
        role=role,
        region_code=region_code,
        kim_id=kim_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return Held(role, region_code, kim_id, timing in ("open", "ends_later"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_scope_filter_and_can_match_the_prefix_rule(codes, kims, data):
    assignments = data.draw(held_strategy(codes, kims), label="assignments")
    superuser = data.draw(st.sampled_from([False, False, False, True]), label="superuser")
    rows = data.draw(
        st.lists(
            st.tuples(st.sampled_from(codes), st.sampled_from([None, *(k.pk for k in kims)])),
            max_size=12,
        ),
        label="rows",
    )

    with transaction.atomic():
        now = timezone.now()
        user = UserFactory(is_superuser=superuser)
        held = [create_assignment(user, *a, now) for a in assignments]
        for i, (code, kim_id) in enumerate(rows):
            audit.record(
                actor=None,
                action="uji.scope",
                object_type="uji",
                object_id=f"baris-{i}",
                region_code=code,
                kim_id=kim_id,
            )
        user = User.objects.get(pk=user.pk)  # no cached grants
        everything = list(Event.objects.all())
        assert len(everything) >= len(rows)

        for capability in ALL_CAPABILITIES:
            check_capability(user, held, capability, everything, codes, superuser=superuser)

        transaction.set_rollback(True)


def check_capability(user, held, capability, everything, codes, *, superuser):
    for with_kim in (False, True):
        kim_field = "kim_id" if with_kim else None
        got = set(
            scope.scope_filter(user, Event.objects.all(), capability, kim_field=kim_field)
            .values_list("pk", flat=True)
        )  # fmt: skip
        want = {
            e.pk
            for e in everything
            if expected_visible(e, held, capability, superuser=superuser, with_kim=with_kim)
        }
        assert got == want, (capability, with_kim, [(e.region_code, e.kim_id) for e in everything])

    for e in everything:
        want = expected_visible(e, held, capability, superuser=superuser, with_kim=True)
        assert scope.can(user, capability, e) is want, (capability, e.region_code, e.kim_id)

    # The prefixes are the covering set, with nothing covered twice.
    prefixes = scope.region_prefixes(user, capability)
    assert not any(under(p, q) for p in prefixes for q in prefixes if p != q)
    for code in codes:
        covered = superuser or any(
            h.active
            and capability in CAPABILITIES[h.role]
            and h.region_code is not None
            and under(code, h.region_code)
            for h in held
        )
        assert any(under(code, p) for p in prefixes) is covered, (capability, code)


# --- the same rule, case by case -------------------------------------------------


def event_at(region_code, kim_id=None, name="x"):
    return audit.record(
        actor=None,
        action="uji.scope",
        object_type="uji",
        object_id=name,
        region_code=region_code,
        kim_id=kim_id,
    )


def visible(user, capability, **kw):
    qs = scope.scope_filter(user, Event.objects.filter(action="uji.scope"), capability, **kw)
    return set(qs.values_list("object_id", flat=True))


@pytest.fixture
def rows(db):
    return {
        name: event_at(code, name=name)
        for name, code in [
            ("sumbar", "13"),
            ("limapuluhkota", "13.07"),
            ("koto_bangun", "13.07.07.2002"),
            ("bukittinggi", "13.75.01.1001"),
            ("medan", "12.71.01.1001"),
            ("nasional", ""),
        ]
    }


def test_pembina_sees_own_kabupaten_only(rows, pembina_limapuluhkota):
    assert visible(pembina_limapuluhkota, "audit.view") == {"limapuluhkota", "koto_bangun"}
    assert scope.can(pembina_limapuluhkota, "kim.verify", region_code="13.07.07.2002")
    assert not scope.can(pembina_limapuluhkota, "kim.verify", region_code="13.75.01.1001")
    assert not scope.can(pembina_limapuluhkota, "kim.verify", region_code="13")
    # A capability the role does not carry grants nothing, even inside the wilayah.
    assert visible(pembina_limapuluhkota, "tasks.view") == set()
    assert not scope.can(pembina_limapuluhkota, "office.manage", region_code="13.07")


@pytest.mark.parametrize("timing", ["ended", "not_started"])
def test_inactive_assignments_grant_nothing(rows, timing):
    user = UserFactory()
    create_assignment(user, Role.ADMIN_PROVINSI, "13", None, timing, timezone.now())
    create_assignment(user, Role.NASIONAL, "", None, timing, timezone.now())

    assert visible(user, "audit.view") == set()
    assert scope.grants(user) == ()
    assert not scope.has_capability(user, "audit.view")
    assert not scope.can(user, "audit.view", rows["sumbar"])
    assert not scope.needs_two_factor(user)


def test_ending_an_assignment_takes_effect_after_forget(rows, admin_sumbar):
    assert "sumbar" in visible(admin_sumbar, "audit.view")
    RoleAssignment.objects.filter(user=admin_sumbar).update(
        ends_at=timezone.now() - timedelta(seconds=1)
    )
    scope.forget(admin_sumbar)
    assert visible(admin_sumbar, "audit.view") == set()


def test_kim_roles_match_rows_by_kim_not_by_region(db, kim, pengurus):
    sibling_kim = KimFactory(region_code="13.07.07.2001")  # same kecamatan
    assert kim.region_code == "13.07.07.2002"
    event_at("13.07.07.2002", kim.pk, name="own_kim")
    event_at("13.07.07.2002", sibling_kim.pk, name="sibling_kim")
    event_at("13.07.07.2002", None, name="same_desa_no_kim")
    event_at("12.71.01.1001", kim.pk, name="own_kim_elsewhere")

    assert visible(pengurus, "kim.edit", kim_field="kim_id") == {"own_kim", "own_kim_elsewhere"}
    assert visible(pengurus, "kim.edit") == set()  # without kim_field, no region grant applies
    assert scope.region_prefixes(pengurus, "kim.edit") == []
    assert scope.kim_ids(pengurus, "kim.edit") == [kim.pk]
    assert scope.can(pengurus, "kim.edit", kim)  # the KIM itself: its pk is not its kim_id
    assert not scope.can(pengurus, "kim.edit", sibling_kim)
    assert not scope.can(pengurus, "kim.edit", region_code="13.07.07.2002")
    # pengurus holds no audit capability at all
    assert visible(pengurus, "audit.view", kim_field="kim_id") == set()


def test_superuser_sees_everything(rows):
    root = UserFactory(is_superuser=True)
    assert visible(root, "tasks.view") == set(rows)
    assert scope.region_prefixes(root, "anything") == [""]
    assert all(scope.can(root, "audit.view", e) for e in rows.values())


def test_nasional_role_at_empty_code_covers_all_of_indonesia(rows, nasional):
    assert visible(nasional, "audit.view") == set(rows)
    assert scope.region_prefixes(nasional, "audit.view") == [""]


@pytest.mark.parametrize("national", ["nasional_role", "superuser"])
def test_a_kim_role_does_not_narrow_an_everywhere_grant(rows, kim, national):
    # Q() | Q(kim_id__in=…) is just the KIM filter: everywhere must stay everywhere.
    user = UserFactory(is_superuser=national == "superuser")
    if national == "nasional_role":
        assign(user, Role.NASIONAL, region_code="")
    assign(user, Role.PENGURUS, kim=kim)
    event_at("13.07.07.2002", kim.pk, name="own_kim")

    assert visible(user, "kim.view", kim_field="kim_id") == {*rows, "own_kim"}


def test_anonymous_sees_nothing(rows):
    anon = AnonymousUser()
    assert visible(anon, "audit.view") == set()
    assert scope.region_prefixes(anon, "audit.view") == []
    assert not scope.can(anon, "audit.view", rows["nasional"])
    assert not scope.can(None, "audit.view", region_code="13")
    assert not scope.has_capability(anon, "audit.view")


def test_get_or_404_hides_rows_outside_scope(rows, pembina_bukittinggi):
    qs = Event.objects.all()
    found = scope.get_or_404(pembina_bukittinggi, qs, "audit.view", object_id="bukittinggi")
    assert found == rows["bukittinggi"]
    with pytest.raises(Http404):
        scope.get_or_404(pembina_bukittinggi, qs, "audit.view", object_id="koto_bangun")
    with pytest.raises(Http404):
        scope.require(pembina_bukittinggi, "audit.view", rows["sumbar"])


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        (["13", "13.07"], ["13"]),
        (["13.07", "13"], ["13"]),
        (["13.07.07", "13.07", "13.07.07.2002"], ["13.07"]),
        (["13.07", "13.75"], ["13.07", "13.75"]),
        (["12.71", "13", "13.75.01"], ["12.71", "13"]),
        (["13", ""], [""]),
    ],
)
def test_region_prefixes_drop_codes_already_covered(db, held, expected):
    user = UserFactory()
    for code in held:
        assign(user, Role.PEMBINA, region_code=code)
    assign(user, Role.WARGA, region_code="11")  # no audit capability: adds no prefix
    assert scope.region_prefixes(user, "audit.view") == expected
