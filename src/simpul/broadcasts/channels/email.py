"""E-mail over SMTP (any provider): one connection per delivery task, reused for the batch.

Every message carries `List-Unsubscribe` (the one-click link) and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058), and a Message-ID derived from the dispatch, so a
message re-sent after a crash has the same Message-ID (many mail systems drop the repeat).

Credentials (ProviderConfig, optional; without one Django's EMAIL_* settings are used):
{"host": "smtp.example.id", "port": 587, "username": "...", "password": "...",
 "use_tls": true, "from": "Diskominfo Sumbar <siaran@sumbarprov.go.id>"}
"""

import contextlib
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .base import BOUNCED, FAILED, RETRY, SENT, Adapter, BatchError, Result

CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


def message_id(key):
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<{key}@{domain or 'simpul.local'}>"


class EmailAdapter(Adapter):
    channel = "email"

    def __init__(self, config=None):
        super().__init__(config)
        self.connection = None
        self.from_email = self.credentials.get("from") or settings.DEFAULT_FROM_EMAIL

    def _connection(self):
        if self.connection is None:
            c = self.credentials
            if c.get("host"):
                self.connection = get_connection(
                    "django.core.mail.backends.smtp.EmailBackend",
                    host=c["host"],
                    port=int(c.get("port") or 25),
                    username=c.get("username") or "",
                    password=c.get("password") or "",
                    use_tls=bool(c.get("use_tls")),
                    use_ssl=bool(c.get("use_ssl")),
                    timeout=20,
                )
            else:
                self.connection = get_connection()
            try:
                self.connection.open()
            except CONNECTION_ERRORS as exc:
                self.connection = None
                raise BatchError(f"SMTP: {exc}", retry_after=None) from exc
        return self.connection

    def build(self, m):
        headers = {"Message-ID": message_id(m.key)}
        if m.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{m.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg = EmailMultiAlternatives(
            subject=m.subject,
            body=m.text,
            from_email=self.from_email,
            to=[m.address],
            headers=headers,
            connection=self.connection,
        )
        if m.html:
            msg.attach_alternative(m.html, "text/html")
        return msg

    def send(self, batch):
        results = []
        for m in batch:
            connection = self._connection()
            try:
                connection.send_messages([self.build(m)])
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()), (550, b""))
                results.append(_refused(m, code, reason))
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                status = RETRY if 400 <= exc.smtp_code < 500 else FAILED
                results.append(Result(m.dispatch_id, status, error=_reason(exc)))
            except CONNECTION_ERRORS + (socket.timeout,) as exc:
                self.close()
                raise BatchError(f"SMTP: {exc}", results=results) from exc
            except smtplib.SMTPException as exc:
                results.append(Result(m.dispatch_id, RETRY, error=_reason(exc)))
            else:
                # No provider id stored: the Message-ID is derived from the dispatch (message_id).
                results.append(Result(m.dispatch_id, SENT))
        return results

    def close(self):
        if self.connection is not None:
            # Closing a broken connection must not hide the result.
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None


def _reason(exc):
    code = getattr(exc, "smtp_code", "")
    text = getattr(exc, "smtp_error", b"") or str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"SMTP {code} {text}".strip()[:500]


def _refused(m, code, reason):
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    status = RETRY if 400 <= int(code) < 500 else BOUNCED
    return Result(m.dispatch_id, status, error=f"SMTP {code} {reason}"[:500])
