"""Delivery engine: sends queued dispatches on each channel in batches, with rate limits,
retries honouring Retry-After, and provider reasons recorded."""


def start(siaran_id):
    """Enqueue the delivery tasks for every channel that has queued dispatches."""
    raise NotImplementedError
