import pytest

from ..conftest import small_source


@pytest.fixture(scope="session")
def session_slice():
    """(names, postal) of the slice the session loaded; read once, never mutate it."""
    return small_source()
