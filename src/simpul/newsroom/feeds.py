"""RSS and Atom feeds of published articles: all, per KIM, per kab/kota, per sector.

Article links are absolute on SIMPUL_SITE_URL (absolute links are kept as they are by the
syndication framework), so cached copies always point at the public site.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from simpul.regions import queries as region_queries
from simpul.registry.models import Sector, full_kim_name
from simpul.registry.queries import under

from . import queries
from .models import Adinda


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "id"

    def title(self, obj=None):
        return _("Warta KIM: berita Kelompok Informasi Masyarakat")

    def description(self, obj=None):
        return _("Berita terbaru yang ditulis Kelompok Informasi Masyarakat (KIM).")

    subtitle = description

    def link(self, obj=None):
        return settings.SITE_URL + reverse("warta:list")

    def queryset(self, obj):
        return queries.published()

    def items(self, obj=None):
        return queries.feed_items(self.queryset(obj))

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return settings.SITE_URL + reverse("warta:detail", args=[item.slug])

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at) if item.updated_at else item.published_at

    def item_author_name(self, item):
        kim = full_kim_name(item.kim.name)
        return f"{item.author_name}, {kim}" if item.author_name else kim

    def item_categories(self, item):
        labels = [Adinda(item.adinda).label]
        if item.sector_id:
            labels.insert(0, item.sector.name)
        return labels


class AtomArticleFeed(ArticleFeed):
    feed_type = Atom1Feed


class KimFeed(ArticleFeed):
    def get_object(self, request, slug):
        return queries.public_kim_or_404(slug)

    def title(self, obj=None):
        return _("Warta %(kim)s") % {"kim": full_kim_name(obj.name)}

    def description(self, obj=None):
        return _("Berita terbaru dari %(kim)s.") % {"kim": full_kim_name(obj.name)}

    def link(self, obj=None):
        return settings.SITE_URL + reverse("kim:profile", args=[obj.slug])

    def queryset(self, obj):
        return queries.published().filter(kim=obj)


class RegionFeed(ArticleFeed):
    """News of a kab/kota (the wilayah and everything below it)."""

    def get_object(self, request, code):
        region = region_queries.region_or_404(code)
        if region.level != 2:
            raise Http404
        return region

    def title(self, obj=None):
        return _("Warta KIM di %(name)s") % {"name": obj.label}

    def description(self, obj=None):
        return _("Berita Kelompok Informasi Masyarakat di %(name)s.") % {"name": obj.label}

    def link(self, obj=None):
        return settings.SITE_URL + reverse("warta:list") + f"?wilayah={obj.code}"

    def queryset(self, obj):
        return queries.published().filter(under(obj.code))


class SectorFeed(ArticleFeed):
    def get_object(self, request, slug):
        try:
            return Sector.objects.get(slug=slug)
        except Sector.DoesNotExist as exc:
            raise Http404 from exc

    def title(self, obj=None):
        return _("Warta KIM: sektor %(name)s") % {"name": obj.name}

    def description(self, obj=None):
        return _("Berita Kelompok Informasi Masyarakat tentang %(name)s.") % {"name": obj.name}

    def link(self, obj=None):
        return settings.SITE_URL + reverse("warta:list") + f"?sektor={obj.slug}"

    def queryset(self, obj):
        return queries.published().filter(sector=obj)
