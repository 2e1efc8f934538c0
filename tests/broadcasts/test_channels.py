"""Every channel adapter over real sockets: e-mail to the aiosmtpd sink, Telegram, WhatsApp,
SMS and Web Push to the local fake provider server, including its failures."""

import json

import pytest

from simpul.broadcasts import channels
from simpul.broadcasts.channels.email import EmailAdapter
from simpul.broadcasts.channels.sms import SmsAdapter, sms_text
from simpul.broadcasts.channels.telegram import TelegramAdapter
from simpul.broadcasts.channels.webpush import WebPushAdapter
from simpul.broadcasts.channels.whatsapp import WhatsAppAdapter

from ..smtp import Sink, free_port, serving
from .fakeprovider import browser_subscription, make_config, provider  # noqa: F401

pytestmark = pytest.mark.django_db


def msg(i, address, **kw):
    fields = {
        "dispatch_id": i,
        "key": f"siaran-1-{i}",
        "address": address,
        "subject": "Cek Kesehatan Gratis",
        "text": "Puskesmas membuka cek kesehatan gratis.",
        "short_text": "Cek Kesehatan Gratis di puskesmas terdekat. Bawa KTP.",
        "url": "http://127.0.0.1:8000/siaran/cek-kesehatan-gratis/",
        "unsubscribe_url": f"http://127.0.0.1:8000/langganan/berhenti/token{i}/",
    }
    return channels.Message(**{**fields, **kw})


# --- e-mail --------------------------------------------------------------------------


def test_email_one_connection_headers_and_html(smtp):
    batch = [msg(i, f"warga{i}@contoh.id", html="<p>Halo</p>") for i in range(3)]
    with EmailAdapter() as adapter:
        results = adapter.send(batch)
    assert [r.status for r in results] == [channels.SENT] * 3
    got = smtp.wait_for(3)
    assert sorted(m["to"][0] for m in got) == [
        "warga0@contoh.id",
        "warga1@contoh.id",
        "warga2@contoh.id",
    ]
    first = next(m["message"] for m in got if m["to"] == ["warga0@contoh.id"])
    assert first["List-Unsubscribe"] == "<http://127.0.0.1:8000/langganan/berhenti/token0/>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == "<siaran-1-0@127.0.0.1>"
    assert first.is_multipart()
    assert {p.get_content_type() for p in first.get_payload()} == {"text/plain", "text/html"}


class RejectingSink(Sink):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("tidakada"):
            return "550 5.1.1 Mailbox tidak ada"
        if address.startswith("penuh"):
            return "452 4.2.2 Mailbox penuh"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def rejecting_smtp(settings):
    with serving(settings, RejectingSink()) as sink:
        yield sink


def test_email_refused_recipient_bounces_and_full_mailbox_retries(rejecting_smtp):
    batch = [
        msg(1, "tidakada@contoh.id"),
        msg(2, "penuh@contoh.id"),
        msg(3, "ada@contoh.id"),
    ]
    with EmailAdapter() as adapter:
        results = adapter.send(batch)
    assert [r.status for r in results] == [channels.BOUNCED, channels.RETRY, channels.SENT]
    assert "550" in results[0].error and "Mailbox tidak ada" in results[0].error
    assert "452" in results[1].error
    assert [m["to"] for m in rejecting_smtp.wait_for(1)] == [["ada@contoh.id"]]


def test_email_server_down_is_a_batch_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    with EmailAdapter() as adapter, pytest.raises(channels.BatchError) as exc:
        adapter.send([msg(1, "warga@contoh.id")])
    assert "SMTP" in exc.value.reason


# --- Telegram ------------------------------------------------------------------------


def test_telegram_send_message_shape_and_ids(provider):  # noqa: F811
    adapter = TelegramAdapter(make_config("telegram", provider))
    results = adapter.send([msg(1, "1001"), msg(2, "@kimtujuhkoto")])
    adapter.close()
    assert [r.status for r in results] == [channels.SENT, channels.SENT]
    assert results[0].provider_id and results[0].provider_id != results[1].provider_id
    req = provider.requests[0]
    assert req["path"] == "/bot123:ABC/sendMessage"
    assert req["json"]["chat_id"] == "1001"
    assert req["json"]["text"].startswith("Cek Kesehatan Gratis")
    assert [d["to"] for d in provider.delivered_to("telegram")] == ["1001", "@kimtujuhkoto"]


def test_telegram_blocked_bot_bounces(provider):  # noqa: F811
    provider.bad_addresses.add("666")
    adapter = TelegramAdapter(make_config("telegram", provider))
    results = adapter.send([msg(1, "666"), msg(2, "1002")])
    adapter.close()
    assert [r.status for r in results] == [channels.BOUNCED, channels.SENT]
    assert "bot was blocked by the user" in results[0].error


def test_telegram_429_stops_the_batch_with_retry_after(provider):  # noqa: F811
    adapter = TelegramAdapter(make_config("telegram", provider))
    adapter.send([msg(0, "1000")])
    provider.fail("/bot", "429", retry_after=11)
    with pytest.raises(channels.BatchError) as exc:
        adapter.send([msg(1, "1001"), msg(2, "1002")])
    adapter.close()
    assert exc.value.retry_after == 11
    assert exc.value.results == []
    assert len(provider.delivered_to("telegram")) == 1  # the second message was not tried


# --- WhatsApp ------------------------------------------------------------------------


