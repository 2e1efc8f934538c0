"""Verification, status, profile, logo, channels and create in /kelola/kim/."""

import pytest
from django.utils import timezone

from simpul.audit.models import Event
from simpul.registry.models import Channel, Kim, Member, Sector

from .kelola_support import (
    CAN_EDIT,
    CAN_VERIFY,
    EVERYONE,
    actor_client,
    errors,
    expected,
    member,
    pending_kim,
    png,
)


@pytest.fixture
def actor(request, login, client):
    return actor_client(request, login, client)


# --- verify, request changes, reject ------------------------------------------------------


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_verify_by_persona(actor, kim):
    name, user, client = actor
    pending = pending_kim()
    r = client.post(f"/kelola/kim/{pending.slug}/verifikasi/", {"note": "Sudah dicek"})
    pending.refresh_from_db()
    want = expected(name, CAN_VERIFY, ok=302)
    assert r.status_code == want
    if want == 302 and name != "anonymous":
        assert r["Location"] == f"/kelola/kim/{pending.slug}/"
        assert pending.status == Kim.Status.AKTIF
        ev = Event.objects.get(action="registry.kim.verified", kim_id=pending.pk)
        assert ev.actor == user and ev.data["note"] == "Sudah dicek"
    else:
        assert pending.status == Kim.Status.PENGAJUAN


def test_verify_form_is_shown_only_to_verifiers(login, pembina_limapuluhkota, pengurus, kim):
    Kim.objects.filter(pk=kim.pk).update(status=Kim.Status.PENGAJUAN)
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert f'action="/kelola/kim/{kim.slug}/verifikasi/"' in html
    assert "menunggu verifikasi Anda" in html
    html = login(pengurus).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "/verifikasi/" not in html and "/tolak/" not in html
    assert "menunggu verifikasi Diskominfo" in html


def test_verify_twice_explains_instead_of_crashing(login, pembina_limapuluhkota, kim):
    r = login(pembina_limapuluhkota).post(
        f"/kelola/kim/{kim.slug}/verifikasi/", {"note": ""}, follow=True
    )
    assert r.redirect_chain == [(f"/kelola/kim/{kim.slug}/", 302)]
    assert '<li class="error">Hanya pengajuan yang bisa diverifikasi.</li>' in r.content.decode()


def test_verify_get_is_not_allowed(login, pembina_limapuluhkota):
    pending = pending_kim()
    assert (
        login(pembina_limapuluhkota).get(f"/kelola/kim/{pending.slug}/verifikasi/").status_code
        == 405
    )


def test_request_changes_needs_a_note_then_pengurus_resubmits(
    login, pembina_limapuluhkota, smtp, django_capture_on_commit_callbacks
):
    from simpul.accounts.roles import Role

    from ..factories import UserFactory, assign

    pending = pending_kim()
    ketua_user = UserFactory(
        full_name="Ketua Sungai", email="ketua.sungai@contoh.id", email_verified_at=timezone.now()
    )
    member(pending, "Ketua Sungai", Member.Position.KETUA, user=ketua_user)
    assign(ketua_user, Role.PENGURUS, kim=pending)
    client = login(pembina_limapuluhkota)
    r = client.post(f"/kelola/kim/{pending.slug}/minta-perbaikan/", {"note": "  "})
    assert r.status_code == 200
    assert "Yang perlu diperbaiki: Tulis apa yang perlu diperbaiki." in errors(r)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/kelola/kim/{pending.slug}/minta-perbaikan/", {"note": "Unggah SK dari wali nagari"}
        )
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Kim.Status.PENGAJUAN and pending.status_note
    assert smtp.wait_for(1)[0]["to"] == ["ketua.sungai@contoh.id"]
    assert "Unggah SK dari wali nagari" in smtp.bodies()[0]
    # The pending list marks it as waiting for the pengurus.
    html = client.get("/kelola/kim/").content.decode()
    assert "menunggu perbaikan dari pengurus" in html

    ketua = login(ketua_user, verified=False)
    html = ketua.get(f"/kelola/kim/{pending.slug}/").content.decode()
    assert "Pembina meminta perbaikan:" in html and "Unggah SK dari wali nagari" in html
    r = ketua.post(f"/kelola/kim/{pending.slug}/kirim-ulang/")
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status_note == ""
    assert Event.objects.filter(action="registry.kim.resubmitted", kim_id=pending.pk).exists()


