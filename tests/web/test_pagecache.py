import pytest

from simpul.registry import services


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True


def test_anonymous_pages_are_cached_and_a_registry_write_invalidates_them(
    client, page_cache, pembina_limapuluhkota, django_capture_on_commit_callbacks
):
    first = client.get("/wilayah/13.07.07/")
    assert first["X-Page-Cache"] == "miss"
    assert "public" in first["Cache-Control"]
    second = client.get("/wilayah/13.07.07/")
    assert second["X-Page-Cache"] == "hit" and second.content == first.content

    with django_capture_on_commit_callbacks(execute=True):
        services.kim_create(
            actor=pembina_limapuluhkota, name="KIM Saiyo", region_code="13.07.07.2002"
        )
    third = client.get("/wilayah/13.07.07/")
    assert third["X-Page-Cache"] == "miss"
    assert third.content != first.content  # the new KIM is counted


def test_each_language_has_its_own_copy(client, page_cache, db):
    client.get("/wilayah/")
    client.get("/bahasa/en/", {"next": "/wilayah/"})
    english = client.get("/wilayah/")
    assert english["X-Page-Cache"] == "miss"
    assert "Regions of Indonesia" in english.content.decode()


def test_logged_in_people_get_fresh_private_pages(page_cache, login, warga):
    c = login(warga)
    for _ in range(2):
        r = c.get("/wilayah/13/")
        assert "X-Page-Cache" not in r
        assert "public" not in r.get("Cache-Control", "")
        assert "Keluar" in r.content.decode()  # their own logout button, never cached


def test_errors_are_not_cached(client, page_cache, db):
    assert client.get("/wilayah/99/").status_code == 404
    assert "X-Page-Cache" not in client.get("/wilayah/99/")


def test_public_pages_carry_no_csrf_cookie(client, db):
    r = client.get("/wilayah/13/")
    assert not r.cookies and "csrfmiddlewaretoken" not in r.content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_codes(client, db):
    r = client.get("/bahasa/en/", {"next": "https://jahat.example/"})
    assert r["Location"] == "/"
    assert client.get("/bahasa/xx/").status_code == 404


@pytest.mark.parametrize(
    ("action", "bumps"),
    [
        ("newsroom.article.published", True),
        ("broadcasts.siaran.sent", True),
        ("registry.kim.verified", True),
        ("broadcasts.subscriber.subscribed", False),
        ("broadcasts.relay.logged", False),
        ("broadcasts.inbox.acknowledged", False),
        ("newsroom.reply_request.received", False),
    ],
)
def test_only_public_content_writes_empty_the_cache(
    client, page_cache, db, django_capture_on_commit_callbacks, action, bumps
):
    from simpul import audit

    client.get("/wilayah/")
    assert client.get("/wilayah/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(actor=None, action=action, region_code="13")
    assert (client.get("/wilayah/")["X-Page-Cache"] == "miss") == bumps