def test_whatsapp_template_message_shape(provider):  # noqa: F811
    adapter = WhatsAppAdapter(make_config("whatsapp", provider))
    results = adapter.send([msg(7, "+6281234567890")])
    adapter.close()
    assert results[0].status == channels.SENT and results[0].provider_id.startswith("wamid.")
    req = provider.requests[0]
    assert req["path"] == "/v21.0/109876/messages"
    assert req["headers"]["Authorization"] == "Bearer EAAG-uji"
    body = req["json"]
    assert body["messaging_product"] == "whatsapp" and body["to"] == "6281234567890"
    assert body["template"]["name"] == "siaran_pemerintah"
    params = body["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == [
        "Cek Kesehatan Gratis",
        "http://127.0.0.1:8000/siaran/cek-kesehatan-gratis/",
    ]
    assert body["biz_opaque_callback_data"] == "siaran-1-7"


def test_whatsapp_undeliverable_number_bounces_with_reason(provider):  # noqa: F811
    provider.bad_addresses.add("6281111111111")
    adapter = WhatsAppAdapter(make_config("whatsapp", provider))
    [result] = adapter.send([msg(1, "+6281111111111")])
    adapter.close()
    assert result.status == channels.BOUNCED
    assert result.error == "whatsapp: 131026 Message undeliverable"


def test_whatsapp_missing_credentials_is_a_config_error(provider):  # noqa: F811
    config = make_config("whatsapp", provider, template="")
    with pytest.raises(channels.ConfigError):
        WhatsAppAdapter(config)


# --- SMS gateway -----------------------------------------------------------------------


def test_sms_shape_and_idempotency_key_prevents_duplicates(provider):  # noqa: F811
    adapter = SmsAdapter(make_config("sms", provider))
    first = adapter.send([msg(5, "+6281234567890")])
    again = adapter.send([msg(5, "+6281234567890")])  # e.g. re-sent after a crash
    adapter.close()
    assert first[0].status == again[0].status == channels.SENT
    assert first[0].provider_id == again[0].provider_id
    assert len(provider.delivered_to("sms")) == 1
    req = provider.requests[0]
    assert req["headers"]["Idempotency-Key"] == "siaran-1-5"
    assert req["headers"]["Authorization"] == "Bearer sms-uji"
    assert req["json"] == {
        "to": "+6281234567890",
        "text": sms_text(msg(5, "")),
        "sender": "DISKOMINFO",
        "reference": "siaran-1-5",
    }
    assert len(req["json"]["text"]) <= 160 and req["json"]["text"].endswith(
        "/cek-kesehatan-gratis/"
    )


def test_sms_text_is_cut_to_one_sms_keeping_the_link():
    long = msg(1, "", short_text="x" * 160)
    text = sms_text(long)
    assert len(text) == 160 and text.endswith(" " + long.url) and "…" in text


def test_sms_500_is_retried_per_message_and_invalid_number_bounces(provider):  # noqa: F811
    provider.bad_addresses.add("+6289999999999")
    provider.fail("/sms", "500", times=1)
    adapter = SmsAdapter(make_config("sms", provider))
    results = adapter.send(
        [msg(1, "+6281200000001"), msg(2, "+6289999999999"), msg(3, "+6281200000003")]
    )
    adapter.close()
    assert [r.status for r in results] == [channels.RETRY, channels.BOUNCED, channels.SENT]
    assert "500" in results[0].error and "invalid_number" in results[1].error


def test_sms_provider_down_three_times_in_a_row_is_a_batch_error(provider):  # noqa: F811
    provider.fail("/sms", "500", times=3)
    adapter = SmsAdapter(make_config("sms", provider))
    with pytest.raises(channels.BatchError) as exc:
        adapter.send([msg(i, f"+62812000000{i:02d}") for i in range(5)])
    adapter.close()
    assert len(exc.value.results) == 3 and {r.status for r in exc.value.results} == {channels.RETRY}
    assert len(provider.requests) == 3  # it stopped hammering a provider that is down


def test_sms_timeout_and_slow_answers(provider):  # noqa: F811
    provider.fail("/sms", "timeout", times=1, delay=1.5)
    provider.fail("/sms", "slow", times=1, delay=0.3)  # applies after the timeout is used
    adapter = SmsAdapter(make_config("sms", provider, timeout=0.5))
    results = adapter.send([msg(1, "+6281200000001"), msg(2, "+6281200000002")])
    adapter.close()
    assert results[0].status == channels.RETRY and "timeout" in results[0].error
    assert results[1].status == channels.SENT


def test_sms_without_gateway_url_is_a_config_error(db):
    config = make_config("sms", None)
    with pytest.raises(channels.ConfigError):
        SmsAdapter(config)


# --- Web Push ------------------------------------------------------------------------


def test_webpush_encrypted_with_vapid_and_topic(provider):  # noqa: F811
    sub = browser_subscription(provider)
    adapter = WebPushAdapter(make_config("webpush", provider))
    [result] = adapter.send([msg(3, json.dumps(sub), priority="darurat")])
    adapter.close()
    assert result.status == channels.SENT
    [got] = provider.delivered_to("webpush")
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert headers["ttl"] == str(24 * 3600)
    assert headers["urgency"] == "high"
    assert len(headers["topic"]) == 32
    assert got["bytes"] > 100  # encrypted payload, not the plain JSON


def test_webpush_gone_subscription_bounces(provider):  # noqa: F811
    provider.bad_addresses.add("/push/hilang")
    adapter = WebPushAdapter(make_config("webpush", provider))
    results = adapter.send(
        [
            msg(1, json.dumps(browser_subscription(provider, "hilang"))),
            msg(2, "bukan json"),
        ]
    )
    adapter.close()
    assert [r.status for r in results] == [channels.BOUNCED, channels.BOUNCED]
    assert "410" in results[0].error
