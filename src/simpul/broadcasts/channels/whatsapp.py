"""WhatsApp Cloud API template message (POST /<version>/<phone_number_id>/messages).

Credentials: {"token": "<system user token>", "phone_number_id": "1234567890",
"template": "siaran_pemerintah", "language": "id", "version": "v21.0"}; base_url defaults
to https://graph.facebook.com. Outside the 24-hour window WhatsApp only delivers approved
templates; ours has two body parameters: {{1}} the title, {{2}} the link.
The Cloud API has no idempotency key: the dispatch key goes in `biz_opaque_callback_data`
(echoed in status webhooks, a reference only). Duplicates after a crash are bounded.
"""

from .http import HttpAdapter

# Cloud API error codes meaning the number cannot receive (not on WhatsApp, undeliverable).
BOUNCE_CODES = {131026, 131030, 133010}


class WhatsAppAdapter(HttpAdapter):
    channel = "whatsapp"
    default_base_url = "https://graph.facebook.com"
    required = ("token", "phone_number_id", "template")

    def request(self, m):
        c = self.credentials
        version = c.get("version") or "v21.0"
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": m.address.lstrip("+"),
            "type": "template",
            "template": {
                "name": c["template"],
                "language": {"code": c.get("language") or "id"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": m.subject[:200]},
                            {"type": "text", "text": m.url},
                        ],
                    }
                ],
            },
            "biz_opaque_callback_data": m.key,
        }
        headers = {"Authorization": f"Bearer {c['token']}"}
        return f"{self.base_url}/{version}/{c['phone_number_id']}/messages", body, headers

    def provider_id(self, data):
        messages = data.get("messages") or [{}]
        return messages[0].get("id", "")

    def error_reason(self, response, data):
        err = data.get("error") or {}
        return f"{err.get('code', response.status_code)} {err.get('message', '')}".strip()

    def is_bounce(self, response, data):
        return (data.get("error") or {}).get("code") in BOUNCE_CODES
