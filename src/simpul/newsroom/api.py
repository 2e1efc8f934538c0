"""Warta over HTTP: public reads (articles, one article, search) and the editorial workflow
(draft, edit, submit, publish, return, take down) for people with a role.

Reads of public content take no actor (published is public); writes find the article
through `kelola_queries.article_for(actor, ...)` and call the same `services` as the HTML
pages, so scope, validation, audit and e-mail are shared. Outside the caller's scope is 404.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from simpul.api.auth import AUTH
from simpul.regions.models import is_valid_code
from simpul.registry.models import Sector, full_kim_name
from simpul.registry.queries import regions_for, wilayah_label

from . import kelola_queries, queries, services
from . import search as engine
from .models import Adinda, Article
from .search_views import article_url

router = Router(tags=["Warta"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


# --- schemas ------------------------------------------------------------------------


class Detail(Schema):
    detail: str


class Errors(Schema):
    errors: dict[str, list[str]] = Field(..., examples=[{"title": ["Judul wajib diisi."]}])


class KimRef(Schema):
    slug: str
    name: str = Field(..., examples=["Kelompok Informasi Masyarakat Tujuh Koto Talago"])


class SectorRef(Schema):
    slug: str
    name: str


class WilayahRef(Schema):
    code: str = Field(..., examples=["13.07.02.2002"])
    label: str


class ArticleSummary(Schema):
    slug: str
    url: str = Field(..., examples=["/berita/bimtek-kim-di-bukittinggi/"])
    title: str
    summary: str
    published_at: datetime | None
    adinda: Adinda
    author_name: str
    kim: KimRef
    wilayah: WilayahRef
    sector: SectorRef | None


class ArticleDetail(ArticleSummary):
    body_html: str = Field(..., description="HTML yang sudah disaring (nh3)")
    event_date: date | None
    tags: list[str]


class ArticlePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ArticleSummary]


class SearchHit(ArticleSummary):
    title_html: str = Field(..., description="Judul, kata yang cocok dalam <mark>")
    snippet_html: str = Field(..., description="Potongan isi, kata yang cocok dalam <mark>")


class SearchPage(Schema):
    q: str
    count: int = Field(..., description="Jumlah yang cocok (paling banyak 1001)")
    page: int
    pages: int
    results: list[SearchHit]


class KelolaArticle(Schema):
    public_id: str
    slug: str
    status: Article.Status
    status_label: str
    title: str
    summary: str
    body_source: str
    adinda: Adinda
    region_code: str
    sector: str | None = Field(None, description="slug sektor")
    tags: list[str]
    event_date: date | None
    kim: KimRef
    review_note: str
    unpublished_reason: str
    publish_at: datetime | None
    published_at: datetime | None


class ListFilter(Schema):
    wilayah: str | None = Field(None, description="Kode wilayah (awalan), mis. 13.07")
    sektor: str | None = Field(None, description="slug sektor, lihat GET /api/sektor/")
    adinda: Adinda | None = None
    kim: str | None = Field(None, description="slug KIM")
    dari: date | None = Field(None, description="terbit sejak tanggal ini (WIB)")
    sampai: date | None = Field(None, description="terbit sampai tanggal ini (WIB)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class SearchFilter(Schema):
    q: str = Field(..., max_length=200, examples=["panen padi"])
    wilayah: str | None = None
    sektor: str | None = None
    dari: date | None = None
    sampai: date | None = None
    page: int = Field(1, ge=1, le=engine.MAX_PAGES)


class ArticleIn(Schema):
    kim: str = Field(..., description="slug KIM tempat Anda menulis")
    title: str = Field(..., max_length=300)
    body_source: str = Field(..., description="Isi dalam Markdown")
    summary: str = ""
    sector: str | None = Field(None, description="slug sektor")
    adinda: Adinda | None = None
    region_code: str | None = Field(None, description="wilayah KIM atau desa di bawahnya")
    tags: list[str] = []
    event_date: date | None = None


class ArticleUpdateIn(Schema):
    title: str | None = None
    body_source: str | None = None
    summary: str | None = None
    sector: str | None = None
    adinda: Adinda | None = None
    region_code: str | None = None
    tags: list[str] | None = None
    event_date: date | None = None


class PublishIn(Schema):
    checked_5w1h: bool = Field(False, description="5W1H sudah terjawab")
    checked_consent: bool = Field(False, description="izin orang yang dapat dikenali ada")
    checked_sources: bool = Field(False, description="sumber disebutkan")
    publish_at: datetime | None = Field(None, description="jadwal terbit; kosong = sekarang")


class NoteIn(Schema):
    note: str = Field(..., description="catatan untuk penulis")


class ReasonIn(Schema):
    reason: str = Field(..., description="alasan menurunkan berita")


# --- helpers ------------------------------------------------------------------------


def _invalid(field, message):
    return ValidationError({field: [message]})


def _check_wilayah(code):
    if code and not is_valid_code(code):
        raise _invalid("wilayah", _("Kode wilayah tidak valid, mis. 13.07 atau 13.07.02.2002."))


def _sector(slug, field="sektor"):
    if not slug:
        return None
    sector = Sector.objects.filter(slug=slug).first()
    if sector is None:
        raise _invalid(field, _("Sektor tidak dikenal: %(slug)s.") % {"slug": slug})
    return sector


def _check_dates(since, until):
    if since and until and since > until:
        raise _invalid("sampai", _("Tanggal “sampai” harus sama atau sesudah “dari”."))


def summary_out(article, regions):
    sector = article.sector
    return {
        "slug": article.slug,
        "url": article_url(article.slug),
        "title": article.title,
        "summary": article.summary,
        "published_at": article.published_at,
        "adinda": article.adinda,
        "author_name": article.author_name,
        "kim": {"slug": article.kim.slug, "name": full_kim_name(article.kim.name)},
        "wilayah": {
            "code": article.region_code,
            "label": wilayah_label(article.region_code, regions),
        },
        "sector": {"slug": sector.slug, "name": sector.name} if sector else None,
    }


def kelola_out(article):
    article = Article.objects.select_related("kim", "sector").get(pk=article.pk)
    return {
        "public_id": article.public_id,
        "slug": article.slug,
        "status": article.status,
        "status_label": str(article.get_status_display()),
        "title": article.title,
        "summary": article.summary,
        "body_source": article.body_source,
        "adinda": article.adinda,
        "region_code": article.region_code,
        "sector": article.sector.slug if article.sector else None,
        "tags": [t.name for t in article.tags.all()] if article.tag_count else [],
        "event_date": article.event_date,
        "kim": {"slug": article.kim.slug, "name": full_kim_name(article.kim.name)},
        "review_note": article.review_note,
        "unpublished_reason": article.unpublished_reason,
        "publish_at": article.publish_at,
        "published_at": article.published_at,
    }


# --- public reads -------------------------------------------------------------------


@router.get(
    "/berita/",
    response={200: ArticlePage, 422: Errors},
    summary="Daftar berita Warta KIM (publik)",
    description="Berita yang terbit, terbaru dulu.",
)
def article_list(request, filters: Query[ListFilter]):
    _check_wilayah(filters.wilayah)
    _sector(filters.sektor)
    _check_dates(filters.dari, filters.sampai)
    qs = queries.article_list(
        wilayah=filters.wilayah,
        sector=filters.sektor,
        adinda=filters.adinda.value if filters.adinda else None,
        kim=filters.kim,
        date_from=filters.dari,
        date_to=filters.sampai,
    )
    count = qs.count()
    page = list(qs[filters.offset : filters.offset + filters.limit])
    regions = regions_for([a.region_code for a in page])
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [summary_out(a, regions) for a in page],
    }


@router.get(
    "/berita/{slug}/",
    response={200: ArticleDetail, 404: Detail},
    summary="Satu berita (publik)",
)
def article_detail(request, slug: str):
    article = queries.public_article_or_404(slug)
    regions = regions_for([article.region_code])
    return {
        **summary_out(article, regions),
        "body_html": article.body_html,
        "event_date": article.event_date,
        "tags": [t.name for t in article.tags.all()] if article.tag_count else [],
    }


@router.get(
    "/cari/",
    response={200: SearchPage, 422: Errors},
    summary="Cari berita (publik)",
    description=(
        "Semua kata harus cocok; kata dicari menurut kata dasarnya (mis. 'tani' menemukan "
        "'pertanian'). Judul lebih berbobot daripada ringkasan, ringkasan daripada isi."
    ),
)
def article_search(request, filters: Query[SearchFilter]):
    _check_wilayah(filters.wilayah)
    sector = _sector(filters.sektor)
    _check_dates(filters.dari, filters.sampai)
    found = engine.search(
        q=filters.q,
        wilayah=filters.wilayah,
        sector=sector.pk if sector else None,
        since=filters.dari,
        until=filters.sampai,
        page=filters.page,
    )
    regions = regions_for([h.article.region_code for h in found.hits])
    return {
        "q": found.q,
        "count": found.total,
        "page": found.page,
        "pages": found.pages,
        "results": [
            {
                **summary_out(h.article, regions),
                "title_html": str(h.title),
                "snippet_html": str(h.snippet),
            }
            for h in found.hits
        ],
    }


# --- the editorial workflow ---------------------------------------------------------

WRITE = {200: KelolaArticle, 401: Detail, 404: Detail, 422: Errors}


def _article(actor, public_id):
    return kelola_queries.article_for(actor, public_id)


@router.get(
    "/kelola/berita/{public_id}/",
    auth=AUTH,
    response={200: KelolaArticle, 401: Detail, 404: Detail},
    summary="Satu berita dalam cakupan Anda (termasuk draf)",
)
def kelola_article(request, public_id: str):
    return kelola_out(_article(request.auth, public_id))


@router.post(
    "/kelola/berita/",
    auth=AUTH,
    response={201: KelolaArticle, 401: Detail, 404: Detail, 422: Errors},
    summary="Tulis draf berita (anggota, pengurus KIM itu)",
    description="KIM tempat Anda tidak menulis: 404.",
)
def article_create(request, payload: ArticleIn):
    actor = request.auth
    kim = kelola_queries.writing_kims(actor).filter(slug=payload.kim).first()
    if kim is None:
        raise Http404
    data = payload.model_dump(exclude={"kim"})
    data["sector"] = _sector(data["sector"], field="sector")
    data["adinda"] = data["adinda"] or None
    article = services.article_create(actor=actor, kim=kim, **data)
    return Status(201, kelola_out(article))


@router.patch(
    "/kelola/berita/{public_id}/",
    auth=AUTH,
    response=WRITE,
    summary="Ubah berita (penulis selama draf; redaksi KIM)",
)
def article_update(request, public_id: str, payload: ArticleUpdateIn):
    actor = request.auth
    article = _article(actor, public_id)
    data = payload.model_dump(exclude_unset=True)
    if "sector" in data:
        data["sector"] = _sector(data["sector"], field="sector")
    for key in ("title", "body_source", "summary"):
        if key in data and data[key] is None:
            data[key] = ""
    services.article_update(actor=actor, article=article, **data)
    return kelola_out(article)


@router.post(
    "/kelola/berita/{public_id}/ajukan/",
    auth=AUTH,
    response=WRITE,
    summary="Ajukan draf ke redaksi (penulis)",
)
def article_submit(request, public_id: str):
    actor = request.auth
    article = services.article_submit(actor=actor, article=_article(actor, public_id))
    return kelola_out(article)


@router.post(
    "/kelola/berita/{public_id}/terbitkan/",
    auth=AUTH,
    response=WRITE,
    summary="Terbitkan atau jadwalkan (redaksi KIM itu)",
    description="Ketiga centang daftar periksa wajib benar.",
)
def article_publish(request, public_id: str, payload: PublishIn):
    actor = request.auth
    article = services.article_publish(
        actor=actor, article=_article(actor, public_id), **payload.model_dump()
    )
    return kelola_out(article)


@router.post(
    "/kelola/berita/{public_id}/kembalikan/",
    auth=AUTH,
    response=WRITE,
    summary="Kembalikan ke penulis dengan catatan (redaksi KIM itu)",
)
def article_return(request, public_id: str, payload: NoteIn):
    actor = request.auth
    article = services.article_return(
        actor=actor, article=_article(actor, public_id), note=payload.note
    )
    return kelola_out(article)


@router.post(
    "/kelola/berita/{public_id}/turunkan/",
    auth=AUTH,
    response=WRITE,
    summary="Turunkan berita (pembina/admin wilayah itu, redaksi KIM itu)",
)
def article_unpublish(request, public_id: str, payload: ReasonIn):
    actor = request.auth
    article = services.article_unpublish(
        actor=actor, article=_article(actor, public_id), reason=payload.reason
    )
    return kelola_out(article)
