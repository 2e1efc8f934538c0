"""/kelola/kim/…: mounted inside the "kelola" namespace, so names are "kelola:kim-…"."""

from django.urls import path

from . import kelola_views as views

urlpatterns = [
    path("", views.kim_list, name="kim-list"),
    path("baru/", views.kim_create, name="kim-new"),
    path("<slug:slug>/", views.kim_detail, name="kim-detail"),
    path("<slug:slug>/ubah/", views.kim_edit, name="kim-edit"),
    path("<slug:slug>/verifikasi/", views.kim_verify, name="kim-verify"),
    path("<slug:slug>/minta-perbaikan/", views.kim_request_changes, name="kim-request-changes"),
    path("<slug:slug>/tolak/", views.kim_reject, name="kim-reject"),
    path("<slug:slug>/status/", views.kim_set_status, name="kim-status"),
    path("<slug:slug>/kirim-ulang/", views.kim_resubmit, name="kim-resubmit"),
    path("<slug:slug>/logo/", views.kim_logo, name="kim-logo"),
    path("<slug:slug>/logo/berkas/", views.kim_logo_file, name="kim-logo-file"),
    path("<slug:slug>/sk/baru/", views.decree_add, name="kim-decree-add"),
    path("<slug:slug>/sk/<str:public_id>/berkas/", views.decree_file, name="kim-decree-file"),
    path("<slug:slug>/anggota/baru/", views.member_add, name="kim-member-add"),
    path("<slug:slug>/anggota/<str:public_id>/", views.member_edit, name="kim-member-edit"),
    path("<slug:slug>/anggota/<str:public_id>/akhiri/", views.member_end, name="kim-member-end"),
    path("<slug:slug>/ketua/", views.ketua_hand_over, name="kim-hand-over"),
    path("<slug:slug>/saluran/baru/", views.channel_add, name="kim-channel-add"),
    path("<slug:slug>/saluran/hapus/", views.channel_delete, name="kim-channel-delete"),
]
