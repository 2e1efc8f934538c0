from django.urls import path

from . import moderation_views as views

app_name = "moderasi"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("komentar/<str:public_id>/setujui/", views.comment_approve, name="comment-approve"),
    path("komentar/<str:public_id>/hapus/", views.comment_remove, name="comment-remove"),
    path("pengaturan/", views.settings_list, name="settings"),
    path("pengaturan/<slug:slug>/", views.settings_edit, name="settings-edit"),
    path("hak-jawab/", views.reply_list, name="replies"),
    path("hak-jawab/<str:public_id>/", views.reply_detail, name="reply-detail"),
]
