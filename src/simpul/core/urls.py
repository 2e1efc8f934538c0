from django.urls import path

from . import views

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("<uuid:task_id>/ulang/", views.task_retry, name="task-retry"),
]
