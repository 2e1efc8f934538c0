"""RSS of public siaran (/siaran/rss/)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import queries

FEED_ITEMS = 30


class SiaranFeed(Feed):
    title = _("Siaran Simpul")
    description = _("Informasi resmi dari kantor Diskominfo untuk Kelompok Informasi Masyarakat.")

    def link(self):
        return reverse("siaran:index")

    def items(self):
        return queries.public_list()[:FEED_ITEMS]

    def item_title(self, item):
        if item.priority == item.Priority.HOAKS:
            return f"[{item.get_priority_display()}] {item.title}"
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return reverse("siaran:detail", kwargs={"slug": item.slug})

    def item_guid(self, item):
        return settings.SITE_URL + self.item_link(item)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.sent_at

    def item_author_name(self, item):
        return str(item.office) if item.office_id else None

    def item_categories(self, item):
        return [item.get_priority_display()]
