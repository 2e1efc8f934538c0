"""Public reads: directory, profile and sectors, without any login."""

import pytest

from simpul.registry.models import Channel, Kim, Sector

from ..factories import KimFactory

pytestmark = pytest.mark.django_db


def test_directory_lists_public_kim_only(client, kim, sibling_kim, pengajuan, bukittinggi_kim):
    ditolak = KimFactory(name="KIM Ditolak", slug="ditolak", status=Kim.Status.DITOLAK)
    response = client.get("/api/kim/")
    assert response.status_code == 200
    body = response.json()
    slugs = {row["slug"] for row in body["results"]}
    assert {kim.slug, sibling_kim.slug, bukittinggi_kim.slug} <= slugs
    assert pengajuan.slug not in slugs and ditolak.slug not in slugs
    assert body["count"] == len(slugs) == 3
    row = next(r for r in body["results"] if r["slug"] == kim.slug)
    assert row["name"] == "Kelompok Informasi Masyarakat Tujuh Koto Talago"
    assert row["wilayah"]["code"] == "13.07.07.2002"
    assert row["wilayah"]["kabupaten_kota"] == "Kabupaten Lima Puluh Kota"
    assert row["wilayah"]["kecamatan"] == "Kapur IX"
    assert row["wilayah"]["provinsi"] == "Sumatera Barat"
    assert row["wilayah"]["label"].startswith("Nagari Koto Bangun, Kecamatan Kapur IX")
    assert row["sectors"] == [{"slug": "pertanian", "name": "Pertanian"}]
    assert row["legality"] == "berlaku" and row["member_count"] == 3


def test_directory_filters(client, kim, sibling_kim, bukittinggi_kim):
    def slugs(**params):
        response = client.get("/api/kim/", params)
        assert response.status_code == 200, response.content
        return {r["slug"] for r in response.json()["results"]}

    assert slugs(wilayah="13.75") == {bukittinggi_kim.slug}
    assert slugs(wilayah="13.07") == {kim.slug, sibling_kim.slug}
    assert slugs(wilayah="13") == {kim.slug, sibling_kim.slug, bukittinggi_kim.slug}
    assert slugs(sektor="pertanian") == {kim.slug}
    assert slugs(sektor="umkm") == set()
    assert slugs(q="tujuh koto") == {kim.slug}
    assert slugs(q="KIM Birugo") == {bukittinggi_kim.slug}
    Kim.objects.filter(pk=sibling_kim.pk).update(status=Kim.Status.VAKUM)
    assert slugs(status="vakum") == {sibling_kim.slug}


def test_directory_pagination(client, db):
    for i in range(7):
        KimFactory(name=f"Kelompok Informasi Masyarakat Halaman {i}", slug=f"halaman-{i}")
    first = client.get("/api/kim/", {"limit": 3}).json()
    assert first["count"] == 7 and first["limit"] == 3 and first["offset"] == 0
    assert len(first["results"]) == 3
    rest = client.get("/api/kim/", {"limit": 100, "offset": 3}).json()
    assert len(rest["results"]) == 4
    seen = [r["slug"] for r in first["results"] + rest["results"]]
    assert len(set(seen)) == 7
    beyond = client.get("/api/kim/", {"offset": 50}).json()
    assert beyond["results"] == [] and beyond["count"] == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "dua"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"wilayah": "13.7"}, "wilayah"),
        ({"wilayah": "13.07.99"}, "wilayah"),
        ({"sektor": "perikanan-laut"}, "sektor"),
        ({"status": "pengajuan"}, "status"),
    ],
)
def test_directory_bad_input_is_422_naming_the_field(client, db, params, field):
    response = client.get("/api/kim/", params)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(m, str) and m for m in errors[field])


def test_directory_messages_are_indonesian(client, db):
    assert client.get("/api/kim/", {"limit": 101}).json() == {
        "errors": {"limit": ["Paling besar 100."]}
    }
    assert client.get("/api/kim/", {"sektor": "xyz"}).json()["errors"]["sektor"] == [
        "Sektor tidak dikenal: xyz. Lihat GET /api/sektor/."
    ]


def test_directory_query_count_does_not_grow_with_rows(
    client, db, django_assert_num_queries, settings
):
    def make(n, start):
        for i in range(start, start + n):
            k = KimFactory(
                name=f"Kelompok Informasi Masyarakat Baris {i}",
                slug=f"baris-{i}",
                region_code=("13.07.07.2002", "13.75.03.1002", "13.71.01.1001")[i % 3],
            )
            k.sectors.set(Sector.objects.all()[: 1 + i % 3])

    make(2, 0)
    # count, page, sectors, wilayah (+ the wilayah and sector checks when filtering)
    with django_assert_num_queries(4):
        assert len(client.get("/api/kim/").json()["results"]) == 2
    make(30, 2)
    with django_assert_num_queries(4):
        assert len(client.get("/api/kim/", {"limit": 100}).json()["results"]) == 32
    with django_assert_num_queries(6):
        client.get("/api/kim/", {"limit": 100, "wilayah": "13", "sektor": "pertanian"})


