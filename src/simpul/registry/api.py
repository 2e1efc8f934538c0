"""The KIM registry over HTTP: public reads (directory, profile, sectors) and scoped writes.

Reads reuse `queries` (public) and `kelola_queries` (scoped, take the actor); writes call the
same `services` as the HTML pages, so scope, validation and the audit log are shared.
Outside the caller's scope is 404, the same as a KIM that does not exist.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from simpul.accounts import scope
from simpul.accounts.models import mask_phone
from simpul.accounts.roles import KIM_EDIT, KIM_VERIFY, KIM_VIEW, KIM_VIEW_PRIVATE
from simpul.api.auth import AUTH
from simpul.regions.models import Region, ancestor_codes, is_valid_code

from . import kelola_queries, queries, services
from .coverage import public_point
from .models import Channel, Kim, Member, Sector

router = Router(tags=["KIM"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Columns a directory row needs (queries.directory defers the rest; touching a deferred
# column would cost one query per row).
SUMMARY_FIELDS = (
    *queries.DIRECTORY_FIELDS,
    "latitude",
    "longitude",
    "member_count",
)
PublicStatus = Enum("PublicStatus", {s.name: s.value for s in Kim.PUBLIC_STATUSES}, type=str)
Legality = Enum("Legality", {k.upper(): k for k in kelola_queries.LEGALITY_CHOICES}, type=str)


# --- schemas ------------------------------------------------------------------


class Detail(Schema):
    detail: str


class Errors(Schema):
    errors: dict[str, list[str]] = Field(
        ..., examples=[{"region_code": ["Wilayah dengan kode ini tidak ada."]}]
    )


class SectorOut(Schema):
    slug: str
    name: str


class WilayahOut(Schema):
    code: str = Field(..., examples=["13.07.02.2002"])
    name: str = Field(..., examples=["VII Koto Talago"])
    kind: str = Field(..., examples=["nagari"])
    label: str = Field(..., examples=["Nagari VII Koto Talago, Kecamatan Guguak, Kabupaten ..."])
    kecamatan: str | None = None
    kabupaten_kota: str | None = None
    provinsi: str | None = None


class KimSummary(Schema):
    slug: str
    name: str
    status: Kim.Status
    status_label: str
    legality: str = Field(..., description="berlaku, segera_berakhir, berakhir, tanpa_sk")
    legality_label: str
    legality_ends_on: date | None
    member_count: int
    latitude: float | None
    longitude: float | None
    wilayah: WilayahOut
    sectors: list[SectorOut]


class ChannelOut(Schema):
    kind: Channel.Kind
    kind_label: str
    handle: str = Field(..., description="Kosong untuk grup WhatsApp dan nomor telepon")
    url: str
    audience: int | None
    last_updated_on: date | None


class OfficerOut(Schema):
    name: str
    position: str = Field(..., description="jabatan, mis. Ketua")


class DecreeOut(Schema):
    number: str
    issued_on: date
    signatory_office: str
    term_ends_on: date | None


class KimProfile(KimSummary):
    description: str
    founded_on: date | None
    kimid_id: str | None
    kimid_url: str
    sk: DecreeOut | None
    channels: list[ChannelOut]
    officers: list[OfficerOut] = Field(
        ..., description="Pengurus yang setuju ditampilkan: hanya nama dan jabatan."
    )


class KimPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[KimSummary]


class MemberOut(Schema):
    public_id: str
    full_name: str
    position: Member.Position
    position_label: str
    started_on: date
    ended_on: date | None
    phone: str = Field(..., description="Tersamar (+62812****890) tanpa hak melihat data pribadi")
    phone_masked: bool
    consent_on: date | None
    listed_publicly: bool
    has_account: bool


class KimKelola(KimSummary):
    public_id: str
    status_note: str
    has_sk: bool
    address: str
    founded_on: date | None
    description: str
    kimid_id: str | None
    kimid_url: str
    verified_at: datetime | None
    members: list[MemberOut] = Field(..., description="Anggota yang masih aktif")


class KelolaPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[KimKelola]


class DirectoryFilter(Schema):
    wilayah: str | None = Field(
        None, description="Kode wilayah: KIM di wilayah ini dan di bawahnya, mis. 13.07"
    )
    sektor: str | None = Field(None, description="Slug sektor, lihat GET /api/sektor/")
    status: PublicStatus | None = None
    q: str | None = Field(None, max_length=100, description="Bagian nama KIM")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class KelolaFilter(Schema):
    wilayah: str | None = Field(None, description="Kode wilayah, mis. 13.07")
    status: Kim.Status | None = None
    legalitas: Legality | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class KimCreateIn(Schema):
    name: str = Field(..., max_length=200, examples=["KIM Tujuh Koto Talago"])
    region_code: str = Field(..., max_length=13, examples=["13.07.02.2002"])
    sectors: list[str] = Field([], description="Slug sektor", examples=[["pertanian", "umkm"]])
    address: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    founded_on: date | None = None
    description: str = Field("", max_length=2000)
    kimid_id: str | None = Field(None, max_length=40)
    kimid_url: str = Field("", max_length=200)


class KimUpdateIn(Schema):
    """Only the fields sent are changed; `region_code` (moving the KIM) needs a pembina."""

    name: str | None = Field(None, max_length=200)
    region_code: str | None = Field(None, max_length=13)
    sectors: list[str] | None = None
    address: str | None = Field(None, max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    founded_on: date | None = None
    description: str | None = Field(None, max_length=2000)
    kimid_id: str | None = Field(None, max_length=40)
    kimid_url: str | None = Field(None, max_length=200)


class VerifyIn(Schema):
    note: str = Field("", max_length=2000)


class MemberIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=150)
    position: Member.Position = Member.Position.ANGGOTA
    started_on: date | None = None
    phone: str = Field("", max_length=30, examples=["0812 3456 7890"])
    consent_on: date | None = Field(None, description="Tanggal orangnya setuju datanya dicatat")
    consent_purpose: str = Field("", max_length=300)
    listed_publicly: bool = Field(False, description="Nama dan jabatan tampil di profil publik")


# --- output --------------------------------------------------------------------


def _invalid(field, message):
    return ValidationError({field: [message]})


def _float(value):
    return float(value) if value is not None else None


def wilayah_out(code, regions):
    region = regions.get(code)
    by_level = {regions[c].level: regions[c] for c in ancestor_codes(code) if c in regions}
    if region is not None:
        by_level[region.level] = region

    def name(level):
        r = by_level.get(level)
        return r.name if r else None

    return {
        "code": code,
        "name": region.name if region else code,
        "kind": region.kind if region else "",
        "label": queries.wilayah_label(code, regions),
        "kecamatan": name(3) if (region is None or region.level >= 3) else None,
        "kabupaten_kota": name(2),
        "provinsi": name(1),
    }


def kim_summary(kim, regions, *, exact_position=False):
    """Exact coordinates only for the back office: a sekretariat is often someone's house,
    so the public gets them on the same ~2 km grid as the coverage map."""
    legality = kim.legality
    exact = (kim.latitude, kim.longitude)
    lat, lon = exact if exact_position else (public_point(*exact) or (None, None))
    return {
        "slug": kim.slug,
        "name": kim.name,
        "status": kim.status,
        "status_label": kim.get_status_display(),
        "legality": legality,
        "legality_label": str(kim.legality_label),
        "legality_ends_on": kim.legality_ends_on,
        "member_count": kim.member_count,
        "latitude": _float(lat),
        "longitude": _float(lon),
        "wilayah": wilayah_out(kim.region_code, regions),
        "sectors": [{"slug": s.slug, "name": s.name} for s in kim.sectors.all()],
    }


def public_channel_out(channel):
    """The kind's code and label, and what queries.public_channel lets the public see (never a
    WhatsApp handle or a handle carrying a phone number)."""
    shown = queries.public_channel(channel)
    return {
        "kind": channel.kind,
        "kind_label": channel.get_kind_display(),
        "handle": shown.handle,
        "url": shown.url,
        "audience": shown.audience,
        "last_updated_on": shown.last_updated_on,
    }


def member_out(member, *, private):
    return {
        "public_id": member.public_id,
        "full_name": member.full_name,
        "position": member.position,
        "position_label": member.get_position_display(),
        "started_on": member.started_on,
        "ended_on": member.ended_on,
        "phone": member.phone if private else mask_phone(member.phone),
        "phone_masked": bool(member.phone) and not private,
        "consent_on": member.consent_on,
        "listed_publicly": member.listed_publicly,
        "has_account": member.user_id is not None,
    }


POSITION_ORDER = {p: i for i, p in enumerate([*Member.OFFICER_POSITIONS, Member.Position.ANGGOTA])}


def kim_kelola(kim, regions, actor):
    private = scope.can(actor, KIM_VIEW_PRIVATE, kim)
    members = sorted(
        kim.current_members, key=lambda m: (POSITION_ORDER.get(m.position, 99), m.full_name)
    )
    return {
        **kim_summary(kim, regions, exact_position=True),
        "public_id": kim.public_id,
        "status_note": kim.status_note,
        "has_sk": kim.has_sk,
        "address": kim.address,
        "founded_on": kim.founded_on,
        "description": kim.description,
        "kimid_id": kim.kimid_id,
        "kimid_url": kim.kimid_url,
        "verified_at": kim.verified_at,
        "members": [member_out(m, private=private) for m in members],
    }


def _current_members():
    today = timezone.localdate()
    return Prefetch(
        "members",
        queryset=Member.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)),
        to_attr="current_members",
    )


def _with_related(qs):
    return qs.prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.only("slug", "name")), _current_members()
    )


def _kelola_detail(actor, slug):
    kim = _with_related(kelola_queries.kims_visible_to(actor, KIM_VIEW)).get(slug=slug)
    return kim_kelola(kim, queries.regions_for([kim.region_code]), actor)


def _check_wilayah(code, field="wilayah", *, must_exist=True):
    if not is_valid_code(code):
        raise _invalid(field, _("Kode wilayah tidak valid, mis. 13.07 atau 13.07.02.2002."))
    if must_exist and not Region.objects.filter(code=code).exists():
        raise _invalid(field, _("Wilayah dengan kode ini tidak ada."))


def _sectors(slugs, field="sectors"):
    slugs = list(dict.fromkeys(slugs))
    found = {s.slug: s for s in Sector.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise _invalid(
            field,
            _("Sektor tidak dikenal: %(slugs)s. Lihat GET /api/sektor/.")
            % {"slugs": ", ".join(unknown)},
        )
    return [found[s] for s in slugs]


def _coordinate(value):
    """JSON numbers -> the model's 6 decimal places (about 10 cm)."""
    return None if value is None else Decimal(str(round(value, 6)))


