"""Shared fixtures: a small real slice of the wilayah table and the personas every
issue's tests reuse (admin of Sumbar, pembina of Lima Puluh Kota and of Bukittinggi,
admin of another province, warga, anonymous; plus nasional and KIM people)."""

import os

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from simpul.accounts.roles import Role
from simpul.regions.models import Region
from simpul.regions.services import _read_package_data, load_regions

from .factories import KimFactory, OfficeFactory, UserFactory, assign, confirmed_totp

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server

# Every province and kab/kota; kecamatan and desa of Sumatera Barat (13) and Kota Medan (12.71).
DEEP = ("13.", "12.71.")


def small_source():
    names, postal = _read_package_data()
    keep = {c: n for c, n in names.items() if c.count(".") <= 1 or c.startswith(DEEP)}
    return keep, postal


_SOURCE = None


def ensure_regions():
    global _SOURCE
    if not Region.objects.filter(code="13.07.07.2002").exists():
        _SOURCE = _SOURCE or small_source()
        load_regions(source=_SOURCE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_regions()


@pytest.fixture(autouse=True)
def _regions_present(request):
    """Transactional tests (live_server) flush the database; put the wilayah back."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        ensure_regions()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _chromium_present():
    import shutil

    return bool(os.environ.get("SIMPUL_CHROMIUM") or shutil.which("chromium"))


def pytest_collection_modifyitems(config, items):
    browser = [i for i in items if i.get_closest_marker("browser")]
    if browser and not _chromium_present():
        if os.environ.get("SIMPUL_REQUIRE_BROWSER") == "1":
            raise pytest.UsageError("chromium is required (SIMPUL_REQUIRE_BROWSER=1) but absent")
        print(
            f"\nchromium not found: {len(browser)} browser test(s) not run "
            "(apt-get install chromium)"
        )
        config.hook.pytest_deselected(items=browser)
        items[:] = [i for i in items if not i.get_closest_marker("browser")]
    # Tests that flush the database run last, so the rest share the session's wilayah.
    items.sort(
        key=lambda i: bool(
            {"transactional_db", "live_server"} & set(getattr(i, "fixturenames", ()))
        )
    )


# --- personas ---------------------------------------------------------------


@pytest.fixture
def office_sumbar(db):
    return OfficeFactory(
        name="Dinas Komunikasi, Informatika dan Statistik Provinsi Sumatera Barat",
        unit="Bidang IKP",
        kind="diskominfo_provinsi",
        region_code="13",
    )


@pytest.fixture
def admin_sumbar(db, office_sumbar):
    user = UserFactory(full_name="Admin Sumbar", email="admin.sumbar@contoh.id")
    assign(user, Role.ADMIN_PROVINSI, region_code="13", office=office_sumbar)
    return user


@pytest.fixture
def pembina_limapuluhkota(db):
    office = OfficeFactory(name="Diskominfo Kabupaten Lima Puluh Kota", region_code="13.07")
    user = UserFactory(full_name="Pembina Lima Puluh Kota", email="pembina.5okota@contoh.id")
    assign(user, Role.PEMBINA, region_code="13.07", office=office)
    return user


@pytest.fixture
def pembina_bukittinggi(db):
    office = OfficeFactory(name="Diskominfo Kota Bukittinggi", region_code="13.75")
    user = UserFactory(full_name="Pembina Bukittinggi", email="pembina.bkt@contoh.id")
    assign(user, Role.PEMBINA, region_code="13.75", office=office)
    return user


@pytest.fixture
def admin_other_province(db):
    office = OfficeFactory(
        name="Diskominfo Provinsi Sumatera Utara", kind="diskominfo_provinsi", region_code="12"
    )
    user = UserFactory(full_name="Admin Sumut", email="admin.sumut@contoh.id")
    assign(user, Role.ADMIN_PROVINSI, region_code="12", office=office)
    return user


@pytest.fixture
def nasional(db):
    office = OfficeFactory(name="Komdigi", kind="komdigi", region_code="")
    user = UserFactory(full_name="Petugas Komdigi", email="komdigi@contoh.id")
    assign(user, Role.NASIONAL, region_code="", office=office)
    return user


@pytest.fixture
def warga(db):
    user = UserFactory(full_name="Warga Koto Bangun", email="warga@contoh.id")
    assign(user, Role.WARGA, region_code="13.07.07.2002")
    return user


@pytest.fixture
def kim(db):
    return KimFactory(
        name="Kelompok Informasi Masyarakat Tujuh Koto Talago", slug="tujuh-koto-talago"
    )


@pytest.fixture
def sibling_kim(db):
    return KimFactory(name="Kelompok Informasi Masyarakat Koto Bangun", slug="koto-bangun")


@pytest.fixture
def pengurus(db, kim):
    user = UserFactory(full_name="Ketua KIM", email="ketua@contoh.id")
    assign(user, Role.PENGURUS, kim=kim)
    return user


@pytest.fixture
def anggota(db, kim):
    user = UserFactory(full_name="Anggota KIM", email="anggota@contoh.id")
    assign(user, Role.ANGGOTA, kim=kim)
    return user


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in and past the second factor if needed."""

    def _login(user, *, verified=True):
        client.force_login(user)
        if verified:
            device = confirmed_totp(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


PERSONAS = [
    "admin_sumbar",
    "pembina_limapuluhkota",
    "pembina_bukittinggi",
    "admin_other_province",
    "warga",
    "anonymous",
]


@pytest.fixture
def persona(request, login, client):
    """Parametrise with indirect=True over PERSONAS: yields (name, user or None, client)."""
    name = request.param
    if name == "anonymous":
        return name, None, client
    user = request.getfixturevalue(name)
    return name, user, login(user)


@pytest.fixture
def smtp(settings):
    """Route Django e-mail to a real SMTP server on loopback; yields its message sink."""
    from .smtp import Sink, serving

    with serving(settings, Sink()) as sink:
        yield sink
