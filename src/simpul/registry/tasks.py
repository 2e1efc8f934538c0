from django_tasks import task

from . import services


@task(queue_name="periodic")
def refresh_dormancy():
    return services.refresh_dormancy()


@task(queue_name="periodic")
def purge_unconfirmed_registrations():
    return services.purge_unconfirmed_registrations()


@task(queue_name="periodic")
def send_decree_reminders():
    return services.send_decree_reminders()
