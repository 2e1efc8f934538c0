"""Tolerant wilayah names -> Kemendagri codes, on the real Sumatera Barat rows."""

import pytest

from simpul.regions.resolve import Resolver, normalise_code, spell_number, tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def sumbar():
    return Resolver(["13"])


def codes(match):
    return [p.code for p in match.places]


@pytest.mark.parametrize(
    "name",
    ["Kab. 50 Kota", "Lima Puluh Kota", "Kabupaten Lima Puluh Kota", "50 Kota", "KAB 50 KOTA",
     "Kab Limapuluh Kota"],
)  # fmt: skip
def test_lima_puluh_kota_variants(sumbar, name):
    match = sumbar.kabkota(name)
    assert (match.how, codes(match)) == ("exact", ["13.07"])


@pytest.mark.parametrize("name", ["Kota Bukittinggi", "Bukittinggi", "kota bukit tinggi"])
def test_bukittinggi_variants(sumbar, name):
    assert codes(sumbar.kabkota(name)) == ["13.75"]


def test_kota_prefix_is_a_kind_not_noise(sumbar):
    assert codes(sumbar.kabkota("Kota Padang")) == ["13.71"]
    assert codes(sumbar.kabkota("Padang")) == ["13.71"]
    assert codes(sumbar.kabkota("Padang Pariaman")) == ["13.05"]
    assert codes(sumbar.kabkota("Kota Solok")) == ["13.72"]
    assert codes(sumbar.kabkota("Kab. Solok")) == ["13.02"]
    both = sumbar.kabkota("Solok")
    assert sorted(codes(both)) == ["13.02", "13.72"]


def test_kototangah_is_koto_tangah_in_kota_padang(sumbar):
    res = sumbar.resolve(kabkota="Kota Padang", kecamatan="Kototangah")
    assert res.ok and res.place.code == "13.71.11"
    assert res.place.name == "Koto Tangah"
    assert res.issues == []


def test_kecamatan_prefix_is_stripped(sumbar):
    res = sumbar.resolve(kabkota="Kab. 50 Kota", kecamatan="Kec. Harau")
    assert res.place.code == "13.07.05"


def test_desa_in_a_kecamatan_by_name(sumbar):
    koto_tuo = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Harau", desa="Nagari Koto Tuo")
    assert koto_tuo.ok
    assert koto_tuo.place.level == 4
    assert koto_tuo.place.code.startswith("13.07.05.")
    assert koto_tuo.place.name == "Koto Tuo"
    plain = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Harau", desa="Koto Tuo")
    assert plain.place == koto_tuo.place


def test_roman_numerals_match_words_and_digits(sumbar):
    """'VII Koto Talago' is written '7 Koto Talago' or 'Tujuh Koto Talago' in sheets."""
    official = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Guguak", desa="VII Koto Talago")
    assert official.ok, official.issues
    for variant in ("7 Koto Talago", "Tujuh Koto Talago"):
        res = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Guguak", desa=variant)
        assert res.place == official.place, (variant, res.issues)
    assert sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Kapur IX").place.code == "13.07.07"


def test_solok_is_settled_by_its_kecamatan(sumbar):
    # Lubuk Sikarah is a kecamatan of Kota Solok only.
    res = sumbar.resolve(kabkota="Solok", kecamatan="Lubuk Sikarah")
    assert res.ok and res.place.code.startswith("13.72.")


def test_ambiguous_kabkota_is_an_error_listing_both(sumbar):
    res = sumbar.resolve(kabkota="Solok", desa="Koto Baru")
    assert res.place is None
    [issue] = res.issues
    assert issue.column == "kabkota" and issue.error
    assert "ambigu" in issue.message
    assert "Kabupaten Solok" in issue.message and "Kota Solok" in issue.message


def test_unknown_kecamatan_suggests_close_names(sumbar):
    res = sumbar.resolve(kabkota="Kab. Lima Puluh Kota", kecamatan="Harau Baru")
    assert res.place is None
    [issue] = res.issues
    assert issue.column == "kecamatan" and issue.error
    assert issue.message == (
        "'Harau Baru' tidak ditemukan di Kabupaten Lima Puluh Kota. Mungkin: Harau."
    )


