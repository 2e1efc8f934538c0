"""The delivery engine (simpul.broadcasts.delivery) against the real SMTP sink and the local
fake provider: batches, idempotency, 429/Retry-After, 500 backoff, permanent errors,
bounces, unsubscribes, cancel, invalid addresses, crash leftovers, rate limits."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from simpul.broadcasts import delivery
from simpul.broadcasts.models import Dispatch, Siaran, Subscriber
from simpul.core.jobs import RetryLater

from .factories import DispatchFactory, SiaranFactory, SubscriberFactory
from .fakeprovider import make_config, provider  # noqa: F401

pytestmark = pytest.mark.django_db

Q, SENT, FAILED, SKIPPED = (
    Dispatch.Status.QUEUED,
    Dispatch.Status.SENT,
    Dispatch.Status.FAILED,
    Dispatch.Status.SKIPPED,
)


def dispatches(siaran, n, *, channel="email", addresses=None, region_code="13.07.07.2002"):
    out = []
    for i in range(n):
        address = addresses[i] if addresses else f"warga{i}@contoh.id"
        sub = SubscriberFactory(channel=channel, address=address, region_code=region_code)
        out.append(DispatchFactory(siaran=siaran, subscriber=sub))
    return out


def statuses(siaran):
    return sorted(siaran.dispatches.values_list("status", flat=True))


def run(siaran, channel, scope=""):
    return delivery.deliver.call(siaran_id=siaran.pk, channel=channel, scope=scope)


@pytest.fixture
def siaran(db):
    return SiaranFactory(title="Cek Kesehatan Gratis", slug="cek-kesehatan-gratis")


def test_start_sends_every_email_once_in_batches(smtp, siaran, settings):
    settings.DELIVERY_BATCH = 40  # 130 messages -> 4 claims
    rows = dispatches(siaran, 130)
    assert delivery.start(siaran.pk) == delivery.chains()
    got = smtp.wait_for(130)
    assert sorted(m["to"][0] for m in got) == sorted(f"warga{i}@contoh.id" for i in range(130))
    assert statuses(siaran) == [SENT] * 130
    d = Dispatch.objects.get(pk=rows[0].pk)
    assert d.attempts == 1 and d.sent_at and d.claimed_at is None
    msg = next(m["message"] for m in got if m["to"] == ["warga0@contoh.id"])
    assert msg["Message-ID"] == f"<siaran-{siaran.pk}-{d.pk}@127.0.0.1>"
    token = rows[0].subscriber.token
    unfolded = "".join(str(msg["List-Unsubscribe"]).split())
    assert unfolded == f"<http://127.0.0.1:8000/langganan/berhenti/{token}/>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Cek Kesehatan Gratis" in msg["Subject"]
    assert smtp.bodies()[0].count("/siaran/cek-kesehatan-gratis/") == 1


def test_running_again_sends_nothing_twice(smtp, siaran):
    dispatches(siaran, 5)
    delivery.start(siaran.pk)
    smtp.wait_for(5)
    assert delivery.start(siaran.pk) == 0
    run(siaran, "email")
    time.sleep(0.2)
    assert len(smtp.messages) == 5


def test_429_releases_the_batch_and_retries_after_retry_after(provider, siaran):  # noqa: F811
    make_config("telegram", provider)
    dispatches(siaran, 4, channel="telegram", addresses=["1001", "1002", "1003", "1004"])
    provider.fail("/bot", "429", times=1, retry_after=7)
    with pytest.raises(RetryLater) as exc:
        run(siaran, "telegram")
    assert exc.value.seconds == 7
    rows = list(siaran.dispatches.order_by("pk"))
    assert {d.status for d in rows} == {Q}
    assert all(d.claimed_at is None for d in rows)
    wait = rows[0].next_attempt_at - timezone.now()
    assert timedelta(seconds=5) < wait <= timedelta(seconds=7)
    assert "429" in rows[0].error
    run(siaran, "telegram")  # too early: nothing is due
    assert provider.delivered_to("telegram") == []
    siaran.dispatches.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    run(siaran, "telegram")
    assert statuses(siaran) == [SENT] * 4
    assert len(provider.delivered_to("telegram")) == 4


def test_500_retries_that_message_with_backoff_then_fails_with_reason(
    provider,  # noqa: F811
    siaran,
    settings,
):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    make_config("sms", provider)
    [bad, good] = dispatches(siaran, 2, channel="sms", addresses=["081200000001", "081200000002"])
    provider.fail("/sms", "500", times=1)
    run(siaran, "sms")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.status == SENT and good.provider_id.startswith("sms-")
    assert bad.status == Q and "500" in bad.error and bad.attempts == 1
    assert bad.next_attempt_at - timezone.now() > timedelta(seconds=25)  # backoff 30 s
    Dispatch.objects.filter(pk=bad.pk).update(next_attempt_at=timezone.now())
    provider.fail("/sms", "500", times=1)
    run(siaran, "sms")
    bad.refresh_from_db()
    assert bad.status == FAILED and bad.attempts == 2 and "HTTP 500" in bad.error


def test_permanent_error_recorded_and_address_bounced(provider, siaran):  # noqa: F811
    make_config("whatsapp", provider)
    provider.bad_addresses.add("6281111111111")
    [bad, good] = dispatches(
        siaran, 2, channel="whatsapp", addresses=["+6281111111111", "+6281222222222"]
    )
    run(siaran, "whatsapp")
    bad.refresh_from_db()
    assert bad.status == FAILED and bad.error == "whatsapp: 131026 Message undeliverable"
    sub = Subscriber.objects.get(pk=bad.subscriber_id)
    assert sub.status == Subscriber.Status.BOUNCED and "131026" in sub.end_reason
    good.refresh_from_db()
    assert good.status == SENT and good.provider_id.startswith("wamid.")


def test_unsubscribed_or_bounced_after_fan_out_are_skipped(smtp, siaran):
    rows = dispatches(siaran, 3)
    Subscriber.objects.filter(pk=rows[0].subscriber_id).update(
        status=Subscriber.Status.UNSUBSCRIBED
    )
    Subscriber.objects.filter(pk=rows[1].subscriber_id).update(
        status=Subscriber.Status.BOUNCED, end_reason="SMTP 550"
    )
    run(siaran, "email")
    assert [m["to"] for m in smtp.wait_for(1)] == [["warga2@contoh.id"]]
    r0, r1 = (Dispatch.objects.get(pk=d.pk) for d in rows[:2])
    assert r0.status == SKIPPED and r0.error == "Pelanggan sudah berhenti berlangganan."
    assert r1.status == SKIPPED and "SMTP 550" in r1.error


def test_invalid_addresses_skipped_with_a_reason(smtp, siaran):
    rows = dispatches(siaran, 2, addresses=["bukan-email", "benar@contoh.id"])
    run(siaran, "email")
    smtp.wait_for(1)
    bad = Dispatch.objects.get(pk=rows[0].pk)
    assert bad.status == SKIPPED and bad.error == "Alamat e-mail tidak valid."
    assert [m["to"] for m in smtp.messages] == [["benar@contoh.id"]]


def test_cancel_stops_it(smtp, siaran):
    dispatches(siaran, 3)
    assert delivery.cancel(siaran.pk) == 3
    run(siaran, "email")
    assert statuses(siaran) == [Dispatch.Status.CANCELLED] * 3
    # A chain that runs after the siaran was cancelled sends nothing either.
    other = SiaranFactory()
    dispatches(other, 2, addresses=["a@contoh.id", "b@contoh.id"])
    Siaran.objects.filter(pk=other.pk).update(status=Siaran.Status.CANCELLED)
    run(other, "email")
    time.sleep(0.2)
    assert smtp.messages == []
    assert statuses(other) == [Dispatch.Status.CANCELLED] * 2


def test_channel_without_provider_is_skipped_with_a_reason(siaran):
    dispatches(siaran, 1, channel="sms", addresses=["081234567890"])
    run(siaran, "sms")
    d = siaran.dispatches.get()
    assert d.status == SKIPPED and "belum disiapkan" in d.error


def test_province_config_used_for_its_province_national_for_the_rest(
    provider,  # noqa: F811
    siaran,
):
    make_config("telegram", provider)  # national: token 123:ABC
    make_config("telegram", provider, region_code="12", token="999:SUMUT")
    dispatches(siaran, 1, channel="telegram", addresses=["1301"], region_code="13.07")
    dispatches(siaran, 1, channel="telegram", addresses=["1201"], region_code="12.71")
    delivery.start(siaran.pk)
    assert statuses(siaran) == [SENT, SENT]
    paths = {r["json"]["chat_id"]: r["path"] for r in provider.requests}
    assert paths == {"1301": "/bot123:ABC/sendMessage", "1201": "/bot999:SUMUT/sendMessage"}


def test_rows_left_sending_by_a_dead_worker_are_sent_again(smtp, siaran, settings):
    settings.DELIVERY_CLAIM_TIMEOUT = 60
    [old, fresh] = dispatches(siaran, 2)
    Dispatch.objects.filter(pk=old.pk).update(
        status=Dispatch.Status.SENDING, claimed_at=timezone.now() - timedelta(seconds=61)
    )
    Dispatch.objects.filter(pk=fresh.pk).update(
        status=Dispatch.Status.SENDING, claimed_at=timezone.now()
    )
    assert delivery.sweep_now()["requeued"] == 1
    run(siaran, "email")
    assert [m["to"] for m in smtp.wait_for(1)] == [["warga0@contoh.id"]]
    assert Dispatch.objects.get(pk=fresh.pk).status == Dispatch.Status.SENDING  # still owned


def test_smtp_down_puts_the_batch_back_and_retries(settings, siaran):
    from ..smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    dispatches(siaran, 3)
    with pytest.raises(RetryLater):
        run(siaran, "email")
    assert statuses(siaran) == [Q] * 3  # nothing lost
    assert all(d.next_attempt_at for d in siaran.dispatches.all())


def test_rate_limit_per_province_is_honoured(provider, siaran, settings):  # noqa: F811
    settings.DELIVERY_CHAINS = 1
    make_config("sms", provider, rate=40)
    dispatches(siaran, 20, channel="sms", addresses=[f"0812000000{i:02d}" for i in range(20)])
    began = time.monotonic()
    run(siaran, "sms")
    elapsed = time.monotonic() - began
    assert statuses(siaran) == [SENT] * 20
    assert elapsed >= 0.45  # 20 messages at 40/s
    times = [r["at"] for r in provider.requests]
    assert times[-1] - times[0] >= 0.2


def test_sms_resent_after_a_crash_is_not_delivered_twice(provider, siaran):  # noqa: F811
    make_config("sms", provider)
    [d] = dispatches(siaran, 1, channel="sms", addresses=["081234567890"])
    run(siaran, "sms")
    # As if the worker died after the gateway accepted it but before the result was written.
    Dispatch.objects.filter(pk=d.pk).update(status=Q, provider_id="")
    run(siaran, "sms")
    assert len(provider.requests) == 2 and len(provider.delivered_to("sms")) == 1
    assert Dispatch.objects.get(pk=d.pk).status == SENT


def test_periodic_sweep_restarts_due_work(smtp, siaran):
    dispatches(siaran, 2)
    result = delivery.sweep_now()
    assert result["restarted"] >= 1
    assert len(smtp.wait_for(2)) == 2
    assert statuses(siaran) == [SENT, SENT]
