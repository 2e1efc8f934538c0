"""/kelola/kim/<slug>/: who sees it, masked phones, warnings, history, SK files by scope."""

from datetime import date

import pytest

from simpul import audit
from simpul.audit.models import Event
from simpul.registry import services
from simpul.registry.models import Member

from .kelola_support import (
    CAN_VIEW,
    EVERYONE,
    actor_client,
    expected,
    member,
    pdf,
    png,
)

PHONE = "+6281266123456"


@pytest.fixture
def actor(request, login, client):
    return actor_client(request, login, client)


@pytest.fixture
def ketua(kim):
    return member(
        kim,
        "Heri Nizwar",
        Member.Position.KETUA,
        phone=PHONE,
        consent_on=date(2024, 1, 5),
        consent_purpose="Data saya dipakai untuk pembinaan KIM oleh Diskominfo",
    )


@pytest.fixture
def decree(kim, pembina_limapuluhkota, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.decree_add(
        actor=pembina_limapuluhkota,
        kim=kim,
        number="188.45/12/WN-KB/2024",
        issued_on=date(2024, 2, 1),
        signatory_office="Wali Nagari Koto Bangun",
        signatory_name="Syafrizal",
        term_ends_on=date(2027, 2, 1),
        scan=pdf(),
    )


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_detail_by_persona(actor, kim, ketua):
    name, user, client = actor
    r = client.get(f"/kelola/kim/{kim.slug}/")
    assert r.status_code == expected(name, CAN_VIEW)
    if r.status_code == 200:
        html = r.content.decode()
        assert kim.name in html and "Heri Nizwar" in html
        assert "13.07.07.2002" in html and "Nagari Koto Bangun" in html


def test_unknown_slug_is_404(login, admin_sumbar):
    assert login(admin_sumbar).get("/kelola/kim/tidak-ada/").status_code == 404


@pytest.mark.parametrize(
    "who,full",
    [
        ("pembina_limapuluhkota", True),
        ("pengurus", True),
        ("anggota", False),
        ("admin_sumbar", False),  # no KIM_VIEW_PRIVATE: the province sees masked numbers
    ],
)
def test_phone_shown_in_full_only_to_pengurus_and_pembina(request, login, kim, ketua, who, full):
    html = login(request.getfixturevalue(who)).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert (PHONE in html) == full
    if not full:
        assert "+62812*****456" in html
        assert "Nomor telepon disamarkan" in html


def test_membership_warnings_follow_the_wilayah_rules(login, pembina_limapuluhkota, kim, ketua):
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    warn = html.split('class="warn"')[1]
    assert "Belum ada Sekretaris." in warn and "Belum ada Bendahara." in warn
    assert "Anggota baru 1 orang; aturan wilayah ini paling sedikit 3." in warn
    member(kim, "Sekretaris", Member.Position.SEKRETARIS)
    member(kim, "Bendahara", Member.Position.BENDAHARA)
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "Perlu diperhatikan" not in html


def test_former_members_are_listed_apart(login, pengurus, kim, ketua):
    member(kim, "Mantan Bendahara", Member.Position.BENDAHARA, ended_on=date(2023, 1, 1))
    html = login(pengurus).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "1 mantan anggota" in html
    assert html.index("Heri Nizwar") < html.index("Mantan Bendahara")


def test_history_shows_events_of_this_kim_newest_first(
    login, pembina_limapuluhkota, kim, sibling_kim
):
    audit.record(actor=None, action="registry.kim.created", obj=kim, kim_id=kim.pk)
    audit.record(
        actor=pembina_limapuluhkota,
        action="registry.kim.status_set",
        obj=kim,
        kim_id=kim.pk,
        data={"old": "aktif", "new": "nonaktif", "note": "Tidak ada kegiatan setahun"},
    )
    audit.record(actor=None, action="registry.kim.rejected", obj=sibling_kim, kim_id=sibling_kim.pk)
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    history = html.split('id="riwayat"')[1]
    assert "Status diubah (Aktif → Nonaktif)" in history
    assert "Tidak ada kegiatan setahun" in history and "Pembina Lima Puluh Kota" in history
    assert history.index("Status diubah") < history.index("Didaftarkan oleh kantor pembina")
    assert "Ditolak" not in history


def test_history_is_capped_at_twenty(login, pembina_limapuluhkota, kim):
    for _ in range(25):
        audit.record(actor=None, action="registry.member.updated", obj=kim, kim_id=kim.pk)
    html = login(pembina_limapuluhkota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert html.split('id="riwayat"')[1].count("Data anggota diubah") == 20


# --- SK files ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_sk_file_only_in_scope(actor, kim, decree):
    name, user, client = actor
    r = client.get(f"/kelola/kim/{kim.slug}/sk/{decree.public_id}/berkas/")
    assert r.status_code == expected(name, CAN_VIEW)
    if r.status_code == 200:
        assert r["Content-Disposition"].startswith("attachment;")
        assert ".pdf" in r["Content-Disposition"]
        assert r["Content-Type"] == "application/pdf"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert b"".join(r.streaming_content).startswith(b"%PDF-")


def test_sk_listed_current_first_with_download_link(
    login, anggota, pembina_limapuluhkota, kim, decree
):
    services.decree_add(
        actor=pembina_limapuluhkota,
        kim=kim,
        number="188.45/01/WN-KB/2021",
        issued_on=date(2021, 1, 10),
        signatory_office="Wali Nagari Koto Bangun",
        signatory_name="Syafrizal",
    )
    html = login(anggota).get(f"/kelola/kim/{kim.slug}/").content.decode()
    sk = html.split('id="sk"')[1]
    assert sk.index("188.45/12/WN-KB/2024") < sk.index("SK terkini") < sk.index("188.45/01")
    assert f"/kelola/kim/{kim.slug}/sk/{decree.public_id}/berkas/" in sk


def test_sk_of_another_kim_is_404_through_this_kim(
    login, pembina_limapuluhkota, kim, sibling_kim, decree
):
    client = login(pembina_limapuluhkota)
    assert (
        client.get(f"/kelola/kim/{sibling_kim.slug}/sk/{decree.public_id}/berkas/").status_code
        == 404
    )


def test_media_files_are_not_served_publicly(client, kim, decree):
    assert decree.scan.name.startswith("kim/sk/")
    assert client.get(f"/media/{decree.scan.name}").status_code == 404
    assert client.get(f"/{decree.scan.name}").status_code == 404


def test_logo_file_is_scoped(login, pengurus, pembina_bukittinggi, kim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.kim_logo_set(actor=pengurus, kim=kim, upload=png())
    r = login(pengurus).get(f"/kelola/kim/{kim.slug}/logo/berkas/")
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    assert login(pembina_bukittinggi).get(f"/kelola/kim/{kim.slug}/logo/berkas/").status_code == 404
    assert Event.objects.filter(action="registry.kim.logo_set", kim_id=kim.pk).exists()