# --- public reads ---------------------------------------------------------------


@router.get("/sektor/", response=list[SectorOut], summary="Daftar sektor fokus KIM")
def sector_list(request):
    return [{"slug": slug, "name": name} for slug, name in queries.sector_choices()]


@router.get(
    "/kim/",
    response={200: KimPage, 422: Errors},
    summary="Direktori KIM (publik)",
    description="KIM berstatus aktif, kurang aktif, vakum atau nonaktif; urut nama.",
)
def kim_directory(request, filters: Query[DirectoryFilter]):
    if filters.wilayah:
        _check_wilayah(filters.wilayah)
    if filters.sektor:
        _sectors([filters.sektor], field="sektor")
    qs = queries.directory(
        wilayah=filters.wilayah,
        sector=filters.sektor,
        status=filters.status.value if filters.status else None,
        q=filters.q,
    )
    count = qs.count()
    page = list(qs.only(*SUMMARY_FIELDS)[filters.offset : filters.offset + filters.limit])
    regions = queries.regions_for([k.region_code for k in page])
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [kim_summary(k, regions) for k in page],
    }


@router.get(
    "/kim/{slug}/",
    response={200: KimProfile, 404: Detail},
    summary="Profil KIM (publik)",
    description="Tanpa nomor telepon, e-mail atau alamat siapa pun.",
)
def kim_profile(request, slug: str):
    kim = queries.public_kim_or_404(slug)
    regions = queries.regions_for([kim.region_code])
    decree = queries.current_decree(kim)
    return {
        **kim_summary(kim, regions),
        "description": kim.description,
        "founded_on": kim.founded_on,
        "kimid_id": kim.kimid_id,
        "kimid_url": kim.kimid_url,
        "sk": (
            {
                "number": decree.number,
                "issued_on": decree.issued_on,
                "signatory_office": decree.signatory_office,
                "term_ends_on": decree.term_ends_on,
            }
            if decree
            else None
        ),
        "channels": [public_channel_out(c) for c in kim.channels.all()],
        "officers": [
            {"name": o["name"], "position": str(o["position"])}
            for o in queries.public_officers(kim)
        ],
    }


