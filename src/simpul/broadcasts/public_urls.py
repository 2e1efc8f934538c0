"""Public siaran URLs, mounted at the site root (namespace "siaran")."""

from django.urls import path

from . import public_views as views
from .feeds import SiaranFeed

app_name = "siaran"
urlpatterns = [
    path("siaran/", views.siaran_index, name="index"),
    path("siaran/rss/", SiaranFeed(), name="rss"),
    path("siaran/<slug:slug>/", views.siaran_page, name="detail"),
    path(
        "siaran/<slug:slug>/lampiran/<str:attachment_id>/",
        views.siaran_attachment,
        name="attachment",
    ),
    path("s/<str:code>", views.short, name="short"),
]
