from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from simpul.accounts import scope
from simpul.accounts.models import Office, RoleAssignment, User
from simpul.accounts.roles import KIM_VERIFY, KIM_VIEW, Role
from simpul.regions.models import Region

pytestmark = pytest.mark.django_db

DOMAIN = "@scale.simpul"


@pytest.fixture
def debug(settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path


def run(**options):
    out = StringIO()
    call_command("scale", stdout=out, **options)
    return out.getvalue()


def scale_users(role):
    return User.objects.filter(email__endswith=DOMAIN, role_assignments__role=role)


def test_sumbar_preset_creates_offices_and_pembina_in_scope(debug):
    out = run(preset="sumbar")

    kabkota_codes = sorted(
        Region.objects.filter(parent_id="13", level=2).values_list("code", flat=True)
    )
    offices = Office.objects.filter(kind=Office.Kind.DISKOMINFO_KABKOTA)
    assert sorted(offices.values_list("region_code", flat=True)) == kabkota_codes
    assert (
        Office.objects.filter(kind=Office.Kind.DISKOMINFO_PROVINSI, region_code="13").count() == 1
    )

    pembina = list(scale_users(Role.PEMBINA))
    assert len(pembina) == 38
    per_code = {}
    for user in pembina:
        (prefix,) = scope.region_prefixes(user, KIM_VERIFY)
        assert prefix in kabkota_codes
        assert prefix.replace(".", "-") in user.email
        assert not user.has_usable_password()
        per_code[prefix] = per_code.get(prefix, 0) + 1
    assert per_code == {code: 2 for code in kabkota_codes}
    assert User.objects.get(email="pembina1.13-07@scale.simpul")

    admins = list(scale_users(Role.ADMIN_PROVINSI))
    assert len(admins) == 2
    assert all(scope.region_prefixes(a, KIM_VERIFY) == ["13"] for a in admins)

    kecamatan = Region.objects.filter(code__startswith="13.", level=3).count()
    operators = list(scale_users(Role.OPERATOR_WILAYAH))
    assert len(operators) == round(kecamatan * 0.1)
    for operator in operators:
        (prefix,) = scope.region_prefixes(operator, KIM_VIEW)
        assert prefix.startswith("13.") and prefix.count(".") == 2
    assert "19 kab/kota" in out


def test_second_run_adds_nothing_and_keeps_people(debug):
    run(preset="sumbar")
    before = (User.objects.count(), Office.objects.count(), RoleAssignment.objects.count())
    people = dict(User.objects.filter(email__endswith=DOMAIN).values_list("email", "full_name"))

    out = run(preset="sumbar")

    after = (User.objects.count(), Office.objects.count(), RoleAssignment.objects.count())
    assert after == before
    assert dict(User.objects.filter(email__endswith=DOMAIN).values_list("email", "full_name")) == (
        people
    )
    assert "created nothing" in out


def test_same_seed_gives_the_same_people(debug):
    run(preset="sumbar", seed=7)
    first = dict(User.objects.filter(email__endswith=DOMAIN).values_list("email", "full_name"))
    RoleAssignment.objects.filter(user__email__endswith=DOMAIN).delete()
    User.objects.filter(email__endswith=DOMAIN).delete()

    run(preset="sumbar", seed=7)

    again = dict(User.objects.filter(email__endswith=DOMAIN).values_list("email", "full_name"))
    assert again == first


def test_scale_reuses_the_demo_offices(debug):
    call_command("demo", stdout=StringIO())
    offices_before = Office.objects.count()

    run(preset="sumbar")

    assert Office.objects.count() == offices_before
    assert (
        Office.objects.filter(kind=Office.Kind.DISKOMINFO_PROVINSI, region_code="13").count() == 1
    )
    pembina = User.objects.get(email="pembina1.13-07@scale.simpul")
    assert pembina.role_assignments.get().office.name == (
        "Dinas Komunikasi dan Informatika Kabupaten Lima Puluh Kota"
    )


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    settings.DEMO = False
    with pytest.raises(CommandError, match="--force"):
        run(preset="sumbar")
    assert not User.objects.filter(email__endswith=DOMAIN).exists()
    run(preset="sumbar", force=True)
    assert scale_users(Role.PEMBINA).count() == 38


def test_missing_bench_folder_is_one_clear_error(debug, settings, tmp_path):
    settings.BASE_DIR = tmp_path / "src" / "simpul"
    with pytest.raises(CommandError, match="bench"):
        run(preset="sumbar")


def test_generator_path_points_at_the_repository_bench():
    from simpul.core.management.commands.scale import generator_path

    assert generator_path() == Path(__file__).resolve().parents[2] / "bench" / "scale.py"
