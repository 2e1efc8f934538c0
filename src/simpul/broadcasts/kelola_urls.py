"""/kelola/siaran/…: names are "kelola:siaran:…". The reach ledger (B3) is in ledger_urls."""

from django.urls import path

from . import inbox_views, kelola_views

app_name = "siaran"

_inbox = "kotak/<str:public_id>/<slug:kim>/"

urlpatterns = [
    path("", kelola_views.siaran_list, name="list"),
    path("baru/", kelola_views.siaran_new, name="new"),
    path("persetujuan/", kelola_views.policy_set, name="policy"),
    # The KIM's inbox.
    path("kotak/", inbox_views.inbox_list, name="inbox"),
    path(_inbox, inbox_views.inbox_detail, name="inbox-detail"),
    path(_inbox + "diterima/", inbox_views.inbox_acknowledge, name="inbox-ack"),
    path(_inbox + "bagikan/<str:channel>/", inbox_views.inbox_share, name="inbox-share"),
    path(_inbox + "poster.pdf", inbox_views.inbox_poster, name="inbox-poster"),
    path(_inbox + "naskah-radio.txt", inbox_views.inbox_radio, name="inbox-radio"),
    path(_inbox + "sebarkan/", inbox_views.inbox_relay, name="inbox-relay"),
    path(
        _inbox + "lampiran/<str:attachment_id>/",
        inbox_views.inbox_attachment,
        name="inbox-attachment",
    ),
    # One siaran of the office.
    path("<str:public_id>/", kelola_views.siaran_detail, name="detail"),
    path("<str:public_id>/ubah/", kelola_views.siaran_edit, name="edit"),
    path("<str:public_id>/kirim/", kelola_views.siaran_send, name="send"),
    path("<str:public_id>/setujui/", kelola_views.siaran_approve, name="approve"),
    path("<str:public_id>/kembalikan/", kelola_views.siaran_return, name="return"),
    path("<str:public_id>/batalkan/", kelola_views.siaran_cancel, name="cancel"),
    path("<str:public_id>/lampiran/", kelola_views.attachment_add, name="attachment-add"),
    path(
        "<str:public_id>/lampiran/<str:attachment_id>/",
        kelola_views.attachment_file,
        name="attachment",
    ),
    path(
        "<str:public_id>/lampiran/<str:attachment_id>/hapus/",
        kelola_views.attachment_remove,
        name="attachment-remove",
    ),
]
