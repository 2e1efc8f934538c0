"""Kemendagri codes: validation and the tree helpers the scope rules lean on."""

import pytest

from simpul.regions.models import ancestor_codes, is_valid_code, normalise_name, parent_code


@pytest.mark.parametrize("code", ["13", "13.07", "13.07.07", "13.07.07.2002", "96.01.01.1001"])
def test_valid_codes(code):
    assert is_valid_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        None,
        "1",
        "130",
        "13.7",
        "13..07",
        "13.07.07.20021",
        "13.07.07.200",
        "13.07.07.2002.01",
        "13.07.",
        ".13",
        "13\n",
        "13.07\n",
        " 13",
        "١٣",  # Arabic-Indic digits
        "１３",  # full-width digits
        "13.٠٧",
    ],
)
def test_invalid_codes(code):
    assert not is_valid_code(code)


def test_tree_helpers():
    assert parent_code("13.07.07.2002") == "13.07.07"
    assert parent_code("13") is None
    assert ancestor_codes("13.07.07.2002") == ["13", "13.07", "13.07.07"]
    assert ancestor_codes("13") == []


def test_normalise_name_ignores_case_spacing_and_punctuation():
    assert normalise_name("Koto Tangah") == normalise_name("KOTOTANGAH") == "kototangah"
    assert normalise_name("Kubang S. Selatan") == "kubangsselatan"
    assert normalise_name("IV Koto Aur Malintang") == "ivkotoaurmalintang"
