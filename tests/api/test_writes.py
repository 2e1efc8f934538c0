"""Scoped writes and the back-office list, persona by persona: each endpoint has callers who
may (2xx) and callers who may not (404, the same as a KIM that does not exist; 401 without
credentials)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simpul.accounts.roles import Role
from simpul.audit.models import Event
from simpul.registry.models import Kim, Member

from ..factories import KimFactory, UserFactory, assign

pytestmark = pytest.mark.django_db

ALLOWED = "allowed"


def caller(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


def expect(response, outcome):
    if outcome == ALLOWED:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == outcome, response.content
        if outcome == 404:
            assert response.json() == {"detail": "Tidak ditemukan."}


# --- PATCH /api/kim/{slug}/ ----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "outcome"),
    [
        ("pengurus", ALLOWED),
        ("pembina_limapuluhkota", ALLOWED),
        ("anggota", 404),
        ("admin_sumbar", 404),  # admin provinsi verifies, it does not edit profiles
        ("pembina_bukittinggi", 404),
        ("admin_other_province", 404),
        ("warga", 404),
        ("anonymous", 401),
    ],
)
def test_update_profile(request, api_as, kim, persona_name, outcome):
    response = api_as(caller(request, persona_name)).patch(
        f"/api/kim/{kim.slug}/",
        {"description": "Pusat informasi nagari.", "sectors": ["pertanian", "umkm"]},
    )
    expect(response, outcome)
    kim.refresh_from_db()
    if outcome == ALLOWED:
        body = response.json()
        assert body["description"] == kim.description == "Pusat informasi nagari."
        assert [s["slug"] for s in body["sectors"]] == ["pertanian", "umkm"]
        assert Event.objects.filter(action="registry.kim.updated", kim_id=kim.pk).exists()
    else:
        assert kim.description == ""
        assert not Event.objects.filter(action="registry.kim.updated").exists()


def test_pengurus_of_a_sibling_kim_gets_404(api_as, kim, sibling_kim):
    other = UserFactory()
    assign(other, Role.PENGURUS, kim=sibling_kim)
    response = api_as(other).patch(f"/api/kim/{kim.slug}/", {"description": "x"})
    expect(response, 404)
    response = api_as(other).patch(f"/api/kim/{sibling_kim.slug}/", {"description": "x"})
    assert response.status_code == 200


def test_update_sends_only_given_fields(api_as, kim, pengurus):
    Kim.objects.filter(pk=kim.pk).update(address="Jorong Talago", description="Lama")
    response = api_as(pengurus).patch(
        f"/api/kim/{kim.slug}/", {"latitude": -0.1834567891, "longitude": 100.5612}
    )
    assert response.status_code == 200, response.content
    kim.refresh_from_db()
    assert str(kim.latitude) == "-0.183457" and str(kim.longitude) == "100.561200"
    assert kim.address == "Jorong Talago" and kim.description == "Lama"
    assert [s.slug for s in kim.sectors.all()] == ["pertanian"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sectors": ["pertanian", "perikanan-laut"]}, "sectors"),
        ({"latitude": 3.1}, "longitude"),  # one without the other
        ({"latitude": 25.0, "longitude": 100.5}, "latitude"),  # outside Indonesia
        ({"latitude": "utara"}, "latitude"),
        ({"founded_on": "17-08-2020"}, "founded_on"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"region_code": "13.07.02.9999"}, "region_code"),
        ({"region_code": "13.7"}, "region_code"),
    ],
)
def test_update_bad_input_is_422(api_as, kim, pembina_limapuluhkota, body, field):
    response = api_as(pembina_limapuluhkota).patch(f"/api/kim/{kim.slug}/", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])


def test_pembina_moves_a_kim_inside_the_kabupaten_only(api_as, kim, pembina_limapuluhkota):
    client = api_as(pembina_limapuluhkota)
    response = client.patch(f"/api/kim/{kim.slug}/", {"region_code": "13.07.02.2002"})
    assert response.status_code == 200, response.content
    assert response.json()["wilayah"]["name"] == "VII Koto Talago"
    assert Member.objects.filter(kim=kim).first().region_code == "13.07.02.2002"
    response = client.patch(f"/api/kim/{kim.slug}/", {"region_code": "13.75.03.1002"})
    expect(response, 404)
    kim.refresh_from_db()
    assert kim.region_code == "13.07.02.2002"


def test_duplicate_name_in_the_same_wilayah_is_422(api_as, kim, sibling_kim, pengurus):
    response = api_as(pengurus).patch(f"/api/kim/{kim.slug}/", {"name": "KIM Koto Bangun"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["Sudah ada KIM dengan nama ini di wilayah ini."]}


# --- POST /api/kim/ ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "outcome"),
    [
        ("pembina_limapuluhkota", ALLOWED),
        ("admin_sumbar", ALLOWED),
        ("pembina_bukittinggi", 404),
        ("admin_other_province", 404),
        ("pengurus", 404),
        ("warga", 404),
        ("anonymous", 401),
    ],
)
def test_create_kim(request, api_as, db, persona_name, outcome):
    response = api_as(caller(request, persona_name)).post(
        "/api/kim/",
        {
            "name": "KIM Sungai Talang Saiyo",
            "region_code": "13.07.02.2003",
            "sectors": ["pertanian"],
            "founded_on": "2021-08-17",
            "latitude": -0.16,
            "longitude": 100.55,
        },
    )
    expect(response, outcome)
    created = Kim.objects.filter(region_code="13.07.02.2003").first()
    if outcome == ALLOWED:
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == created.name == "Kelompok Informasi Masyarakat Sungai Talang Saiyo"
        assert body["status"] == "aktif" and body["slug"] == created.slug
        assert body["wilayah"]["kecamatan"] == "Guguak"
        assert [s.slug for s in created.sectors.all()] == ["pertanian"]
        assert created.founded_on.isoformat() == "2021-08-17"
    else:
        assert created is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "KIM Baru", "region_code": "13.07.02.9999"}, "region_code"),
        ({"name": "KIM Baru", "region_code": "13.07"}, "region_code"),  # not a desa/kecamatan
        ({"name": "KIM Baru", "region_code": "abc"}, "region_code"),
        ({"name": "KIM Baru", "region_code": "13.07.02.2003", "sectors": ["xyz"]}, "sectors"),
        ({"name": "KIM", "region_code": "13.07.02.2003"}, "name"),
        ({"region_code": "13.07.02.2003"}, "name"),
        (
            {"name": "KIM Baru", "region_code": "13.07.02.2003", "kimid_url": "bukan url"},
            "kimid_url",
        ),
    ],
)
def test_create_bad_input_is_422(api_as, pembina_limapuluhkota, body, field):
    response = api_as(pembina_limapuluhkota).post("/api/kim/", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Kim.objects.filter(region_code="13.07.02.2003").exists()


def test_create_invalid_wilayah_message(api_as, pembina_limapuluhkota):
    response = api_as(pembina_limapuluhkota).post(
        "/api/kim/", {"name": "KIM Baru", "region_code": "13.07.02.9999"}
    )
    assert response.json() == {"errors": {"region_code": ["Wilayah dengan kode ini tidak ada."]}}


def test_create_body_that_is_not_json_is_400(api_as, pembina_limapuluhkota):
    client = api_as(pembina_limapuluhkota).client
    response = client.post("/api/kim/", data="{nama:", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Isi permintaan tidak bisa dibaca: kirim JSON yang valid."}


# --- POST /api/kim/{slug}/verifikasi/ --------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "outcome"),
    [
        ("pembina_limapuluhkota", ALLOWED),
        ("admin_sumbar", ALLOWED),
        ("pembina_bukittinggi", 404),
        ("admin_other_province", 404),
        ("warga", 404),
        ("anonymous", 401),
    ],
)
def test_verify(request, api_as, pengajuan, persona_name, outcome):
    response = api_as(caller(request, persona_name)).post(
        f"/api/kim/{pengajuan.slug}/verifikasi/", {"note": "SK dan pengurus lengkap."}
    )
    expect(response, outcome)
    pengajuan.refresh_from_db()
    if outcome == ALLOWED:
        assert response.json()["status"] == pengajuan.status == Kim.Status.AKTIF
        assert pengajuan.status_note == "SK dan pengurus lengkap."
    else:
        assert pengajuan.status == Kim.Status.PENGAJUAN


def test_pengurus_cannot_verify_their_own_pengajuan(api_as, pengajuan):
    ketua = UserFactory()
    assign(ketua, Role.PENGURUS, kim=pengajuan)
    expect(api_as(ketua).post(f"/api/kim/{pengajuan.slug}/verifikasi/", {}), 404)


def test_verify_an_active_kim_is_422(api_as, kim, pembina_limapuluhkota):
    response = api_as(pembina_limapuluhkota).post(f"/api/kim/{kim.slug}/verifikasi/", {})
    assert response.status_code == 422
    assert response.json() == {"errors": {"status": ["Hanya pengajuan yang bisa diverifikasi."]}}


# --- POST /api/kim/{slug}/anggota/ -------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "outcome"),
    [
        ("pengurus", ALLOWED),
        ("pembina_limapuluhkota", ALLOWED),
        ("anggota", 404),
        ("admin_sumbar", 404),
        ("pembina_bukittinggi", 404),
        ("admin_other_province", 404),
        ("warga", 404),
        ("anonymous", 401),
    ],
)
def test_add_member(request, api_as, kim, persona_name, outcome):
    response = api_as(caller(request, persona_name)).post(
        f"/api/kim/{kim.slug}/anggota/",
        {
            "full_name": "Desi Ratna Sari",
            "position": "bendahara",
            "phone": "0812-0000-1003",
            "consent_on": "2025-01-05",
            "consent_purpose": "Dihubungi pengurus dan pembina",
        },
    )
    expect(response, outcome)
    added = Member.objects.filter(kim=kim, full_name="Desi Ratna Sari").first()
    if outcome == ALLOWED:
        assert response.status_code == 201
        body = response.json()
        assert body["public_id"] == added.public_id
        assert body["position"] == "bendahara" and body["position_label"] == "Bendahara"
        # Both the pengurus and the pembina may see members' private data.
        assert body["phone"] == added.phone == "+6281200001003"
        kim.refresh_from_db()
        assert kim.member_count == 4
    else:
        assert added is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "", "position": "anggota"}, "full_name"),
        ({"full_name": "Ali", "position": "presiden"}, "position"),
        ({"full_name": "Ali", "phone": "12345"}, "phone"),
        ({"full_name": "Ali", "listed_publicly": True}, "listed_publicly"),  # no consent
        ({"full_name": "Ali", "started_on": "kemarin"}, "started_on"),
    ],
)
def test_add_member_bad_input_is_422(api_as, kim, pengurus, body, field):
    response = api_as(pengurus).post(f"/api/kim/{kim.slug}/anggota/", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Member.objects.filter(kim=kim, full_name="Ali").exists()


# --- GET /api/kelola/kim/ ------------------------------------------------------------


def kelola(api_as, user, **params):
    response = api_as(user).get("/api/kelola/kim/", params)
    return response


def test_pembina_sees_pengajuan_and_unmasked_phones(
    api_as, kim, pengajuan, bukittinggi_kim, pembina_limapuluhkota
):
    response = kelola(api_as, pembina_limapuluhkota)
    assert response.status_code == 200
    body = response.json()
    assert {r["slug"] for r in body["results"]} == {kim.slug, pengajuan.slug}
    row = next(r for r in body["results"] if r["slug"] == kim.slug)
    ketua = row["members"][0]
    assert ketua["position"] == "ketua" and ketua["phone"] == "+6281200001001"
    assert ketua["phone_masked"] is False
    assert [m["position"] for m in row["members"]] == ["ketua", "sekretaris", "anggota"]


@pytest.mark.parametrize("persona_name", ["admin_sumbar", "anggota"])
def test_without_private_access_phones_are_masked(request, api_as, kim, persona_name):
    body = kelola(api_as, request.getfixturevalue(persona_name)).json()
    row = next(r for r in body["results"] if r["slug"] == kim.slug)
    ketua = row["members"][0]
    assert ketua["phone"] == "+62812*****001" and ketua["phone_masked"] is True
    assert "+6281200001001" not in str(body)


def test_pengurus_sees_own_kim_only(api_as, kim, sibling_kim, pengajuan, pengurus):
    body = kelola(api_as, pengurus).json()
    assert [r["slug"] for r in body["results"]] == [kim.slug]
    assert body["results"][0]["members"][0]["phone"] == "+6281200001001"


def test_other_province_sees_none_of_sumbar(api_as, kim, pengajuan, admin_other_province):
    response = kelola(api_as, admin_other_province)
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(("persona_name", "status"), [("warga", 404), ("anonymous", 401)])
def test_kelola_list_denied(request, api_as, kim, persona_name, status):
    expect(kelola(api_as, caller(request, persona_name)), status)


def test_kelola_list_filters_and_bounds(api_as, kim, sibling_kim, pengajuan, admin_sumbar):
    def slugs(**params):
        response = kelola(api_as, admin_sumbar, **params)
        assert response.status_code == 200, response.content
        return {r["slug"] for r in response.json()["results"]}

    assert slugs(status="pengajuan") == {pengajuan.slug}
    assert slugs(q="koto lamo") == {pengajuan.slug}
    assert slugs(legalitas="berlaku") == {kim.slug}
    assert slugs(wilayah="13.07.07.2002") == {kim.slug, sibling_kim.slug}
    assert slugs(wilayah="13.75") == set()
    for params, field in (({"limit": 101}, "limit"), ({"wilayah": "13-07"}, "wilayah")):
        response = kelola(api_as, admin_sumbar, **params)
        assert response.status_code == 422 and field in response.json()["errors"]


def test_kelola_list_query_count_is_constant(
    api_as, kim, sibling_kim, pengajuan, pembina_limapuluhkota
):
    client = api_as(pembina_limapuluhkota)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/kelola/kim/").status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    for i in range(20):
        Member.objects.create(
            kim=sibling_kim, region_code=sibling_kim.region_code, full_name=f"Anggota {i}"
        )
    for i in range(10):
        KimFactory(name=f"KIM Tambahan {i}", slug=f"tambahan-{i}", region_code="13.07.02.2002")
    assert count_queries() == before
