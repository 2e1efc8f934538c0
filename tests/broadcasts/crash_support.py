"""Run inside `simpul shell` by the crash test and the e-mail bench (a separate process with
its own database): seed a siaran with N e-mail dispatches, and report their states."""

import secrets

from django.utils import timezone

from simpul.broadcasts import delivery
from simpul.broadcasts.models import Channel, Dispatch, Siaran, Subscriber
from simpul.broadcasts.subscriptions import address_hash


def seed(n, *, start=True, domain="contoh.id", fanned_out=True):
    """A sent siaran with n active e-mail subscribers and their queued dispatches.
    fanned_out=False leaves `fanned_out_at` empty, so the periodic sweep does not start it."""
    now = timezone.now()
    siaran = Siaran.objects.create(
        slug=f"cek-kesehatan-gratis-{secrets.token_hex(3)}",
        region_code="13",
        title="Cek Kesehatan Gratis",
        body="Puskesmas membuka **Cek Kesehatan Gratis** untuk semua warga. Bawa KTP.",
        body_html="<p>Puskesmas membuka <strong>Cek Kesehatan Gratis</strong>.</p>",
        short_text="Cek Kesehatan Gratis di puskesmas terdekat. Bawa KTP.",
        target_regions=["13"],
        status=Siaran.Status.SENDING,
        sent_at=now,
        fanned_out_at=now if fanned_out else None,
    )
    subs = [
        Subscriber(
            channel=Channel.EMAIL,
            address=f"warga{i}@{domain}",
            address_hash=address_hash(Channel.EMAIL, f"warga{i}@{domain}"),
            region_code="13.07.07.2002",
            status=Subscriber.Status.ACTIVE,
            token=secrets.token_urlsafe(32),
            consent_at=now,
            confirmed_at=now,
        )
        for i in range(n)
    ]
    Subscriber.objects.bulk_create(subs, batch_size=2000)
    ids = [s.pk for s in subs]
    if None in ids:  # a database that does not return ids from bulk inserts
        tokens = [s.token for s in subs]
        ids = Subscriber.objects.filter(token__in=tokens).values_list("pk", flat=True)
    Dispatch.objects.bulk_create(
        [
            Dispatch(
                siaran=siaran, subscriber_id=pk, channel=Channel.EMAIL, region_code="13.07.07.2002"
            )
            for pk in ids
        ],
        batch_size=5000,
    )
    if start:
        delivery.start(siaran.pk)
    print(siaran.pk)
    return siaran


def report(siaran_id):
    """Print 'status count' lines for the siaran's dispatches."""
    from django.db.models import Count

    rows = (
        Dispatch.objects.filter(siaran_id=siaran_id)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    for row in rows:
        print(row["status"], row["n"])
