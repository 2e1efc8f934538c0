"""/kelola/warta/teks-resmi/: offices record official texts the copy guard compares with."""

import pytest

from simpul.accounts.roles import Role
from simpul.newsroom.models import Fingerprint, OfficialText

from ..factories import UserFactory, assign
from .test_workflow_views import PERSONAS, expect

URL = "/kelola/warta/teks-resmi/"
ALLOWED = {"pembina_limapuluhkota", "pembina_bukittinggi", "admin_sumbar", "admin_other_province"}


@pytest.fixture
def other_anggota(kim):
    user = UserFactory()
    assign(user, Role.ANGGOTA, kim=kim)
    return user


@pytest.fixture
def sibling_pengurus(sibling_kim):
    user = UserFactory()
    assign(user, Role.PENGURUS, kim=sibling_kim)
    return user


@pytest.fixture
def actor(request, login, client):
    name = request.param
    if name == "anonymous":
        return name, None, client
    user = request.getfixturevalue(name)
    return name, user, login(user)


@pytest.mark.parametrize("actor", PERSONAS, indirect=True)
def test_page(actor):
    name, user, client = actor
    assert client.get(URL).status_code == expect(name, ALLOWED)


def test_admin_adds_a_text_only_in_scope(login, admin_sumbar, admin_other_province):
    c = login(admin_sumbar)
    response = c.post(
        URL,
        {
            "region_code": "13",
            "title": "Siaran pers: vaksinasi ternak gratis",
            "body": "Dinas peternakan membuka vaksinasi ternak gratis di semua nagari.",
            "source_url": "https://sumbarprov.go.id/siaran/1",
        },
    )
    assert response.status_code == 302
    text = OfficialText.objects.get()
    assert text.region_code == "13" and text.created_by == admin_sumbar
    assert Fingerprint.objects.filter(official=text).exists()
    assert "vaksinasi ternak gratis" in c.get(URL).content.decode()
    # Another province neither sees it nor may file one for Sumbar.
    other = login(admin_other_province)
    assert "vaksinasi ternak gratis" not in other.get(URL).content.decode()
    response = other.post(URL, {"region_code": "13", "title": "x", "body": "y"})
    assert response.status_code == 200 and OfficialText.objects.count() == 1


def test_errors_name_the_field(login, admin_sumbar):
    response = login(admin_sumbar).post(URL, {"region_code": "13", "title": "", "body": ""})
    html = response.content.decode()
    assert "Judul: Wajib diisi." in html and "Isi teks resmi: Wajib diisi." in html
