"""The reach ledger, mounted under /kelola/siaran/: names are "kelola:jangkauan:…"."""

from django.urls import path

from . import ledger_views as views

app_name = "jangkauan"
urlpatterns = [
    path("<str:public_id>/jangkauan/", views.ledger, name="ledger"),
    path("<str:public_id>/jangkauan/celah/", views.gap, name="gap"),
    path("<str:public_id>/jangkauan/ekspor.<str:fmt>", views.export, name="export"),
]
