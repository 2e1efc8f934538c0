from django.urls import path

from . import public_views as views

app_name = "kim"
urlpatterns = [
    path("", views.directory, name="directory"),
    # Before <slug>: a KIM slugged "cakupan" would be shadowed (services should reserve it).
    path("cakupan/", views.coverage, name="coverage"),
    path("cakupan/<str:code>/", views.coverage_region, name="coverage-region"),
    path("<slug:slug>/", views.profile, name="profile"),
    path("<slug:slug>/logo.webp", views.logo, name="logo"),
]
