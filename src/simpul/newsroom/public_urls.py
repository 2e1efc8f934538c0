from django.urls import path

from simpul.web.pagecache import public_page

from . import comment_views, feeds, images, public_views, sitemaps

app_name = "warta"
urlpatterns = [
    path("berita/", public_views.article_list, name="list"),
    # Feeds and fixed words before berita/<slug>/, so they are not taken for slugs.
    path("berita/rss/", public_page()(feeds.ArticleFeed()), name="feed-rss"),
    path("berita/atom/", public_page()(feeds.AtomArticleFeed()), name="feed-atom"),
    path(
        "berita/wilayah/<str:code>/rss/",
        public_page()(feeds.RegionFeed()),
        name="feed-wilayah",
    ),
    path("berita/sektor/<slug:slug>/rss/", public_page()(feeds.SectorFeed()), name="feed-sektor"),
    path("berita/<slug:slug>/", public_views.article_detail, name="detail"),
    path("berita/<slug:slug>/komentar/", comment_views.comment_post, name="comment"),
    path(
        "berita/<slug:slug>/komentar/<str:public_id>/lapor/",
        comment_views.comment_report,
        name="comment-report",
    ),
    path("berita/<slug:slug>/hak-jawab/", comment_views.reply_request, name="reply-request"),
    path(
        "berita/<slug:slug>/hak-jawab/terkirim/",
        comment_views.reply_sent,
        name="reply-sent",
    ),
    path("kim/<slug:slug>/rss/", public_page()(feeds.KimFeed()), name="feed-kim"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    # Article images (N1's images.serve: public once the article is published).
    path("media/warta/<path:path>", images.serve, name="image"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
]
