"""The office's siaran pages (/kelola/siaran/): every view allowed in scope, 404 outside."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from simpul.broadcasts.models import Attachment, Inbox, OfficePolicy, Siaran

from ..conftest import PERSONAS
from ..registry.factories import sector
from .factories import SiaranFactory
from .siaran_support import errors, expected, pdf, second_admin_sumbar

FORM = {
    "title": "Cek Kesehatan Gratis",
    "body": "Puskesmas membuka **Cek Kesehatan Gratis** untuk semua warga.",
    "short_text": "Cek Kesehatan Gratis di puskesmas. Bawa KTP.",
    "priority": "penting",
    "wilayah": ["13.07"],
    "wilayah_lain": "",
    "send_at": "",
    "is_public": "on",
}
CAN_VIEW_PROVINCE = {"admin_sumbar"}  # a siaran of the province office (region 13)


@pytest.fixture
def province_siaran(db, office_sumbar, admin_sumbar):
    return SiaranFactory(office=office_sumbar, draft=True, created_by=admin_sumbar)


@pytest.fixture
def pembina_siaran(db, pembina_limapuluhkota):
    from simpul.broadcasts.services import sender_office

    office = sender_office(pembina_limapuluhkota)
    return SiaranFactory(
        office=office, region_code="13.07", draft=True, title="Jadwal posyandu Harau"
    )


def url(name, siaran, *args):
    return reverse(f"kelola:siaran:{name}", args=[siaran.public_id, *args])


# --- list -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_is_scoped(persona, province_siaran, pembina_siaran):
    name, _user, client = persona
    r = client.get(reverse("kelola:siaran:list"))
    allowed = {
        "admin_sumbar",
        "pembina_limapuluhkota",
        "pembina_bukittinggi",
        "admin_other_province",
    }
    assert r.status_code == expected(name, allowed)
    if r.status_code != 200:
        return
    page = r.content.decode()
    assert (province_siaran.title in page) == (name == "admin_sumbar")
    assert ("Jadwal posyandu Harau" in page) == (name in {"admin_sumbar", "pembina_limapuluhkota"})


def test_list_query_count_does_not_grow(login, admin_sumbar, django_assert_max_num_queries):
    client = login(admin_sumbar)
    SiaranFactory()
    with django_assert_max_num_queries(30) as ctx:
        client.get(reverse("kelola:siaran:list"))
    few = len(ctx.captured_queries)
    for _ in range(15):
        SiaranFactory()
    with django_assert_max_num_queries(few):
        client.get(reverse("kelola:siaran:list"))


# --- compose ----------------------------------------------------------------------------


def test_compose_page_lists_kabkota_in_scope(login, admin_sumbar):
    r = login(admin_sumbar).get(reverse("kelola:siaran:new"))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'value="13.07"' in page and 'value="13.75"' in page and 'value="12.71"' not in page
    assert 'for="id_short_text"' in page and 'maxlength="160"' in page


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [("id", "karakter tersisa", "karakter tersisa"), ("en", "character left", "characters left")],
)
def test_short_text_counter_has_both_plural_forms(login, admin_sumbar, language, one, other):
    client = login(admin_sumbar)
    client.cookies["django_language"] = language
    page = client.get(reverse("kelola:siaran:new")).content.decode()
    assert f'one="{one}",other="{other}"' in page


@pytest.mark.parametrize("who", ["warga", "pengurus", "anggota"])
def test_compose_denied_without_siaran_send(request, login, who):
    r = login(request.getfixturevalue(who)).get(reverse("kelola:siaran:new"))
    assert r.status_code == 404


def test_compose_denied_for_anonymous(client):
    r = client.get(reverse("kelola:siaran:new"))
    assert r.status_code == 302 and "/akun/" in r["Location"]


def test_compose_creates_a_draft(login, admin_sumbar):
    data = {**FORM, "sectors": [sector("kesehatan").pk], "channels": ["email"]}
    data["wilayah_lain"] = "13.75.01, Koto Bangun"
    r = login(admin_sumbar).post(reverse("kelola:siaran:new"), data)
    siaran = Siaran.objects.get()
    assert r.status_code == 302 and r["Location"] == url("detail", siaran)
    assert siaran.target_regions == ["13.07", "13.75.01"]  # Koto Bangun lies in 13.07
    assert siaran.channels == ["email"] and siaran.status == Siaran.Status.DRAFT


def test_compose_outside_scope_names_the_field(login, pembina_limapuluhkota):
    data = {**FORM, "wilayah": [], "wilayah_lain": "13.75"}
    r = login(pembina_limapuluhkota).post(reverse("kelola:siaran:new"), data)
    assert r.status_code == 200
    text = errors(r)
    assert "Wilayah lain (kode atau nama)" in text and "di luar wilayah tanggung jawab" in text
    assert not Siaran.objects.exists()


def test_compose_errors_in_indonesian(login, admin_sumbar):
    data = {**FORM, "title": "", "short_text": "x" * 161, "wilayah": [], "send_at": "kemarin"}
    r = login(admin_sumbar).post(reverse("kelola:siaran:new"), data)
    text = errors(r)
    assert "Judul: Wajib diisi." in text
    assert "Teks singkat (SMS)" in text
    assert "Wilayah sasaran" in text
    assert "Jadwal kirim (WIB)" in text
    assert not Siaran.objects.exists()


def test_schedule_is_read_in_wib(login, admin_sumbar):
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = {**FORM, "send_at": f"{day}T08:00"}
    login(admin_sumbar).post(reverse("kelola:siaran:new"), data)
    siaran = Siaran.objects.get()
    assert siaran.send_at.astimezone(timezone.get_fixed_timezone(0)).hour == 1  # 08:00 WIB


# --- one siaran -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_detail_of_a_province_siaran(persona, province_siaran):
    name, _user, client = persona
    r = client.get(url("detail", province_siaran))
    assert r.status_code == expected(name, CAN_VIEW_PROVINCE)
    if r.status_code == 200:
        assert province_siaran.title in r.content.decode()


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_detail_of_a_pembina_siaran(persona, pembina_siaran):
    name, _user, client = persona
    r = client.get(url("detail", pembina_siaran))
    assert r.status_code == expected(name, {"admin_sumbar", "pembina_limapuluhkota"})


def test_detail_shows_the_reach_preview(login, admin_sumbar, province_siaran, kim, sibling_kim):
    page = login(admin_sumbar).get(url("detail", province_siaran)).content.decode()
    assert "Perkiraan jangkauan" in page
    assert '<td class="num">2</td>' in page  # the two KIM of 13.07


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_edit(persona, pembina_siaran):
    name, _user, client = persona
    r = client.get(url("edit", pembina_siaran))
    assert r.status_code == expected(name, {"admin_sumbar", "pembina_limapuluhkota"})
    if r.status_code == 200:
        data = {**FORM, "title": "Jadwal posyandu Harau (diubah)", "wilayah": []}
        data["wilayah_lain"] = "13.07.07"
        r = client.post(url("edit", pembina_siaran), data)
        assert r.status_code == 302
        pembina_siaran.refresh_from_db()
        assert pembina_siaran.title.endswith("(diubah)")
        assert pembina_siaran.target_regions == ["13.07.07"]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_send(persona, pembina_siaran, kim, django_capture_on_commit_callbacks):
    name, _user, client = persona
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url("send", pembina_siaran))
    allowed = {"admin_sumbar", "pembina_limapuluhkota"}
    assert r.status_code == expected(name, allowed, ok=302)
    pembina_siaran.refresh_from_db()
    sent = name in allowed
    assert (pembina_siaran.status == Siaran.Status.SENT) == sent
    assert Inbox.objects.filter(siaran=pembina_siaran, kim=kim).exists() == sent


def test_send_twice_says_so(login, admin_sumbar, province_siaran):
    client = login(admin_sumbar)
    client.post(url("send", province_siaran))
    r = client.post(url("send", province_siaran), follow=True)
    assert "sudah dikirim" in r.content.decode()


def test_approval_flow_through_the_pages(
    login, admin_sumbar, office_sumbar, province_siaran, pembina_limapuluhkota
):
    OfficePolicy.objects.create(office=office_sumbar, region_code="13", requires_approval=True)
    client = login(admin_sumbar)
    page = client.get(url("detail", province_siaran)).content.decode()
    assert "Ajukan untuk disetujui" in page
    client.post(url("send", province_siaran))
    province_siaran.refresh_from_db()
    assert province_siaran.status == Siaran.Status.PENDING_APPROVAL
    # The author has no approve button and is refused.
    assert "Setujui dan kirim" not in client.get(url("detail", province_siaran)).content.decode()
    client.post(url("approve", province_siaran))
    province_siaran.refresh_from_db()
    assert province_siaran.status == Siaran.Status.PENDING_APPROVAL
    # Outside scope: 404.
    assert login(pembina_limapuluhkota).post(url("approve", province_siaran)).status_code == 404
    approver = second_admin_sumbar(office_sumbar)
    client = login(approver)
    listing = client.get(reverse("kelola:siaran:list")).content.decode()
    assert "Menunggu persetujuan Anda" in listing and province_siaran.title in listing
    assert client.post(url("approve", province_siaran)).status_code == 302
    province_siaran.refresh_from_db()
    assert province_siaran.status in (Siaran.Status.SENDING, Siaran.Status.SENT)
    assert province_siaran.approved_by == approver


def test_return_to_author(login, admin_sumbar, office_sumbar, province_siaran):
    OfficePolicy.objects.create(office=office_sumbar, region_code="13", requires_approval=True)
    login(admin_sumbar).post(url("send", province_siaran))
    r = login(second_admin_sumbar(office_sumbar)).post(
        url("return", province_siaran), {"note": "Lengkapi jamnya"}
    )
    assert r.status_code == 302
    province_siaran.refresh_from_db()
    assert province_siaran.status == Siaran.Status.DRAFT


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_cancel(persona, pembina_siaran):
    name, _user, client = persona
    r = client.post(url("cancel", pembina_siaran), {"reason": "Acara ditunda"})
    allowed = {"admin_sumbar", "pembina_limapuluhkota"}
    assert r.status_code == expected(name, allowed, ok=302)
    pembina_siaran.refresh_from_db()
    assert (pembina_siaran.status == Siaran.Status.CANCELLED) == (name in allowed)


def test_cancel_without_reason_names_the_field(login, pembina_limapuluhkota, pembina_siaran):
    r = login(pembina_limapuluhkota).post(url("cancel", pembina_siaran), {"reason": ""})
    assert r.status_code == 200
    assert "Alasan pembatalan: Wajib diisi." in errors(r)


# --- attachments ------------------------------------------------------------------------


def test_attachment_upload_and_download(login, admin_sumbar, province_siaran, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(admin_sumbar)
    r = client.post(url("attachment-add", province_siaran), {"file": pdf("jadwal.pdf")})
    assert r.status_code == 302
    a = Attachment.objects.get()
    r = client.get(url("attachment", province_siaran, a.public_id))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert "attachment" in r["Content-Disposition"] and r["Cache-Control"] == "private, no-store"
    assert client.post(url("attachment-remove", province_siaran, a.public_id)).status_code == 302
    assert not Attachment.objects.exists()


def test_oversized_attachment_error_names_the_field(
    login, admin_sumbar, province_siaran, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    big = pdf("besar.pdf", size=10 * 1024 * 1024 + 10)
    r = login(admin_sumbar).post(url("attachment-add", province_siaran), {"file": big})
    assert r.status_code == 200
    assert "Lampiran: berkas terlalu besar" in errors(r)


@pytest.mark.parametrize("who", ["pembina_limapuluhkota", "admin_other_province", "pengurus"])
def test_attachment_denied_outside_scope(
    request, login, admin_sumbar, province_siaran, who, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(admin_sumbar).post(url("attachment-add", province_siaran), {"file": pdf()})
    a = Attachment.objects.get()
    client = login(request.getfixturevalue(who))
    assert client.get(url("attachment", province_siaran, a.public_id)).status_code == 404
    assert client.post(url("attachment-add", province_siaran), {"file": pdf()}).status_code == 404
    assert Attachment.objects.count() == 1


# --- the approval policy ----------------------------------------------------------------


def test_policy_is_set_by_the_province_admin(login, admin_sumbar, office_sumbar):
    client = login(admin_sumbar)
    assert "Pengaturan siaran" in client.get(reverse("kelola:siaran:list")).content.decode()
    r = client.post(reverse("kelola:siaran:policy"), {"requires_approval": "on"})
    assert r.status_code == 302
    assert OfficePolicy.objects.get(office=office_sumbar).requires_approval


def test_policy_denied_for_pembina(login, pembina_limapuluhkota):
    client = login(pembina_limapuluhkota)
    assert "Pengaturan siaran" not in client.get(reverse("kelola:siaran:list")).content.decode()
    r = client.post(reverse("kelola:siaran:policy"), {"requires_approval": ""})
    assert r.status_code == 404
    assert not OfficePolicy.objects.exists()


def test_nasional_sends_to_the_whole_country(login, nasional, kim, admin_other_province):
    client = login(nasional)
    page = client.get(reverse("kelola:siaran:new")).content.decode()
    assert 'value="ID"' in page and "Seluruh Indonesia" in page and 'value="13"' in page
    r = client.post(reverse("kelola:siaran:new"), {**FORM, "wilayah": ["ID"]})
    siaran = Siaran.objects.get()
    assert r.status_code == 302 and siaran.target_regions == [""]
    assert "Seluruh Indonesia" in client.get(url("detail", siaran)).content.decode()
    # A province admin does not see (or manage) the national siaran.
    assert login(admin_other_province).get(url("detail", siaran)).status_code == 404
