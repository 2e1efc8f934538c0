"""Background work of the newsroom (scheduled publishing)."""

from django_tasks import task

from . import services


@task(queue_name="periodic")
def publish_due():
    """Publish scheduled articles whose time has come (idempotent; every 60 s)."""
    return services.publish_due()
