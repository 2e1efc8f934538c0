from django.urls import path

from . import search_views

app_name = "cari"
urlpatterns = [path("", search_views.results, name="results")]
