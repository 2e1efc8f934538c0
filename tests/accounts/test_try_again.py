"""What a throttled person reads: the reason, the minutes in the language's plural form, and
the clock time in WIB (Indonesian: with a dot, 14.05)."""

import re

from django.utils import translation

from simpul.accounts.throttle import try_again


def test_indonesian_and_english_plural_forms():
    with translation.override("id"):
        text = try_again(61, "Terlalu banyak kiriman dalam waktu singkat.")
        assert re.fullmatch(
            r"Terlalu banyak kiriman dalam waktu singkat\. Coba lagi dalam 2 menit "
            r"\(sekitar pukul \d\d\.\d\d WIB\)\.",
            text,
        )
    with translation.override("en"):
        assert "Try again in 1 minute (around " in try_again(30, "Too many.")
        assert "Try again in 5 minutes (around " in try_again(300, "Too many.")
        assert try_again(30, "Too many.").startswith("Too many. ")
