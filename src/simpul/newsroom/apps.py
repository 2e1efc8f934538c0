from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "simpul.newsroom"
    verbose_name = _("Warta KIM")

    def ready(self):
        # Periodic work (scheduled publishing) registers itself here once it exists.
        from . import tasks  # noqa: F401
