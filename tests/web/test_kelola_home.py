import pytest

from simpul import audit

EXPECT = {
    "admin_sumbar": ("Admin provinsi", "Sumatera Barat", "Kabupaten Lima Puluh Kota"),
    "pembina_limapuluhkota": ("Pembina", "Kabupaten Lima Puluh Kota", "Kota Bukittinggi"),
    "pembina_bukittinggi": ("Pembina", "Kota Bukittinggi", "Kabupaten Lima Puluh Kota"),
    "admin_other_province": ("Admin provinsi", "Sumatera Utara", "Sumatera Barat"),
    "warga": ("Warga", "Koto Bangun", "Log audit"),
}


@pytest.mark.parametrize("persona", list(EXPECT), indirect=True)
def test_home_shows_what_each_persona_is_responsible_for(persona):
    name, user, client = persona
    role, mine, not_mine = EXPECT[name]
    html = client.get("/kelola/").content.decode()
    assert role in html and mine in html
    assert not_mine not in html


def test_home_lists_recent_events_in_scope_only(login, pembina_limapuluhkota):
    audit.record(actor=None, action="uji.dalam", region_code="13.07.07")
    audit.record(actor=None, action="uji.luar", region_code="13.75.01")
    html = login(pembina_limapuluhkota).get("/kelola/").content.decode()
    assert "uji.dalam" in html and "uji.luar" not in html


def test_pengurus_sees_their_kim(login, pengurus, kim):
    html = login(pengurus).get("/kelola/").content.decode()
    assert "Pengurus KIM" in html and kim.name in html


def test_anonymous_goes_to_login(client, db):
    r = client.get("/kelola/")
    assert r.status_code == 302 and r["Location"] == "/akun/masuk/?next=/kelola/"


def test_home_page_is_public_and_light(client, db):
    import gzip

    from django.contrib.staticfiles import finders

    r = client.get("/")
    assert r.status_code == 200
    with open(finders.find("simpul/site.css"), "rb") as f:
        css = f.read()
    assert len(gzip.compress(r.content)) + len(gzip.compress(css)) <= 30 * 1024
    assert "<script" not in r.content.decode()


def test_health(client, db):
    assert client.get("/sehat/").json() == {"status": "ok"}


def test_indonesian_by_default_even_for_english_browsers(client, db):
    r = client.get("/wilayah/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert r["Content-Language"] == "id" and '<html lang="id">' in r.content.decode()
    r = client.get("/bahasa/en/", {"next": "/wilayah/"})
    assert r.status_code == 302 and r["Location"] == "/wilayah/"
    r = client.get("/wilayah/")
    assert r["Content-Language"] == "en" and '<html lang="en">' in r.content.decode()
    assert (
        "Indonesian regions" in r.content.decode() or "Regions of Indonesia" in r.content.decode()
    )


MENU = {
    "/kelola/warta/": "Warta",
    "/kelola/warta/moderasi/": "Moderasi",
    "/kelola/siaran/kotak/": "Kotak siaran",
    "/kelola/siaran/": "Siaran",
}
MENU_EXPECT = {
    "pengurus": {"/kelola/warta/", "/kelola/warta/moderasi/", "/kelola/siaran/kotak/"},
    "anggota": {"/kelola/warta/", "/kelola/siaran/kotak/"},
    "pembina_limapuluhkota": {"/kelola/warta/", "/kelola/warta/moderasi/", "/kelola/siaran/"},
    "warga": set(),
}


@pytest.mark.parametrize("persona", list(MENU_EXPECT), indirect=True)
def test_menu_links_follow_capabilities(persona):
    """Each role sees the Warta and Siaran links it can use, and each link opens."""
    name, user, client = persona
    html = client.get("/kelola/").content.decode()
    for href in MENU:
        linked = f'href="{href}"' in html
        assert linked == (href in MENU_EXPECT[name]), (name, href)
        if linked:
            assert client.get(href, follow=True).status_code == 200, href
