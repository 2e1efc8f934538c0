"""Simpul's `date` filter (fastdate) must print exactly what Django's prints, in both
languages."""

import datetime
import random
import zoneinfo

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.utils import translation
from django.utils.timezone import template_localtime

from simpul.web.templatetags.fastdate import compile_format, date_filter, fastdate

FORMATS = [
    "c",
    "j F Y",
    "j M Y",
    "d M Y",
    "l, j F Y, H.i",
    "j M Y, H.i",
    "j F Y, H.i",
    "d M Y H:i",
    "d M H:i",
    "Y-m-d G:i:s",
    "n/j/Y",
    r"\j\a\m H",  # escaped letters are text
]
ZONES = [datetime.UTC, zoneinfo.ZoneInfo("Asia/Jakarta"), zoneinfo.ZoneInfo("Asia/Jayapura")]


def moments(count=300):
    rng = random.Random(7)
    for _ in range(count):
        naive = datetime.datetime(2020, 1, 1) + datetime.timedelta(
            seconds=rng.randrange(0, 8 * 365 * 86400), microseconds=rng.choice([0, 123456])
        )
        yield naive.replace(tzinfo=rng.choice(ZONES))


def render(source, value):
    return engines["django"].from_string(source).render({"v": value})


def django_renders(fmt, value):
    """What Django's own `date` filter prints in a template (shown in the current zone)."""
    return str(django_date(template_localtime(value), fmt))


def test_templates_get_this_date_filter():
    template = engines["django"].from_string("{{ v|date:'j F Y' }}").template
    assert template.nodelist[0].filter_expression.filters[0][0] is date_filter


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_same_text_as_django_date(fmt, language):
    values = [*moments(), datetime.date(2022, 11, 29), datetime.date(2026, 2, 1)]
    with translation.override(language):
        for value in values:
            is_date = not isinstance(value, datetime.datetime)
            if is_date and any(f and letter in "HGis" for f, letter in compile_format(fmt)):
                continue  # Django refuses time letters for a date; see the next test
            ours = render("{{ v|date:'" + fmt + "' }}", value)
            django = django_renders(fmt, value)
            assert ours == django, (fmt, language, value)


def test_time_letters_on_a_date_are_refused_as_by_django():
    value = datetime.date(2022, 11, 29)
    with pytest.raises(TypeError):
        django_renders("j F Y H.i", value)
    with pytest.raises(TypeError):
        render("{{ v|date:'j F Y H.i' }}", value)


def test_names_follow_the_active_language():
    value = datetime.datetime(2022, 11, 29, 9, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    with translation.override("id"):
        assert fastdate(value, "l, j F Y, H.i") == "Selasa, 29 November 2022, 09.05"
        assert fastdate(value, "j M Y") == "29 Nov 2022"
    with translation.override("en"):
        assert fastdate(value, "l, j F Y, H.i") == "Tuesday, 29 November 2022, 09.05"


def test_shown_in_wib_like_date():
    utc = datetime.datetime(2022, 11, 28, 20, 30, tzinfo=datetime.UTC)  # 03.30 WIB next day
    out = render("{{ v|date:'j F Y, H.i' }}|{{ v|date:'c' }}", utc)
    assert out == "29 November 2022, 03.30|2022-11-29T03:30:00+07:00"


def test_unknown_letters_and_empty_values_fall_back():
    assert compile_format("j F Y") is not None
    assert compile_format("D, N jS") is None  # letters this filter leaves to Django
    value = datetime.datetime(2022, 11, 29, 9, 5, tzinfo=datetime.UTC)
    assert render("{{ v|date:'D, N jS' }}", value) == django_renders("D, N jS", value)
    assert render("{{ v|date }}", value) == django_renders(None, value)  # DATE_FORMAT
    assert render("[{{ v|date:'j F Y' }}]", None) == "[]"
    assert render("[{{ v|date:'j F Y' }}]", "") == "[]"
