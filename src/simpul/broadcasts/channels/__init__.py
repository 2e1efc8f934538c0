"""Subscriber channels: one adapter per channel, all speaking `send(batch) -> [Result]`."""

from .base import BOUNCED, FAILED, RETRY, SENT, BatchError, ConfigError, Message, Result


def adapter_class(channel):
    from .email import EmailAdapter
    from .sms import SmsAdapter
    from .telegram import TelegramAdapter
    from .webpush import WebPushAdapter
    from .whatsapp import WhatsAppAdapter

    return {
        "email": EmailAdapter,
        "telegram": TelegramAdapter,
        "whatsapp": WhatsAppAdapter,
        "sms": SmsAdapter,
        "webpush": WebPushAdapter,
    }[channel]


# Channels that work without a ProviderConfig (site defaults): e-mail uses Django's EMAIL_*.
WORKS_WITHOUT_CONFIG = {"email"}

__all__ = [
    "BOUNCED",
    "FAILED",
    "RETRY",
    "SENT",
    "BatchError",
    "ConfigError",
    "Message",
    "Result",
    "adapter_class",
    "WORKS_WITHOUT_CONFIG",
]
