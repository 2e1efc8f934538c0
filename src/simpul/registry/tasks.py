from django_tasks import task

from . import periodic


@task(queue_name="periodic")
def refresh_dormancy():
    return periodic.refresh_dormancy()


@task(queue_name="periodic")
def purge_unconfirmed_registrations():
    return periodic.purge_unconfirmed_registrations()


@task(queue_name="periodic")
def send_decree_reminders():
    return periodic.send_decree_reminders()