# --- scoped reads and writes ------------------------------------------------------------


@router.get(
    "/kelola/kim/",
    auth=AUTH,
    response={200: KelolaPage, 401: Detail, 404: Detail, 422: Errors},
    summary="KIM dalam cakupan Anda (termasuk pengajuan)",
    description=(
        "Dengan anggota yang masih aktif; nomor telepon tersamar kecuali Anda berhak melihat "
        "data pribadi KIM itu (pembina, pengurus)."
    ),
)
def kelola_kim_list(request, filters: Query[KelolaFilter]):
    actor = request.auth
    if not scope.has_capability(actor, KIM_VIEW):
        raise Http404
    if filters.wilayah:
        _check_wilayah(filters.wilayah, must_exist=False)
    qs = kelola_queries.kim_list(
        actor,
        wilayah=filters.wilayah or "",
        status=filters.status.value if filters.status else "",
        legality=filters.legalitas.value if filters.legalitas else "",
        q=filters.q or "",
    )
    count = qs.count()
    page = list(_with_related(qs)[filters.offset : filters.offset + filters.limit])
    regions = queries.regions_for([k.region_code for k in page])
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [kim_kelola(k, regions, actor) for k in page],
    }


@router.post(
    "/kim/",
    auth=AUTH,
    response={201: KimKelola, 401: Detail, 404: Detail, 422: Errors},
    summary="Daftarkan KIM (pembina, admin provinsi)",
    description="KIM langsung aktif. Wilayah di luar cakupan Anda: 404.",
)
def kim_create(request, payload: KimCreateIn):
    actor = request.auth
    data = payload.model_dump()
    sectors = _sectors(data.pop("sectors"))
    data["latitude"] = _coordinate(data["latitude"])
    data["longitude"] = _coordinate(data["longitude"])
    data["kimid_id"] = (data["kimid_id"] or "").strip() or None
    kim = services.kim_create(actor=actor, sectors=sectors, **data)
    return Status(201, _kelola_detail(actor, kim.slug))