def test_profile_shows_public_data_only(client, kim):
    response = client.get(f"/api/kim/{kim.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == kim.name
    assert body["wilayah"]["code"] == kim.region_code
    assert body["status"] == "aktif" and body["status_label"] == "Aktif"
    assert body["legality"] == "berlaku"
    assert body["sk"]["number"] == "05/SK/WN-KB/2023"
    (channel,) = body["channels"]
    assert channel["kind"] == "facebook" and channel["kind_label"] == "Facebook"
    assert channel["url"] == "https://facebook.com/kim.tujuhkototalago"
    assert "facebook.com/kim.tujuhkototalago" in channel["handle"]
    assert channel["audience"] == 1200
    # Only officers who agreed: the sekretaris did not; the anggota is not an officer.
    assert body["officers"] == [{"name": "Hendri Datuak Rajo Mudo", "position": "Ketua"}]
    text = response.content.decode()
    for secret in ("+62812", "0812", "phone", "address", "email", "Yusniar"):
        assert secret not in text


@pytest.mark.parametrize("status", [Kim.Status.PENGAJUAN, Kim.Status.DITOLAK])
def test_profile_of_non_public_kim_is_404(client, kim, status):
    Kim.objects.filter(pk=kim.pk).update(status=status)
    response = client.get(f"/api/kim/{kim.slug}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Tidak ditemukan."}
    assert client.get("/api/kim/tidak-ada/").status_code == 404


def test_sector_list(client, db):
    body = client.get("/api/sektor/").json()
    assert body[0] == {"slug": "pertanian", "name": "Pertanian"}
    assert [s["slug"] for s in body] == list(Sector.objects.values_list("slug", flat=True))


def test_no_docs_page_but_openapi_json(client, db):
    assert client.get("/api/docs").status_code == 404
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Simpul API"


def test_profile_never_shows_a_whatsapp_invite_or_a_phone_number(client, kim):
    Channel.objects.create(
        kim=kim,
        region_code=kim.region_code,
        kind=Channel.Kind.WHATSAPP,
        handle="https://chat.whatsapp.com/AbCdEfGh123",
        audience=240,
    )
    Channel.objects.create(
        kim=kim, region_code=kim.region_code, kind=Channel.Kind.RADIO, handle="SMS 0812 0000 1009"
    )
    body = client.get(f"/api/kim/{kim.slug}/").json()
    by_kind = {c["kind"]: c for c in body["channels"]}
    assert by_kind["whatsapp"]["handle"] == by_kind["whatsapp"]["url"] == ""
    assert by_kind["whatsapp"]["audience"] == 240
    assert by_kind["radio"]["handle"] == ""
    assert "chat.whatsapp.com" not in str(body) and "0812" not in str(body)


@pytest.mark.parametrize(
    "code", ["13.07.02.2002", "13.75.03.1002", "13.09.03.2004", "13.07.02", "13.07", "13"]
)
def test_wilayah_label_is_the_one_of_the_html_pages(db, code):
    from simpul.registry import queries
    from simpul.registry.api import wilayah_out

    regions = queries.regions_for([code])
    assert wilayah_out(code, regions)["label"] == queries.wilayah_label(code, regions)


def test_public_api_rounds_coordinates_like_the_map_but_kelola_keeps_them(
    client, login, pembina_limapuluhkota
):
    from simpul.registry import services

    kim = services.kim_create(
        actor=pembina_limapuluhkota,
        name="KIM Rumah Ketua",
        region_code="13.07.07.2002",
        latitude=-0.183457,
        longitude=100.561234,
    )
    body = client.get(f"/api/kim/{kim.slug}/").json()
    assert (body["latitude"], body["longitude"]) == (-0.18, 100.56)
    listed = client.get("/api/kim/", {"q": "rumah ketua"}).json()["results"][0]
    assert (listed["latitude"], listed["longitude"]) == (-0.18, 100.56)
    assert "183457" not in client.get(f"/api/kim/{kim.slug}/").content.decode()
    kelola = login(pembina_limapuluhkota).get("/api/kelola/kim/").json()
    mine = next(k for k in kelola["results"] if k["slug"] == kim.slug)
    assert (mine["latitude"], mine["longitude"]) == (-0.183457, 100.561234)
