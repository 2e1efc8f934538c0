"""The Kepmendagri loader: upsert, idempotence, retirement and the kind rules.

The session already holds a real slice (tests/conftest.py). Each test loads that same slice
plus a few synthetic rows under codes no real wilayah uses ("20", "98"), inside the test's
transaction, so nothing leaks into other tests.
"""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from simpul.audit.models import Event
from simpul.regions.models import Region, VillageLabel
from simpul.regions.services import _read_package_data, load_regions, set_village_label

SYNTHETIC = {
    "20": "Provinsi Uji",
    "20.01": "Kabupaten Uji Satu",
    "20.71": "Kota Uji",
    "20.01.01": "Uji Tengah",
    "20.01.01.1001": "Pasar Uji",
    "20.01.01.2001": "Sungai Uji",
    "20.01.01.2002": "Koto Uji",
    "20.01.01.3001": "Desa Adat Uji",
    "20.71.01": "Uji Kota Timur",
    "20.71.01.1001": "Kampung Uji",
    # Papua codes (91 and above) have distrik, not kecamatan.
    "98": "Papua Uji",
    "98.01": "Kabupaten Papua Uji",
    "98.01.01": "Distrik Uji",
}
POSTAL = {"20.01.01.2001": "27123", "20.01.01.1001": "271239"}


@pytest.fixture
def source(session_slice, db):
    names, postal = session_slice
    assert not set(SYNTHETIC) & set(names), "synthetic codes must not collide with real ones"
    assert not Region.objects.filter(code__in=list(SYNTHETIC)).exists()
    return {**names, **SYNTHETIC}, {**postal, **POSTAL}


def writes(ctx):
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_load_creates_synthetic_rows_with_tree_fields(source):
    events_before = Event.objects.filter(action="regions.loaded").count()

    result = load_regions(source=source)

    assert (result.created, result.updated, result.retired) == (len(SYNTHETIC), 0, 0)
    assert result.total == len(source[0])
    rows = Region.objects.in_bulk(list(SYNTHETIC))
    expected = {
        # code: (level, kind, parent, child_count, village_count)
        "20": (1, "provinsi", None, 2, 5),
        "20.01": (2, "kabupaten", "20", 1, 4),
        "20.71": (2, "kota", "20", 1, 1),
        "20.01.01": (3, "kecamatan", "20.01", 4, 4),
        "20.01.01.1001": (4, "kelurahan", "20.01.01", 0, 0),
        "20.01.01.2001": (4, "desa", "20.01.01", 0, 0),
        "20.01.01.2002": (4, "desa", "20.01.01", 0, 0),
        "20.01.01.3001": (4, "desa_adat", "20.01.01", 0, 0),
        "20.71.01": (3, "kecamatan", "20.71", 1, 1),
        "20.71.01.1001": (4, "kelurahan", "20.71.01", 0, 0),
        "98": (1, "provinsi", None, 1, 0),
        "98.01": (2, "kabupaten", "98", 1, 0),
        "98.01.01": (3, "distrik", "98.01", 0, 0),
    }
    actual = {
        code: (r.level, r.kind, r.parent_id, r.child_count, r.village_count)
        for code, r in rows.items()
    }
    assert actual == expected
    assert rows["20.01.01.2001"].search_name == "sungaiuji"
    assert rows["20.01.01.2001"].postal_code == "27123"
    assert rows["20.01.01.1001"].postal_code == "27123"  # cut to five digits
    assert rows["20.01.01"].postal_code == ""  # only desa carry a postal code
    assert not any(r.retired for r in rows.values())
    event = Event.objects.filter(action="regions.loaded").latest("id")
    assert Event.objects.filter(action="regions.loaded").count() == events_before + 1
    assert event.data == {"created": len(SYNTHETIC), "updated": 0, "retired": 0}


def test_second_identical_load_writes_nothing(source):
    load_regions(source=source)
    total = Region.objects.count()
    events = Event.objects.count()

    with CaptureQueriesContext(connection) as ctx:
        result = load_regions(source=source)

    assert (result.created, result.updated, result.retired) == (0, 0, 0)
    assert writes(ctx) == []
    assert Region.objects.count() == total
    assert Event.objects.count() == events  # nothing changed, nothing audited


def test_renamed_desa_is_updated_in_place(source):
    load_regions(source=source)
    total = Region.objects.count()
    names, postal = source

    result = load_regions(source=({**names, "20.01.01.2001": "Sungai Uji Baru"}, postal))

    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    assert Region.objects.count() == total
    row = Region.objects.get(code="20.01.01.2001")
    assert (row.name, row.search_name) == ("Sungai Uji Baru", "sungaiujibaru")
    assert list(Region.objects.filter(search_name="sungaiuji")) == []


