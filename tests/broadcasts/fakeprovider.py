"""ONE local HTTP server (127.0.0.1, random port, in a thread) that speaks the request and
response shapes the Simpul adapters use, and can be told to fail.

Paths:
- Telegram Bot API: POST /bot<token>/sendMessage (and any other /bot<token>/<method>)
- WhatsApp Cloud API: POST /<version>/<phone_number_id>/messages
- SMS gateway (simpul.broadcasts.channels.sms): POST /sms — honours Idempotency-Key
- Web Push endpoints: POST /push/<anything>

`server.fail(prefix, kind, times=1, ...)` makes the next `times` requests whose path starts
with `prefix` answer with `kind`: "429" (Retry-After: retry_after), "500", "slow" (answer
normally after `delay` seconds) or "timeout" (sleep `delay` seconds, then drop the
connection without an answer). Per-address failures: `server.bad_addresses` (Telegram chat
ids / phone numbers that the provider calls dead).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeProvider:
    def __init__(self):
        self.requests = []  # every request: {"path", "headers", "json", "at"}
        self.delivered = []  # accepted messages: {"kind", "to", "text", "key", ...}
        self.bad_addresses = set()
        self._failures = []  # [prefix, kind, remaining, retry_after, delay]
        self._sms_keys = {}
        self._next_id = 0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"provider": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail(self, prefix, kind, *, times=1, retry_after=7, delay=0.0):
        with self._lock:
            self._failures.append([prefix, str(kind), times, retry_after, delay])

    def delivered_to(self, kind):
        return [d for d in self.delivered if d["kind"] == kind]

    # called from handler threads --------------------------------------------------

    def _take_failure(self, path):
        with self._lock:
            for f in self._failures:
                if path.startswith(f[0]) and f[2] > 0:
                    f[2] -= 1
                    return f[1], f[3], f[4]
        return None

    def _new_id(self):
        with self._lock:
            self._next_id += 1
            return self._next_id


class _Handler(BaseHTTPRequestHandler):
    provider: FakeProvider
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": len(raw)}
        p = self.provider
        with p._lock:
            p.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": body, "at": time.time()}
            )
        failure = p._take_failure(self.path)
        if failure:
            kind, retry_after, delay = failure
            if kind == "timeout":
                time.sleep(delay)
                self.close_connection = True
                return
            if kind == "slow":
                time.sleep(delay)
            elif kind == "429":
                return self._reply_429(retry_after)
            elif kind == "500":
                return self._json(500, {"error": "internal error"})
        if self.path.startswith("/bot"):
            return self._telegram(body)
        if self.path.endswith("/messages"):
            return self._whatsapp(body)
        if self.path.startswith("/sms"):
            return self._sms(body)
        if self.path.startswith("/push/"):
            return self._push(raw)
        return self._json(404, {"error": "no such path"})

    # shapes ---------------------------------------------------------------------

    def _reply_429(self, retry_after):
        if self.path.startswith("/bot"):
            data = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            }
        elif self.path.endswith("/messages"):
            data = {
                "error": {"message": "Rate limit hit", "type": "OAuthException", "code": 130429}
            }
        else:
            data = {"error": "rate_limited"}
        return self._json(429, data, headers={"Retry-After": str(retry_after)})

    def _telegram(self, body):
        p = self.provider
        chat = str(body.get("chat_id", ""))
        if chat in p.bad_addresses:
            return self._json(
                403,
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
            )
        mid = p._new_id()
        method = self.path.rsplit("/", 1)[-1]
        if method == "sendMessage":
            with p._lock:
                p.delivered.append({"kind": "telegram", "to": chat, "text": body.get("text", "")})
        return self._json(200, {"ok": True, "result": {"message_id": mid, "chat": {"id": chat}}})

    def _whatsapp(self, body):
        p = self.provider
        to = str(body.get("to", ""))
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return self._json(
                401, {"error": {"message": "Invalid OAuth access token", "code": 190}}
            )
        if to in p.bad_addresses or ("+" + to) in p.bad_addresses:
            return self._json(400, {"error": {"message": "Message undeliverable", "code": 131026}})
        wamid = f"wamid.{p._new_id()}"
        with p._lock:
            p.delivered.append(
                {
                    "kind": "whatsapp",
                    "to": to,
                    "template": body.get("template", {}),
                    "key": body.get("biz_opaque_callback_data", ""),
                }
            )
        return self._json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )

    def _sms(self, body):
        p = self.provider
        key = self.headers.get("Idempotency-Key", "")
        to = str(body.get("to", ""))
        if to in p.bad_addresses:
            return self._json(400, {"error": "invalid_number"})
        with p._lock:
            if key and key in p._sms_keys:  # a repeat: same answer, nothing sent
                return self._json(200, {"id": p._sms_keys[key], "status": "accepted"})
        sid = f"sms-{p._new_id()}"
        with p._lock:
            if key:
                p._sms_keys[key] = sid
            p.delivered.append({"kind": "sms", "to": to, "text": body.get("text", ""), "key": key})
        return self._json(202, {"id": sid, "status": "accepted"})

    def _push(self, raw):
        p = self.provider
        endpoint = self.path
        if endpoint in p.bad_addresses:
            return self._json(410, {"error": "subscription expired"})
        with p._lock:
            p.delivered.append(
                {
                    "kind": "webpush",
                    "to": endpoint,
                    "bytes": len(raw),
                    "headers": dict(self.headers),
                }
            )
        body = b""
        self.send_response(201)
        self.send_header("Location", f"{p.url}/msg/{p._new_id()}")
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, data, headers=None):
        payload = json.dumps(data).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


# --- pytest fixtures (import them into a test module) -----------------------------


def _fixture():
    import pytest

    @pytest.fixture
    def provider():
        server = FakeProvider().start()
        try:
            yield server
        finally:
            server.stop()

    return provider


provider = _fixture()


def make_config(channel, provider, *, region_code="", rate=1000, **credentials):
    """A ProviderConfig pointed at the fake server, with working credentials by default."""
    from simpul.broadcasts.models import ProviderConfig

    defaults = {
        "telegram": (
            {
                "token": "123:ABC",
                "bot_username": "SiaranUjiBot",
                "webhook_secret": "rahasia-webhook-uji",
            },
            "",
        ),
        "whatsapp": (
            {
                "token": "EAAG-uji",
                "phone_number_id": "109876",
                "template": "siaran_pemerintah",
                "version": "v21.0",
            },
            "",
        ),
        "sms": ({"token": "sms-uji", "sender": "DISKOMINFO"}, "/sms"),
        "webpush": ({"vapid_private_key": _vapid_key(), "subject": "mailto:uji@contoh.id"}, ""),
    }
    creds, path = defaults.get(channel, ({}, ""))
    creds = {**creds, **credentials}
    return ProviderConfig.objects.create(
        region_code=region_code,
        channel=channel,
        base_url=provider.url + path if provider else "",
        credentials=json.dumps(creds),
        rate_per_second=rate,
    )


def _vapid_key():
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid02, b64urlencode

    v = Vapid02()
    v.generate_keys()
    raw = v.private_key.private_numbers().private_value.to_bytes(32, "big")
    del serialization
    return b64urlencode(raw)


def browser_subscription(provider, name="peramban-1"):
    """A Web Push subscription as a browser would make it: a real P-256 key pair and auth."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    return {
        "endpoint": f"{provider.url}/push/{name}",
        "keys": {"p256dh": b64(public), "auth": b64(os.urandom(16))},
    }
