from django.db import models


class PeriodicRun(models.Model):
    """One row per periodic task and time slot, so a slot is enqueued once by any worker."""

    name = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self):
        return f"{self.name} #{self.slot}"


class WorkerHeartbeat(models.Model):
    """Each live worker touches its row every few seconds; the sweeper trusts nothing older."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.worker_id
