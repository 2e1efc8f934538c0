"""The import pages, through the personas: upload -> dry-run report -> apply."""

import io

import openpyxl
import pytest
from django.test import Client

from simpul.registry.models import Kim

from .test_import import KOTO_TUO, make_file, row

pytestmark = pytest.mark.django_db
START = "/kelola/kim/impor/"
APPLY = "/kelola/kim/impor/terapkan/"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def upload(client, data, name):
    return client.post(START, {"berkas": _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_sumbar", 200),
        ("pembina_limapuluhkota", 200),
        ("pembina_bukittinggi", 200),
        ("admin_other_province", 200),
        ("warga", 404),
        ("anonymous", 302),
    ],
    indirect=["persona"],
)
def test_start_page_by_persona(persona, status):
    _name, _user, client = persona
    response = client.get(START)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/akun/")
    if status == 200:
        html = response.content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert '<label for="id_berkas">' in html and 'id="id_berkas"' in html
        assert "templat.xlsx" in html


@pytest.mark.parametrize("persona", ["warga", "anonymous"], indirect=True)
def test_others_cannot_upload_apply_or_download_the_template(persona):
    name, _user, client = persona
    data, filename = make_file([row()])
    expected = 302 if name == "anonymous" else 404
    assert upload(client, data, filename).status_code == expected
    assert client.post(APPLY, {"token": "x"}).status_code == expected
    assert client.get(START + "templat.xlsx").status_code == expected
    assert not Kim.objects.exists()


def test_upload_shows_the_report_then_apply_creates_once(login, admin_sumbar):
    client = login(admin_sumbar)
    data, filename = make_file([row(), row("KIM Harau Maju", desa="")])
    response = upload(client, data, filename)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Berkas siap diimpor" in html and f'action="{APPLY}"' in html
    token = response.context["token"]
    assert response.context["counts"]["new"] == 2
    assert not Kim.objects.exists()  # a dry run writes nothing

    done = client.post(APPLY, {"token": token}, follow=True)
    assert done.redirect_chain[-1][0] == START
    assert "Impor diterapkan: 2 KIM baru, 0 diubah, 0 tetap." in done.content.decode()
    assert Kim.objects.count() == 2

    again = client.post(APPLY, {"token": token}, follow=True)
    assert "sudah diterapkan atau kedaluwarsa" in again.content.decode()
    assert Kim.objects.count() == 2


def test_pembina_sees_the_row_outside_scope_and_no_apply_button(login, pembina_limapuluhkota):
    client = login(pembina_limapuluhkota)
    bukittinggi = {"Nama KIM": "KIM Birugo", "Kode wilayah": "13.75.03.1002"}
    response = upload(client, *make_file([row(), bukittinggi]))
    html = response.content.decode()
    assert "Berkas belum bisa diimpor" in html
    assert "Baris 3, kolom Kode wilayah: Kelurahan Birugo (13.75.03.1002) di luar wilayah" in html
    assert APPLY not in html and response.context["token"] is None


def test_admin_of_another_province_sees_errors_for_sumbar_rows(login, admin_other_province):
    client = login(admin_other_province)
    response = upload(client, *make_file([row(), {"Nama KIM": "KIM X", "Kode wilayah": KOTO_TUO}]))
    assert response.context["counts"]["errors"] == 2
    assert "di luar wilayah" in response.content.decode()
    assert not Kim.objects.exists()


def test_wrong_headers_show_one_clear_error(login, admin_sumbar):
    client = login(admin_sumbar)
    response = upload(client, *make_file([{"Kelompok": "A", "Tempat": "Harau"}]))
    assert len(response.context["issues"]) == 1
    assert "Judul kolom tidak sesuai templat" in response.content.decode()


def test_png_renamed_xlsx_is_refused(login, admin_sumbar):
    client = login(admin_sumbar)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    response = upload(client, png, "daftar.xlsx")
    assert "Berkas ini bukan spreadsheet (isinya PNG)" in response.content.decode()
    assert response.context["token"] is None


def test_file_over_the_limit_is_refused_before_it_is_stored(
    login, admin_sumbar, settings, tmp_path
):
    settings.IMPORT_MAX_BYTES = 20_000
    client = login(admin_sumbar)
    data, filename = make_file([row(f"KIM {i}", Alamat="x" * 200) for i in range(400)], fmt="csv")
    assert len(data) > 20_000
    response = upload(client, data, filename)
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.content.decode()
    assert response.context["upload_error"].endswith("paling besar 20 KB.")
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())


def test_file_slightly_over_the_limit_is_cut_off_by_the_upload_handler(
    login, admin_sumbar, settings
):
    """Within the envelope allowance the Content-Length check passes; the handler stops it."""
    settings.IMPORT_MAX_BYTES = 20_000
    client = login(admin_sumbar)
    data = b"Nama KIM;Kecamatan\n" + b"KIM Uji;Harau\n" * 2000  # ~28 KB < 20 KB + 64 KB
    response = upload(client, data, "daftar.csv")
    assert response.status_code == 413
    assert "terlalu besar" in response.context["upload_error"]


def test_upload_needs_the_csrf_token(admin_sumbar):
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.factories import confirmed_totp

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_sumbar)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp(admin_sumbar).persistent_id
    session.save()
    response = upload(client, *make_file([row()]))
    assert response.status_code == 403


def test_template_downloads(login, pembina_limapuluhkota):
    client = login(pembina_limapuluhkota)
    response = client.get(START + "templat.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["KIM", "Petunjuk"]
    headers = [c.value for c in wb["KIM"][1]]
    assert headers[:5] == [
        "Nama KIM", "Kode wilayah", "Desa/Nagari/Kelurahan", "Kecamatan", "Kabupaten/Kota"
    ]  # fmt: skip
    assert "Status" in headers and "Jumlah anggota" not in headers
    guide = {r[0]: r for r in wb["Petunjuk"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert guide["Nama KIM"][1] == "wajib"
    assert guide["Tanggal berdiri"][1] == "tidak wajib"
    assert "dd/mm/yyyy" in guide["Tanggal berdiri"][2]
    csv_response = client.get(START + "templat.csv")
    assert csv_response.content.decode("utf-8-sig").splitlines()[0].startswith("Nama KIM,Kode")


def test_the_template_itself_imports_as_a_header_only_file(login, admin_sumbar):
    client = login(admin_sumbar)
    template = client.get(START + "templat.xlsx").content
    response = upload(client, template, "templat-impor-kim.xlsx")
    assert "Berkas tidak berisi baris data" in response.content.decode()


def test_start_page_names_the_importers_wilayah(login, pembina_limapuluhkota):
    html = login(pembina_limapuluhkota).get(START).content.decode()
    assert "Wilayah Anda: Kabupaten Lima Puluh Kota" in html
