"""The e-mail adapter's fast path (one serialised message per siaran, per recipient only the
headers and the unsubscribe link are filled in) against the real aiosmtpd sink: what arrives
is what Django itself would have sent, recipient by recipient, and whatever the fast path
cannot reproduce exactly goes the slow way (build + send_messages)."""

import email
import email.policy
import re
import socket
import time
from datetime import UTC
from email.utils import parsedate_to_datetime

import pytest
from django.core.mail import get_connection

from simpul.broadcasts import channels, delivery
from simpul.broadcasts.channels.email import URL_MARK, EmailAdapter
from simpul.broadcasts.models import Dispatch

from ..smtp import Sink, serving
from .factories import DispatchFactory, SiaranFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Cek Kesehatan Gratis — Puskesmas Café"
SITE = "http://127.0.0.1:8000"
TOKEN = "k3Jd9sQwErTyUiOpAsDfGhJkLzXcVbNm1234567890a"  # 43 characters, like Subscriber.token


def unsub(i):
    return f"{SITE}/langganan/berhenti/{TOKEN[:-3]}{i:03d}/"


def text_for(url, extra=""):
    return (
        f"{SUBJECT}\n\nPuskesmas membuka cek kesehatan gratis. Bawa KTP.{extra}\n\n"
        f"Baca selengkapnya: {SITE}/siaran/cek-kesehatan-gratis/\n\n--\n"
        f"Berhenti berlangganan (satu klik): {url}\n"
    )


def html_for(url, extra=""):
    return (
        f'<!doctype html>\n<html lang="id"><body>\n<h1>{SUBJECT}</h1>\n'
        f"<p>Puskesmas membuka <strong>cek kesehatan gratis</strong>.{extra}</p>\n"
        f'<p><a href="{url}">Berhenti berlangganan</a> ({url})</p>\n</body></html>\n'
    )


def msg(i, address=None, *, extra="", html=True, **kw):
    url = kw.pop("unsubscribe_url", unsub(i))
    fields = {
        "dispatch_id": i,
        "key": f"siaran-1-{i}",
        "address": address or f"warga{i}@contoh.id",
        "subject": SUBJECT,
        "text": text_for(url, extra),
        "html": html_for(url, extra) if html else "",
        "short_text": "Cek Kesehatan Gratis di puskesmas terdekat.",
        "url": f"{SITE}/siaran/cek-kesehatan-gratis/",
        "unsubscribe_url": url,
    }
    return channels.Message(**{**fields, **kw})


class RawSink(Sink):
    """Keeps the bytes exactly as they arrived, and answers DATA per recipient if told."""

    def __init__(self):
        super().__init__()
        self.data_replies = {}

    async def handle_DATA(self, server, session, envelope):
        reply = self.data_replies.get(envelope.rcpt_tos[0])
        if reply:
            return reply
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "from": envelope.mail_from,
                "raw": envelope.original_content,
                "message": email.message_from_bytes(
                    envelope.original_content, policy=email.policy.default
                ),
            }
        )
        return "250 OK"

    def by_to(self, address):
        return next(m for m in self.messages if m["to"] == [address])


@pytest.fixture
def sink(settings):
    settings.SITE_URL = SITE
    with serving(settings, RawSink()) as sink:
        yield sink


def send(batch):
    with EmailAdapter() as adapter:
        results = adapter.send(batch)
    return adapter, results


def send_slow(m):
    """The message the way Django sends it: build() + send_messages, nothing cached."""
    adapter = EmailAdapter()
    connection = get_connection()
    connection.send_messages([adapter.build(m)])
    connection.close()


def sent_at(message):
    """The Date header as a timestamp ("-0000": UTC, Django's default)."""
    when = parsedate_to_datetime(message["Date"])
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def parts(message):
    """{content type: decoded text} (quoted-printable decodes to CRLF line ends)."""
    return {
        p.get_content_type(): p.get_content().replace("\r\n", "\n")
        for p in message.walk()
        if not p.is_multipart()
    }


