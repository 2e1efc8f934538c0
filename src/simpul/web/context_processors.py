import functools
from urllib.parse import quote

from django.conf import settings
from django.templatetags.static import static
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
    urls = {key: reverse(name, args=args) for key, (name, args) in NAV.items()}
    # The stylesheet's hashed name (manifest storage) is fixed once collectstatic has run.
    urls["css"] = static("simpul/site.css")
    return urls


def site(request):
    """What every page's frame shows. The menu's URLs never change while the process runs,
    so they are reversed once (per script prefix), not on every page. `lang_next`: the page's
    own path and query, quoted for the ID/EN switch's `next` (and the login link's).
    `signed_in`: whether a person is logged in (the menu, the comment forms)."""
    return {
        "SITE_NAME": "Simpul",
        "DEBUG": settings.DEBUG,
        "nav": _nav(get_script_prefix()),
        "lang_next": quote(request.get_full_path(), safe="/"),
        "signed_in": getattr(request, "user", None) is not None and request.user.is_authenticated,
    }
