"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import contextlib
import email
import socket
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": msg})
        return "250 OK"

    def wait_for(self, count=1, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def bodies(self):
        out = []
        for m in self.messages:
            part = m["message"]
            if part.is_multipart():
                part = part.get_payload(0)
            out.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
        return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(settings, handler):
    """Django's SMTP backend pointed at `handler` (an aiosmtpd handler) on loopback."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()
