from django_tasks_db.management.commands import db_worker

from simpul.core.worker import SimpulWorker


class Command(db_worker.Command):
    help = "Run a Simpul background worker (all queues; retries, sweeper, periodic tasks)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        db_worker.Worker = SimpulWorker  # the parent command builds its Worker by this name
        return super().handle(*args, **options)