def comparable(message):
    """Headers (Date only checked to be there, the MIME boundary left out) and decoded parts."""
    out = []
    for part in message.walk():
        headers = []
        for name, value in part.items():
            if name == "Date":
                value = "(present)"
            elif name == "Content-Type":
                value = (part.get_content_type(), sorted(part["Content-Type"].params.items()))
                value = (value[0], [(k, v) for k, v in value[1] if k != "boundary"])
            headers.append((name, str(value)))
        body = None if part.is_multipart() else part.get_content()
        out.append((headers, body))
    return out


def normalised(raw):
    """Raw bytes with the Date value and the random MIME boundary blanked out."""
    raw = re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", raw)
    return re.sub(rb"===============\d+==", b"=BOUNDARY=", raw)


# --- every recipient gets their own message ------------------------------------------


def test_each_recipient_gets_own_headers_and_unsubscribe_link(sink):
    batch = [msg(i) for i in range(3)]
    adapter, results = send(batch)
    assert [r.status for r in results] == [channels.SENT] * 3
    assert (adapter.fast_sent, adapter.slow_sent) == (3, 0)
    assert len(adapter._templates) == 1  # serialised once for the three
    sink.wait_for(3)
    for i in range(3):
        got = sink.by_to(f"warga{i}@contoh.id")
        m = got["message"]
        assert got["from"] == "simpul@localhost"
        assert m["To"] == f"warga{i}@contoh.id"
        assert m["Subject"] == SUBJECT
        assert m["Message-ID"] == f"<siaran-1-{i}@127.0.0.1>"
        assert abs(sent_at(m) - time.time()) < 300
        # Folded (longer than 78 characters), as Django folds it: " <...>" once parsed.
        assert m["List-Unsubscribe"].strip() == f"<{unsub(i)}>"
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert m.get_content_type() == "multipart/alternative"
        content = parts(m)
        assert set(content) == {"text/plain", "text/html"}
        for body in content.values():
            assert body.count(unsub(i)) in (1, 2)
            assert URL_MARK not in body
            for other in {0, 1, 2} - {i}:
                assert unsub(other) not in body
        assert content["text/plain"] == text_for(unsub(i))
        assert content["text/html"] == html_for(unsub(i))
        # No line of the message is longer than SMTP allows.
        assert max(len(line) for line in got["raw"].split(b"\r\n")) <= 998


def test_through_the_delivery_engine_each_subscriber_gets_own_link(sink, settings):
    siaran = SiaranFactory(title="Cek Kesehatan Gratis — Puskesmas Café", slug="cek-fast")
    subs = []
    for i in range(3):
        sub = SubscriberFactory(channel="email", address=f"warga{i}@contoh.id")
        DispatchFactory(siaran=siaran, subscriber=sub)
        subs.append(sub)
    delivery.deliver.call(siaran_id=siaran.pk, channel="email", scope="")
    sink.wait_for(3)
    assert sorted(siaran.dispatches.values_list("status", flat=True)) == [Dispatch.Status.SENT] * 3
    for sub in subs:
        m = sink.by_to(sub.address)["message"]
        assert m["Subject"] == "Cek Kesehatan Gratis — Puskesmas Café"
        assert m["To"] == sub.address
        d = siaran.dispatches.get(subscriber=sub)
        assert m["Message-ID"] == f"<siaran-{siaran.pk}-{d.pk}@127.0.0.1>"
        assert sub.token in m["List-Unsubscribe"]
        for body in parts(m).values():
            assert sub.token in body
            for other in subs:
                if other is not sub:
                    assert other.token not in body


# --- the fast path sends what Django would ---------------------------------------------


LONG_URL = f"{SITE}/langganan/berhenti/{'x' * 120}/"


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"html": False},
        {"extra": " Gratis untuk lansia — café, naïve, 日本語."},  # 8bit bodies
        {"subject": "Cek Kesehatan Gratis"},
        {"subject": "Pemberitahuan " * 12},  # folded subject
        {"unsubscribe_url": LONG_URL},  # folded List-Unsubscribe
        {"address": "seorang.warga.dengan.alamat.yang.panjang.sekali.sekali@kelurahan.contoh.id"},
    ],
    ids=["ascii", "text-only", "8bit", "ascii-subject", "long-subject", "long-url", "long-to"],
)
def test_fast_path_bytes_equal_djangos(sink, kw):
    m = msg(1, **kw)
    adapter, results = send([m])
    assert results[0].status == channels.SENT
    assert adapter.fast_sent == 1
    send_slow(m)
    fast, slow = sink.wait_for(2)
    assert fast["to"] == slow["to"] and fast["from"] == slow["from"]
    assert comparable(fast["message"]) == comparable(slow["message"])
    # Byte for byte, but for the Date value and the random MIME boundary.
    assert normalised(fast["raw"]) == normalised(slow["raw"])


