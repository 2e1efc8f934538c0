"""E-mail over SMTP (any provider): one connection per delivery task, reused for the batch.

Every message carries `List-Unsubscribe` (the one-click link) and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058), and a Message-ID derived from the dispatch, so a
message re-sent after a crash has the same Message-ID (many mail systems drop the repeat).

Fast path: every recipient of a siaran gets the same message except To, Date, Message-ID,
List-Unsubscribe and the unsubscribe link in the bodies. So the adapter builds and
serialises ONE Django message per distinct (from, subject, text, html) with placeholders
(`_Template`), and per recipient only joins the pre-serialised pieces with that recipient's
values and hands the bytes to smtplib, as Django's `EmailBackend._send` does. The result
is the bytes Django would have produced (only the MIME boundary differs, which is random
anyway). Whenever that cannot be guaranteed (quoted-printable bodies, non-ASCII values, no
unsubscribe link, a non-SMTP backend, ...) the message goes the slow way: `build()` +
`send_messages()`.

Credentials (ProviderConfig, optional; without one Django's EMAIL_* settings are used):
{"host": "smtp.example.id", "port": 587, "username": "...", "password": "...",
 "use_tls": true, "from": "Diskominfo Sumbar <siaran@sumbarprov.go.id>"}
"""

import contextlib
import smtplib
import socket
import time
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address

from .base import BOUNCED, FAILED, RETRY, SENT, Adapter, BatchError, Result

CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)

# Stand-ins serialised in the shared message and replaced per recipient. Plain ASCII
# letters and digits: no MIME encoding touches them, and no real text contains them.
URL_MARK = "Zq7SimpulUnsubscribeUrlX9k"
TO_MARK = "zq7-simpul-to-x9k@simpul.invalid"
DATE_MARK = "Zq7SimpulDateX9k"
MID_MARK = "<zq7-simpul-message-id-x9k@simpul.invalid>"
UNSUB_MARK = "<Zq7SimpulListUnsubscribeX9k>"
TEMPLATES_KEPT = 8  # distinct (from, subject, text, html) per adapter: one per language


def message_id(key):
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<{key}@{domain or 'simpul.local'}>"


def _plain(value):
    """A value that goes into the message as it is (Django leaves ASCII alone)."""
    return value.isascii() and "\n" not in value and "\r" not in value


class _Template:
    """One siaran message serialised once, cut around the per-recipient values.

    `pieces` alternates fixed bytes and slot names ("to", "date", "mid", "unsub", "url"):
    header slots are whole header lines (folded per recipient with the message's own
    policy, like the generator does), "url" is the unsubscribe link inside a body.
    """

    def __init__(self, msg, url_count, *, encoding, from_email):
        data = msg.as_bytes(linesep="\r\n")
        self.policy = msg.policy.clone(linesep="\r\n")  # what as_bytes(linesep=...) folds with
        self.boundary = msg.get_boundary() or ""
        self.encoding = encoding
        self.from_email = from_email
        self.pieces = None
        self.max_url = 0
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            return
        if any(
            part.get("Content-Transfer-Encoding") not in ("7bit", "8bit")
            for part in msg.walk()
            if not part.is_multipart()
        ):
            return  # quoted-printable (a line over 998 bytes) or base64: lines re-wrapped
        slots = []
        for slot, name, mark in (
            ("to", "To", TO_MARK),
            ("date", "Date", DATE_MARK),
            ("mid", "Message-ID", MID_MARK),
            ("unsub", "List-Unsubscribe", UNSUB_MARK),
        ):
            line = self.policy.fold_binary(name, mark)
            at = data.find(line)
            if (
                at < 0
                or at > head_end
                or (at and data[at - 2 : at] != b"\r\n")
                or data.count(mark.encode()) != 1
            ):
                return
            slots.append((at, at + len(line), slot))
        url = URL_MARK.encode()
        if data.count(url) != url_count:
            return  # split or encoded (quoted-printable, base64): not exact
        at = data.find(url)
        lines = []
        while at >= 0:
            if at < head_end:
                return
            slots.append((at, at + len(url), "url"))
            start = data.rfind(b"\r\n", 0, at) + 2
            end = data.find(b"\r\n", at)
            end = len(data) if end < 0 else end
            lines.append((start, end))
            at = data.find(url, at + len(url))
        # A longer line would make Django choose quoted-printable for that recipient.
        self.max_url = RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for start, end in set(lines):
            k = data.count(url, start, end)
            room = (RFC5322_EMAIL_LINE_LENGTH_LIMIT - (end - start)) // k + len(url)
            self.max_url = min(self.max_url, room)
        slots.sort()
        pieces, pos = [], 0
        for start, end, slot in slots:
            if start < pos:
                return
            pieces += [data[pos:start], slot]
            pos = end
        pieces.append(data[pos:])
        self.pieces = pieces


