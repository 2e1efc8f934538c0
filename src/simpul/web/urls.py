from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("sehat/", views.health, name="health"),
    path("bahasa/<str:code>/", views.switch_language, name="language"),
]
