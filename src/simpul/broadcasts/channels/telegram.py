"""Telegram Bot API `sendMessage` (https://core.telegram.org/bots/api#sendmessage).

Credentials: {"token": "123456:ABC...", "bot_username": "SiaranSumbarBot",
"webhook_secret": "<random>"}; base_url defaults to https://api.telegram.org.
The Bot API has no idempotency key: a message re-sent after a crash can arrive twice
(bounded, see delivery.py). Blocked bots and deleted chats (403, "chat not found") end the
subscription.
"""

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
