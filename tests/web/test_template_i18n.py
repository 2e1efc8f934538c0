"""{% translate %} with remembered constants renders exactly as Django's tag, per language."""

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from simpul.web.template_i18n import RememberedTranslateNode

SOURCE = (
    "{% load i18n %}"
    '{% translate "Berita" %}|{% translate "Masuk" %}|{% translate "Tidak & <b>" %}|'
    '{% translate "Komentar" context "bentuk" %}|{% translate word %}|'
    '{% translate "Wilayah" as w %}{{ w }}|'
    '{% translate "Berita"|upper %}|{% translate "Siaran" noop %}|'
    '{% autoescape off %}{% translate "Tidak & <b>" %}{% endautoescape %}'
)


def django_engine():
    """Django's own i18n library, for comparison."""
    return Engine(libraries={"i18n": "django.templatetags.i18n"})


@pytest.mark.parametrize("language", ["id", "en"])
def test_same_output_as_django(language):
    ours = engines["django"].from_string(SOURCE)
    theirs = django_engine().from_string(SOURCE)
    with translation.override(language):
        for word in ("Berita", "Masuk"):
            expected = theirs.render(Context({"word": word}))
            assert ours.render({"word": word}) == expected
            assert ours.render({"word": word}) == expected  # second render: remembered


def test_remembered_per_language():
    template = engines["django"].from_string('{% load i18n %}{% translate "Masuk" %}')
    with translation.override("id"):
        assert template.render({}) == "Masuk"
    with translation.override("en"):
        assert template.render({}) == "Log in"
    with translation.override("id"):
        assert template.render({}) == "Masuk"


def test_only_constants_are_remembered():
    template = engines["django"].from_string(SOURCE).template
    nodes = template.nodelist.get_nodes_by_type(RememberedTranslateNode)
    assert [n.token.contents for n in nodes] == [
        'translate "Berita"',
        'translate "Masuk"',
        'translate "Tidak & <b>"',
        'translate "Tidak & <b>"',
    ]


def test_system_check_accepts_only_the_intended_override(settings):
    from django.template import engines as all_engines

    backend = all_engines["django"]
    assert backend.check() == []
    other = {**settings.TEMPLATES[0], "NAME": "other"}
    other["OPTIONS"] = {**other["OPTIONS"], "libraries": {"static": "simpul.web.template_i18n"}}
    settings.TEMPLATES = [settings.TEMPLATES[0], other]
    from django.template import engines as reloaded

    warnings = reloaded["other"].check()
    assert [w.id for w in warnings] == ["templates.W003"]
    assert "'static'" in warnings[0].msg
