"""Encryption at rest for personal data (members' phone numbers), with Fernet.

The key is SIMPUL_FIELD_KEY (generated into the data directory in development), kept apart
from SIMPUL_SECRET_KEY so rotating the session secret does not make phone numbers unreadable.
Several keys may be given, comma-separated: the first encrypts, all decrypt (rotation).
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt(text):
    if not text:
        return ""
    return _fernet(settings.FIELD_ENCRYPTION_KEYS).encrypt(text.encode()).decode()


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEYS).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""  # wrong key: show nothing rather than ciphertext or a crash


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; it cannot be searched or filtered by value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        return encrypt(super().get_prep_value(value) or "")
