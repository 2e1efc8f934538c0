"""Append-only audit log. Services call `record(...)` inside their transaction."""

# Writes to these are shown on public pages: recording one invalidates the page cache.
PUBLIC_CONTENT = ("regions.", "registry.", "newsroom.", "broadcasts.")
# ... except these, which no public page shows (subscriptions, inbox state, relays, uploads
# not yet published): they would only empty the cache at citizens' and KIM's pace.
NOT_PUBLIC = (
    "broadcasts.subscriber.",
    "broadcasts.kim_telegram.",
    "broadcasts.inbox.",
    "broadcasts.relay.",
    "broadcasts.policy.",
    "broadcasts.provider.",
    "newsroom.image.",
    "newsroom.official_text.",
    "newsroom.reply_request.received",
)


def record(
    *,
    actor,
    action,
    obj=None,
    object_type="",
    object_id="",
    region_code=None,
    kim_id=None,
    data=None,
):
    from .models import Event

    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(
            getattr(obj, "public_id", None) or getattr(obj, "slug", None) or obj.pk
        )
        if region_code is None:
            region_code = getattr(obj, "region_code", None)
        if kim_id is None:
            kim_id = getattr(obj, "kim_id", None)
        if kim_id is None and obj._meta.label == "registry.Kim":
            kim_id = obj.pk  # an event about a KIM belongs to that KIM (its officers' scope)
    if action.startswith(PUBLIC_CONTENT) and not action.startswith(NOT_PUBLIC):
        from django.db import transaction

        from simpul.web import pagecache

        transaction.on_commit(pagecache.bump)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return Event.objects.create(
        actor=actor,
        actor_label=(actor.full_name or actor.public_id) if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code or "",
        kim_id=kim_id,
        data=data or {},
    )