# --- what the fast path cannot reproduce goes the slow way ----------------------------


def test_long_line_forces_quoted_printable_and_falls_back(sink):
    long_line = " " + "kesehatan " * 120  # > 998 characters: Django switches to quoted-printable
    batch = [msg(i, extra=long_line) for i in range(2)]
    adapter, results = send(batch)
    assert [r.status for r in results] == [channels.SENT] * 2
    assert (adapter.fast_sent, adapter.slow_sent) == (0, 2)
    sink.wait_for(2)
    for i in range(2):
        m = sink.by_to(f"warga{i}@contoh.id")["message"]
        text = next(p for p in m.walk() if p.get_content_type() == "text/plain")
        assert text["Content-Transfer-Encoding"] == "quoted-printable"
        content = parts(m)
        assert content["text/plain"] == text_for(unsub(i), long_line)
        assert content["text/html"] == html_for(unsub(i), long_line)
        assert unsub(1 - i) not in content["text/plain"]


def test_quoted_printable_text_with_intact_placeholder_still_goes_the_slow_way(sink):
    # The long line is away from the link: the placeholder survives quoted-printable
    # unsplit, but a raw link put in its place would not be what Django sends.
    long_line = "\n" + "kesehatan " * 120
    m = msg(1, extra=long_line, html=False)
    adapter, results = send([m])
    assert results[0].status == channels.SENT
    assert (adapter.fast_sent, adapter.slow_sent) == (0, 1)
    send_slow(m)
    ours, django = sink.wait_for(2)
    assert parts(ours["message"]) == {"text/plain": text_for(unsub(1), long_line)}
    assert normalised(ours["raw"]) == normalised(django["raw"])


def test_link_that_would_make_the_line_too_long_goes_the_slow_way(sink):
    # The unsubscribe line is just under 998 bytes with a short link, over with a long one.
    short, long = f"{SITE}/b/{'a' * 40}/", f"{SITE}/b/{'a' * 200}/"
    pad = "x" * (990 - len("Berhenti berlangganan (satu klik): ") - len(short))

    def m(i, url):
        text = f"Halo.\n{pad}Berhenti berlangganan (satu klik): {url}\n"
        return msg(i, text=text, html=html_for(url), unsubscribe_url=url)

    adapter, results = send([m(1, short), m(2, long)])
    assert [r.status for r in results] == [channels.SENT] * 2
    assert (adapter.fast_sent, adapter.slow_sent) == (1, 1)
    sink.wait_for(2)
    first, second = sink.by_to("warga1@contoh.id"), sink.by_to("warga2@contoh.id")
    assert parts(first["message"])["text/plain"].endswith(f"{short}\n")
    assert parts(second["message"])["text/plain"].endswith(f"{long}\n")
    cte = [
        next(p for p in got["message"].walk() if p.get_content_type() == "text/plain")[
            "Content-Transfer-Encoding"
        ]
        for got in (first, second)
    ]
    assert cte == ["7bit", "quoted-printable"]


def test_non_ascii_address_and_no_unsubscribe_link_go_the_slow_way(sink):
    batch = [
        msg(1),
        msg(2, "wárga@contoh.id"),
        msg(3, unsubscribe_url="", text="Halo.\n", html="<p>Halo.</p>"),
        msg(4),
    ]
    adapter, results = send(batch)
    assert [r.status for r in results] == [channels.SENT] * 4
    assert (adapter.fast_sent, adapter.slow_sent) == (2, 2)
    got = sink.wait_for(4)
    assert len(got) == 4
    no_link = sink.by_to("warga3@contoh.id")["message"]
    assert no_link["List-Unsubscribe"] is None
    assert sink.by_to("warga4@contoh.id")["message"]["List-Unsubscribe"].strip() == f"<{unsub(4)}>"


