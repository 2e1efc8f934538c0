"""/daftar-kim/…: a KIM registers itself; the ketua confirms the e-mail."""

from django.urls import path

from . import registration_views as views

app_name = "registration"
urlpatterns = [
    path("", views.register, name="start"),
    path("terkirim/", views.sent, name="sent"),
    path("verifikasi/<str:token>/", views.confirm, name="confirm"),
]
