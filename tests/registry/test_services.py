"""Registry writes: lifecycle, scope, SK files, members (encrypted phones), dormancy, reminders."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.utils import timezone
from PIL import Image

from simpul.accounts import scope
from simpul.accounts.roles import KIM_EDIT, Role
from simpul.audit.models import Event
from simpul.registry import periodic, rules, services
from simpul.registry.models import DecreeReminder, Kim, Member, MembershipRule

from ..factories import assign


def make_kim(actor, name="KIM Tujuh Koto Talago", code="13.07.07.2002", **kw):
    return services.kim_create(actor=actor, name=name, region_code=code, **kw)


def pdf(name="sk.pdf", size=2000):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def jpeg_with_gps(name="sk.jpg"):
    img = Image.new("RGB", (50, 40), "white")
    exif = Image.Exif()
    exif[0x010F] = "HP Murah"  # Make
    exif[0x8825] = {2: (0.0, 10.0, 0.0), 1: "S"}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_pembina_registers_a_kim_with_full_name_and_audit(pembina_limapuluhkota):
    kim = make_kim(pembina_limapuluhkota)
    assert kim.name == "Kelompok Informasi Masyarakat Tujuh Koto Talago"
    assert kim.status == Kim.Status.AKTIF and kim.verified_at is not None
    assert kim.slug == "kim-tujuh-koto-talago"
    ev = Event.objects.get(action="registry.kim.created")
    assert (ev.kim_id, ev.region_code, ev.actor) == (kim.pk, "13.07.07.2002", pembina_limapuluhkota)


def test_outside_scope_is_404(pembina_bukittinggi):
    with pytest.raises(Http404):
        make_kim(pembina_bukittinggi)
    assert not Kim.objects.exists()


@pytest.mark.parametrize(
    "code,message",
    [("13.07", "bukan di kabupaten"), ("13.99.99.9999", "tidak ada"), ("13-07", "tidak valid")],
)
def test_bad_wilayah_names_the_field(admin_sumbar, code, message):
    with pytest.raises(ValidationError) as exc:
        make_kim(admin_sumbar, code=code)
    assert message in exc.value.message_dict["region_code"][0]


def test_same_name_in_same_wilayah_is_refused_but_other_names_share_it(pembina_limapuluhkota):
    make_kim(pembina_limapuluhkota)
    with pytest.raises(ValidationError) as exc:
        make_kim(pembina_limapuluhkota, name="kim tujuh-koto  talago")
    assert "name" in exc.value.message_dict
    other = make_kim(pembina_limapuluhkota, name="KIM Saiyo Sakato")
    assert other.region_code == "13.07.07.2002"  # several KIM may share one wilayah


def test_coordinates_must_be_inside_indonesia_and_paired(pembina_limapuluhkota):
    with pytest.raises(ValidationError) as exc:
        make_kim(pembina_limapuluhkota, latitude=48.85, longitude=2.35)  # Paris
    assert {"latitude", "longitude"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        make_kim(pembina_limapuluhkota, latitude=-0.2)
    kim = make_kim(pembina_limapuluhkota, latitude=-0.2, longitude=100.6)
    assert float(kim.latitude) == -0.2


def test_self_registration_waits_for_email_then_pembina_verifies(
    pembina_limapuluhkota, pembina_bukittinggi, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kim, ketua = services.kim_self_register(
            name="Saiyo Sakato",
            region_code="13.07.07.2002",
            ketua_name="Nurhayati",
            ketua_email="Nur@Contoh.id",
            password="Sandi-Kuat-2026",
            ketua_phone="0812 3456 7890",
            consent_purpose="pembinaan KIM",
            site_url="http://simpul.test",
        )
    assert kim.status == Kim.Status.PENGAJUAN and ketua.email == "nur@contoh.id"
    assert scope.can(ketua, KIM_EDIT, kim)  # pengurus role at the KIM works end to end
    ketua_member = kim.members.get()
    assert ketua_member.position == Member.Position.KETUA and ketua_member.consent_on
    assert not services.pending_visible(kim)
    with pytest.raises(ValidationError):
        services.kim_verify(actor=pembina_limapuluhkota, kim=kim)
    smtp.wait_for(1)
    token = smtp.bodies()[0].split("/verifikasi/")[1].split("/")[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registration_confirm(token=token) == kim
    assert services.pending_visible(kim)
    smtp.wait_for(2)
    assert smtp.messages[1]["to"] == [pembina_limapuluhkota.email]  # only its kab/kota
    with pytest.raises(Http404):
        services.kim_verify(actor=pembina_bukittinggi, kim=kim)
    with django_capture_on_commit_callbacks(execute=True):
        services.kim_verify(actor=pembina_limapuluhkota, kim=kim, note="Lengkap")
    kim.refresh_from_db()
    assert kim.status == Kim.Status.AKTIF
    smtp.wait_for(3)
    assert smtp.messages[2]["to"] == ["nur@contoh.id"]
    assert Event.objects.filter(action="registry.kim.verified", kim_id=kim.pk).exists()


def test_registration_rejects_weak_password_and_known_email(db, warga):
    base = dict(name="X Baru", region_code="13.07.07.2002", ketua_name="A", consent_purpose="p")
    with pytest.raises(ValidationError) as exc:
        services.kim_self_register(**base, ketua_email="a@contoh.id", password="123")
    assert "password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.kim_self_register(**base, ketua_email=warga.email, password="Sandi-Kuat-2026")
    assert "ketua_email" in exc.value.message_dict
    assert not Kim.objects.exists()


def test_request_changes_and_reject_need_a_reason(pembina_limapuluhkota, admin_sumbar):
    kim = make_kim(pembina_limapuluhkota, status=Kim.Status.PENGAJUAN)
    with pytest.raises(ValidationError) as exc:
        services.kim_reject(actor=pembina_limapuluhkota, kim=kim, reason="  ")
    assert "reason" in exc.value.message_dict
    services.kim_request_changes(actor=pembina_limapuluhkota, kim=kim, note="Lengkapi SK")
    assert kim.status_note == "Lengkapi SK"
    services.kim_reject(actor=admin_sumbar, kim=kim, reason="Ganda dengan KIM lain")
    kim.refresh_from_db()
    assert kim.status == Kim.Status.DITOLAK and "Ganda" in kim.status_note


def test_decree_upload_checks_type_size_and_strips_gps(pembina_limapuluhkota, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kim = make_kim(pembina_limapuluhkota)
    common = dict(
        actor=pembina_limapuluhkota,
        kim=kim,
        issued_on=date(2024, 1, 10),
        signatory_office="Wali Nagari Koto Bangun",
        signatory_name="Datuak Rajo",
    )
    png_as_pdf = SimpleUploadedFile("sk.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.raises(ValidationError) as exc:
        services.decree_add(number="1/2024", scan=png_as_pdf, **common)
    assert "berakhiran .pdf, tetapi isinya PNG" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.decree_add(number="1/2024", scan=pdf(size=11 * 1024 * 1024), **common)
    assert "terlalu besar" in str(exc.value)
    with pytest.raises(ValidationError):
        services.decree_add(number="1/2024", scan=SimpleUploadedFile("x.pdf", b"<svg/>"), **common)
    d = services.decree_add(
        number="1/2024", scan=jpeg_with_gps(), term_ends_on=date(2027, 1, 10), **common
    )
    with Image.open(d.scan.path) as stored:
        assert stored.format == "WEBP" and not stored.getexif()
        assert "exif" not in stored.info
    kim.refresh_from_db()
    assert kim.has_sk and kim.legality_ends_on == date(2027, 1, 10)
    with pytest.raises(ValidationError) as exc:
        services.decree_add(number="1/2024", **common)
    assert "number" in exc.value.message_dict


def test_member_phone_is_encrypted_at_rest_and_roles_follow_positions(pembina_limapuluhkota, warga):
    kim = make_kim(pembina_limapuluhkota)
    m = services.member_add(
        started_on=date(2024, 1, 1),
        actor=pembina_limapuluhkota,
        kim=kim,
        full_name="Rahmat",
        position="sekretaris",
        phone="0812-3456-7890",
        user=warga,
    )
    assert Member.objects.get(pk=m.pk).phone == "+6281234567890"
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM registry_member WHERE id = %s", [m.pk])
        raw = cur.fetchone()[0]
    assert "3456" not in raw and raw.startswith("gAAAA")  # Fernet token
    scope.forget(warga)
    assert Role.PENGURUS in scope.roles(warga)
    services.member_update(actor=pembina_limapuluhkota, member=m, position="anggota")
    scope.forget(warga)
    assert scope.roles(warga) & {Role.PENGURUS, Role.ANGGOTA} == {Role.ANGGOTA}
    services.member_end(
        actor=pembina_limapuluhkota, member=m, ended_on=timezone.localdate() - timedelta(days=1)
    )
    scope.forget(warga)
    assert not scope.roles(warga) & {Role.PENGURUS, Role.ANGGOTA}
    kim.refresh_from_db()
    assert kim.member_count == 0
    logged = Event.objects.filter(kim_id=kim.pk, action__startswith="registry.member")
    assert all("3456" not in str(e.data) for e in logged)


def test_bad_phone_names_the_field(pembina_limapuluhkota):
    kim = make_kim(pembina_limapuluhkota)
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=pembina_limapuluhkota, kim=kim, full_name="A", phone="12")
    assert "phone" in exc.value.message_dict


def test_membership_rules_warn_by_wilayah(pembina_limapuluhkota):
    kim = make_kim(pembina_limapuluhkota)
    services.member_add(actor=pembina_limapuluhkota, kim=kim, full_name="A", position="ketua")
    warnings = rules.membership_warnings(kim)
    assert any("Sekretaris" in w for w in warnings) and any(
        "paling sedikit 3" in w for w in warnings
    )
    MembershipRule.objects.create(region_code="13.07", required_positions=["ketua"], min_members=1)
    assert rules.membership_warnings(kim) == []
    MembershipRule.objects.create(
        region_code="13.07.07.2002", required_positions=[], min_members=10
    )
    assert rules.membership_warnings(kim) == [
        "Anggota baru 1 orang; aturan wilayah ini paling sedikit 10."
    ]


def test_ketua_hands_over(pembina_limapuluhkota, pengurus, kim):
    old = services.member_add(
        actor=pengurus, kim=kim, full_name="Ketua Lama", position="ketua", user=pengurus
    )
    new = services.member_add(actor=pengurus, kim=kim, full_name="Ketua Baru", position="anggota")
    services.ketua_hand_over(actor=pengurus, kim=kim, to_member=new)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.position, new.position) == ("anggota", "ketua")
    assert Event.objects.filter(action="registry.kim.ketua_handed_over", kim_id=kim.pk).exists()


def test_pengurus_edits_own_kim_not_sibling(pengurus, kim, sibling_kim):
    assert services.kim_update(actor=pengurus, kim=kim, description="Aktif tiap pekan") == [
        "description"
    ]
    with pytest.raises(Http404):
        services.kim_update(actor=pengurus, kim=sibling_kim, description="x")
    with pytest.raises(Http404):  # moving wilayah is the pembina's call
        services.kim_update(actor=pengurus, kim=kim, region_code="13.07.07.2001")


def test_dormancy_from_audit_log(pembina_limapuluhkota, pengurus, kim, sibling_kim):
    now = timezone.now()
    Kim.objects.filter(pk__in=[kim.pk, sibling_kim.pk]).update(
        verified_at=now - timedelta(days=400), created_at=now - timedelta(days=400)
    )
    # kim: a member acted 100 days ago -> kurang aktif; sibling: nothing for 400 days -> vakum.
    ev = Event.objects.create(
        actor=pengurus,
        action="newsroom.article.submitted",
        kim_id=kim.pk,
        region_code=kim.region_code,
    )
    # Events are append-only through the ORM; age this one with SQL.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_event SET created_at = %s WHERE id = %s",
            [now - timedelta(days=100), ev.pk],
        )
    changes = periodic.refresh_dormancy(now=now)
    assert changes == {"aktif->kurang_aktif": 1, "aktif->vakum": 1}
    kim.refresh_from_db()
    sibling_kim.refresh_from_db()
    assert (kim.status, sibling_kim.status) == ("kurang_aktif", "vakum")
    assert periodic.refresh_dormancy(now=now) == {}  # idempotent
    # New activity brings it back.
    Event.objects.create(
        actor=pengurus, action="registry.kim.updated", kim_id=kim.pk, region_code=kim.region_code
    )
    assert periodic.refresh_dormancy() == {"kurang_aktif->aktif": 1}
    # Thresholds are settings per wilayah.
    MembershipRule.objects.create(
        region_code="13.07", less_active_after_days=500, dormant_after_days=600
    )
    assert periodic.refresh_dormancy(now=now) == {"vakum->aktif": 1}


def test_sk_reminders_once_each_to_officers_and_pembina(
    pembina_limapuluhkota,
    pembina_bukittinggi,
    pengurus,
    kim,
    smtp,
    django_capture_on_commit_callbacks,
):
    services.member_add(actor=pengurus, kim=kim, full_name="Ketua", position="ketua", user=pengurus)
    today = timezone.localdate()
    services.decree_add(
        actor=pengurus,
        kim=kim,
        number="7/2021",
        issued_on=date(2021, 1, 1),
        signatory_office="Wali Nagari",
        signatory_name="X",
        term_ends_on=today + timedelta(days=50),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.send_decree_reminders(today=today) == 1
        assert periodic.send_decree_reminders(today=today) == 0  # idempotent: no double mail
    smtp.wait_for(1)
    assert sorted(smtp.messages[0]["to"]) == sorted([pengurus.email, pembina_limapuluhkota.email])
    assert "50 hari" in " ".join(smtp.messages[0]["message"]["Subject"].split())
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.send_decree_reminders(today=today + timedelta(days=40)) == 1  # 14-day
        assert periodic.send_decree_reminders(today=today + timedelta(days=41)) == 0
    smtp.wait_for(2)
    assert len(smtp.messages) == 2
    assert DecreeReminder.objects.count() == 2


def test_logo_is_reencoded_without_exif(pengurus, kim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.kim_logo_set(actor=pengurus, kim=kim, upload=jpeg_with_gps("logo.jpg"))
    kim.refresh_from_db()
    with Image.open(kim.logo.path) as img:
        assert img.format == "WEBP" and not img.getexif()


def test_assign_fixture_roles_still_work(db, kim):
    from ..factories import UserFactory

    u = UserFactory()
    assign(u, Role.ANGGOTA, kim=kim)
    assert scope.kim_ids(u, "kim.view") == [kim.pk]


def test_unconfirmed_registration_expires_and_can_be_made_again(db, settings):
    args = dict(
        name="Saiyo",
        region_code="13.07.07.2002",
        ketua_name="Nur",
        ketua_email="nur@contoh.id",
        password="Sandi-Kuat-2026",
        consent_purpose="p",
    )
    kim, user = services.kim_self_register(**args)
    assert periodic.purge_unconfirmed_registrations() == 0  # the link is still valid
    later = timezone.now() + timedelta(days=8)
    assert periodic.purge_unconfirmed_registrations(now=later) == 1
    assert not Kim.objects.filter(pk=kim.pk).exists()
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert Event.objects.filter(action="registry.kim.registration_expired").exists()
    kim2, _ = services.kim_self_register(**args)  # same e-mail and name work again
    assert kim2.status == Kim.Status.PENGAJUAN


def test_registration_bad_phone_names_the_field(db):
    with pytest.raises(ValidationError) as exc:
        services.kim_self_register(
            name="Saiyo",
            region_code="13.07.07.2002",
            ketua_name="N",
            ketua_email="n@contoh.id",
            password="Sandi-Kuat-2026",
            ketua_phone="12",
            consent_purpose="p",
        )
    assert "ketua_phone" in exc.value.message_dict