def test_code_missing_from_source_is_retired_not_deleted(source):
    load_regions(source=source)
    names, postal = source
    without = {c: n for c, n in names.items() if c != "20.01.01.2002"}

    result = load_regions(source=(without, postal))

    assert result.retired == 1
    gone = Region.objects.get(code="20.01.01.2002")
    assert gone.retired is True
    assert gone.name == "Koto Uji"
    # The counts of its ancestors follow the source.
    counts = dict(
        Region.objects.filter(code__in=["20", "20.01", "20.01.01"]).values_list(
            "code", "village_count"
        )
    )
    assert counts == {"20": 4, "20.01": 3, "20.01.01": 3}
    assert Region.objects.get(code="20.01.01").child_count == 3
    # Retiring again is a no-op; a code that comes back is current again.
    assert load_regions(source=(without, postal)).retired == 0
    load_regions(source=source)
    assert Region.objects.get(code="20.01.01.2002").retired is False


def test_real_rows_follow_kind_rules(db):
    kinds = dict(
        Region.objects.filter(
            code__in=["13", "13.07", "13.75", "13.71", "13.07.07", "13.09"]
        ).values_list("code", "kind")
    )
    assert kinds == {
        "13": "provinsi",
        "13.07": "kabupaten",
        "13.09": "kabupaten",
        "13.75": "kota",
        "13.71": "kota",
        "13.07.07": "kecamatan",
    }

    def village_kinds(prefix):
        return Counter(
            Region.objects.filter(level=4, code__startswith=prefix).values_list("kind", flat=True)
        )

    # Lima Puluh Kota: every desa is a nagari.
    lima_puluh_kota = village_kinds("13.07.")
    assert set(lima_puluh_kota) == {"nagari"} and lima_puluh_kota["nagari"] > 50
    assert Region.objects.get(code="13.07.07.2002").kind == "nagari"
    # Kepulauan Mentawai keeps "desa" (DOMAIN.md).
    mentawai = village_kinds("13.09.")
    assert set(mentawai) == {"desa"} and mentawai["desa"] > 10
    # Kota Bukittinggi and Kota Medan have kelurahan (1xxx).
    assert set(village_kinds("13.75.")) == {"kelurahan"}
    assert set(village_kinds("12.71.")) == {"kelurahan"}
    # Every Sumbar kabupaten except Mentawai calls its desa nagari.
    labels = dict(
        VillageLabel.objects.filter(region__code__startswith="13.").values_list(
            "region_id", "label"
        )
    )
    assert labels == {f"13.{n:02d}": "nagari" for n in range(1, 13) if n != 9}


def test_set_village_label_relabels_desa_and_is_audited(admin_sumbar, session_slice):
    mentawai = Region.objects.get(code="13.09")
    n_desa = Region.objects.filter(level=4, code__startswith="13.09.", kind="desa").count()

    changed = set_village_label(actor=admin_sumbar, kabupaten=mentawai, label="nagari")

    assert changed == n_desa
    assert not Region.objects.filter(level=4, code__startswith="13.09.", kind="desa").exists()
    assert Region.objects.get(code="13.09.01.2007").label == "Nagari Betumonga"
    event = Event.objects.get(action="regions.village_label.set")
    assert event.actor == admin_sumbar
    assert (event.object_type, event.object_id, event.region_code) == ("region", "13.09", "13.09")
    assert event.data == {"label": "nagari", "changed": n_desa}
    # The choice survives the next load of the Kepmendagri data.
    result = load_regions(source=session_slice)
    assert (result.created, result.updated) == (0, 0)
    assert Region.objects.get(code="13.09.01.2007").kind == "nagari"

    # And back: Lima Puluh Kota's nagari become desa, other kabupaten are untouched.
    set_village_label(actor=admin_sumbar, kabupaten=Region.objects.get(code="13.07"), label="desa")
    assert Region.objects.get(code="13.07.07.2002").kind == "desa"
    assert Region.objects.get(code="13.06.09.2001").kind == "nagari"


def test_set_village_label_only_on_kabupaten(admin_sumbar):
    with pytest.raises(ValueError):
        set_village_label(
            actor=admin_sumbar, kabupaten=Region.objects.get(code="13.07.07"), label="nagari"
        )
    assert not Event.objects.filter(action="regions.village_label.set").exists()


def test_package_holds_every_wilayah_of_kepmendagri_2025():
    names, postal = _read_package_data()
    per_level = Counter(code.count(".") + 1 for code in names)
    assert per_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert names["13.07.07.2002"] == "Koto Bangun"
    assert len(postal["13.07.07.2002"]) == 5
