import re

import pytest

from simpul.accounts import scope
from simpul.accounts.models import RoleAssignment, User
from simpul.accounts.roles import KIM_VERIFY
from simpul.audit.models import Event


def give(client, **data):
    return client.post("/kelola/peran/", data)


def test_admin_sees_roles_in_province_only(
    login, admin_sumbar, pembina_limapuluhkota, pembina_bukittinggi, admin_other_province
):
    html = login(admin_sumbar).get("/kelola/peran/").content.decode()
    assert "Pembina Lima Puluh Kota" in html and "Pembina Bukittinggi" in html
    assert "Admin Sumut" not in html


def test_pembina_sees_own_kabupaten_only(login, pembina_limapuluhkota, pembina_bukittinggi):
    html = login(pembina_limapuluhkota).get("/kelola/peran/").content.decode()
    assert "Pembina Lima Puluh Kota" in html
    assert "Pembina Bukittinggi" not in html


@pytest.mark.parametrize("persona", ["warga", "anggota"])
def test_people_without_role_capability_get_404(request, login, persona):
    assert login(request.getfixturevalue(persona)).get("/kelola/peran/").status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    r = client.get("/kelola/peran/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/masuk/")


def test_admin_invites_a_new_pembina_who_gets_an_email(
    login, admin_sumbar, smtp, django_capture_on_commit_callbacks
):
    c = login(admin_sumbar)
    with django_capture_on_commit_callbacks(execute=True):
        r = give(
            c, email="Baru@Contoh.id", full_name="Yusuf Baru", role="pembina", region_code="13.75"
        )
    assert r.status_code == 302
    user = User.objects.get(email="baru@contoh.id")
    assert not user.has_usable_password()
    assert scope.region_prefixes(user, KIM_VERIFY) == ["13.75"]
    assert Event.objects.filter(action="accounts.role.assigned", region_code="13.75").exists()
    smtp.wait_for(1)
    body = smtp.bodies()[0]
    assert "Yusuf Baru" in body and "Pembina" in body
    link = re.search(r"http://testserver(/akun/sandi/atur/\S+/)", body).group(1)
    c.logout()
    r = c.get(link, follow=True)
    assert r.context["validlink"] is True


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"role": "pembina", "region_code": "12.71"}, "Kode wilayah", "di luar tanggung jawab"),
        ({"role": "pembina", "region_code": "13.07.07"}, "Kode wilayah", "tingkat kabupaten/kota"),
        ({"role": "pembina", "region_code": "13.99"}, "Kode wilayah", "tidak ada"),
        ({"role": "pembina", "region_code": "13,07"}, "Kode wilayah", "tidak valid"),
        ({"role": "pembina", "region_code": ""}, "Kode wilayah", "wajib diisi"),
        ({"role": "nasional", "region_code": ""}, "Peran", "tidak boleh memberikan"),
        ({"role": "pembina", "region_code": "13.75", "full_name": ""}, "Nama lengkap", "wajib"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(login, admin_sumbar, data, field, message):
    before = RoleAssignment.objects.count()
    payload = {"email": "orang@contoh.id", "full_name": "Orang", **data}
    r = give(login(admin_sumbar), **payload)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"{field}: " in html and message in html
    assert RoleAssignment.objects.count() == before
    assert not User.objects.filter(email="orang@contoh.id").exists()


def test_pembina_can_name_operators_in_own_kabupaten_only(login, pembina_limapuluhkota, warga):
    c = login(pembina_limapuluhkota)
    r = give(c, email=warga.email, role="operator_wilayah", region_code="13.07.07")
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(user=warga, role="operator_wilayah").exists()
    r = give(c, email=warga.email, role="operator_wilayah", region_code="13.75.01")
    assert "di luar tanggung jawab" in r.content.decode()
    r = give(c, email=warga.email, role="admin_provinsi", region_code="13")
    assert "Peran: Anda tidak boleh memberikan peran ini." in r.content.decode()


def test_ending_a_role_removes_the_scope(login, admin_sumbar, pembina_bukittinggi):
    a = RoleAssignment.objects.get(user=pembina_bukittinggi)
    r = login(admin_sumbar).post(f"/kelola/peran/{a.public_id}/akhiri/")
    assert r.status_code == 302
    scope.forget(pembina_bukittinggi)
    assert scope.region_prefixes(pembina_bukittinggi, KIM_VERIFY) == []
    assert Event.objects.filter(action="accounts.role.ended", object_id=a.public_id).exists()


def test_ending_a_role_outside_scope_is_404(login, admin_other_province, pembina_bukittinggi):
    a = RoleAssignment.objects.get(user=pembina_bukittinggi)
    r = login(admin_other_province).post(f"/kelola/peran/{a.public_id}/akhiri/")
    assert r.status_code == 404
    a.refresh_from_db()
    assert a.ends_at is None


def test_ending_is_post_only(login, admin_sumbar, pembina_bukittinggi):
    a = RoleAssignment.objects.get(user=pembina_bukittinggi)
    assert login(admin_sumbar).get(f"/kelola/peran/{a.public_id}/akhiri/").status_code == 405


def test_only_who_may_give_a_role_may_end_it(login, admin_sumbar, warga, kim, pengurus):
    from simpul.accounts.models import RoleAssignment

    c = login(admin_sumbar)
    html = c.get("/kelola/peran/").content.decode()
    a = RoleAssignment.objects.get(user=warga)  # warga is nobody's to hand out
    assert f"/kelola/peran/{a.public_id}/akhiri/" not in html
    r = c.post(f"/kelola/peran/{a.public_id}/akhiri/", follow=True)
    assert "hanya bisa diakhiri oleh yang boleh memberikannya" in r.content.decode()
    a.refresh_from_db()
    assert a.ends_at is None