def test_languages_each_serialised_once(sink):
    batch = [msg(i) for i in range(3)] + [
        msg(i, subject="Free Health Check", text=f"Unsubscribe: {unsub(i)}\n", html="")
        for i in range(3, 6)
    ]
    adapter, results = send(batch)
    assert [r.status for r in results] == [channels.SENT] * 6
    assert (adapter.fast_sent, adapter.slow_sent) == (6, 0)
    assert len(adapter._templates) == 2
    sink.wait_for(6)
    english = sink.by_to("warga4@contoh.id")["message"]
    assert english["Subject"] == "Free Health Check"
    assert parts(english) == {"text/plain": f"Unsubscribe: {unsub(4)}\n"}


# --- the same error handling on the fast path ----------------------------------------


def test_fast_path_data_errors_fail_or_retry_per_message(sink):
    sink.data_replies = {
        "ditolak@contoh.id": "554 5.6.0 Pesan ditolak",
        "sibuk@contoh.id": "451 4.3.0 Coba lagi nanti",
    }
    batch = [msg(1, "ditolak@contoh.id"), msg(2, "sibuk@contoh.id"), msg(3, "ada@contoh.id")]
    adapter, results = send(batch)
    assert [r.status for r in results] == [channels.FAILED, channels.RETRY, channels.SENT]
    assert "554" in results[0].error and "Pesan ditolak" in results[0].error
    assert "451" in results[1].error
    assert adapter.fast_sent == 1  # the refused two raised before being counted
    assert [m["to"] for m in sink.wait_for(1)] == [["ada@contoh.id"]]


def test_fast_path_connection_lost_is_a_batch_error_with_results_so_far(sink):
    with EmailAdapter() as adapter:
        first = adapter.send([msg(1)])
        assert adapter.fast_sent == 1
        # The connection dies mid-task (the fast path still sees an open smtplib object).
        adapter.connection.connection.sock.shutdown(socket.SHUT_RDWR)
        with pytest.raises(channels.BatchError) as exc:
            adapter.send([msg(2), msg(3)])
    assert first[0].status == channels.SENT
    assert exc.value.results == []
    assert adapter.connection is None


# --- long paragraphs stay on the fast path -----------------------------------------------


def test_long_paragraphs_are_wrapped_not_quoted_printable(sink):
    """A press release pasted as one long paragraph: the composer keeps every body line short
    (HTML and plain text), so Django does not switch to quoted-printable and every word
    arrives; a code block keeps its lines."""
    words = [f"kata{i}" for i in range(600)]  # ~5,000 characters in one paragraph
    body = " ".join(words) + "\n\n```\nbaris   kode   tetap\n```\n"
    siaran = SiaranFactory(title="Siaran pers panjang", slug="siaran-panjang", body=body)
    siaran.body_html = ""  # rendered from the Markdown by the composer
    siaran.save(update_fields=["body_html"])
    sub = SubscriberFactory(channel="email", address="warga.panjang@contoh.id")
    DispatchFactory(siaran=siaran, subscriber=sub)
    delivery.deliver.call(siaran_id=siaran.pk, channel="email", scope="")
    sink.wait_for(1)
    m = sink.by_to(sub.address)["message"]
    for part in m.walk():
        if not part.is_multipart():
            assert part["Content-Transfer-Encoding"] in ("7bit", "8bit")
            content = part.get_content()
            assert max(len(line) for line in content.splitlines()) <= 998
            assert " ".join(content.split()).count(" ".join(words)) == 1  # nothing lost
            if part.get_content_type() == "text/html":
                assert "baris   kode   tetap" in content  # inside <pre>: untouched
            assert sub.token in content


def test_wrap_helpers():
    from simpul.broadcasts.channels.compose import wrap_html, wrap_text

    text = wrap_text("a " * 100 + "\n" + "x" * 120)
    assert all(len(line) <= 76 for line in text.splitlines()[:-1])
    assert text.splitlines()[-1] == "x" * 120  # a long word or link stays whole
    html = wrap_html("<p>" + "kata " * 100 + "</p>\n<pre>" + "k " * 150 + "\n</pre>")
    lines = html.splitlines()
    assert all(len(line) <= 200 for line in lines[:-2])
    assert lines[-2] == "<pre>" + "k " * 150  # never inside <pre>
    assert " ".join(html.split()).startswith("<p>" + "kata " * 99 + "kata </p>")
