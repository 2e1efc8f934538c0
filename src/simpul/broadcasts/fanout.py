"""Fan-out of a siaran: one Inbox per targeted KIM and one Dispatch per subscriber and
channel, created in batches; idempotent (unique keys, conflicts ignored)."""


def fan_out(siaran_id):
    """Create the inboxes and dispatches of a siaran; returns {"inboxes": n, "dispatches": m}.

    Then starts delivery (simpul.broadcasts.delivery.start) after commit."""
    raise NotImplementedError
