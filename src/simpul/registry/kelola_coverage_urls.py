"""Back-office coverage, included in the kelola namespace: kelola:coverage:<name>."""

from django.urls import path

from . import kelola_coverage_views as views

app_name = "coverage"
urlpatterns = [
    path("", views.index, name="index"),
    path("ekspor.csv", views.export_csv, name="export-csv"),
    path("ekspor.xlsx", views.export_xlsx, name="export-xlsx"),
    path("<str:code>/", views.region, name="region"),
]
