import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

NAV = {
    "home": ("web:home", ()),
    "berita": ("warta:list", ()),
    "berita_rss": ("warta:feed-rss", ()),
    "siaran": ("siaran:index", ()),
    "kim": ("kim:directory", ()),
    "wilayah": ("regions:index", ()),
    "kelola": ("kelola:home", ()),
    "login": ("accounts:login", ()),
    "logout": ("accounts:logout", ()),
    "lang_id": ("web:language", ("id",)),
    "lang_en": ("web:language", ("en",)),
}


@functools.lru_cache(maxsize=8)
def _nav(prefix):
    return {key: reverse(name, args=args) for key, (name, args) in NAV.items()}


def site(request):
    """What every page's frame shows. The menu's URLs never change while the process runs,
    so they are reversed once (per script prefix), not on every page."""
    return {"SITE_NAME": "Simpul", "DEBUG": settings.DEBUG, "nav": _nav(get_script_prefix())}
