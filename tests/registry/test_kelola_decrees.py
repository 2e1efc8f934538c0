"""SK upload in /kelola/kim/<slug>/sk/baru/: real type by content, size, EXIF stripped."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from simpul.audit.models import Event
from simpul.registry.models import Decree

from .kelola_support import (
    CAN_EDIT,
    EVERYONE,
    actor_client,
    errors,
    expected,
    jpeg_with_gps,
    pdf,
    png,
)


@pytest.fixture
def actor(request, login, client):
    return actor_client(request, login, client)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def sk(**over):
    data = {
        "number": "188.45/12/WN-KB/2024",
        "issued_on": "2024-02-01",
        "signatory_office": "Wali Nagari Koto Bangun",
        "signatory_name": "Syafrizal",
        "term_ends_on": "2027-02-01",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("actor", EVERYONE, indirect=True)
def test_add_sk_by_persona(actor, kim):
    name, user, client = actor
    url = f"/kelola/kim/{kim.slug}/sk/baru/"
    assert client.get(url).status_code == expected(name, CAN_EDIT)
    r = client.post(url, sk(scan=pdf()))
    assert r.status_code == expected(name, CAN_EDIT, ok=302)
    assert Decree.objects.filter(kim=kim).exists() == (name in CAN_EDIT)


def test_pdf_is_stored_and_downloadable(login, pengurus, kim, media):
    client = login(pengurus)
    r = client.post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(scan=pdf()))
    assert r.status_code == 302
    decree = Decree.objects.get(kim=kim)
    assert decree.scan.name.endswith(".pdf") and (media / decree.scan.name).exists()
    kim.refresh_from_db()
    assert kim.has_sk and str(kim.legality_ends_on) == "2027-02-01"
    assert Event.objects.filter(action="registry.decree.added", kim_id=kim.pk).exists()
    r = client.get(f"/kelola/kim/{kim.slug}/sk/{decree.public_id}/berkas/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")


def test_png_renamed_pdf_is_rejected(login, pengurus, kim, media):
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(scan=png("sk.pdf")))
    assert r.status_code == 200
    assert "Pindaian SK: nama berkas berakhiran .pdf, tetapi isinya PNG." in errors(r)
    assert not Decree.objects.exists() and not list(media.rglob("*.*"))


def test_not_a_document_is_rejected(login, pengurus, kim):
    fake = SimpleUploadedFile("sk.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(scan=fake))
    assert "Pindaian SK: isi berkas bukan PDF, JPEG, PNG." in errors(r)
    assert not Decree.objects.exists()


def test_larger_than_10_mb_is_rejected(login, pengurus, kim, media):
    big = pdf(size=10 * 1024 * 1024)
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(scan=big))
    assert r.status_code == 200
    assert "Pindaian SK: berkas terlalu besar (10.0 MB); paling besar 10 MB." in errors(r)
    assert not Decree.objects.exists()


def test_jpeg_with_gps_is_stored_without_exif(login, pengurus, kim, media):
    r = login(pengurus).post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(scan=jpeg_with_gps()))
    assert r.status_code == 302
    decree = Decree.objects.get(kim=kim)
    stored = (media / decree.scan.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as img:
        assert "exif" not in img.info
        assert len(img.getexif()) == 0
        assert img.size == (80, 60)
    assert b"HP Murah" not in stored


def test_sk_fields_are_checked(login, pengurus, kim):
    client = login(pengurus)
    r = client.post(f"/kelola/kim/{kim.slug}/sk/baru/", sk(number="", term_ends_on="2023-01-01"))
    text = errors(r)
    assert "Nomor SK: Wajib diisi." in text
    assert "Masa berlaku sampai: Masa berlaku harus sesudah tanggal SK." in text
    assert client.post(f"/kelola/kim/{kim.slug}/sk/baru/", sk()).status_code == 302
    r = client.post(f"/kelola/kim/{kim.slug}/sk/baru/", sk())
    assert "Nomor SK: SK dengan nomor ini sudah tercatat untuk KIM ini." in errors(r)


def test_sk_form_is_multipart_and_labelled(login, pengurus, kim):
    html = login(pengurus).get(f"/kelola/kim/{kim.slug}/sk/baru/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_scan">Pindaian SK</label>' in html
    assert "paling besar 10 MB" in html
