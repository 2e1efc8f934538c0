"""The one NinjaAPI instance: /api/. Each app owns its router and schemas (`<app>/api.py`).

No interactive docs page: ninja's Swagger UI loads its scripts from a CDN at run time,
which DESIGN.md rules out. The schema is served at /api/openapi.json and committed as
src/simpul/api/openapi.json (refresh: `simpul api_schema > src/simpul/api/openapi.json`).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from simpul.broadcasts.api import router as broadcasts_router
from simpul.newsroom.api import router as newsroom_router
from simpul.registry.api import router as registry_router

from .errors import django_errors, schema_errors

DESCRIPTION = (
    "API Simpul: baca direktori dan profil Kelompok Informasi Masyarakat (KIM) tanpa login; "
    "tulis (ubah profil, daftarkan, verifikasi, tambah anggota) dengan token pribadi "
    "(Authorization: Bearer simpul_...) atau sesi login, hanya di dalam wilayah atau KIM "
    "yang menjadi cakupan peran Anda. Di luar cakupan: 404, sama dengan yang tidak ada. "
    "Lihat docs/api.md."
)

api = NinjaAPI(
    title="Simpul API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


@api.exception_handler(SchemaValidationError)
def _schema_invalid(request, exc):
    return api.create_response(request, {"errors": schema_errors(exc.errors)}, status=422)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"errors": django_errors(exc)}, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Tidak ditemukan.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request,
        {"detail": _("Perlu login atau token API (Authorization: Bearer simpul_...).")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc)
    if exc.status_code == 400:  # ninja's only 400: a body it cannot parse
        detail = _("Isi permintaan tidak bisa dibaca: kirim JSON yang valid.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


api.add_router("/", registry_router)
api.add_router("/", newsroom_router)
api.add_router("/", broadcasts_router)
