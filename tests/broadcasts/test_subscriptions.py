"""Citizens subscribe (/langganan/): double opt-in by e-mail and SMS, Telegram /start and
/stop, Web Push, one-click unsubscribe (RFC 8058), topics; nobody subscribes someone else."""

import json
import re

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from simpul.broadcasts import subscriptions as subs
from simpul.broadcasts.models import Subscriber
from simpul.registry.models import Sector

from ..factories import UserFactory, assign
from .factories import SubscriberFactory
from .fakeprovider import browser_subscription, make_config, provider  # noqa: F401

pytestmark = pytest.mark.django_db

START = "/langganan/"


def form(**kw):
    data = {
        "channel": "email",
        "address": "siti@contoh.id",
        "kabkota": "13.07",
        "kecamatan": "",
        "desa": "",
        "all_topics": "on",
        "consent": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def confirm_link(text):
    return re.search(r"http://127\.0\.0\.1:8000(/langganan/konfirmasi/[\w-]+/)", text).group(1)


def test_form_page_works_without_javascript(client):
    r = client.get(START)
    assert r.status_code == 200
    html = r.content.decode()
    assert '<option value="13.07">' in html and 'name="consent"' in html
    assert 'for="id_address"' in html and 'for="id_kabkota"' in html


def test_form_page_within_the_public_page_budget(client):
    import gzip

    html = client.get(START).content
    css = b"".join(
        client.get(href.decode()).getvalue()
        for href in re.findall(rb'href="(/static/[^"]+\.css)"', html)
    )
    js = b"".join(
        client.get(src.decode()).getvalue() for src in re.findall(rb'src="(/[^"]+\.js)"', html)
    )
    total = sum(len(gzip.compress(part)) for part in (html, css, js))
    assert total <= 30 * 1024, total


def test_refine_shows_kecamatan_then_desa(client):
    r = client.post(START, form(refine="1"))
    assert r.status_code == 200 and '<option value="13.07.07">' in r.content.decode()
    r = client.post(START, form(refine="1", kecamatan="13.07.07", address=""))
    html = r.content.decode()
    assert '<option value="13.07.07.2002">' in html
    assert '<option value="13.07.07" selected>' in html
    assert "errorlist" not in html  # refining is not submitting
    assert not Subscriber.objects.exists()


def test_email_double_opt_in(client, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(START, form(kecamatan="13.07.07", desa="13.07.07.2002"))
    assert r.status_code == 302 and r["Location"] == reverse("langganan:sent")
    sub = Subscriber.objects.get()
    assert sub.status == Subscriber.Status.PENDING and sub.region_code == "13.07.07.2002"
    assert sub.address == "siti@contoh.id" and len(sub.token) >= 43
    assert "siti@contoh.id" not in Subscriber.objects.values_list("address_hash", flat=True)[0]
    [mail] = smtp.wait_for(1)
    assert mail["to"] == ["siti@contoh.id"]
    link = confirm_link(smtp.bodies()[0])
    page = client.get(link)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and b"siti@contoh.id" not in page.content
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.PENDING
    r = client.post(link)
    assert r.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.ACTIVE and sub.confirmed_at


def test_nobody_can_change_someone_elses_subscription(
    client, smtp, django_capture_on_commit_callbacks
):
    owner = SubscriberFactory(
        address="siti@contoh.id", address_hash=subs.address_hash("email", "siti@contoh.id")
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(START, form(kabkota="13.75"))
    assert r.status_code == 302  # same answer as for a new address
    owner.refresh_from_db()
    assert owner.region_code == "13.07.07.2002" and owner.status == Subscriber.Status.ACTIVE
    assert Subscriber.objects.count() == 1
    assert "sudah berlangganan" in smtp.wait_for(1)[0]["message"]["Subject"]
    assert "konfirmasi" not in smtp.bodies()[0]


def test_invalid_email_error_names_the_field(client):
    r = client.post(START, form(address="siti@"))
    assert r.status_code == 200
    assert "Alamat e-mail atau nomor HP: Alamat e-mail tidak valid" in r.content.decode()
    assert not Subscriber.objects.exists()


def test_consent_is_required(client):
    r = client.post(START, form(consent=None))
    assert "Centang persetujuan untuk berlangganan." in r.content.decode()
    assert not Subscriber.objects.exists()


def test_channel_not_configured_in_the_province_is_refused(client):
    r = client.post(START, form(channel="sms", address="0812 3456 7890"))
    assert r.status_code == 200 and "Kirim lewat" in r.content.decode()
    assert not Subscriber.objects.exists()


def test_sms_phone_normalised_and_confirmed_by_sms(
    client,
    provider,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    make_config("sms", provider, region_code="13")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(START, form(channel="sms", address="0812-3456-7890"))
    assert r.status_code == 302
    sub = Subscriber.objects.get()
    assert sub.address == "+6281234567890" and sub.status == Subscriber.Status.PENDING
    [sms] = provider.delivered_to("sms")
    assert sms["to"] == "+6281234567890" and len(sms["text"]) <= 160
    link = re.search(r"/langganan/konfirmasi/[\w-]+/", sms["text"]).group(0)
    client.post(link)
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.ACTIVE


def test_bad_phone_number_error(client, provider):  # noqa: F811
    make_config("whatsapp", provider)
    r = client.post(START, form(channel="whatsapp", address="12345"))
    assert "Alamat e-mail atau nomor HP: Nomor telepon" in r.content.decode()


def test_unsubscribe_page_then_post(client):
    sub = SubscriberFactory()
    url = reverse("langganan:unsubscribe", kwargs={"token": sub.token})
    assert client.get(url).status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.ACTIVE
    r = client.post(url)
    assert r.status_code == 200 and "sudah berhenti" in r.content.decode()
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED and sub.ended_at


def test_rfc8058_one_click_post_without_csrf_token():
    sub = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        reverse("langganan:unsubscribe", kwargs={"token": sub.token}),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED
    assert sub.end_reason == "List-Unsubscribe-Post"


@pytest.mark.parametrize("name", ["confirm", "unsubscribe", "manage"])
def test_unknown_tokens_are_404(client, name):
    SubscriberFactory()
    r = client.get(reverse(f"langganan:{name}", kwargs={"token": "tebak-tebakan"}))
    assert r.status_code == 404


def test_manage_changes_topics(client):
    sub = SubscriberFactory()
    pertanian = Sector.objects.get(slug="pertanian")
    url = reverse("langganan:manage", kwargs={"token": sub.token})
    r = client.post(url, {"topics": [pertanian.pk]})
    assert r.status_code == 200 and "Topik disimpan." in r.content.decode()
    sub.refresh_from_db()
    assert sub.all_topics is False and list(sub.topics.all()) == [pertanian]


# --- Telegram -----------------------------------------------------------------------


def webhook(client, secret, update, **headers):
    return client.post(
        f"/langganan/telegram/{secret}/",
        json.dumps(update),
        content_type="application/json",
        **headers,
    )


def message(chat_id, text):
    return {"update_id": 1, "message": {"message_id": 5, "chat": {"id": chat_id}, "text": text}}


def test_telegram_start_links_the_chat_and_stop_ends_it(client, provider):  # noqa: F811
    make_config("telegram", provider)
    r = client.post(START, form(channel="telegram", address=""))
    assert r.status_code == 302
    sub = Subscriber.objects.get()
    assert sub.status == Subscriber.Status.PENDING and sub.address == ""
    page = client.get(reverse("langganan:sent")).content.decode()
    assert f"https://t.me/SiaranUjiBot?start={sub.token}" in page

    r = webhook(
        client,
        "rahasia-webhook-uji",
        message(424242, f"/start {sub.token}"),
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="rahasia-webhook-uji",
    )
    assert r.status_code == 200
    assert r.json()["method"] == "sendMessage" and r.json()["chat_id"] == 424242
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.ACTIVE and sub.address == "424242"

    r = webhook(client, "rahasia-webhook-uji", message(424242, "/stop"))
    assert "berhenti" in r.json()["text"]
    sub.refresh_from_db()
    assert sub.status == Subscriber.Status.UNSUBSCRIBED


def test_telegram_start_with_a_wrong_token_links_nothing(client, provider):  # noqa: F811
    make_config("telegram", provider)
    r = webhook(client, "rahasia-webhook-uji", message(1, "/start bukan-token"))
    assert "tidak berlaku" in r.json()["text"]
    assert not Subscriber.objects.exists()


def test_telegram_webhook_with_wrong_secret_is_404(client, provider):  # noqa: F811
    make_config("telegram", provider)
    assert webhook(client, "salah", message(1, "/stop")).status_code == 404
    r = webhook(
        client,
        "rahasia-webhook-uji",
        message(1, "/stop"),
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="salah",
    )
    assert r.status_code == 404


def test_kim_telegram_channel_connect_allowed_for_its_pengurus(pengurus, kim, provider):  # noqa: F811
    make_config("telegram", provider)
    sub = subs.kim_telegram_connect(actor=pengurus, kim=kim, chat="@kimtujuhkoto")
    assert sub.kim_id == kim.pk and sub.status == Subscriber.Status.ACTIVE
    assert sub.region_code == kim.region_code and sub.address == "@kimtujuhkoto"


def test_kim_telegram_channel_connect_denied_for_another_kim(kim, sibling_kim, provider):  # noqa: F811
    from simpul.accounts.roles import Role

    make_config("telegram", provider)
    other = UserFactory()
    assign(other, Role.PENGURUS, kim=sibling_kim)
    with pytest.raises(Http404):
        subs.kim_telegram_connect(actor=other, kim=kim, chat="@kimtujuhkoto")
    assert not Subscriber.objects.exists()


# --- Web Push ------------------------------------------------------------------------


def test_webpush_subscribe_is_active_at_once(client, provider):  # noqa: F811
    make_config("webpush", provider, vapid_public_key="BPublik")
    assert 'data-key="BPublik"' in client.get(START).content.decode()
    r = client.post(
        reverse("langganan:webpush"),
        {"subscription": json.dumps(browser_subscription(provider)), "wilayah": "13.07"},
    )
    assert r.status_code == 200 and r.json()["ok"] is True
    sub = Subscriber.objects.get()
    assert sub.channel == "webpush" and sub.status == Subscriber.Status.ACTIVE


def test_webpush_bad_subscription_or_missing_csrf_refused(provider):  # noqa: F811
    make_config("webpush", provider)
    client = Client()
    r = client.post(reverse("langganan:webpush"), {"subscription": "{}", "wilayah": "13.07"})
    assert r.status_code == 400 and "rusak" in r.json()["error"]
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(
        reverse("langganan:webpush"),
        {"subscription": json.dumps(browser_subscription(provider)), "wilayah": "13.07"},
    )
    assert r.status_code == 403
    assert not Subscriber.objects.exists()


def test_service_worker_script_served(client):
    r = client.get(reverse("langganan:sw"))
    assert r.status_code == 200 and b"showNotification" in r.content
    assert r["Content-Type"].startswith("text/javascript")


# --- Django admin ----------------------------------------------------------------------


def test_admin_never_lists_addresses(login):
    root = UserFactory(is_staff=True, is_superuser=True)
    SubscriberFactory(address="rahasia.warga@contoh.id")
    client = login(root)
    r = client.get("/admin/broadcasts/subscriber/")
    assert r.status_code == 200 and b"rahasia.warga" not in r.content
    sub = Subscriber.objects.get()
    r = client.get(f"/admin/broadcasts/subscriber/{sub.pk}/change/")
    assert r.status_code == 200
    assert b"ra***@contoh.id" in r.content and b"rahasia.warga" not in r.content


def test_admin_denied_to_office_roles(login, admin_sumbar):
    r = login(admin_sumbar).get("/admin/broadcasts/subscriber/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_kim_telegram_page_connects_for_pengurus(login, pengurus, kim, provider):  # noqa: F811
    make_config("telegram", provider)
    client = login(pengurus)
    url = reverse("langganan:kim-telegram", kwargs={"slug": kim.slug})
    assert client.get(url).status_code == 200
    r = client.post(url, {"chat": "@kimtujuhkoto"})
    assert r.status_code == 302
    assert Subscriber.objects.get(kim=kim).address == "@kimtujuhkoto"
    client.post(url, {"action": "disconnect"})
    assert Subscriber.objects.get(kim=kim).status == Subscriber.Status.UNSUBSCRIBED


def test_kim_telegram_page_is_404_outside_the_kim(login, anggota, kim, sibling_kim, client):
    url = reverse("langganan:kim-telegram", kwargs={"slug": kim.slug})
    assert client.get(url).status_code == 404  # anonymous
    other = UserFactory()
    from simpul.accounts.roles import Role

    assign(other, Role.PENGURUS, kim=sibling_kim)
    assert login(other).get(url).status_code == 404
    assert login(anggota).post(url, {"chat": "@kimtujuhkoto"}).status_code == 404  # not an officer
    assert not Subscriber.objects.exists()


# --- simpul telegram_webhook ------------------------------------------------------------


def test_telegram_webhook_command_points_the_bot_at_simpul(client, provider, settings):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    from simpul.audit.models import Event

    settings.SITE_URL = "https://simpul.contoh.id"
    config = make_config("telegram", provider, webhook_secret="")
    out = StringIO()
    call_command("telegram_webhook", stdout=out, stderr=StringIO())
    config.refresh_from_db()
    secret = json.loads(config.credentials)["webhook_secret"]
    assert len(secret) >= 32  # made, since it was missing
    (call,) = [r for r in provider.requests if r["path"].endswith("/setWebhook")]
    assert call["path"] == "/bot123:ABC/setWebhook"
    assert call["json"] == {
        "url": f"https://simpul.contoh.id/langganan/telegram/{secret}/",
        "secret_token": secret,
        "allowed_updates": ["message"],
    }
    assert "webhook terpasang" in out.getvalue() and secret not in out.getvalue()
    assert Event.objects.filter(action="broadcasts.provider.telegram_webhook").exists()
    # What Telegram then sends reaches the subscriptions with that secret.
    r = webhook(client, secret, message(7, "/stop"), HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=secret)
    assert r.status_code == 200
    # Run again: the same secret is kept (the bot's URL does not change).
    call_command("telegram_webhook", stdout=StringIO(), stderr=StringIO())
    config.refresh_from_db()
    assert json.loads(config.credentials)["webhook_secret"] == secret


def test_telegram_webhook_command_reports_telegrams_refusal(provider, caplog):  # noqa: F811
    import logging
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_config("telegram", provider)
    provider.fail("/bot", "500")
    err = StringIO()
    with pytest.raises(CommandError, match="1 dari 1 bot Telegram gagal"):
        call_command("telegram_webhook", stdout=StringIO(), stderr=err)
    assert "gagal" in err.getvalue()
    # The bot token is in the Bot API's URL: it must not reach the logs.
    assert "123:ABC" not in caplog.text and "123:ABC" not in err.getvalue()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    with pytest.raises(CommandError, match="Tidak ada penyedia Telegram"):
        call_command("telegram_webhook", "--region", "14", stdout=StringIO(), stderr=StringIO())


def test_telegram_webhook_command_says_how_to_fix_missing_credentials(provider):  # noqa: F811
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_config("telegram", provider, token="")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("telegram_webhook", stdout=StringIO(), stderr=err)
    assert "belum berisi token bot" in err.getvalue() and "@BotFather" in err.getvalue()
    assert not [r for r in provider.requests if r["path"].endswith("/setWebhook")]