def test_reject_needs_a_reason_naming_the_field(login, admin_sumbar):
    pending = pending_kim()
    client = login(admin_sumbar)
    r = client.post(f"/kelola/kim/{pending.slug}/tolak/", {"reason": ""})
    assert r.status_code == 200
    assert "Alasan penolakan: Alasan penolakan wajib diisi." in errors(r)
    assert "<details open><summary>Tolak pengajuan" in r.content.decode()
    pending.refresh_from_db()
    assert pending.status == Kim.Status.PENGAJUAN
    r = client.post(f"/kelola/kim/{pending.slug}/tolak/", {"reason": "KIM ganda, sudah ada"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Kim.Status.DITOLAK and pending.status_note == "KIM ganda, sudah ada"
    ev = Event.objects.get(action="registry.kim.rejected", kim_id=pending.pk)
    assert ev.data["reason"] == "KIM ganda, sudah ada"
    html = client.get(f"/kelola/kim/{pending.slug}/").content.decode()
    assert "Pengajuan ditolak." in html and "KIM ganda, sudah ada" in html


@pytest.mark.parametrize("path", ["minta-perbaikan", "tolak", "status", "verifikasi"])
@pytest.mark.parametrize("who", ["pengurus", "anggota", "pembina_bukittinggi", "warga"])
def test_verification_actions_are_404_for_others(request, login, kim, path, who):
    pending = pending_kim()
    client = login(request.getfixturevalue(who))
    data = {"note": "x", "reason": "x", "status": "nonaktif"}
    assert client.post(f"/kelola/kim/{pending.slug}/{path}/", data).status_code == 404
    assert client.post(f"/kelola/kim/{kim.slug}/{path}/", data).status_code == 404


# --- status -----------------------------------------------------------------------------


def test_set_nonaktif_needs_a_reason_and_back_to_aktif(login, pembina_limapuluhkota, kim):
    client = login(pembina_limapuluhkota)
    r = client.post(f"/kelola/kim/{kim.slug}/status/", {"status": "nonaktif", "note": ""})
    assert r.status_code == 200 and "Tulis alasan KIM dinonaktifkan." in errors(r)
    r = client.post(f"/kelola/kim/{kim.slug}/status/", {"status": "nonaktif", "note": "Bubar"})
    assert r.status_code == 302
    kim.refresh_from_db()
    assert kim.status == Kim.Status.NONAKTIF
    html = client.get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "Aktifkan kembali" in html and "Dinonaktifkan: Bubar" in html
    r = client.post(f"/kelola/kim/{kim.slug}/status/", {"status": "aktif", "note": ""})
    kim.refresh_from_db()
    assert r.status_code == 302 and kim.status == Kim.Status.AKTIF


def test_status_refuses_other_values(login, pembina_limapuluhkota, kim):
    r = login(pembina_limapuluhkota).post(
        f"/kelola/kim/{kim.slug}/status/", {"status": "vakum", "note": "x"}
    )
    assert r.status_code == 200
    kim.refresh_from_db()
    assert kim.status == Kim.Status.AKTIF


# --- profile ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_edit_page_by_persona(actor, kim):
    name, user, client = actor
    r = client.get(f"/kelola/kim/{kim.slug}/ubah/")
    assert r.status_code == expected(name, CAN_EDIT)
    if r.status_code == 200:
        html = r.content.decode()
        assert f'value="{kim.name}"' in html
        # Only the pembina may move a KIM to another wilayah.
        assert ('name="region_code"' in html) == (name == "pembina_limapuluhkota")


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_edit_post_by_persona(actor, kim):
    name, user, client = actor
    r = client.post(
        f"/kelola/kim/{kim.slug}/ubah/",
        {"name": kim.name, "region_code": kim.region_code, "address": "Jorong Koto Bangun"},
    )
    kim.refresh_from_db()
    assert r.status_code == expected(name, CAN_EDIT, ok=302)
    assert (kim.address == "Jorong Koto Bangun") == (name in CAN_EDIT)


def test_pengurus_edits_profile(login, pengurus, kim):
    data = {
        "name": "KIM Tujuh Koto Talago Saiyo",
        "address": "Jl. Raya Talago No. 7",
        "founded_on": "2019-08-17",
        "sectors": [s.pk for s in Sector.objects.all()[:2]],
        "latitude": "-0.123456",
        "longitude": "100.654321",
        "kimid_id": "KIM-13-0007",
        "kimid_url": "tujuhkoto.kim.id",
        "description": "Kami mengelola papan informasi nagari.",
        "region_code": "13.75.01.1001",  # ignored: not the pengurus's field
    }
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/ubah/", data)
    assert r.status_code == 302, r.content.decode()
    kim.refresh_from_db()
    assert kim.name == "Kelompok Informasi Masyarakat Tujuh Koto Talago Saiyo"
    assert kim.region_code == "13.07.07.2002"
    assert str(kim.founded_on) == "2019-08-17" and str(kim.latitude) == "-0.123456"
    assert kim.kimid_url == "https://tujuhkoto.kim.id"
    assert kim.sectors.count() == 2
    ev = Event.objects.get(action="registry.kim.updated", kim_id=kim.pk)
    assert "address" in ev.data["fields"] and "sectors" in ev.data["fields"]


def test_edit_errors_name_the_field(login, pengurus, kim, sibling_kim):
    client = login(pengurus)
    url = f"/kelola/kim/{kim.slug}/ubah/"
    r = client.post(url, {"name": sibling_kim.name})
    assert r.status_code == 200
    assert "Nama KIM: Sudah ada KIM dengan nama ini di wilayah ini." in errors(r)
    r = client.post(url, {"name": kim.name, "latitude": "-0.5"})
    assert "Bujur: Isi lintang dan bujur bersama-sama, atau kosongkan keduanya." in errors(r)
    r = client.post(url, {"name": "", "latitude": "-30", "longitude": "100"})
    assert "Nama KIM: Wajib diisi." in errors(r)
    assert "Lintang: " in errors(r)
    kim.refresh_from_db()
    assert kim.latitude is None


def test_pembina_moves_kim_only_inside_scope(login, pembina_limapuluhkota, kim):
    client = login(pembina_limapuluhkota)
    r = client.post(
        f"/kelola/kim/{kim.slug}/ubah/", {"name": kim.name, "region_code": "13.75.01.1001"}
    )
    assert r.status_code == 200
    assert "Kode wilayah: Wilayah ini di luar tanggung jawab Anda." in errors(r)
    r = client.post(
        f"/kelola/kim/{kim.slug}/ubah/", {"name": kim.name, "region_code": "13.07.07.2001"}
    )
    assert r.status_code == 302
    kim.refresh_from_db()
    assert kim.region_code == "13.07.07.2001"


def test_logo_upload_and_errors(login, pengurus, kim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(pengurus)
    r = client.post(f"/kelola/kim/{kim.slug}/logo/", {"logo": png("logo.jpg")})
    assert r.status_code == 200
    assert "Logo: nama berkas berakhiran .jpg, tetapi isinya PNG." in errors(r)
    r = client.post(f"/kelola/kim/{kim.slug}/logo/", {})
    assert "Logo: Pilih berkas gambar logo." in errors(r)
    r = client.post(f"/kelola/kim/{kim.slug}/logo/", {"logo": png()})
    assert r.status_code == 302
    kim.refresh_from_db()
    assert kim.logo.name.endswith(".webp")


def test_anggota_cannot_upload_logo(login, anggota, kim):
    assert login(anggota).post(f"/kelola/kim/{kim.slug}/logo/", {"logo": png()}).status_code == 404


# --- create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_create_page_by_persona(actor, kim):
    name, user, client = actor
    can_register = {
        "admin_sumbar",
        "pembina_limapuluhkota",
        "pembina_bukittinggi",
        "admin_other_province",
    }
    r = client.get("/kelola/kim/baru/")
    assert r.status_code == expected(name, can_register)
    if r.status_code == 200:
        assert 'href="/wilayah/cari/" target="_blank"' in r.content.decode()


def test_pembina_registers_a_kim(login, pembina_limapuluhkota):
    r = login(pembina_limapuluhkota).post(
        "/kelola/kim/baru/",
        {
            "name": "KIM Tujuh Koto Talago",
            "region_code": "13.07.07.2002",
            "address": "Jorong Talago",
            "sectors": [Sector.objects.get(slug="pertanian").pk],
            "kimid_id": "",
        },
    )
    kim = Kim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/kelola/kim/{kim.slug}/"
    assert kim.status == Kim.Status.AKTIF and kim.kimid_id is None
    assert [s.slug for s in kim.sectors.all()] == ["pertanian"]
    assert kim.name == "Kelompok Informasi Masyarakat Tujuh Koto Talago"
    assert Event.objects.filter(action="registry.kim.created", kim_id=kim.pk).exists()


@pytest.mark.parametrize(
    "who,code,message",
    [
        (
            "pembina_bukittinggi",
            "13.07.07.2002",
            "Kode wilayah: Wilayah ini di luar tanggung jawab Anda.",
        ),
        (
            "admin_other_province",
            "13.07.07.2002",
            "Kode wilayah: Wilayah ini di luar tanggung jawab Anda.",
        ),
        (
            "pembina_limapuluhkota",
            "13.07",
            "Kode wilayah: KIM berada di desa/nagari/kelurahan atau kecamatan",
        ),
        (
            "pembina_limapuluhkota",
            "13.07.99.9999",
            "Kode wilayah: Wilayah dengan kode ini tidak ada.",
        ),
        ("pembina_limapuluhkota", "13-07", "Kode wilayah: Kode wilayah tidak valid"),
    ],
)
def test_create_errors_name_the_field(request, login, who, code, message):
    r = login(request.getfixturevalue(who)).post(
        "/kelola/kim/baru/", {"name": "KIM Baru", "region_code": code}
    )
    assert r.status_code == 200 and message in errors(r)
    assert not Kim.objects.exists()


def test_create_duplicate_name_in_wilayah(login, pembina_limapuluhkota, kim):
    r = login(pembina_limapuluhkota).post(
        "/kelola/kim/baru/", {"name": "kim tujuh koto  talago", "region_code": kim.region_code}
    )
    assert "Nama KIM: Sudah ada KIM dengan nama ini di wilayah ini." in errors(r)
    assert Kim.objects.count() == 1


# --- channels and hand-over -----------------------------------------------------------------


def test_channels_add_and_delete(login, pengurus, kim, sibling_kim):
    client = login(pengurus)
    r = client.post(
        f"/kelola/kim/{kim.slug}/saluran/baru/",
        {"kind": "facebook", "handle": "https://facebook.com/kimtujuhkoto", "audience": "850"},
    )
    assert r.status_code == 302
    channel = Channel.objects.get(kim=kim)
    html = client.get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert 'href="https://facebook.com/kimtujuhkoto"' in html and "850 pengikut/anggota" in html
    other = Channel.objects.create(
        kim=sibling_kim, region_code=sibling_kim.region_code, kind="radio"
    )
    # A channel of another KIM cannot be deleted through this KIM's URL.
    assert (
        client.post(f"/kelola/kim/{kim.slug}/saluran/hapus/", {"channel": other.pk}).status_code
        == 404
    )
    r = client.post(f"/kelola/kim/{kim.slug}/saluran/hapus/", {"channel": channel.pk})
    assert r.status_code == 302 and not Channel.objects.filter(kim=kim).exists()
    assert Channel.objects.filter(pk=other.pk).exists()


def test_anggota_cannot_add_channels(login, anggota, kim):
    client = login(anggota)
    assert client.get(f"/kelola/kim/{kim.slug}/saluran/baru/").status_code == 404
    assert (
        client.post(f"/kelola/kim/{kim.slug}/saluran/baru/", {"kind": "radio"}).status_code == 404
    )


def test_hand_over_ketua(login, pengurus, kim):
    old = member(kim, "Ketua Lama", Member.Position.KETUA)
    new = member(kim, "Calon Ketua", Member.Position.SEKRETARIS)
    client = login(pengurus)
    html = client.get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "Serah terima ketua" in html
    r = client.post(f"/kelola/kim/{kim.slug}/ketua/", {"to_member": ""})
    assert r.status_code == 200 and "Pilih anggota yang menjadi ketua baru." in errors(r)
    r = client.post(f"/kelola/kim/{kim.slug}/ketua/", {"to_member": new.public_id})
    assert r.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.position, new.position) == ("anggota", "ketua")
    assert Event.objects.filter(action="registry.kim.ketua_handed_over", kim_id=kim.pk).exists()


def test_hand_over_is_404_for_anggota_and_other_pembina(login, anggota, pembina_bukittinggi, kim):
    new = member(kim, "Calon Ketua", Member.Position.SEKRETARIS)
    for user in (anggota, pembina_bukittinggi):
        r = login(user).post(f"/kelola/kim/{kim.slug}/ketua/", {"to_member": new.public_id})
        assert r.status_code == 404
    new.refresh_from_db()
    assert new.position == "sekretaris"
