"""Misconfiguration stops `simpul` at start with one line that says what to set."""

import os
import subprocess
import sys

import pytest

from simpul.settings import parse_database_url


def run_simpul(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SIMPUL_")}
    base.update(SIMPUL_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "simpul", "check"],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/x",
        "postgres://user@host:notaport/db",
        "postgres://host/",
        "sqlite://",
        "just-a-string",
    ],
)
def test_malformed_database_url_is_one_clear_line(tmp_path, url):
    r = run_simpul(tmp_path, SIMPUL_DEBUG="1", SIMPUL_DATABASE_URL=url)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("simpul: SIMPUL_DATABASE_URL is not a valid database URL")
    assert "set it to postgres://" in lines[0]
    assert "Traceback" not in r.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    r = run_simpul(tmp_path, SIMPUL_DEBUG="0", SIMPUL_EMAIL_URL="console://")
    assert r.returncode == 2
    assert "SIMPUL_SECRET_KEY is not set" in r.stderr
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_key_once(tmp_path):
    assert run_simpul(tmp_path, SIMPUL_DEBUG="1").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert run_simpul(tmp_path, SIMPUL_DEBUG="1").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_bad_boolean_and_email_url_are_reported(tmp_path):
    r = run_simpul(
        tmp_path, SIMPUL_DEBUG="maybe", SIMPUL_EMAIL_URL="pigeon://x", SIMPUL_SECRET_KEY="k" * 50
    )
    assert r.returncode == 2
    assert "SIMPUL_DEBUG='maybe' is not a boolean" in r.stderr
    assert "SIMPUL_EMAIL_URL has an unknown scheme 'pigeon'" in r.stderr


def test_system_check_reports_config_errors(settings):
    from django.core.checks import run_checks

    settings.CONFIG_ERRORS = ["SIMPUL_X is wrong: set it to y."]
    errors = [e for e in run_checks() if e.id == "simpul.E001"]
    assert [e.msg for e in errors] == ["SIMPUL_X is wrong: set it to y."]


def test_database_urls_parse(tmp_path):
    pg = parse_database_url("postgres://u:p%40ss@db.example:6543/simpul?sslmode=require", tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "simpul.core.postgresql",
        "simpul",
        "u",
        "p@ss",
        "db.example",
        "6543",
    )
    assert pg["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}
    assert pg["CONN_MAX_AGE"] == 300
    lite = parse_database_url("sqlite:////tmp/x.sqlite3", tmp_path)
    assert lite["NAME"] == "/tmp/x.sqlite3" and "WAL" in lite["OPTIONS"]["init_command"]
