"""KIM import: the dry-run report (row + column + message) and the all-or-nothing apply."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from simpul.audit.models import Event
from simpul.registry import imports
from simpul.registry.models import Decree, Kim, Sector

from ..factories import KimFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Nama KIM", "Kode wilayah", "Desa/Nagari/Kelurahan", "Kecamatan", "Kabupaten/Kota", "Alamat",
    "Tanggal berdiri", "ID KIM.id", "Sektor", "Lintang", "Bujur", "Nomor SK", "Tanggal SK",
    "SK berlaku sampai", "Penandatangan SK", "Status",
]  # fmt: skip


def make_file(rows, headers=None, fmt="xlsx", title_rows=()):
    """rows: dicts by header. Returns (bytes, filename)."""
    headers = headers or list(dict.fromkeys(k for r in rows for k in r))
    matrix = [list(t) for t in title_rows] + [headers]
    matrix += [[r.get(h) for h in headers] for r in rows]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows(
            [["" if v is None else v for v in line] for line in matrix]
        )
        return out.getvalue().encode("utf-8-sig"), "daftar.csv"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KIM"
    for line in matrix:
        ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "daftar.xlsx"


def dry(actor, rows, **kw):
    data, name = make_file(rows, **kw)
    return imports.dry_run(actor=actor, source=data, filename=name)


def apply(actor, rows, **kw):
    data, name = make_file(rows, **kw)
    return imports.apply_import(actor=actor, source=data, filename=name)


def messages(report):
    return [str(i) for i in report.issues()]


def errors(report):
    return [str(i) for i in report.issues(errors=True)]


def row(name="KIM Koto Tuo", **kw):
    base = {"Nama KIM": name, "Kabupaten/Kota": "Kab. 50 Kota", "Kecamatan": "Harau"}
    base["Desa/Nagari/Kelurahan"] = kw.pop("desa", "Nagari Koto Tuo")
    base.update({k.replace("_", " ").replace("KIM id", "KIM.id"): v for k, v in kw.items()})
    return base


KOTO_TUO = "13.07.05.2010"


# --- headers ------------------------------------------------------------------------------


def test_wrong_headers_give_one_error_listing_the_expected_ones(admin_sumbar):
    report = dry(admin_sumbar, [{"Kelompok": "KIM A", "Tempat": "Harau"}])
    assert report.rows == [] and not report.ok
    [message] = report.file_errors
    assert message.startswith("Judul kolom tidak sesuai templat")
    for label in ("Nama KIM", "Kode wilayah", "Kabupaten/Kota", "Kecamatan", "Tanggal berdiri"):
        assert label in message
    assert "Kelompok, Tempat" in message


def test_name_without_any_wilayah_column_is_a_header_error(admin_sumbar):
    report = dry(admin_sumbar, [{"Nama KIM": "KIM A", "Alamat": "Jl. A"}])
    assert len(report.file_errors) == 1 and report.rows == []


def test_header_variants_and_a_title_row_above_them(admin_sumbar):
    rows = [
        {"nama": "KIM Koto Tuo", "KABUPATEN": "Lima Puluh Kota", "Kec.": "Harau",
         "Desa / Kelurahan": "Koto Tuo", "Tgl Berdiri": "29/11/2022", "Jumlah Anggota": 12}
    ]  # fmt: skip
    report = dry(admin_sumbar, rows, title_rows=[["DAFTAR KIM KABUPATEN LIMA PULUH KOTA"]])
    assert report.ok, messages(report)
    [r] = report.rows
    assert r.number == 3 and r.place.code == KOTO_TUO
    assert r.values["founded_on"] == datetime.date(2022, 11, 29)
    assert report.notices == ["Kolom ini diabaikan: Jumlah Anggota."]


def test_a_column_given_twice_is_a_header_error(admin_sumbar):
    report = dry(admin_sumbar, [{"Nama KIM": "A", "Kabupaten": "50 Kota", "Kab/Kota": "50 Kota"}])
    assert "Kabupaten/Kota muncul dua kali" in report.file_errors[0]


# --- wilayah ------------------------------------------------------------------------------


def test_unknown_kecamatan_is_reported_by_row_and_column_with_a_suggestion(admin_sumbar):
    report = dry(admin_sumbar, [row(), row("KIM Baru", Kecamatan="Harau Baru", desa="")])
    assert errors(report) == [
        "Baris 3, kolom Kecamatan: 'Harau Baru' tidak ditemukan di Kabupaten Lima Puluh Kota. "
        "Mungkin: Harau."
    ]
    assert report.counts | {} == {
        "total": 2, "new": 1, "updated": 0, "unchanged": 0, "errors": 1, "duplicates": 0,
        "warnings": 0,
    }  # fmt: skip


def test_ambiguous_names_are_errors_listing_the_candidates(admin_sumbar):
    report = dry(admin_sumbar, [{"Nama KIM": "KIM A", "Kabupaten/Kota": "Solok", "Kecamatan": ""}])
    [message] = errors(report)
    assert message.startswith("Baris 2, kolom Kabupaten/Kota: 'Solok' ambigu")
    assert "Kabupaten Solok" in message and "Kota Solok" in message


def test_a_typo_is_read_with_a_warning_and_does_not_block(admin_sumbar):
    report = dry(admin_sumbar, [row(desa="Koto Tuoo")])
    assert report.ok
    assert messages(report) == [
        "Baris 2, kolom Desa/Nagari/Kelurahan: 'Koto Tuoo' dibaca sebagai Nagari Koto Tuo."
    ]


def test_codes_win_and_unknown_codes_name_the_column(admin_sumbar):
    report = dry(
        admin_sumbar,
        [
            {"Nama KIM": "KIM A", "Kode wilayah": KOTO_TUO, "Kecamatan": ""},
            {"Nama KIM": "KIM B", "Kode wilayah": "13.07.05.2999", "Kecamatan": "Harau"},
            {"Nama KIM": "KIM C", "Kode wilayah": 1307052010, "Kecamatan": None},
        ],
    )
    assert report.rows[0].place.code == KOTO_TUO
    assert report.rows[2].place.code == KOTO_TUO
    assert errors(report) == [
        "Baris 3, kolom Kode wilayah: Kode wilayah 13.07.05.2999 tidak ada di data wilayah "
        "Kemendagri."
    ]


def test_kim_at_kecamatan_level(admin_sumbar):
    report = dry(admin_sumbar, [row(desa="")])
    assert report.rows[0].place.code == "13.07.05"


# --- cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "29/11/2022", "29-11-2022", "2022-11-29", "29.11.2022", "29 November 2022", "29 Nop 2022",
        44894, "44894", datetime.date(2022, 11, 29), datetime.datetime(2022, 11, 29, 0, 0),
    ],
)  # fmt: skip
def test_dates_in_the_formats_offices_use(admin_sumbar, value):
    report = dry(admin_sumbar, [row(Tanggal_berdiri=value)])
    assert report.ok, messages(report)
    assert report.rows[0].values["founded_on"] == datetime.date(2022, 11, 29)


def test_dates_in_csv_too(admin_sumbar):
    report = dry(admin_sumbar, [row(Tanggal_berdiri="9-1-2023")], fmt="csv")
    assert report.format == "csv"
    assert report.rows[0].values["founded_on"] == datetime.date(2023, 1, 9)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("31/02/2022", "'31/02/2022' bukan tanggal yang dikenali; tulis dd/mm/yyyy"),
        ("kemarin", "'kemarin' bukan tanggal yang dikenali"),
        ("11/29/2022", "'11/29/2022' bukan tanggal yang dikenali"),
        ("2019", "'2019' hanya tahun"),
        ("01/01/2999", "bukan tanggal yang dikenali"),
    ],
)
def test_bad_dates_name_row_and_column(admin_sumbar, value, fragment):
    report = dry(admin_sumbar, [row(Tanggal_berdiri=value)])
    [message] = errors(report)
    assert message.startswith("Baris 2, kolom Tanggal berdiri: ")
    assert fragment in message


def test_future_founding_date_is_an_error(admin_sumbar):
    future = datetime.date.today() + datetime.timedelta(days=40)
    report = dry(admin_sumbar, [row(Tanggal_berdiri=future.strftime("%d/%m/%Y"))])
    assert "tidak boleh sesudah hari ini" in errors(report)[0]


def test_coordinates(admin_sumbar):
    report = dry(
        admin_sumbar,
        [
            row("KIM A", Lintang="-0,2345", Bujur="100,6321"),
            row("KIM B", Lintang=40.1, Bujur=10.5),
            row("KIM C", Lintang=-0.2),
            row("KIM D", Lintang="utara", Bujur=100.5),
        ],
    )
    assert report.rows[0].values["latitude"] == Decimal("-0.234500")
    assert report.rows[0].values["longitude"] == Decimal("100.632100")
    assert errors(report) == [
        "Baris 3, kolom Lintang: 40.1 di luar wilayah Indonesia (antara -11.5 dan 6.5).",
        "Baris 3, kolom Bujur: 10.5 di luar wilayah Indonesia (antara 94.5 dan 141.5).",
        "Baris 4, kolom Bujur: isi Lintang dan Bujur bersama-sama, atau kosongkan keduanya.",
        "Baris 5, kolom Lintang: 'utara' bukan angka desimal, mis. -0.2345.",
    ]


def test_status_sectors_and_sk_cells(admin_sumbar):
    report = dry(
        admin_sumbar,
        [
            row("KIM A", Status="Kurang Aktif", Sektor="Pertanian, umkm"),
            row("KIM B", Status="bubar", Sektor="Perikanan"),
            row("KIM C", Nomor_SK="12/2022"),
            row(
                "KIM D", Nomor_SK="13/2022", Tanggal_SK="01/12/2022", SK_berlaku_sampai="01/12/2021"
            ),
        ],
    )
    a = report.rows[0]
    assert a.values["status"] == Kim.Status.KURANG_AKTIF
    assert a.sectors == set(
        Sector.objects.filter(slug__in=["pertanian", "umkm"]).values_list("pk", flat=True)
    )
    errs = errors(report)  # in the order of the template's columns
    assert errs[0].startswith(
        "Baris 3, kolom Sektor: sektor tidak dikenal: Perikanan. Pilihan: Pertanian"
    )
    assert errs[1].startswith(
        "Baris 3, kolom Status: 'bubar' bukan status; pilih: pengajuan, aktif"
    )
    assert errs[2] == "Baris 4, kolom Tanggal SK: isi Nomor SK dan Tanggal SK bersama-sama."
    assert errs[3] == "Baris 5, kolom SK berlaku sampai: harus sesudah Tanggal SK."


def test_duplicate_rows_in_the_file_are_errors_on_the_later_rows(admin_sumbar):
    report = dry(
        admin_sumbar,
        [
            row("KIM Koto Tuo", ID_KIM_id="K-1"),
            row("KIM Lain", ID_KIM_id="K-2"),
            row("Kelompok Informasi Masyarakat  koto-tuo", Kecamatan="Kec. Harau"),
            row("KIM Ketiga", ID_KIM_id="K-2"),
        ],
        headers=HEADERS,
    )
    assert errors(report) == [
        "Baris 4, kolom Nama KIM: sama dengan baris 2 (nama dan wilayah sama).",
        "Baris 5, kolom ID KIM.id: ID KIM.id K-2 sudah dipakai di baris 3.",
    ]
    assert report.counts["duplicates"] == 2 and report.counts["errors"] == 2


# --- scope --------------------------------------------------------------------------------


def test_pembina_gets_an_error_for_a_row_outside_their_kabkota(pembina_limapuluhkota):
    report = dry(
        pembina_limapuluhkota,
        [
            row(),
            {"Nama KIM": "KIM Birugo", "Kabupaten/Kota": "Kota Bukittinggi",
             "Kecamatan": "Aur Birugo Tigo Baleh", "Desa/Nagari/Kelurahan": "Birugo"},
        ],
    )  # fmt: skip
    assert errors(report) == [
        "Baris 3, kolom Kabupaten/Kota: Kelurahan Birugo (13.75.03.1002) di luar wilayah "
        "kewenangan Anda."
    ]
    assert report.rows[0].action == "new"


def test_pembina_may_leave_their_kabkota_out(pembina_limapuluhkota):
    report = dry(pembina_limapuluhkota, [{"Nama KIM": "KIM A", "Kecamatan": "Harau"}])
    assert report.ok and report.rows[0].place.code == "13.07.05"


def test_admin_of_another_province_gets_errors_for_sumbar_rows(admin_other_province):
    report = dry(admin_other_province, [row(), {"Nama KIM": "KIM X", "Kode wilayah": KOTO_TUO}])
    errs = errors(report)
    assert errs[0] == (
        "Baris 2, kolom Kabupaten/Kota: 'Kab. 50 Kota' (Kabupaten Lima Puluh Kota) ada di "
        "Provinsi Sumatera Barat, di luar wilayah Anda."
    )
    assert errs[1] == (
        "Baris 3, kolom Kode wilayah: Nagari Koto Tuo (13.07.05.2010) di luar wilayah "
        "kewenangan Anda."
    )


# --- apply --------------------------------------------------------------------------------


FULL = dict(
    Alamat="Jorong Koto Tuo",
    Tanggal_berdiri="29/11/2022",
    ID_KIM_id="KIM-13-0001",
    Sektor="Pertanian, Pariwisata",
    Lintang="-0.1234",
    Bujur="100.6543",
    Nomor_SK="141/12/WN-KT/2022",
    Tanggal_SK="01/12/2022",
    SK_berlaku_sampai="01/12/2025",
    Penandatangan_SK="Wali Nagari Koto Tuo",
)


def test_apply_creates_the_kim_with_everything(admin_sumbar):
    report = apply(admin_sumbar, [row(**FULL), row("KIM Harau Maju", desa="", Status="vakum")])
    assert report.applied and report.counts["new"] == 2
    kim = Kim.objects.get(kimid_id="KIM-13-0001")
    assert kim.name == "Kelompok Informasi Masyarakat Koto Tuo"
    assert kim.normalised_name == "koto tuo"
    assert kim.slug == "kim-koto-tuo"
    assert kim.region_code == KOTO_TUO
    assert kim.status == Kim.Status.AKTIF and kim.verified_at is not None
    assert kim.address == "Jorong Koto Tuo"
    assert kim.founded_on == datetime.date(2022, 11, 29)
    assert (kim.latitude, kim.longitude) == (Decimal("-0.123400"), Decimal("100.654300"))
    assert sorted(kim.sectors.values_list("slug", flat=True)) == ["pariwisata", "pertanian"]
    decree = kim.decrees.get()
    assert (decree.number, decree.issued_on, decree.term_ends_on) == (
        "141/12/WN-KT/2022", datetime.date(2022, 12, 1), datetime.date(2025, 12, 1)
    )  # fmt: skip
    assert decree.signatory_office == "Wali Nagari Koto Tuo"
    assert decree.region_code == KOTO_TUO
    assert kim.has_sk and kim.legality_ends_on == datetime.date(2025, 12, 1)
    other = Kim.objects.get(normalised_name="harau maju")
    assert other.region_code == "13.07.05" and other.status == Kim.Status.VAKUM
    assert other.verified_at is None and not other.has_sk
    [event] = Event.objects.filter(action="registry.import.applied")
    assert event.actor == admin_sumbar
    assert event.region_code == "13.07.05"
    assert event.data == {"file": "daftar.xlsx", "rows": 2, "new": 2, "updated": 0, "unchanged": 0}
    assert not Event.objects.filter(action__startswith="registry.kim.").exists()


def test_reimport_is_unchanged_then_updates_only_what_changed(admin_sumbar):
    rows = [row(**FULL), row("KIM Harau Maju", desa="")]
    apply(admin_sumbar, rows)
    again = apply(admin_sumbar, rows)
    assert again.applied
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 2)
    changed = [
        row(**(FULL | {"Alamat": "Jorong Baru", "Sektor": "UMKM"})),
        row("KIM Harau Maju", desa=""),
    ]
    third = apply(admin_sumbar, changed)
    assert (third.counts["new"], third.counts["updated"], third.counts["unchanged"]) == (0, 1, 1)
    assert third.rows[0].change_labels == ["Alamat", "Sektor"]
    kim = Kim.objects.get(kimid_id="KIM-13-0001")
    assert kim.address == "Jorong Baru"
    assert list(kim.sectors.values_list("slug", flat=True)) == ["umkm"]
    assert kim.founded_on == datetime.date(2022, 11, 29)  # untouched
    assert Kim.objects.count() == 2 and Decree.objects.count() == 1


def test_empty_cells_do_not_wipe_stored_values(admin_sumbar):
    apply(admin_sumbar, [row(**FULL)])
    report = apply(admin_sumbar, [row()])
    assert report.counts["unchanged"] == 1
    kim = Kim.objects.get()
    assert kim.address == "Jorong Koto Tuo" and kim.kimid_id == "KIM-13-0001"


def test_existing_kim_matched_by_name_and_wilayah(admin_sumbar, kim):
    """The fixture KIM Tujuh Koto Talago sits in 13.07.07.2002 without a KIM.id ID."""
    report = apply(
        admin_sumbar,
        [
            {
                "Nama KIM": "kim tujuh-koto talago",
                "Kode wilayah": kim.region_code,
                "ID KIM.id": "K-77",
            }
        ],
    )
    assert report.counts["updated"] == 1
    assert report.rows[0].change_labels == ["Nama KIM", "ID KIM.id"]
    kim.refresh_from_db()
    assert kim.kimid_id == "K-77" and Kim.objects.count() == 1


def test_kimid_match_comes_first_and_moves_related_rows(admin_sumbar):
    apply(admin_sumbar, [row(**FULL)])
    moved = {
        "Nama KIM": "KIM Koto Tuo Baru",
        "Kode wilayah": "13.07.05.2001",
        "ID KIM.id": "KIM-13-0001",
    }
    report = apply(admin_sumbar, [moved])
    assert report.rows[0].change_labels == ["Nama KIM", "Kode wilayah"]
    kim = Kim.objects.get()
    assert (kim.normalised_name, kim.region_code) == ("koto tuo baru", "13.07.05.2001")
    assert kim.decrees.get().region_code == "13.07.05.2001"


def test_kimid_of_one_kim_with_the_name_of_another_is_an_error(admin_sumbar):
    apply(admin_sumbar, [row(ID_KIM_id="K-1"), row("KIM Lain", ID_KIM_id="K-2")])
    report = dry(admin_sumbar, [row(ID_KIM_id="K-2")])
    assert "ID KIM.id K-2 milik Kelompok Informasi Masyarakat Lain" in errors(report)[0]


def test_slug_collision_gets_a_suffix(admin_sumbar):
    apply(admin_sumbar, [row(), row(desa="Taram")])
    assert sorted(Kim.objects.values_list("slug", flat=True)) == ["kim-koto-tuo", "kim-koto-tuo-2"]


def test_errors_block_apply_entirely(admin_sumbar):
    report = apply(admin_sumbar, [row("KIM A"), row("KIM B", Tanggal_berdiri="kemarin")])
    assert not report.applied and report.counts["errors"] == 1
    assert not Kim.objects.exists()
    assert not Event.objects.filter(action="registry.import.applied").exists()


def test_a_crash_midway_leaves_nothing_half_applied(admin_sumbar, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(Decree.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        apply(admin_sumbar, [row("KIM A"), row("KIM B", **FULL)])
    assert not Kim.objects.exists()
    assert not Kim.sectors.through.objects.exists()


def test_a_kim_created_meanwhile_rolls_the_import_back(admin_sumbar, monkeypatch):
    """Another import (or a pembina) created the same KIM between validation and writes."""
    original = imports._apply

    def racing(rows, now):
        KimFactory(
            name="Kelompok Informasi Masyarakat B", normalised_name="b", region_code=KOTO_TUO
        )
        return original(rows, now)

    monkeypatch.setattr(imports, "_apply", racing)
    report = apply(admin_sumbar, [row("KIM A"), row("KIM B")])
    assert not report.applied
    assert report.file_errors == [
        "Data KIM berubah selama impor berjalan; tidak ada yang disimpan. Ulangi impor."
    ]
    assert not Kim.objects.exists()


def test_stored_upload_applies_once(admin_sumbar, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    data, name = make_file([row(**FULL)])
    upload = _upload(data, name)
    report, token = imports.check_upload(upload, actor=admin_sumbar)
    assert report.ok and token
    assert len(list(tmp_path.iterdir())) == 1
    applied = imports.apply_upload(token, actor=admin_sumbar)
    assert applied.applied and Kim.objects.count() == 1
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(imports.UploadExpired):
        imports.apply_upload(token, actor=admin_sumbar)
    assert Kim.objects.count() == 1


def test_token_of_someone_else_or_tampered_is_refused(
    admin_sumbar, pembina_limapuluhkota, settings, tmp_path
):
    settings.IMPORT_DIR = tmp_path
    report, token = imports.check_upload(_upload(*make_file([row()])), actor=admin_sumbar)
    with pytest.raises(imports.UploadExpired):
        imports.apply_upload(token, actor=pembina_limapuluhkota)
    with pytest.raises(imports.UploadExpired):
        imports.apply_upload(token[:-2] + "xx", actor=admin_sumbar)
    assert not Kim.objects.exists()


def test_files_with_errors_are_not_kept(admin_sumbar, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    report, token = imports.check_upload(_upload(*make_file([row(Lintang=1)])), actor=admin_sumbar)
    assert token is None and not report.ok
    assert list(tmp_path.iterdir()) == []


def _upload(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_excel_serial_numbers_follow_excel():
    """Excel (1900 system, with its leap-year bug) shows 44894 as 29/11/2022, 44895 as 30/11."""
    from simpul.registry.import_rows import parse_date

    assert parse_date(44894) == datetime.date(2022, 11, 29)
    assert parse_date(44895.0) == datetime.date(2022, 11, 30)
    assert parse_date("44895") == datetime.date(2022, 11, 30)
