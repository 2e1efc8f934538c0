from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "simpul.broadcasts"
    verbose_name = _("Siaran")

    def ready(self):
        from . import tasks  # noqa: F401
