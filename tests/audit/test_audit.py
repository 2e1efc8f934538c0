"""The audit log: what record() writes, that nothing rewrites it, and who sees which events."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from simpul import audit
from simpul.audit.models import AppendOnlyError, Event
from simpul.regions.models import Region
from simpul.registry.models import Kim

from ..factories import OfficeFactory, UserFactory

URL = "/kelola/audit/"

# object_id -> region_code; object ids are what the list shows, so they name the row.
WHERE = {
    "uji-sumbar": "13",
    "uji-limapuluhkota": "13.07",
    "uji-kotobangun": "13.07.07.2002",
    "uji-bukittinggi": "13.75.01.1001",
    "uji-padang": "13.71",
    "uji-sumut": "12",
    "uji-medan": "12.71.01.1001",
    "uji-nasional": "",
}
SUMBAR = {"uji-sumbar", "uji-limapuluhkota", "uji-kotobangun", "uji-bukittinggi", "uji-padang"}


@pytest.fixture
def events(db):
    return {
        oid: audit.record(
            actor=None,
            action="uji.audit.seen",
            object_type="uji",
            object_id=oid,
            region_code=code,
        )
        for oid, code in WHERE.items()
    }


def shown(response):
    """object ids of the rows on the page."""
    html = response.content.decode()
    return {oid for oid in WHERE if f'<span class="mono">{oid}</span>' in html}


# --- record() ----------------------------------------------------------------


def test_record_writes_actor_object_region_and_data(db, admin_sumbar):
    office = OfficeFactory(region_code="13.07")

    event = audit.record(
        actor=admin_sumbar, action="accounts.office.saved", obj=office, data={"n": 1}
    )

    event.refresh_from_db()
    assert event.actor == admin_sumbar
    assert event.actor_label == "Admin Sumbar"
    assert event.action == "accounts.office.saved"
    assert (event.object_type, event.object_id) == ("office", office.public_id)
    assert (event.region_code, event.kim_id) == ("13.07", None)
    assert event.data == {"n": 1}
    assert event.created_at is not None


def test_record_names_an_object_by_slug_when_it_has_no_public_id(db):
    kim = Kim(pk=41, public_id="", slug="tujuh-koto-talago", region_code="13.07.07.2002")

    event = audit.record(actor=None, action="registry.kim.seen", obj=kim)

    assert (event.object_type, event.object_id) == ("kim", "tujuh-koto-talago")
    assert event.region_code == "13.07.07.2002"


def test_record_of_a_kim_carries_its_kim_id(db, kim):
    event = audit.record(actor=None, action="registry.kim.seen", obj=kim)

    assert event.object_id == kim.public_id
    assert (event.region_code, event.kim_id) == (kim.region_code, kim.pk)


def test_record_falls_back_to_pk_and_explicit_values_win(db):
    region = Region.objects.get(code="13.07")

    event = audit.record(actor=None, action="regions.x", obj=region)
    assert (event.object_type, event.object_id, event.region_code) == ("region", "13.07", "")

    event = audit.record(
        actor=None, action="regions.x", obj=region, object_id="lain", region_code="13"
    )
    assert (event.object_id, event.region_code) == ("lain", "13")


def test_record_without_a_person_has_no_actor(db):
    from django.contrib.auth.models import AnonymousUser

    event = audit.record(actor=AnonymousUser(), action="web.x")
    assert (event.actor, event.actor_label, event.data, event.region_code) == (None, "", {}, "")


# --- append-only ---------------------------------------------------------------


@pytest.fixture
def event(db, admin_sumbar):
    return audit.record(actor=admin_sumbar, action="uji.asli", region_code="13")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda e: (setattr(e, "action", "uji.palsu"), e.save()), id="save"),
        pytest.param(lambda e: e.save(update_fields=["action"]), id="save-update-fields"),
        pytest.param(lambda e: e.delete(), id="delete"),
        pytest.param(
            lambda e: Event.objects.filter(pk=e.pk).update(action="uji.palsu"), id="qs-update"
        ),
        pytest.param(lambda e: Event.objects.filter(pk=e.pk).delete(), id="qs-delete"),
        pytest.param(lambda e: Event.objects.all().delete(), id="delete-all"),
        pytest.param(
            lambda e: Event.objects.bulk_update([Event(pk=e.pk, action="uji.palsu")], ["action"]),
            id="bulk-update",
        ),
        pytest.param(
            lambda e: Event.objects.update_or_create(pk=e.pk, defaults={"action": "uji.palsu"}),
            id="update-or-create",
        ),
    ],
)
def test_events_are_append_only(event, change):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        change(event)
    stored = Event.objects.get(pk=event.pk)
    assert (stored.action, stored.region_code) == ("uji.asli", "13")


def test_removing_the_actor_keeps_the_event_and_its_label(event, admin_sumbar):
    admin_sumbar.delete()

    stored = Event.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.actor_label == "Admin Sumbar"


def test_admin_cannot_change_or_delete_events(event, login):
    root = UserFactory(is_superuser=True, is_staff=True)
    client = login(root)

    assert client.get("/admin/audit/event/").status_code == 200
    assert client.get(f"/admin/audit/event/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/event/add/").status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


# --- /kelola/audit/: who sees what ----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_sumbar", SUMBAR),
        ("pembina_limapuluhkota", {"uji-limapuluhkota", "uji-kotobangun"}),
        ("pembina_bukittinggi", {"uji-bukittinggi"}),
        ("admin_other_province", {"uji-sumut", "uji-medan"}),
        ("nasional", set(WHERE)),
    ],
)
def test_office_sees_events_of_its_wilayah_only(events, login, request, persona, expected):
    r = login(request.getfixturevalue(persona)).get(URL)
    assert r.status_code == 200
    assert shown(r) == expected


@pytest.mark.parametrize("persona", ["warga", "pengurus", "anggota"])
def test_people_without_audit_capability_get_404(events, login, request, persona):
    r = login(request.getfixturevalue(persona)).get(URL)
    assert r.status_code == 404
    assert shown(r) == set()


def test_anonymous_is_sent_to_login(events, client):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == "/akun/masuk/?next=/kelola/audit/"


def test_office_user_without_second_factor_is_sent_to_enrol(events, login, admin_sumbar):
    r = login(admin_sumbar, verified=False).get(URL)
    assert r.status_code == 302
    assert r["Location"] == "/akun/keamanan/daftar/?next=%2Fkelola%2Faudit%2F"


def test_office_user_with_a_device_but_not_verified_is_sent_to_verify(events, login, admin_sumbar):
    from ..factories import confirmed_totp

    confirmed_totp(admin_sumbar)
    r = login(admin_sumbar, verified=False).get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/akun/keamanan/verifikasi/?next=")


def test_login_fixture_gives_a_verified_session(login, admin_sumbar):
    client = login(admin_sumbar)
    r = client.get(URL)
    assert r.status_code == 200
    assert r.wsgi_request.user == admin_sumbar
    assert r.wsgi_request.user.is_verified()


# --- filters --------------------------------------------------------------------


def test_filter_by_region_stays_inside_scope(events, login, admin_sumbar, pembina_limapuluhkota):
    admin = login(admin_sumbar)
    assert shown(admin.get(URL, {"region": "13.07"})) == {"uji-limapuluhkota", "uji-kotobangun"}
    assert shown(admin.get(URL, {"region": "13.07.07.2002"})) == {"uji-kotobangun"}
    # Filtering on another province does not widen the scope.
    assert shown(admin.get(URL, {"region": "12"})) == set()

    pembina = login(pembina_limapuluhkota)
    assert shown(pembina.get(URL, {"region": "13"})) == {"uji-limapuluhkota", "uji-kotobangun"}


def test_filter_by_action_prefix(events, login, admin_sumbar):
    audit.record(
        actor=admin_sumbar, action="registry.kim.verified", object_id="uji-kotobangun",
        region_code="13.07.07.2002",
    )  # fmt: skip
    client = login(admin_sumbar)

    html = client.get(URL, {"action": "registry"}).content.decode()
    assert "registry.kim.verified" in html
    assert "uji.audit.seen" not in html

    html = client.get(URL, {"action": "uji.audit"}).content.decode()
    assert "registry.kim.verified" not in html
    assert "uji.audit.seen" in html


def test_filter_by_actor(events, login, admin_sumbar, pembina_limapuluhkota):
    audit.record(actor=pembina_limapuluhkota, action="uji.oleh.pembina", region_code="13.07")
    client = login(admin_sumbar)

    html = client.get(URL, {"actor": "pembina lima"}).content.decode()
    assert "uji.oleh.pembina" in html and "uji.audit.seen" not in html
    html = client.get(URL, {"actor": pembina_limapuluhkota.public_id}).content.decode()
    assert "uji.oleh.pembina" in html and "uji.audit.seen" not in html


def at(utc):
    return mock.patch("django.utils.timezone.now", return_value=utc)


def test_filter_by_date_uses_wib_days(db, login, admin_sumbar):
    # 16:00 UTC on 1 March is 23:00 WIB the same day; 20:00 UTC is 03:00 WIB on 2 March.
    with at(datetime(2025, 3, 1, 16, 0, tzinfo=UTC)):
        audit.record(actor=None, action="uji.malam", region_code="13")
    with at(datetime(2025, 3, 1, 20, 0, tzinfo=UTC)):
        audit.record(actor=None, action="uji.dinihari", region_code="13")
    with at(datetime(2025, 3, 5, 1, 0, tzinfo=UTC)):
        audit.record(actor=None, action="uji.kemudian", region_code="13")
    client = login(admin_sumbar)

    def actions(**params):
        html = client.get(URL, {"action": "uji.", **params}).content.decode()
        return {a for a in ("uji.malam", "uji.dinihari", "uji.kemudian") if f">{a}<" in html}

    assert actions() == {"uji.malam", "uji.dinihari", "uji.kemudian"}
    assert actions(until="2025-03-01") == {"uji.malam"}
    assert actions(since="2025-03-02") == {"uji.dinihari", "uji.kemudian"}
    assert actions(since="2025-03-02", until="2025-03-04") == {"uji.dinihari"}
    html = client.get(URL, {"action": "uji.malam"}).content.decode()
    assert "01 Mar 2025 23.00" in html  # shown in WIB


@pytest.mark.parametrize("bad", ["13.7", "abc", "13.07.07.20021", "１３", "13.07."])
def test_invalid_region_filter_says_which_field(events, login, admin_sumbar, bad):
    r = login(admin_sumbar).get(URL, {"region": bad})

    assert r.status_code == 200
    html = r.content.decode()
    assert "Kode wilayah tidak valid" in html
    form = html.index('<form class="stack"')
    label = html.index(">Kode wilayah</label>", form)
    error = html.index("Kode wilayah tidak valid", label)
    assert error < html.index("</form>", form)
    assert html.index("<label", label + 1) > error  # before the next field's label
    assert 'aria-describedby="id_region_error"' in html  # tied to the field for screen readers
    assert "<details open>" in html  # the filter stays open so the error is seen
    assert shown(r) == SUMBAR  # still only the user's own wilayah


def test_dates_in_the_wrong_order_are_reported(events, login, admin_sumbar):
    r = login(admin_sumbar).get(URL, {"since": "2025-03-05", "until": "2025-03-01"})
    assert r.status_code == 200
    assert "Tanggal akhir harus sesudah tanggal awal." in r.content.decode()


def test_unparseable_date_does_not_crash(events, login, admin_sumbar):
    r = login(admin_sumbar).get(URL, {"since": "2025-13-45", "page": "x"})
    assert r.status_code == 200
    assert shown(r) == SUMBAR


# --- list page: pagination and queries ---------------------------------------------


def test_list_paginates_and_keeps_filters(db, login, admin_sumbar):
    for i in range(55):
        audit.record(actor=None, action="uji.banyak", object_id=f"n{i}", region_code="13.07")
    client = login(admin_sumbar)

    first = client.get(URL, {"action": "uji.banyak"}).content.decode()
    second = client.get(URL, {"action": "uji.banyak", "page": 2}).content.decode()

    assert first.count(">uji.banyak<") == 50
    assert second.count(">uji.banyak<") == 5
    assert 'href="?action=uji.banyak&amp;page=2"' in first
    assert "Halaman 1 dari 2" in first


def test_list_query_count_does_not_grow_with_rows(db, login, admin_sumbar, pembina_limapuluhkota):
    client = login(admin_sumbar)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx)

    audit.record(actor=pembina_limapuluhkota, action="uji.q", region_code="13.07")
    few = queries()
    for i in range(30):
        actor = admin_sumbar if i % 2 else pembina_limapuluhkota
        audit.record(actor=actor, action="uji.q", object_id=f"q{i}", region_code="13.07")
    assert queries() == few
    assert few <= 10