class EmailAdapter(Adapter):
    channel = "email"

    def __init__(self, config=None):
        super().__init__(config)
        self.connection = None
        self.from_email = self.credentials.get("from") or settings.DEFAULT_FROM_EMAIL
        self._templates = {}
        self._date = (None, b"")
        self.fast_sent = 0  # handed to smtplib as pre-serialised bytes
        self.slow_sent = 0  # built and sent by Django (build + send_messages)

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

    def _message(self, *, subject, text, html, to, headers):
        msg = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=self.from_email,
            to=[to],
            headers=headers,
            connection=self.connection,
        )
        if html:
            msg.attach_alternative(html, "text/html")
        return msg

    def build(self, m):
        headers = {"Message-ID": message_id(m.key)}
        if m.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{m.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return self._message(
            subject=m.subject, text=m.text, html=m.html, to=m.address, headers=headers
        )

    # fast path -----------------------------------------------------------------------

    def _template(self, key, url_count):
        """The serialised message for `key` (from, subject, text, html with URL_MARK), or
        None when it cannot be cut exactly (kept too, so it is tried once)."""
        try:
            return self._templates[key]
        except KeyError:
            pass
        _, subject, text, html = key
        # Date comes first in the extra headers: Django then puts the headers in the order
        # build() gets (To, Date, Message-ID, List-Unsubscribe, List-Unsubscribe-Post).
        msg = self._message(
            subject=subject,
            text=text,
            html=html,
            to=TO_MARK,
            headers={
                "Date": DATE_MARK,
                "Message-ID": MID_MARK,
                "List-Unsubscribe": UNSUB_MARK,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        encoding = msg.encoding or settings.DEFAULT_CHARSET
        try:
            template = _Template(
                msg.message(),
                url_count,
                encoding=encoding,
                from_email=sanitize_address(msg.from_email, encoding),
            )
        except Exception:  # the slow path raises it (or not) the way Django does
            template = None
        if template is not None and template.pieces is None:
            template = None
        if len(self._templates) >= TEMPLATES_KEPT:
            self._templates.clear()
        self._templates[key] = template
        return template

    def _date_line(self, policy):
        now = time.time()
        second = int(now)
        if self._date[0] != second:
            value = formatdate(now, localtime=settings.EMAIL_USE_LOCALTIME)
            self._date = (second, policy.fold_binary("Date", value))
        return self._date[1]

    def _fast(self, connection, m):
        """(from, to, bytes) for smtplib, or None: send this one the slow way."""
        url = m.unsubscribe_url
        if not (
            url
            and m.address
            and _plain(url)
            and _plain(m.address)
            and URL_MARK not in m.text
            and URL_MARK not in m.html
            and isinstance(connection, SmtpBackend)
            and type(connection)._send is SmtpBackend._send
            and not connection.fail_silently
            and connection.connection is not None
        ):
            return None
        text = m.text.replace(url, URL_MARK)
        html = m.html.replace(url, URL_MARK)
        key = (self.from_email, m.subject, text, html)
        template = self._template(key, text.count(URL_MARK) + html.count(URL_MARK))
        if template is None or len(url) > template.max_url:
            return None
        if template.boundary and template.boundary in url:
            return None
        mid = message_id(m.key)
        unsub = f"<{url}>"
        if not _plain(mid):
            return None
        try:
            to = sanitize_address(m.address, template.encoding)
        except ValueError:
            return None
        fold = template.policy.fold_binary
        values = {
            "to": fold("To", m.address),
            "date": self._date_line(template.policy),
            "mid": fold("Message-ID", mid),
            "unsub": fold("List-Unsubscribe", unsub),
            "url": url.encode("ascii"),
        }
        pieces = template.pieces
        data = b"".join(p if i % 2 == 0 else values[p] for i, p in enumerate(pieces))
        return template.from_email, to, data

    # sending -------------------------------------------------------------------------

    def _send_one(self, connection, m):
        try:
            fast = self._fast(connection, m)
        except Exception:  # anything unexpected: Django builds it (and raises what it raises)
            fast = None
        if fast is None:
            connection.send_messages([self.build(m)])
            self.slow_sent += 1
        else:
            from_email, to, data = fast
            # What EmailBackend._send does, without building the message again.
            connection.connection.sendmail(from_email, [to], data)
            self.fast_sent += 1

    def send(self, batch):
        results = []
        for m in batch:
            connection = self._connection()
            try:
                self._send_one(connection, m)
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
