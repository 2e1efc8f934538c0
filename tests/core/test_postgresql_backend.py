"""The PostgreSQL backend's health check: no round trip on a quiet connection, and a session
that the server ended is replaced before the request's first query (core/postgresql)."""

import copy
import time

import pytest
from django.db import connection, connections

from simpul.core.postgresql.base import DatabaseWrapper


def start_request(wrapper):
    """What Django does at the start of each request for a persistent connection."""
    wrapper.close_if_unusable_or_obsolete()


def counting_is_usable(wrapper):
    calls = []
    real = wrapper.is_usable

    def is_usable():
        calls.append(real())
        return calls[-1]

    wrapper.is_usable = is_usable
    return calls


@pytest.mark.django_db
def test_health_check():
    if connection.vendor != "postgresql":
        # SQLite keeps Django's own check (a local file cannot go away between requests).
        assert connection.is_usable()
        return
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    # A second session on the test database, outside the test's transaction.
    wrapper = DatabaseWrapper(copy.deepcopy(connections["default"].settings_dict), alias="second")
    try:
        wrapper.connect()
        calls = counting_is_usable(wrapper)
        first_pid = wrapper.connection.info.backend_pid

        # A quiet, idle session: used as it is, no SELECT 1.
        start_request(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 2")
            assert cursor.fetchone() == (2,)
        assert calls == []

        # The server ends the session while it sits idle between requests.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first_pid])
        deadline = time.monotonic() + 5
        while wrapper.quiet() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not wrapper.quiet()

        # The next request still gets its answer, on a new session.
        start_request(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 3")
            assert cursor.fetchone() == (3,)
        assert calls == [False]
        assert wrapper.connection.info.backend_pid != first_pid
    finally:
        wrapper.close()
