"""slug_path must give what reverse() gives, for every value."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from simpul.web.paths import _around, slug_path

NAMES = ["warta:detail", "warta:feed-kim", "warta:reply-request", "kim:profile", "regions:detail"]
VALUES = ["panen-raya-di-talago", "kim_sejahtera-2", "13.07.07.2002", "13", "A-b_9"]


@pytest.mark.parametrize("name", NAMES)
def test_same_path_as_reverse(name):
    for value in VALUES:
        try:
            expected = reverse(name, args=[value])
        except NoReverseMatch:  # a slug URL refuses dots: so must slug_path
            with pytest.raises(NoReverseMatch):
                slug_path(name, value)
        else:
            assert slug_path(name, value) == expected


def test_values_that_need_care_go_through_reverse():
    # Dots alone are escaped by reverse ('/%2E%2E/'); spaces and slashes are quoted or refused.
    assert slug_path("regions:detail", "..") == reverse("regions:detail", args=[".."])
    assert slug_path("regions:detail", "a b") == reverse("regions:detail", args=["a b"])
    with pytest.raises(NoReverseMatch):
        slug_path("warta:detail", "bukan slug")
    with pytest.raises(NoReverseMatch):
        slug_path("warta:detail", "")


def test_follows_the_script_prefix():
    _around.cache_clear()
    try:
        set_script_prefix("/simpul/")
        assert slug_path("warta:detail", "panen") == "/simpul/berita/panen/"
        assert slug_path("warta:detail", "panen") == reverse("warta:detail", args=["panen"])
    finally:
        set_script_prefix("/")
    assert slug_path("warta:detail", "panen") == "/berita/panen/"
