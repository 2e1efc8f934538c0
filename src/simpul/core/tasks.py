from django.core.mail import EmailMessage
from django_tasks import task


@task(queue_name="mail")
def send_email(*, subject, body, to, headers=None):
    """Send one plain-text e-mail. Takes strings only, so it can be retried safely."""
    EmailMessage(subject=subject, body=body, to=list(to), headers=headers or None).send()
    return len(to)
