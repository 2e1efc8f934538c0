"""The one interface every subscriber channel speaks: `Adapter.send(batch) -> [Result]`.

An adapter never raises for a recipient's problem: it returns one Result per message with
the provider's reason. It raises `BatchError` only when nothing more can be sent right now
(the provider refused the connection, answered 429, or is down); the engine then puts the
unsent messages back in the queue and retries the task later (Retry-After honoured).
"""

import abc
from dataclasses import dataclass, field

SENT = "sent"
FAILED = "failed"  # permanent for this message (e.g. 400 from the provider)
BOUNCED = "bounced"  # permanent for this address: the subscriber is ended too
RETRY = "retry"  # temporary (5xx, timeout): try this one again later


@dataclass(frozen=True)
class Message:
    """What one recipient gets. Built by the engine from Siaran + Subscriber + Dispatch."""

    dispatch_id: int
    key: str  # idempotency key / client reference: stable for a dispatch across retries
    address: str  # e-mail, +62 phone, Telegram chat id, Web Push subscription JSON
    subject: str
    text: str  # plain text (e-mail body, Telegram message)
    short_text: str  # <= 160 characters (SMS), without the link
    url: str  # absolute link to the siaran
    html: str = ""
    unsubscribe_url: str = ""
    priority: str = "biasa"
    template_params: tuple = field(default_factory=tuple)


@dataclass
class Result:
    dispatch_id: int
    status: str
    provider_id: str = ""
    error: str = ""
    retry_after: float | None = None


class BatchError(Exception):
    """Nothing more can be sent now. `results` holds what was settled before the failure
    (those messages are recorded); the rest of the batch is retried after `retry_after`."""

    def __init__(self, reason, *, retry_after=None, results=()):
        super().__init__(reason)
        self.reason = str(reason)[:500]
        self.retry_after = retry_after
        self.results = list(results)


class ConfigError(Exception):
    """The channel is not set up for this province (missing ProviderConfig or credentials)."""


def parse_retry_after(value, default=None):
    """Retry-After in seconds ('120'); an HTTP date is treated as the default."""
    if value is None:
        return default
    try:
        return max(0.0, float(str(value).strip()))
    except ValueError:
        return default


class Adapter(abc.ABC):
    channel = ""

    def __init__(self, config=None):
        """`config`: a ProviderConfig (or None where the channel has a site default)."""
        self.config = config
        self.credentials = {}
        if config is not None:
            import json

            try:
                self.credentials = json.loads(config.credentials or "{}")
            except ValueError as exc:
                raise ConfigError("credentials are not valid JSON") from exc

    @abc.abstractmethod
    def send(self, batch):
        """-> one Result per message of the batch."""

    def close(self):  # noqa: B027 (optional hook: most adapters hold nothing)
        """Release connections kept between send() calls of one task."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
