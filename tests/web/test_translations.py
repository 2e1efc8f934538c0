"""The English catalog is complete: every message translated, nothing fuzzy, .mo compiled."""

import ast
import gettext
import re
from pathlib import Path

import simpul

PO = Path(simpul.__file__).parent / "locale/en/LC_MESSAGES/django.po"


def entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if "msgid" not in block:
            continue
        yield block


def test_every_message_is_translated_and_none_is_fuzzy():
    missing = []
    for block in entries():
        assert "#, fuzzy" not in block, block
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        if any(first == "" and not rest.strip() for first, rest in strs):
            missing.append(block.splitlines()[0])
    assert missing == []


def _field(block, name):
    """The decoded value of `name` ("msgid", "msgstr") in a .po entry, lines joined."""
    match = re.search(rf'^{re.escape(name)} (".*"(?:\n".*")*)', block, re.M)
    if not match:
        return None
    return "".join(ast.literal_eval(line) for line in match.group(1).splitlines())


def test_compiled_catalog_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)
    checked = 0
    for block in entries():
        msgid, msgstr = _field(block, "msgid"), _field(block, "msgstr")
        if msgid and msgstr is not None and "msgctxt" not in block:
            assert compiled.gettext(msgid) == msgstr, f"run `make messages`: {msgid!r}"
            checked += 1
    assert checked > 500
