from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "simpul.newsroom"
    verbose_name = _("Warta KIM")

    def ready(self):
        from simpul.core.jobs import register_periodic

        from . import tasks

        register_periodic(tasks.publish_due, every=60)
