import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from simpul.accounts import scope
from simpul.accounts.models import Office, RoleAssignment, User
from simpul.accounts.roles import KELOLA, KIM_VERIFY, KIM_VIEW, Role
from simpul.audit.models import Event
from simpul.core import demo
from simpul.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def run(**options):
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def user(local_part):
    return User.objects.get(email=f"{local_part}@simpul.demo")


def counts():
    return (
        User.objects.count(),
        Office.objects.count(),
        RoleAssignment.objects.count(),
        Event.objects.count(),
    )


def test_demo_creates_the_offices(data_dir):
    run()
    kabkota = Office.objects.filter(kind=Office.Kind.DISKOMINFO_KABKOTA)
    sumbar_kabkota = Region.objects.filter(parent_id="13", level=2)
    assert sumbar_kabkota.count() == 19
    assert sorted(kabkota.values_list("region_code", flat=True)) == sorted(
        sumbar_kabkota.values_list("code", flat=True)
    )
    assert kabkota.get(region_code="13.07").name == (
        "Dinas Komunikasi dan Informatika Kabupaten Lima Puluh Kota"
    )
    province = Office.objects.get(kind=Office.Kind.DISKOMINFO_PROVINSI, region_code="13")
    assert province.name == "Dinas Komunikasi, Informatika dan Statistik Provinsi Sumatera Barat"
    assert province.unit == "Bidang Informasi dan Komunikasi Publik (IKP)"
    assert Office.objects.filter(kind=Office.Kind.DISKOMINFO_PROVINSI, region_code="14").exists()
    assert Office.objects.filter(kind=Office.Kind.KOMDIGI, region_code="").count() == 1


def test_demo_users_hold_their_roles_in_scope(data_dir):
    run()
    assert scope.region_prefixes(user("pembina.limapuluhkota"), KIM_VERIFY) == ["13.07"]
    assert scope.region_prefixes(user("pembina.bukittinggi"), KIM_VERIFY) == ["13.75"]
    assert scope.region_prefixes(user("admin.sumbar"), KIM_VERIFY) == ["13"]
    assert scope.region_prefixes(user("admin.riau"), KIM_VERIFY) == ["14"]
    assert scope.region_prefixes(user("komdigi"), KELOLA) == [""]
    operator = user("operator.kecamatan")
    assert scope.region_prefixes(operator, KIM_VIEW) == ["13.07.07"]
    assert scope.region_prefixes(operator, KIM_VERIFY) == []
    warga = user("warga")
    assert scope.roles(warga) == {Role.WARGA}
    assert not scope.has_capability(warga, KELOLA)
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff
    # Office roles sit in the office of their wilayah.
    pembina_ra = RoleAssignment.objects.get(user=user("pembina.limapuluhkota"))
    assert pembina_ra.office.region_code == "13.07"
    assert RoleAssignment.objects.get(user=user("admin.sumbar")).office.region_code == "13"
    assert not User.objects.filter(email__endswith="@simpul.demo", email_verified_at=None)


def test_logins_file_and_output_give_working_passwords(data_dir):
    out = run()
    path = data_dir / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = demo.read_logins(path)
    assert len(saved) == User.objects.filter(email__endswith="@simpul.demo").count() == 10
    for email, password in saved.items():
        assert len(password.replace("-", "")) >= 12
        assert User.objects.get(email=email).check_password(password)
        assert f"{email}" in out and password in out
    assert "TOTP" in out
    assert "13.07 Kabupaten Lima Puluh Kota" in out


def test_second_run_creates_nothing_and_keeps_passwords(data_dir):
    run()
    assert Event.objects.filter(action="core.demo.loaded").count() == 1
    before = counts()
    hashes = dict(User.objects.values_list("email", "password"))
    file_before = (data_dir / "demo-logins.txt").read_text()

    out = run()

    assert counts() == before
    assert dict(User.objects.values_list("email", "password")) == hashes
    assert (data_dir / "demo-logins.txt").read_text() == file_before
    assert "tidak ada yang dibuat" in out


def test_second_run_is_cheap(data_dir, django_assert_max_num_queries):
    run()
    with django_assert_max_num_queries(60):
        run()


def test_user_missing_from_the_logins_file_gets_a_new_password(data_dir):
    run()
    path = data_dir / "demo-logins.txt"
    saved = demo.read_logins(path)
    path.write_text(
        "".join(
            line + "\n" for line in path.read_text().splitlines() if "warga@simpul.demo" not in line
        )
    )

    run()

    again = demo.read_logins(path)
    assert again["warga@simpul.demo"] != saved["warga@simpul.demo"]
    assert user("warga").check_password(again["warga@simpul.demo"])
    assert again["admin.sumbar@simpul.demo"] == saved["admin.sumbar@simpul.demo"]
    assert user("admin.sumbar").check_password(saved["admin.sumbar@simpul.demo"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_role_is_not_assigned_twice(data_dir):
    run()
    pembina = user("pembina.limapuluhkota")
    (data_dir / "demo-logins.txt").unlink()
    run()
    assert RoleAssignment.objects.filter(user=pembina, role=Role.PEMBINA).count() == 1


def test_refuses_without_debug_unless_forced(tmp_path):
    with override_settings(DEBUG=False, DEMO=False, DATA_DIR=tmp_path):
        with pytest.raises(CommandError, match="--force"):
            run()
        assert not User.objects.filter(email__endswith="@simpul.demo").exists()
        assert not (tmp_path / "demo-logins.txt").exists()

        run(force=True)
        assert user("pembina.limapuluhkota")
        assert (tmp_path / "demo-logins.txt").exists()


def test_demo_setting_allows_it_without_debug(tmp_path):
    with override_settings(DEBUG=False, DEMO=True, DATA_DIR=tmp_path):
        run()
    assert user("admin.sumbar")


def test_refuses_when_wilayah_not_loaded(data_dir):
    sumbar = Region.objects.filter(code__startswith="13")
    for level in (4, 3, 2, 1):
        sumbar.filter(level=level).delete()
    with pytest.raises(CommandError) as excinfo:
        run()
    assert str(excinfo.value) == "Wilayah belum dimuat: jalankan `simpul regions load` dulu."
    assert not Office.objects.exists()
    assert not User.objects.exists()
