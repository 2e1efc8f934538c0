"""Who may call the write endpoints: personal tokens (hash only, revocable) and sessions
(CSRF, second factor for office roles)."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from simpul.accounts.roles import Role
from simpul.api.models import ApiToken
from simpul.api.services import token_create, token_revoke
from simpul.audit.models import Event

from ..factories import UserFactory, assign
from .conftest import JsonClient

pytestmark = pytest.mark.django_db

BODY = {"description": "Diubah lewat API."}


def patch(client, kim):
    return client.patch(f"/api/kim/{kim.slug}/", BODY)


def test_valid_token_writes_and_is_recorded(kim, pengurus):
    token, raw = token_create(actor=None, user=pengurus, name="skrip nagari", two_factor=False)
    assert token.last_used_at is None
    response = patch(JsonClient(Client(), raw), kim)
    assert response.status_code == 200, response.content
    kim.refresh_from_db()
    assert kim.description == BODY["description"]
    event = Event.objects.get(action="registry.kim.updated", kim_id=kim.pk)
    assert event.actor == pengurus
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_is_stored(pengurus):
    token, raw = token_create(actor=None, user=pengurus, name="uji", two_factor=False)
    assert raw.startswith("simpul_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = list(ApiToken.objects.values_list(flat=False))
    assert raw not in str(stored)
    assert Event.objects.filter(action="api.token.created").count() == 1
    assert raw not in str(list(Event.objects.values_list("data", flat=True)))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer simpul_salah-sekali-bukan-token-yang-ada-xxxxxxxxxxxxxxx",
        "Bearer ",
        "Bearer bukan-awalan-simpul",
        "Token {raw}",  # wrong scheme
        "{raw}",  # no scheme
    ],
)
def test_wrong_token_is_401(kim, pengurus, header):
    _token, raw = token_create(actor=None, user=pengurus, name="uji", two_factor=False)
    client = Client()
    response = client.patch(
        f"/api/kim/{kim.slug}/",
        data=json.dumps(BODY),
        content_type="application/json",
        headers={"Authorization": header.format(raw=raw)},
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]
    kim.refresh_from_db()
    assert kim.description == ""


def test_revoked_token_is_401(kim, pengurus):
    token, raw = token_create(actor=None, user=pengurus, name="uji", two_factor=False)
    client = JsonClient(Client(), raw)
    assert patch(client, kim).status_code == 200
    token_revoke(actor=None, token=token)
    assert patch(client, kim).status_code == 401
    assert Event.objects.filter(action="api.token.revoked").count() == 1


def test_token_of_an_inactive_user_is_401(kim, pengurus, token_for):
    client = token_for(pengurus)
    pengurus.is_active = False
    pengurus.save(update_fields=["is_active"])
    assert patch(client, kim).status_code == 401


def test_office_role_needs_a_token_made_after_two_factor(kim, pembina_limapuluhkota):
    _t, without = token_create(
        actor=None, user=pembina_limapuluhkota, name="lama", two_factor=False
    )
    _t, with_2fa = token_create(
        actor=None, user=pembina_limapuluhkota, name="baru", two_factor=True
    )
    assert patch(JsonClient(Client(), without), kim).status_code == 401
    assert patch(JsonClient(Client(), with_2fa), kim).status_code == 200


def test_token_requests_need_no_csrf_token(kim, pengurus):
    _t, raw = token_create(actor=None, user=pengurus, name="uji", two_factor=False)
    client = JsonClient(Client(enforce_csrf_checks=True), raw)
    assert patch(client, kim).status_code == 200


def test_token_sees_only_its_users_scope(kim, sibling_kim, pengurus, token_for):
    client = token_for(pengurus)
    assert patch(client, sibling_kim).status_code == 404
    body = client.get("/api/kelola/kim/").json()
    assert [r["slug"] for r in body["results"]] == [kim.slug]


def test_session_write_needs_the_csrf_token(kim, pengurus):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pengurus)
    response = client.patch(
        f"/api/kim/{kim.slug}/", data=json.dumps(BODY), content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    kim.refresh_from_db()
    assert kim.description == ""

    client.get(reverse("accounts:login"))  # a page with a form sets the CSRF cookie
    secret = client.cookies["csrftoken"].value
    response = client.patch(
        f"/api/kim/{kim.slug}/",
        data=json.dumps(BODY),
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 200, response.content


def test_anonymous_write_without_csrf_is_401_not_403(kim):
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        f"/api/kim/{kim.slug}/", data=json.dumps(BODY), content_type="application/json"
    )
    assert response.status_code == 401


def test_office_session_without_second_factor_is_401(kim, pembina_limapuluhkota, login):
    client = JsonClient(login(pembina_limapuluhkota, verified=False))
    assert patch(client, kim).status_code == 401
    assert client.get("/api/kelola/kim/").status_code == 401


def test_kim_roles_need_no_second_factor(kim, pengurus, login):
    client = JsonClient(login(pengurus, verified=False))
    assert patch(client, kim).status_code == 200


def test_public_reads_ignore_a_bad_token(kim):
    client = JsonClient(Client(), "simpul_tidak-ada")
    assert client.get("/api/kim/").status_code == 200
    assert client.get(f"/api/kim/{kim.slug}/").status_code == 200


# --- the api_token command ----------------------------------------------------------


def command(*args):
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_creates_lists_and_revokes(kim, pembina_limapuluhkota):
    out, err = command("create", "--email", "PEMBINA.5okota@contoh.id", "--name", "OpenSID")
    raw = out.strip()
    assert raw.startswith("simpul_") and "tidak bisa ditampilkan lagi" in err
    token = ApiToken.objects.get(user=pembina_limapuluhkota)
    assert token.created_with_two_factor and token.name == "OpenSID"
    assert patch(JsonClient(Client(), raw), kim).status_code == 200

    listing, _ = command("list", "--email", "pembina.5okota@contoh.id")
    assert token.public_id in listing and "aktif" in listing and raw not in listing

    revoked, _ = command("revoke", "--id", token.public_id)
    assert "dicabut" in revoked
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
    assert patch(JsonClient(Client(), raw), kim).status_code == 401


def test_command_errors_are_one_line(db):
    with pytest.raises(CommandError, match="Tidak ada pengguna dengan e-mail x@contoh.id"):
        command("create", "--email", "x@contoh.id", "--name", "uji")
    user = UserFactory(email="ada@contoh.id")
    assign(user, Role.WARGA, region_code="13")
    with pytest.raises(CommandError, match="Beri nama token"):
        command("create", "--email", "ada@contoh.id", "--name", "  ")
    with pytest.raises(CommandError, match="Tidak ada token"):
        command("revoke", "--id", "tidakada")
