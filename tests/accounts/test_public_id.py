"""Public ids are random and URL-safe, and never start with "-" (a command line would read
`--id -AbC...` as an option: the api_token revoke test failed that way about 1 run in 64)."""

from simpul.accounts import models


def test_an_id_starting_with_a_dash_is_drawn_again(monkeypatch):
    drawn = iter(["-Ab3dEf9hIj", "Xy1-z_9QrSt"])
    monkeypatch.setattr(models.secrets, "token_urlsafe", lambda n: next(drawn))
    assert models.public_id() == "Xy1-z_9QrSt"


def test_ids_are_url_safe_and_distinct():
    ids = {models.public_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert not any(i.startswith("-") for i in ids)
    assert all(len(i) == 11 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
