"""/langganan/…: citizens subscribe to siaran (e-mail, Telegram, WhatsApp, SMS, Web Push)."""

from django.urls import path

from . import subscribe_views as views

app_name = "langganan"
urlpatterns = [
    path("", views.start, name="start"),
    path("terkirim/", views.sent, name="sent"),
    path("konfirmasi/<str:token>/", views.confirm, name="confirm"),
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("atur/<str:token>/", views.manage, name="manage"),
    path("kim/<slug:slug>/telegram/", views.kim_telegram, name="kim-telegram"),
    path("telegram/<str:secret>/", views.telegram_webhook, name="telegram"),
    path("webpush/", views.webpush_subscribe, name="webpush"),
    path("sw.js", views.service_worker, name="sw"),
    path("webpush.js", views.webpush_script, name="webpush-js"),
]
