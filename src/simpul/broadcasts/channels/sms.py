"""A generic HTTP SMS gateway, for provinces that contract one.

The shape Simpul speaks (the gateway, or a small shim in front of it, must accept it):

    POST <base_url>
    Authorization: Bearer <token>
    Idempotency-Key: <dispatch key>
    Content-Type: application/json

    {"to": "+6281234567890", "text": "<= 160 characters", "sender": "DISKOMINFO",
     "reference": "<dispatch key>"}

Answers: 2xx {"id": "<gateway message id>", "status": "accepted"} = sent; 429 with
Retry-After = slow down; 5xx = try again later; other 4xx {"error": "<reason>"} = failed
(error "invalid_number" / "unreachable" ends the subscription). The gateway must treat a
repeated Idempotency-Key as the same message (answer 2xx, send nothing): that is what makes
SMS duplicates zero after a crash or a timeout.

Credentials: {"token": "...", "sender": "DISKOMINFO"}.
"""

from .http import HttpAdapter

BOUNCE_ERRORS = {"invalid_number", "unreachable", "blacklisted"}
SMS_MAX = 160


def sms_text(m):
    """Short text plus the link, cut to one SMS (the link is kept whole)."""
    link = f" {m.url}" if m.url else ""
    room = SMS_MAX - len(link)
    text = m.short_text if len(m.short_text) <= room else m.short_text[: max(room - 1, 0)] + "…"
    return (text + link)[:SMS_MAX] if len(link) < SMS_MAX else text[:SMS_MAX]


class SmsAdapter(HttpAdapter):
    channel = "sms"
    required = ("token",)

    def __init__(self, config=None):
        super().__init__(config)
        if not self.base_url:
            from .base import ConfigError

            self.close()
            raise ConfigError("sms: the gateway URL (base_url) is not set")

    def request(self, m):
        body = {
            "to": m.address,
            "text": sms_text(m),
            "sender": self.credentials.get("sender", ""),
            "reference": m.key,
        }
        headers = {"Authorization": f"Bearer {self.credentials['token']}", "Idempotency-Key": m.key}
        return self.base_url, body, headers

    def provider_id(self, data):
        return data.get("id", "")

    def error_reason(self, response, data):
        return f"HTTP {response.status_code} {data.get('error', '')}".strip()

    def is_bounce(self, response, data):
        return data.get("error") in BOUNCE_ERRORS
