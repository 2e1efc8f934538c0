"""/kelola/kim/: the KIM list in the actor's scope, the pending section, filters, budget."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from simpul.registry.models import Kim, Member

from ..factories import KimFactory, UserFactory, assign
from .kelola_support import EVERYONE, actor_client, expected, member, pending_kim

CAN_LIST = {
    "admin_sumbar",
    "pembina_limapuluhkota",
    "pembina_bukittinggi",
    "admin_other_province",
    "pengurus",
    "anggota",
}
SEES_KIM = {"admin_sumbar", "pembina_limapuluhkota", "pengurus", "anggota"}


@pytest.fixture
def actor(request, login, client):
    return actor_client(request, login, client)


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_list_shows_only_kim_in_scope(actor, kim):
    name, user, client = actor
    r = client.get("/kelola/kim/")
    assert r.status_code == expected(name, CAN_LIST)
    if name == "anonymous":
        assert r["Location"] == "/akun/masuk/?next=/kelola/kim/"
    elif r.status_code == 200:
        assert (kim.name in r.content.decode()) == (name in SEES_KIM)


def unconfirmed_self_registration(slug="kim-belum-konfirmasi"):
    """A self-registered pengajuan whose ketua has not opened the e-mail link yet."""
    kim = pending_kim(name="Kelompok Informasi Masyarakat Belum Konfirmasi", slug=slug)
    ketua = UserFactory(full_name="Ketua Belum", email=f"{slug}@contoh.id")
    member(kim, ketua.full_name, Member.Position.KETUA, user=ketua)
    return kim, ketua


def test_pending_section_lists_confirmed_pengajuan_only(login, pembina_limapuluhkota):
    confirmed = pending_kim()
    unconfirmed, ketua = unconfirmed_self_registration()
    html = login(pembina_limapuluhkota).get("/kelola/kim/").content.decode()
    assert "Pengajuan menunggu verifikasi" in html
    pending_part = html.split("Pengajuan menunggu verifikasi")[1].split("</section>")[0]
    assert confirmed.name in pending_part
    # Not before the ketua confirms the e-mail: not in the pending list, nor anywhere else.
    assert unconfirmed.name not in html
    assert login(pembina_limapuluhkota).get(f"/kelola/kim/{unconfirmed.slug}/").status_code == 404
    ketua.email_verified_at = timezone.now()
    ketua.save(update_fields=["email_verified_at"])
    html = login(pembina_limapuluhkota).get("/kelola/kim/").content.decode()
    assert unconfirmed.name in html.split("</section>")[0]


def test_own_pengurus_sees_their_unconfirmed_pengajuan(db, login):
    kim, ketua = unconfirmed_self_registration()
    assign(ketua, "pengurus", kim=kim)
    client = login(ketua, verified=False)
    html = client.get("/kelola/kim/").content.decode()
    assert kim.name in html
    assert "Pengajuan menunggu verifikasi" not in html  # pengurus do not verify
    assert client.get(f"/kelola/kim/{kim.slug}/").status_code == 200


def test_pending_section_is_not_shown_to_those_who_cannot_verify(login, anggota):
    pending_kim()
    html = login(anggota).get("/kelola/kim/").content.decode()
    assert "Pengajuan menunggu verifikasi" not in html


def test_pending_elsewhere_is_not_listed(login, pembina_bukittinggi):
    pending_kim()
    html = login(pembina_bukittinggi).get("/kelola/kim/").content.decode()
    assert "Pengajuan menunggu verifikasi" not in html and "Sungai Dadok" not in html


def make_variety():
    today = timezone.localdate()

    def sk_until(days):
        return {"has_sk": True, "legality_ends_on": today + timedelta(days=days)}

    return {
        "harau": KimFactory(name="KIM Harau Saiyo", slug="harau", region_code="13.07.05"),
        "kapur": KimFactory(name="KIM Kapur Sambilan", slug="kapur", **sk_until(30)),
        "old_sk": KimFactory(name="KIM SK Lama", slug="sk-lama", **sk_until(-1)),
        "valid": KimFactory(name="KIM SK Berlaku", slug="sk-berlaku", **sk_until(400)),
        "ditolak": KimFactory(name="KIM Ditolak Saja", slug="ditolak", status=Kim.Status.DITOLAK),
        "nonaktif": KimFactory(name="KIM Tidur Lama", slug="tidur", status=Kim.Status.NONAKTIF),
        "bukittinggi": KimFactory(
            name="KIM Jam Gadang", slug="jam-gadang", region_code="13.75.01.1001"
        ),
    }


@pytest.mark.parametrize(
    "query,shown,hidden",
    [
        ("", {"harau", "kapur", "nonaktif"}, {"ditolak", "bukittinggi"}),
        ("?wilayah=13.07.05", {"harau"}, {"kapur", "valid"}),
        ("?status=ditolak", {"ditolak"}, {"harau", "kapur"}),
        ("?status=nonaktif", {"nonaktif"}, {"harau"}),
        ("?legalitas=segera_berakhir", {"kapur"}, {"old_sk", "valid", "harau"}),
        ("?legalitas=berakhir", {"old_sk"}, {"kapur", "valid"}),
        ("?legalitas=berlaku", {"valid"}, {"kapur", "old_sk", "harau"}),
        ("?legalitas=tanpa_sk", {"harau"}, {"kapur", "valid"}),
        ("?q=kapur+sambilan", {"kapur"}, {"harau"}),
        ("?q=KIM+Harau", {"harau"}, {"kapur"}),
    ],
)
def test_filters(login, pembina_limapuluhkota, query, shown, hidden):
    kims = make_variety()
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{query}").content.decode()
    for key in shown:
        assert kims[key].name in html, key
    for key in hidden:
        assert kims[key].name not in html, key


def test_bad_wilayah_filter_is_explained_not_a_crash(login, admin_sumbar):
    r = login(admin_sumbar).get("/kelola/kim/?wilayah=13-07")
    assert r.status_code == 200
    assert "Kode wilayah: Kode wilayah tidak valid" in r.content.decode()


def test_pagination_keeps_filters(login, admin_sumbar):
    for i in range(55):
        KimFactory(name=f"KIM Banyak {i:02d}", slug=f"banyak-{i}")
    client = login(admin_sumbar)
    html = client.get("/kelola/kim/?q=banyak").content.decode()
    assert "55 KIM" in html and "page=2" in html and "q=banyak" in html
    html2 = client.get("/kelola/kim/?q=banyak&page=2").content.decode()
    assert "KIM Banyak 54" in html2 and "KIM Banyak 00" not in html2


def test_query_count_does_not_grow_with_rows(login, pembina_limapuluhkota):
    client = login(pembina_limapuluhkota)
    for i in range(2):
        KimFactory(name=f"KIM Awal {i}", slug=f"awal-{i}")
        pending_kim(name=f"KIM Tunggu {i}", slug=f"tunggu-{i}")
    client.get("/kelola/kim/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/kelola/kim/").status_code == 200
    for i in range(12):
        k = KimFactory(
            name=f"KIM Tambahan {i}", slug=f"tambah-{i}", region_code=f"13.07.0{1 + i % 8}"
        )
        member(k, f"Orang {i}")
        pending_kim(name=f"KIM Tunggu Lagi {i}", slug=f"tunggu-lagi-{i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/kelola/kim/").content.decode()
    assert "KIM Tambahan 11" in html and "KIM Tunggu Lagi 11" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_export_and_import_links_for_those_who_register(login, pembina_limapuluhkota, anggota):
    html = login(pembina_limapuluhkota).get("/kelola/kim/?wilayah=13.07.07").content.decode()
    assert 'href="/kelola/kim/impor/"' in html
    assert 'href="/kelola/kim/impor/ekspor.xlsx?wilayah=13.07.07"' in html
    assert 'href="/kelola/kim/baru/"' in html
    # The import/export views live in import_urls, mounted before the KIM slugs.
    assert resolve("/kelola/kim/impor/").view_name == "kelola:kim_import:start"
    assert resolve("/kelola/kim/impor/ekspor.xlsx").view_name == "kelola:kim_import:export_xlsx"
    html = login(anggota).get("/kelola/kim/").content.decode()
    assert "/kelola/kim/impor/" not in html and "/kelola/kim/baru/" not in html


def test_kelola_home_links_to_the_list(login, pembina_limapuluhkota, warga):
    assert 'href="/kelola/kim/"' in login(pembina_limapuluhkota).get("/kelola/").content.decode()
    assert 'href="/kelola/kim/"' not in login(warga).get("/kelola/").content.decode()
