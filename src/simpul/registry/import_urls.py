from django.urls import path

from . import import_views as views

app_name = "kim_import"
urlpatterns = [
    path("", views.start, name="start"),
    path("terapkan/", views.apply, name="apply"),
    path("templat.xlsx", views.template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("templat.csv", views.template, {"fmt": "csv"}, name="template_csv"),
    path("ekspor.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("ekspor.csv", views.export, {"fmt": "csv"}, name="export_csv"),
]
