from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "simpul.registry"
    label = "registry"
    verbose_name = _("Registri KIM")

    def ready(self):
        from simpul.core.jobs import register_periodic

        from . import tasks

        register_periodic(tasks.refresh_dormancy, every=6 * 3600)
        register_periodic(tasks.send_decree_reminders, every=6 * 3600)
        register_periodic(tasks.purge_unconfirmed_registrations, every=6 * 3600)
