"""Siaran writes: compose inside scope, send / schedule / approve / cancel, attachments."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import Image

from simpul.audit.models import Event
from simpul.broadcasts import services, tasks
from simpul.broadcasts.models import Inbox, OfficePolicy, Siaran

from ..factories import KimFactory
from ..registry.factories import sector
from .factories import SiaranFactory
from .siaran_support import draft_fields, jpeg_with_gps, kim_elsewhere, pdf, second_admin_sumbar


def message_of(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# --- compose --------------------------------------------------------------------------


def test_admin_creates_a_draft_of_their_office(admin_sumbar, office_sumbar):
    siaran = services.siaran_create(
        actor=admin_sumbar,
        **draft_fields(body="# Judul\n\n**Penting** <script>alert(1)</script>"),
        sector_ids=[sector("kesehatan").pk],
        channels=["email", "sms"],
    )
    assert siaran.status == Siaran.Status.DRAFT
    assert siaran.office == office_sumbar and siaran.region_code == "13"
    assert siaran.created_by == admin_sumbar
    assert "<strong>Penting</strong>" in siaran.body_html
    assert "<script" not in siaran.body_html and "<h1>" not in siaran.body_html
    assert siaran.slug.startswith("cek-kesehatan-gratis")
    assert list(siaran.target_sectors.values_list("slug", flat=True)) == ["kesehatan"]
    assert Event.objects.filter(
        action="broadcasts.siaran.created", object_id=siaran.public_id, region_code="13"
    ).exists()


def test_targets_are_normalised(admin_sumbar):
    siaran = services.siaran_create(
        actor=admin_sumbar, **draft_fields(target_regions=["13.07.07", "13.07", " 13.75 ", "13.07"])
    )
    assert siaran.target_regions == ["13.07", "13.75"]


@pytest.mark.parametrize(
    "codes, needle",
    [
        (["13.75"], "di luar wilayah tanggung jawab"),  # Bukittinggi, not Lima Puluh Kota
        (["13"], "di luar wilayah tanggung jawab"),  # the whole province
        (["12.71"], "di luar wilayah tanggung jawab"),  # another province
        (["13.07.99"], "tidak ada"),
        (["13-07"], "tidak valid"),
        ([], "paling sedikit satu wilayah"),
    ],
)
def test_pembina_targets_outside_scope_are_refused(pembina_limapuluhkota, codes, needle):
    with pytest.raises(ValidationError) as exc:
        services.siaran_create(actor=pembina_limapuluhkota, **draft_fields(target_regions=codes))
    assert needle in message_of(exc, "target_regions")
    assert not Siaran.objects.exists()


def test_admin_of_another_province_cannot_target_sumbar(admin_other_province):
    with pytest.raises(ValidationError) as exc:
        services.siaran_create(actor=admin_other_province, **draft_fields(target_regions=["13"]))
    assert "13" in message_of(exc, "target_regions")


def test_short_text_over_160_characters_is_refused_naming_the_field(admin_sumbar):
    with pytest.raises(ValidationError) as exc:
        services.siaran_create(actor=admin_sumbar, **draft_fields(short_text="a" * 161))
    assert "160" in message_of(exc, "short_text") and "161" in message_of(exc, "short_text")


@pytest.mark.parametrize("who", ["warga", "pengurus", "anggota"])
def test_people_without_siaran_send_cannot_create(request, who):
    with pytest.raises(Http404):
        services.siaran_create(actor=request.getfixturevalue(who), **draft_fields())


def test_kim_statuses_outside_the_receiving_ones_are_refused(admin_sumbar):
    with pytest.raises(ValidationError) as exc:
        services.siaran_create(actor=admin_sumbar, **draft_fields(), kim_statuses=["pengajuan"])
    assert "kim_statuses" in exc.value.message_dict


# --- send -----------------------------------------------------------------------------


def test_send_now_fans_out_to_the_targeted_kim_only(
    admin_sumbar, kim, sibling_kim, django_capture_on_commit_callbacks
):
    outside = kim_elsewhere()
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields())
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_send(actor=admin_sumbar, siaran=siaran)
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.SENT
    assert siaran.sent_at is not None and siaran.fanned_out_at is not None
    got = set(Inbox.objects.filter(siaran=siaran).values_list("kim_id", flat=True))
    assert got == {kim.pk, sibling_kim.pk}
    assert outside.pk not in got
    assert Event.objects.filter(action="broadcasts.siaran.sent", object_id=siaran.public_id)
    # Running the task again (a retry) creates nothing new.
    tasks.send_siaran.call(siaran.pk)
    assert Inbox.objects.filter(siaran=siaran).count() == 2


def test_send_with_a_future_time_schedules_and_send_due_starts_it(
    admin_sumbar, kim, django_capture_on_commit_callbacks
):
    when = timezone.now() + timedelta(hours=2)
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields(), send_at=when)
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_send(actor=admin_sumbar, siaran=siaran)
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.SCHEDULED
    assert not Inbox.objects.filter(siaran=siaran).exists()
    assert services.start_due(now=when - timedelta(minutes=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_due(now=when + timedelta(seconds=1)) == [siaran.pk]
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.SENT
    assert Inbox.objects.filter(siaran=siaran, kim=kim).exists()


def test_the_periodic_task_is_registered_every_minute():
    from simpul.core.jobs import PERIODIC

    assert (tasks.send_due, 60) in PERIODIC


def test_cancelling_a_scheduled_siaran_stops_it(
    admin_sumbar, kim, django_capture_on_commit_callbacks
):
    when = timezone.now() + timedelta(hours=1)
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields(), send_at=when)
    services.siaran_send(actor=admin_sumbar, siaran=siaran)
    with pytest.raises(ValidationError) as exc:
        services.siaran_cancel(actor=admin_sumbar, siaran=siaran, reason="  ")
    assert "reason" in exc.value.message_dict
    services.siaran_cancel(actor=admin_sumbar, siaran=siaran, reason="Jadwal puskesmas berubah")
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.CANCELLED and siaran.cancel_reason
    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_due(now=when + timedelta(minutes=5)) == []
    tasks.send_siaran.call(siaran.pk)  # a task queued before the cancel does nothing
    assert not Inbox.objects.filter(siaran=siaran).exists()


def test_a_sent_siaran_cannot_be_cancelled_or_edited(admin_sumbar):
    siaran = SiaranFactory(created_by=admin_sumbar)
    with pytest.raises(ValidationError):
        services.siaran_cancel(actor=admin_sumbar, siaran=siaran, reason="salah")
    with pytest.raises(ValidationError):
        services.siaran_update(actor=admin_sumbar, siaran=siaran, title="Baru")


def test_pembina_of_another_kabkota_cannot_touch_the_province_siaran(
    pembina_bukittinggi, admin_other_province
):
    siaran = SiaranFactory(draft=True)
    for actor in (pembina_bukittinggi, admin_other_province):
        with pytest.raises(Http404):
            services.siaran_send(actor=actor, siaran=siaran)
        with pytest.raises(Http404):
            services.siaran_cancel(actor=actor, siaran=siaran, reason="x")
        with pytest.raises(Http404):
            services.siaran_update(actor=actor, siaran=siaran, title="x")


# --- approval -------------------------------------------------------------------------


def test_office_requiring_approval_needs_a_second_person(
    admin_sumbar, office_sumbar, kim, pembina_limapuluhkota, django_capture_on_commit_callbacks
):
    services.office_policy_set(actor=admin_sumbar, office=office_sumbar, requires_approval=True)
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields())
    services.siaran_send(actor=admin_sumbar, siaran=siaran)
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.PENDING_APPROVAL
    with pytest.raises(ValidationError) as exc:
        services.siaran_approve(actor=admin_sumbar, siaran=siaran)
    assert "orang lain" in " ".join(exc.value.messages)
    # A pembina of one kab/kota is not in scope of the province's siaran.
    with pytest.raises(Http404):
        services.siaran_approve(actor=pembina_limapuluhkota, siaran=siaran)
    approver = second_admin_sumbar(office_sumbar)
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_approve(actor=approver, siaran=siaran)
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.SENT
    assert siaran.approved_by == approver
    assert Inbox.objects.filter(siaran=siaran, kim=kim).exists()


def test_editing_a_pending_siaran_returns_it_to_draft(admin_sumbar, office_sumbar):
    OfficePolicy.objects.create(office=office_sumbar, region_code="13", requires_approval=True)
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields())
    services.siaran_send(actor=admin_sumbar, siaran=siaran)
    siaran.refresh_from_db()
    services.siaran_update(actor=admin_sumbar, siaran=siaran, body="Isi **baru**")
    siaran.refresh_from_db()
    assert siaran.status == Siaran.Status.DRAFT
    assert "<strong>baru</strong>" in siaran.body_html


def test_only_office_managers_set_the_policy(pembina_limapuluhkota, office_sumbar):
    with pytest.raises(Http404):
        services.office_policy_set(
            actor=pembina_limapuluhkota, office=office_sumbar, requires_approval=False
        )


# --- attachments ----------------------------------------------------------------------


def test_pdf_attachment_is_stored(admin_sumbar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    siaran = SiaranFactory(draft=True)
    a = services.attachment_add(actor=admin_sumbar, siaran=siaran, upload=pdf("leaflet.pdf"))
    assert a.content_type == "application/pdf" and a.name == "leaflet.pdf"
    assert a.file.read().startswith(b"%PDF")


def test_image_attachment_is_reencoded_without_gps(admin_sumbar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    siaran = SiaranFactory(draft=True)
    a = services.attachment_add(actor=admin_sumbar, siaran=siaran, upload=jpeg_with_gps("a.jpg"))
    assert a.content_type == "image/webp" and a.name.endswith(".webp")
    img = Image.open(io.BytesIO(a.file.read()))
    assert img.format == "WEBP" and not img.getexif().get_ifd(0x8825)


@pytest.mark.parametrize(
    "upload, needle",
    [
        (lambda: pdf("besar.pdf", size=10 * 1024 * 1024 + 1), "terlalu besar"),
        (
            lambda: SimpleUploadedFile("palsu.pdf", b"MZ\x90\x00" + b"0" * 100),
            "bukan PDF",
        ),
    ],
)
def test_bad_attachments_are_refused(admin_sumbar, upload, needle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    siaran = SiaranFactory(draft=True)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=admin_sumbar, siaran=siaran, upload=upload())
    assert needle in message_of(exc, "file")
    assert not siaran.attachments.exists()


def test_sender_office_is_the_widest_with_an_office(pembina_limapuluhkota):
    office = services.sender_office(pembina_limapuluhkota)
    assert office.region_code == "13.07"
    siaran = services.siaran_create(
        actor=pembina_limapuluhkota, **draft_fields(target_regions=["13.07.07"])
    )
    assert siaran.region_code == "13.07" and siaran.office == office


def test_kim_outside_target_sectors_get_nothing(admin_sumbar, django_capture_on_commit_callbacks):
    health = KimFactory(slug="kim-sehat")
    health.sectors.add(sector("kesehatan"))
    farming = KimFactory(slug="kim-tani")
    farming.sectors.add(sector("pertanian"))
    siaran = services.siaran_create(
        actor=admin_sumbar, **draft_fields(), sector_ids=[sector("kesehatan").pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_send(actor=admin_sumbar, siaran=siaran)
    assert list(Inbox.objects.filter(siaran=siaran).values_list("kim__slug", flat=True)) == [
        "kim-sehat"
    ]


def test_cancelling_while_sending_cancels_queued_dispatches(admin_sumbar):
    from simpul.broadcasts.models import Dispatch

    from .factories import DispatchFactory, SubscriberFactory

    siaran = SiaranFactory(status="sending", created_by=admin_sumbar)
    queued = [DispatchFactory(siaran=siaran, subscriber=SubscriberFactory()) for _ in range(3)]
    done = DispatchFactory(siaran=siaran, subscriber=SubscriberFactory(), status="sent")
    n = services.siaran_cancel(actor=admin_sumbar, siaran=siaran, reason="Salah sasaran")
    assert n == 3
    statuses = dict(Dispatch.objects.values_list("pk", "status"))
    assert all(statuses[d.pk] == "cancelled" for d in queued)
    assert statuses[done.pk] == "sent"


def test_published_event_is_recorded_once(admin_sumbar, kim, django_capture_on_commit_callbacks):
    siaran = services.siaran_create(actor=admin_sumbar, **draft_fields())
    with django_capture_on_commit_callbacks(execute=True):
        services.siaran_send(actor=admin_sumbar, siaran=siaran)
    tasks.send_siaran.call(siaran.pk)
    assert Event.objects.filter(action="broadcasts.siaran.published").count() == 1


def test_nasional_may_target_the_whole_country_others_may_not(nasional, admin_sumbar):
    siaran = services.siaran_create(actor=nasional, **draft_fields(target_regions=["", "13"]))
    assert siaran.target_regions == [""] and siaran.region_code == ""
    with pytest.raises(ValidationError) as exc:
        services.siaran_create(actor=admin_sumbar, **draft_fields(target_regions=[""]))
    assert "seluruh Indonesia" in message_of(exc, "target_regions")


def test_a_siaran_stuck_in_sending_is_resumed(admin_sumbar, kim):
    """The process died between commit and enqueue: the periodic task picks it up."""
    siaran = SiaranFactory(
        status="sending", fanned_out_at=None, sent_at=timezone.now() - timedelta(minutes=11)
    )
    fresh = SiaranFactory(status="sending", fanned_out_at=None, sent_at=timezone.now())
    result = tasks.send_due.call()
    assert result == {"started": 0, "resumed": 1}
    siaran.refresh_from_db()
    fresh.refresh_from_db()
    assert siaran.status == Siaran.Status.SENT and siaran.fanned_out_at is not None
    assert Inbox.objects.filter(siaran=siaran, kim=kim).exists()
    assert fresh.status == Siaran.Status.SENDING  # may still be on its way: left alone
