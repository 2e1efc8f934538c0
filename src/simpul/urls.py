from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from simpul.accounts import views as accounts_views
from simpul.api.api import api
from simpul.web import views as web_views

kelola = (
    [
        path("", web_views.kelola_home, name="home"),
        path("audit/", include("simpul.audit.urls")),
        path("tugas/", include("simpul.core.urls")),
        path("peran/", accounts_views.role_list, name="roles"),
        path("peran/<str:public_id>/akhiri/", accounts_views.role_end, name="role-end"),
        path("cakupan/", include("simpul.registry.kelola_coverage_urls")),
        path("kim/impor/", include("simpul.registry.import_urls")),
        # After any "kim/impor/" entry, so /kelola/kim/impor/ is not taken for a KIM slug.
        path("kim/", include("simpul.registry.kelola_urls")),
        path("warta/moderasi/", include("simpul.newsroom.moderation_urls")),
        path("warta/", include("simpul.newsroom.kelola_urls")),
        path("siaran/", include("simpul.broadcasts.ledger_urls")),
        path("siaran/", include("simpul.broadcasts.kelola_urls")),
    ],
    "kelola",
)

urlpatterns = [
    path("", include("simpul.web.urls")),
    # Warta (/berita/, /cari/, /sitemap.xml, /kim/<slug>/rss/) and Siaran (/siaran/, /s/<code>,
    # /langganan/, provider webhooks) before kim/, so their kim/... feeds are not KIM slugs.
    path("", include("simpul.newsroom.public_urls")),
    path("cari/", include("simpul.newsroom.search_urls")),
    path("", include("simpul.broadcasts.public_urls")),
    path("langganan/", include("simpul.broadcasts.subscribe_urls")),
    path("wilayah/", include("simpul.regions.urls")),
    path("kim/", include("simpul.registry.public_urls")),
    path("daftar-kim/", include("simpul.registry.registration_urls")),
    path("akun/", include("simpul.accounts.urls")),
    path("kelola/", include(kelola)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

if settings.BENCH_BASELINE:
    urlpatterns.append(path("_bench/baseline/", web_views.bench_baseline))

handler404 = "simpul.web.views.not_found"
