from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "simpul.newsroom"
    verbose_name = _("Warta KIM")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from simpul.core.jobs import register_periodic

        from . import queries, search, tasks

        register_periodic(tasks.publish_due, every=60)
        post_migrate.connect(search.drop_orphans, sender=self)
        # The article page's statements, prepared once per PostgreSQL session.
        connection_created.connect(queries.prepare_statements)
