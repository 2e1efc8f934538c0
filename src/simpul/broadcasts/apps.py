from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "simpul.broadcasts"
    verbose_name = _("Siaran")

    def ready(self):
        from simpul.core.jobs import register_periodic  # noqa: F401

        from . import tasks  # noqa: F401

        # --- siaran (scheduled sending): helper B1 ---
        register_periodic(tasks.send_due, every=60)
        # --- delivery (sweeps, retries): helper B2 ---
        from . import delivery

        register_periodic(delivery.sweep, every=60)
        # --- the ledger's dispatch tally (tally.py) ---
        register_periodic(tasks.refresh_tallies, every=60)
