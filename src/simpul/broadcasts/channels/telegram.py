"""Telegram Bot API `sendMessage` (https://core.telegram.org/bots/api#sendmessage).

Credentials: {"token": "123456:ABC...", "bot_username": "SiaranSumbarBot",
"webhook_secret": "<random>"}; base_url defaults to https://api.telegram.org.
`simpul telegram_webhook` points the bot at Simpul (`setWebhook`, see `set_webhook`).
The Bot API has no idempotency key: a message re-sent after a crash can arrive twice
(bounded, see delivery.py). Blocked bots and deleted chats (403, "chat not found") end the
subscription.
"""

import httpx

from .base import parse_retry_after
from .http import DEFAULT_RETRY_AFTER, HttpAdapter


class TelegramAdapter(HttpAdapter):
    channel = "telegram"
    default_base_url = "https://api.telegram.org"
    required = ("token",)

    def request(self, m):
        body = {
            "chat_id": m.address,
            "text": f"{m.subject}\n\n{m.text}".strip()[:4096],
            "disable_web_page_preview": False,
        }
        return f"{self.base_url}/bot{self.credentials['token']}/sendMessage", body, {}

    def provider_id(self, data):
        result = data.get("result") or {}
        return result.get("message_id", "")

    def error_reason(self, response, data):
        return f"{data.get('error_code', response.status_code)} {data.get('description', '')}"

    def is_bounce(self, response, data):
        text = str(data.get("description", "")).lower()
        return response.status_code == 403 or "chat not found" in text

    def retry_after(self, response, data):
        params = data.get("parameters") or {}
        header = parse_retry_after(response.headers.get("Retry-After"), DEFAULT_RETRY_AFTER)
        return parse_retry_after(params.get("retry_after"), header)

    def set_webhook(self, url, secret):
        """Bot API `setWebhook`: Telegram then POSTs every message to the bot to `url`, with
        `secret` in the X-Telegram-Bot-Api-Secret-Token header. Returns "" on success, else
        Telegram's reason (or the network error)."""
        endpoint = f"{self.base_url}/bot{self.credentials['token']}/setWebhook"
        body = {"url": url, "secret_token": secret, "allowed_updates": ["message"]}
        try:
            response = self.client.post(endpoint, json=body)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            return str(exc) or type(exc).__name__
        if response.status_code == 200 and data.get("ok"):
            return ""
        return self.error_reason(response, data).strip()
