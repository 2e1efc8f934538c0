"""/kelola/warta/…: namespace "kelola:warta". Articles by their random public id."""

from django.urls import path

from . import kelola_official
from . import kelola_views as views

app_name = "warta"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("baru/", views.article_new, name="new"),
    path("teks-resmi/", kelola_official.official_texts, name="official"),
    path("<str:public_id>/", views.article_detail, name="detail"),
    path("<str:public_id>/ubah/", views.article_edit, name="edit"),
    path("<str:public_id>/ajukan/", views.article_submit, name="submit"),
    path("<str:public_id>/terbitkan/", views.article_publish, name="publish"),
    path("<str:public_id>/kembalikan/", views.article_return, name="return"),
    path("<str:public_id>/turunkan/", views.article_unpublish, name="unpublish"),
    path("<str:public_id>/koreksi/", views.article_correct, name="correct"),
]
