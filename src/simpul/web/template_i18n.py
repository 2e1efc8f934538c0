"""`{% load i18n %}` for Simpul's templates: Django's i18n library, with `{% translate %}` of a
constant text remembered per language.

Every page's frame alone has about ten `{% translate "..." %}` tags, and Django looks each one
up again on every render (about 6 µs each: the active language, the catalog, escaping). A
constant text translates to the same string for as long as the process runs (Django loads a
language's catalog once per process too), so each tag keeps its result per language and
autoescape setting. Anything else (a variable, filters, `context`, `noop`, `as`) renders as
Django renders it. Registered in settings.TEMPLATES as the `i18n` library (with the backend
below, whose check knows it), so templates and `makemessages` are unchanged.
tests/web/test_template_i18n.py checks it against Django's.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Node
from django.template.backends import django as django_backend
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

_generation = [0]  # bumped when the languages or catalogs may have changed (tests)


class RememberedTranslateNode(Node):
    child_nodelists = ()

    def __init__(self, node):
        self.node = node
        self.token = getattr(node, "token", None)
        self.results = {}

    def render(self, context):
        key = (get_language(), context.autoescape, _generation[0])
        try:
            return self.results[key]
        except KeyError:
            value = self.results[key] = self.node.render(context)
            return value


def _constant(node):
    expression = node.filter_expression
    var = expression.var
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and getattr(var, "lookups", True) is None
        and isinstance(getattr(var, "literal", None), str)
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    return RememberedTranslateNode(node) if _constant(node) else node


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "TEMPLATES"):
        _generation[0] += 1


class DjangoTemplates(django_backend.DjangoTemplates):
    """Django's template backend. Its system check warns (templates.W003) when a library
    name has two modules; `i18n` has two on purpose (this module replaces Django's), so
    exactly that warning is left out. Any other duplicate is still reported."""

    INTENDED = (
        "'i18n' is used for multiple template tag modules: "
        "'django.templatetags.i18n', 'simpul.web.template_i18n'"
    )

    def check(self, **kwargs):
        return [w for w in super().check(**kwargs) if w.msg != self.INTENDED]
