"""Paths of pages addressed by one slug or code, without a `reverse()` per link.

`reverse()` walks the URL resolver and builds a regular expression on every call (about
12 µs); the article page links to five such pages. `slug_path` reverses each URL name once
(per script prefix) around a marker and puts the value in its place, which gives exactly
what `reverse(name, args=[value])` gives for a value that needs no quoting (letters, digits,
"-", "_", and dots between them, as slugs and wilayah codes are). Any other value goes
through `reverse()`. tests/web/test_paths.py compares the two.
"""

import functools
import re

from django.urls import NoReverseMatch, get_script_prefix, reverse

MARK = "zq0marker0qz"  # matches the slug and str path converters
SLUG = re.compile(r"[-A-Za-z0-9_]+\Z")
CODE = re.compile(r"[-A-Za-z0-9_]+(?:\.[-A-Za-z0-9_]+)*\Z")  # dots too, where the URL takes them


@functools.lru_cache(maxsize=64)
def _around(name, prefix):
    """(before, after, plain values) of a URL name."""
    before, after = reverse(name, args=[MARK]).split(MARK)
    try:
        reverse(name, args=[MARK + "." + MARK])
        plain = CODE
    except NoReverseMatch:  # a slug converter: no dots
        plain = SLUG
    return before, after, plain


def slug_path(name, value):
    """reverse(name, args=[value]) for a URL with one slug (or str) argument."""
    value = str(value)
    before, after, plain = _around(name, get_script_prefix())
    if not plain.match(value):
        return reverse(name, args=[value])
    return before + value + after
