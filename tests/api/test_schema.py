"""The committed OpenAPI schema is the live one: a change to the API shows up in review as a
change to src/simpul/api/openapi.json (refresh it with the command in REFRESH)."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

import simpul.api
from simpul.api.api import api

SNAPSHOT = Path(simpul.api.__file__).parent / "openapi.json"
REFRESH = "simpul api_schema > src/simpul/api/openapi.json"


def test_live_schema_matches_the_committed_snapshot():
    live = json.loads(json.dumps(api.get_openapi_schema()))
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert live == committed, f"the API changed: review it, then run `{REFRESH}`"


def test_command_prints_the_snapshot_byte_for_byte():
    out = StringIO()
    call_command("api_schema", stdout=out)
    assert out.getvalue() == SNAPSHOT.read_text(encoding="utf-8")


def test_schema_names_every_endpoint_and_both_ways_to_authenticate():
    schema = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert operations == {
        ("GET", "/api/sektor/"),
        ("GET", "/api/kim/"),
        ("POST", "/api/kim/"),
        ("GET", "/api/kim/{slug}/"),
        ("PATCH", "/api/kim/{slug}/"),
        ("POST", "/api/kim/{slug}/verifikasi/"),
        ("POST", "/api/kim/{slug}/anggota/"),
        ("GET", "/api/kelola/kim/"),
        ("GET", "/api/berita/"),
        ("GET", "/api/berita/{slug}/"),
        ("GET", "/api/cari/"),
        ("POST", "/api/kelola/berita/"),
        ("GET", "/api/kelola/berita/{public_id}/"),
        ("PATCH", "/api/kelola/berita/{public_id}/"),
        ("POST", "/api/kelola/berita/{public_id}/ajukan/"),
        ("POST", "/api/kelola/berita/{public_id}/terbitkan/"),
        ("POST", "/api/kelola/berita/{public_id}/kembalikan/"),
        ("POST", "/api/kelola/berita/{public_id}/turunkan/"),
    }
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert "security" not in schema["paths"]["/api/kim/"]["get"]
    assert "security" in schema["paths"]["/api/kim/"]["post"]
