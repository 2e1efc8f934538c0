"""Throwaway PostgreSQL databases for benchmarks that need a fresh one next to yours."""

import secrets
from urllib.parse import urlsplit, urlunsplit


def _admin_connect(url):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=parts.username or "",
        password=parts.password or "",
        dbname="postgres",
        autocommit=True,
    )


def create_pg_database(url, purpose):
    """A new, empty database next to the one named in url; returns its URL and name."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'simpul'}_{purpose}_{secrets.token_hex(4)}"
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_pg_database(url, name):
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
