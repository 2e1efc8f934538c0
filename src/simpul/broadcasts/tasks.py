"""Background work of siaran: fan-out and delivery."""

from django_tasks import task

# --- siaran (helper B1) -------------------------------------------------------------------


@task(queue_name="default")
def send_siaran(siaran_id):
    """Fan a siaran out (inboxes + dispatches) and mark it sent. Idempotent: fan-out ignores
    rows that already exist, and a cancelled or unknown siaran is left alone."""
    from . import fanout, services, tally
    from .models import Siaran

    status = Siaran.objects.filter(pk=siaran_id).values_list("status", flat=True).first()
    if status not in (Siaran.Status.SENDING, Siaran.Status.SENT):
        return {"skipped": status or "missing"}
    result = fanout.fan_out(siaran_id)
    # The ledger's subscriber numbers exist from the start, so no request has to count them.
    tally.refresh(siaran_id)
    services.mark_sent(siaran_id)
    return result


@task(queue_name="periodic")
def send_due():
    """Every minute: scheduled siaran whose time has come start sending, and siaran stuck
    in `sending` without a fan-out are enqueued again."""
    from . import services

    return {"started": len(services.start_due()), "resumed": len(services.resume_stuck())}


@task(queue_name="periodic")
def refresh_tallies():
    """Every 60 s: recompute the dispatch tally of each siaran whose messages are still
    moving (or whose tally is missing or older than its fan-out); see tally.py."""
    from . import tally

    refreshed = [pk for pk in tally.needs_refresh() if tally.refresh(pk) is not None]
    return {"refreshed": len(refreshed)}