@router.patch(
    "/kim/{slug}/",
    auth=AUTH,
    response={200: KimKelola, 401: Detail, 404: Detail, 422: Errors},
    summary="Ubah profil KIM (pengurus KIM itu, pembina)",
)
def kim_update(request, slug: str, payload: KimUpdateIn):
    actor = request.auth
    kim = kelola_queries.kim_for(actor, slug, KIM_EDIT)
    data = payload.model_dump(exclude_unset=True)
    if "name" in data and not (data["name"] or "").strip():
        raise _invalid("name", _("Nama KIM wajib diisi, mis. KIM Tujuh Koto Talago."))
    for key in ("address", "description", "kimid_url"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("latitude", "longitude"):
        if key in data:
            data[key] = _coordinate(data[key])
    if "kimid_id" in data:
        data["kimid_id"] = (data["kimid_id"] or "").strip() or None
    if "region_code" in data and not data["region_code"]:
        raise _invalid("region_code", _("Kode wilayah wajib diisi, mis. 13.07.02.2002."))
    sectors = data.pop("sectors", None)
    if sectors is not None:
        sectors = _sectors(sectors)
    services.kim_update(actor=actor, kim=kim, sectors=sectors, **data)
    return _kelola_detail(actor, kim.slug)


@router.post(
    "/kim/{slug}/verifikasi/",
    auth=AUTH,
    response={200: KimKelola, 401: Detail, 404: Detail, 422: Errors},
    summary="Verifikasi pengajuan KIM (pembina, admin provinsi)",
)
def kim_verify(request, slug: str, payload: VerifyIn):
    actor = request.auth
    kim = kelola_queries.kim_for(actor, slug, KIM_VERIFY)
    services.kim_verify(actor=actor, kim=kim, note=payload.note.strip())
    return _kelola_detail(actor, kim.slug)


@router.post(
    "/kim/{slug}/anggota/",
    auth=AUTH,
    response={201: MemberOut, 401: Detail, 404: Detail, 422: Errors},
    summary="Tambah anggota KIM (pengurus KIM itu, pembina)",
    description="Nomor telepon disimpan terenkripsi; catat tanggal persetujuan orangnya.",
)
def member_add(request, slug: str, payload: MemberIn):
    actor = request.auth
    kim = kelola_queries.kim_for(actor, slug, KIM_EDIT)
    data = payload.model_dump()
    if data["started_on"] is None:
        data.pop("started_on")
    member = services.member_add(actor=actor, kim=kim, **data)
    return Status(201, member_out(member, private=scope.can(actor, KIM_VIEW_PRIVATE, kim)))
