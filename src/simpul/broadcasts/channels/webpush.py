"""Web Push (RFC 8030/8291/8292) with pywebpush; VAPID keys from ProviderConfig.

Credentials: {"vapid_private_key": "<base64url raw key or PEM>", "vapid_public_key":
"<base64url, given to browsers>", "subject": "mailto:siaran@sumbarprov.go.id"}.
The subscriber's address is the browser's subscription JSON ({"endpoint", "keys": {"p256dh",
"auth"}}). 404/410 from the push service = the subscription is gone (bounced). Each message
carries `Topic: <dispatch key>`: a repeat sent while the first is still waiting at the push
service replaces it instead of showing twice (not a guarantee once delivered).
"""

import hashlib
import json

import requests
from pywebpush import WebPushException, webpush

from .base import (
    BOUNCED,
    FAILED,
    RETRY,
    SENT,
    Adapter,
    BatchError,
    ConfigError,
    Result,
    parse_retry_after,
)


class WebPushAdapter(Adapter):
    channel = "webpush"

    def __init__(self, config=None):
        super().__init__(config)
        if not self.credentials.get("vapid_private_key"):
            raise ConfigError("webpush: credentials lack vapid_private_key")
        self.session = requests.Session()

    def send(self, batch):
        results = []
        for m in batch:
            try:
                info = json.loads(m.address)
                info["endpoint"]  # noqa: B018 - a subscription without endpoint is unusable
            except (ValueError, KeyError, TypeError):
                results.append(Result(m.dispatch_id, BOUNCED, error="webpush: langganan rusak"))
                continue
            payload = json.dumps(
                {"title": m.subject, "body": m.short_text, "url": m.url}, ensure_ascii=False
            )
            # Topic: at most 32 URL-safe characters.
            topic = hashlib.sha256(m.key.encode()).hexdigest()[:32]
            try:
                response = webpush(
                    info,
                    data=payload,
                    vapid_private_key=self.credentials["vapid_private_key"],
                    vapid_claims={"sub": self.credentials.get("subject", "mailto:admin@localhost")},
                    ttl=24 * 3600,
                    timeout=10,
                    headers={"Topic": topic, "Urgency": _urgency(m.priority)},
                    requests_session=self.session,
                )
            except WebPushException as exc:
                result = _judge(m, exc.response, str(exc))
                if result is None:
                    raise BatchError(
                        "webpush: 429",
                        retry_after=parse_retry_after(exc.response.headers.get("Retry-After"), 30),
                        results=results,
                    ) from exc
                results.append(result)
                continue
            except requests.RequestException as exc:
                results.append(Result(m.dispatch_id, RETRY, error=f"webpush: {exc}"[:500]))
                continue
            except (ValueError, TypeError) as exc:  # bad keys in the subscription
                results.append(Result(m.dispatch_id, BOUNCED, error=f"webpush: {exc}"[:500]))
                continue
            result = _judge(m, response, "")
            if result is None:
                raise BatchError("webpush: 429", retry_after=30, results=results)
            results.append(result)
        return results

    def close(self):
        self.session.close()


def _urgency(priority):
    return {"darurat": "high", "klarifikasi": "high", "penting": "normal"}.get(priority, "normal")


def _judge(m, response, text):
    if response is None:
        return Result(m.dispatch_id, RETRY, error=f"webpush: {text}"[:500])
    code = response.status_code
    if 200 <= code < 300:
        return Result(m.dispatch_id, SENT, provider_id=response.headers.get("Location", "")[:200])
    if code == 429:
        return None
    reason = f"webpush: HTTP {code} {response.text[:200]}".strip()
    if code in (404, 410):
        return Result(m.dispatch_id, BOUNCED, error=reason)
    if code >= 500:
        return Result(m.dispatch_id, RETRY, error=reason)
    return Result(m.dispatch_id, FAILED, error=reason)
