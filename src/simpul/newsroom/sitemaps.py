"""sitemap.xml: an index of sections (articles, KIM profiles), each paginated by Django's
sitemap framework (50,000 URLs a page), with absolute URLs on SIMPUL_SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from simpul.registry.models import Kim
from simpul.web.pagecache import public_page

from . import queries


class SiteSitemap(Sitemap):
    """Absolute URLs on the configured public site, whatever host the request used."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return queries.sitemap_articles()

    def location(self, item):
        return reverse("warta:detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class KimSitemap(SiteSitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Kim.objects.filter(status__in=Kim.PUBLIC_STATUSES)
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("kim:profile", args=[item.slug])

    def lastmod(self, item):
        return getattr(item, "updated_at", None)


SITEMAPS = {"berita": ArticleSitemap, "kim": KimSitemap}


@require_safe
@public_page()
def index(request):
    sections = []
    for name, cls in SITEMAPS.items():
        url = settings.SITE_URL + reverse("warta:sitemap-section", args=[name])
        pages = cls().paginator.num_pages
        sections.append(url)
        sections.extend(f"{url}?p={p}" for p in range(2, pages + 1))
    return render(
        request,
        "newsroom/public/sitemap_index.xml",
        {"sections": sections},
        content_type="application/xml",
    )


@require_safe
@public_page()
def section(request, section):
    return sitemap_view(
        request,
        sitemaps=SITEMAPS,
        section=section,
        template_name="newsroom/public/sitemap.xml",
    )