def test_nothing_close_gives_no_suggestion(sumbar):
    res = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Antah Berantah")
    assert res.issues[0].message == "'Antah Berantah' tidak ditemukan di Kabupaten Lima Puluh Kota."


def test_a_small_typo_is_read_with_a_warning(sumbar):
    res = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Pangkalan Koto Baruu")
    assert res.ok and res.place.code == "13.07.06"
    [issue] = res.issues
    assert not issue.error
    assert "dibaca sebagai Kecamatan Pangkalan Koto Baru" in issue.message


def test_close_but_not_sure_is_an_error_with_suggestion(sumbar):
    res = sumbar.resolve(kabkota="Kota Padang", kecamatan="Kota Tangah")  # ratio 0.9 < 0.92
    assert res.place is None
    assert "Mungkin: Koto Tangah" in res.issues[0].message


def test_code_wins_over_names(sumbar):
    res = sumbar.resolve(code="13.07.05", kabkota="Kota Padang", kecamatan="Koto Tangah")
    assert res.place.code == "13.07.05"
    assert res.ok  # contradicting names are warnings only
    assert {i.column for i in res.issues} == {"kabkota", "kecamatan"}
    assert all(not i.error for i in res.issues)


def test_code_without_dots_and_kecamatan_code_with_desa_name(sumbar):
    assert sumbar.resolve(code="137105").place.code == "13.71.05"
    koto_tuo = sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Harau", desa="Koto Tuo").place
    assert sumbar.resolve(code="13.07.05", desa="Koto Tuo").place == koto_tuo


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("13.07.99", "tidak ada di data wilayah"),
        ("13.7.5", "bukan kode wilayah"),
        ("13.07", "isi kode kecamatan"),
    ],
)
def test_bad_codes_are_errors_on_the_code_column(sumbar, code, fragment):
    res = sumbar.resolve(code=code, kabkota="Lima Puluh Kota", kecamatan="Harau")
    assert res.place is None
    assert res.issues[0].column == "code"
    assert fragment in res.issues[0].message


def test_kabkota_in_another_province_says_so(sumbar):
    res = sumbar.resolve(kabkota="Kota Medan", kecamatan="Medan Kota")
    assert res.place is None
    assert "Sumatera Utara" in res.issues[0].message
    assert "di luar wilayah Anda" in res.issues[0].message


def test_pembina_of_one_kabkota_may_leave_it_out():
    resolver = Resolver(["13.07"])
    assert resolver.resolve(kecamatan="Harau").place.code == "13.07.05"


def test_indexes_are_built_once_per_kabkota(sumbar, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        for _ in range(50):
            sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Harau", desa="Koto Tuo")
            sumbar.resolve(kabkota="Lima Puluh Kota", kecamatan="Guguak")


def test_words_and_codes():
    assert spell_number(50) == "lima puluh"
    assert spell_number(11) == "sebelas"
    assert spell_number(17) == "tujuh belas"
    assert spell_number(121) == "seratus dua puluh satu"
    assert tokens("Kab. 50 Kota") == ["kabupaten", "lima", "puluh", "kota"]
    assert tokens("Kapur IX") == ["kapur", "ix"]
    assert tokens("2x11 Kayu Tanam") == ["dua", "x", "sebelas", "kayu", "tanam"]
    assert normalise_code("1307052001") == "13.07.05.2001"


def test_prefixes_are_peeled_one_at_a_time():
    """'Desa Kampung Jawa' is Kampung Jawa, not a neighbouring 'Jawa'."""
    from simpul.regions.resolve import DESA_PREFIXES, Place, _Index, _lookup

    index = _Index()
    jawa = Place("99.01.01.2001", "Jawa", 4, "desa")
    kampung_jawa = Place("99.01.01.2002", "Kampung Jawa", 4, "desa")
    for place in (jawa, kampung_jawa):
        index.add(place, strip=DESA_PREFIXES)
    assert _lookup(index, "Desa Kampung Jawa", DESA_PREFIXES).places == [kampung_jawa]
    assert _lookup(index, "Kampung Jawa", DESA_PREFIXES).places == [kampung_jawa]
    assert _lookup(index, "Desa Jawa", DESA_PREFIXES).places == [jawa]
    assert _lookup(index, "JAWA", DESA_PREFIXES).places == [jawa]
