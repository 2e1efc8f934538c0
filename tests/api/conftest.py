"""Fixtures for the API tests: a public KIM with members, SK and channels, a pengajuan, and
a JSON client that can send a personal token."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from simpul.api.services import token_create
from simpul.registry.models import Channel, Decree, Kim, Member, Sector, normalise_kim_name

from ..factories import KimFactory


def _normalised(kim):
    kim.normalised_name = normalise_kim_name(kim.name)
    kim.save(update_fields=["normalised_name"])
    return kim


@pytest.fixture
def kim(kim):
    """The shared `kim` (13.07.07.2002) with a sector, an SK, channels and members."""
    _normalised(kim)
    kim.sectors.set([Sector.objects.get(slug="pertanian")])
    today = timezone.localdate()
    Decree.objects.create(
        kim=kim,
        region_code=kim.region_code,
        number="05/SK/WN-KB/2023",
        issued_on=date(2023, 3, 1),
        signatory_office="Wali Nagari Koto Bangun",
        signatory_name="Syafri Dt. Bandaro",
        term_ends_on=today + timedelta(days=400),
    )
    Channel.objects.create(
        kim=kim,
        region_code=kim.region_code,
        kind=Channel.Kind.FACEBOOK,
        handle="https://facebook.com/kim.tujuhkototalago",
        audience=1200,
    )
    Member.objects.create(
        kim=kim,
        region_code=kim.region_code,
        full_name="Hendri Datuak Rajo Mudo",
        position=Member.Position.KETUA,
        phone="+6281200001001",
        consent_on=date(2024, 1, 10),
        listed_publicly=True,
    )
    Member.objects.create(
        kim=kim,
        region_code=kim.region_code,
        full_name="Yusniar",
        position=Member.Position.SEKRETARIS,
        phone="+6281200001002",
    )
    Member.objects.create(
        kim=kim,
        region_code=kim.region_code,
        full_name="Rahmat Malin Sutan",
        position=Member.Position.ANGGOTA,
        listed_publicly=True,
        consent_on=date(2024, 1, 10),
    )
    kim.has_sk = True
    kim.legality_ends_on = today + timedelta(days=400)
    kim.member_count = 3
    kim.save(update_fields=["has_sk", "legality_ends_on", "member_count"])
    return kim


@pytest.fixture
def pengajuan(db):
    return _normalised(
        KimFactory(
            name="Kelompok Informasi Masyarakat Koto Lamo",
            slug="koto-lamo",
            region_code="13.07.07.2004",
            status=Kim.Status.PENGAJUAN,
        )
    )


@pytest.fixture
def bukittinggi_kim(db):
    return _normalised(
        KimFactory(
            name="Kelompok Informasi Masyarakat Birugo Saiyo",
            slug="birugo-saiyo",
            region_code="13.75.03.1002",
        )
    )


class JsonClient:
    """A test client that sends JSON and, when given one, a personal token."""

    def __init__(self, client, token=None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def _send(self, method, url, body):
        return getattr(self.client, method)(
            url,
            data=json.dumps(body, default=str),
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, url, body=None):
        return self._send("post", url, {} if body is None else body)

    def patch(self, url, body):
        return self._send("patch", url, body)


@pytest.fixture
def api_as(login, client):
    """api_as(user) -> JsonClient logged in (session past 2FA); api_as(None) -> anonymous."""

    def _as(user):
        if user is None:
            return JsonClient(client)
        return JsonClient(login(user))

    return _as


@pytest.fixture
def token_for(db):
    """token_for(user) -> a JsonClient that sends a fresh personal token (no session)."""

    def _for(user, **kwargs):
        kwargs.setdefault("two_factor", True)
        _token, raw = token_create(actor=None, user=user, name="uji", **kwargs)
        return JsonClient(Client(), raw)

    return _for
