"""Members in /kelola/kim/<slug>/anggota/…: add, edit, end; consent and phones."""

from datetime import date

import pytest

from simpul.accounts import scope
from simpul.accounts.roles import KIM_EDIT, KIM_VIEW
from simpul.audit.models import Event
from simpul.registry.models import Member

from ..factories import UserFactory
from .kelola_support import CAN_EDIT, EVERYONE, actor_client, errors, expected, member

CONSENT = "Data saya dipakai untuk pembinaan KIM oleh Diskominfo"


@pytest.fixture
def actor(request, login, client):
    return actor_client(request, login, client)


def new_member(**over):
    data = {
        "full_name": "Rahmi Yulia",
        "position": "sekretaris",
        "started_on": "2024-03-01",
        "phone": "0812-7788-9900",
        "consent_on": "2024-03-01",
        "consent_purpose": CONSENT,
        "listed_publicly": "on",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_add_member_by_persona(actor, kim):
    name, user, client = actor
    r = client.get(f"/kelola/kim/{kim.slug}/anggota/baru/")
    assert r.status_code == expected(name, CAN_EDIT)
    r = client.post(f"/kelola/kim/{kim.slug}/anggota/baru/", new_member())
    assert r.status_code == expected(name, CAN_EDIT, ok=302)
    added = Member.objects.filter(kim=kim, full_name="Rahmi Yulia").first()
    assert (added is not None) == (name in CAN_EDIT)
    if added:
        assert added.phone == "+6281277889900" and added.listed_publicly
        assert added.consent_purpose == CONSENT
        ev = Event.objects.get(action="registry.member.added", kim_id=kim.pk)
        assert "0812" not in str(ev.data) and "+62812" not in str(ev.data)  # no phone in the log


def test_add_member_form_has_labels_and_defaults(login, pengurus, kim):
    html = login(pengurus).get(f"/kelola/kim/{kim.slug}/anggota/baru/").content.decode()
    for field in ("full_name", "position", "started_on", "phone", "consent_on", "user_email"):
        assert f'<label for="id_{field}">' in html
    assert f'value="{CONSENT}"' in html
    assert 'type="date"' in html


@pytest.mark.parametrize(
    "over,message",
    [
        ({"full_name": ""}, "Nama lengkap: Wajib diisi."),
        ({"phone": "12345"}, "Nomor telepon: Nomor telepon harus nomor Indonesia"),
        ({"consent_on": ""}, "Tanggal persetujuan: Catat tanggal persetujuan"),
        ({"consent_purpose": ""}, "Tujuan persetujuan: Tulis untuk apa datanya dipakai."),
        ({"ended_on": "2020-01-01"}, "Berakhir: Tanggal berakhir harus sesudah tanggal mulai."),
        ({"started_on": "kemarin"}, "Mulai: Tanggal tidak valid"),
        (
            {"user_email": "belum.ada@contoh.id"},
            "E-mail akun Simpul (boleh kosong): Tidak ada akun",
        ),
    ],
)
def test_add_member_errors_name_the_field(login, pengurus, kim, over, message):
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/anggota/baru/", new_member(**over))
    assert r.status_code == 200
    assert message in errors(r)
    assert not Member.objects.filter(kim=kim).exists()


def test_linking_an_account_gives_it_the_kim_role(login, pembina_limapuluhkota, kim):
    person = UserFactory(full_name="Doni Saputra", email="doni@contoh.id")
    assert not scope.can(person, KIM_VIEW, kim)
    r = login(pembina_limapuluhkota).post(
        f"/kelola/kim/{kim.slug}/anggota/baru/",
        new_member(full_name="Doni Saputra", position="anggota", user_email="DONI@contoh.id"),
    )
    assert r.status_code == 302
    scope.forget(person)
    assert scope.can(person, KIM_VIEW, kim) and not scope.can(person, KIM_EDIT, kim)


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_edit_member_by_persona(actor, kim):
    name, user, client = actor
    m = member(kim, "Rahmi Yulia", consent_on=date(2024, 3, 1), consent_purpose=CONSENT)
    url = f"/kelola/kim/{kim.slug}/anggota/{m.public_id}/"
    assert client.get(url).status_code == expected(name, CAN_EDIT)
    r = client.post(url, new_member(full_name="Rahmi Yulia Sari", phone=""))
    assert r.status_code == expected(name, CAN_EDIT, ok=302)
    m.refresh_from_db()
    assert (m.full_name == "Rahmi Yulia Sari") == (name in CAN_EDIT)


def test_edit_member_keeps_encrypted_phone_and_shows_it_to_the_editor(login, pengurus, kim):
    m = member(kim, "Rahmi", phone="+6281277889900", consent_on=date(2024, 3, 1))
    client = login(pengurus)
    url = f"/kelola/kim/{kim.slug}/anggota/{m.public_id}/"
    html = client.get(url).content.decode()
    assert 'value="+6281277889900"' in html
    r = client.post(url, new_member(full_name="Rahmi", phone="0813 1111 2222"))
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.phone == "+6281311112222"
    ev = Event.objects.get(action="registry.member.updated", kim_id=kim.pk)
    assert "phone" in ev.data["fields"] and "0813" not in str(ev.data)


def test_member_of_another_kim_is_404(login, pengurus, kim, sibling_kim):
    other = member(sibling_kim, "Orang Lain")
    client = login(pengurus)
    assert client.get(f"/kelola/kim/{kim.slug}/anggota/{other.public_id}/").status_code == 404
    r = client.post(
        f"/kelola/kim/{kim.slug}/anggota/{other.public_id}/akhiri/", {"ended_on": "2025-01-01"}
    )
    assert r.status_code == 404
    other.refresh_from_db()
    assert other.ended_on is None


def test_end_membership(login, pengurus, kim):
    m = member(kim, "Rahmi", started_on=date(2022, 1, 1))
    client = login(pengurus)
    url = f"/kelola/kim/{kim.slug}/anggota/{m.public_id}/akhiri/"
    r = client.post(url, {"ended_on": "2021-12-31"})
    assert r.status_code == 200
    assert "Tanggal berakhir harus sesudah tanggal mulai." in errors(r)
    r = client.post(url, {"ended_on": "2024-06-30"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.ended_on == date(2024, 6, 30) and not m.is_current
    html = client.get(f"/kelola/kim/{kim.slug}/").content.decode()
    assert "1 mantan anggota" in html


@pytest.mark.parametrize("who", ["anggota", "admin_sumbar", "pembina_bukittinggi", "warga"])
def test_end_membership_denied(request, login, kim, who):
    m = member(kim, "Rahmi")
    r = login(request.getfixturevalue(who)).post(
        f"/kelola/kim/{kim.slug}/anggota/{m.public_id}/akhiri/", {"ended_on": "2024-06-30"}
    )
    assert r.status_code == 404
    m.refresh_from_db()
    assert m.ended_on is None
