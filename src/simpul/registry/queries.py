"""Public reads of the KIM registry: the directory, the profile, counts on wilayah pages.

Public content is visible by its status (Kim.PUBLIC_STATUSES), not by scope, so these
functions take no actor. None of them selects a member's phone, a user account, an
address or an SK scan: what is not fetched cannot leak into a template.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from simpul.accounts.scope import region_q
from simpul.regions.models import ancestor_codes
from simpul.regions.queries import cached_rows

from .models import Channel, Decree, Kim, Member, Sector, full_kim_name, normalise_kim_name

DIRECTORY_FIELDS = (
    "name",
    "normalised_name",
    "slug",
    "region_code",
    "status",
    "has_sk",
    "legality_ends_on",
)

# Length of a child's code for a region of each level: 13 -> 13.07 -> 13.07.07 -> 13.07.07.2002
CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8, 3: 13}


def public_kims():
    return Kim.objects.filter(status__in=Kim.PUBLIC_STATUSES)


def under(code, field="region_code"):
    """Rows at wilayah `code` or anywhere below it (fixed-width segments: a prefix test)."""
    return region_q([code], field)


def sector_choices():
    """[(slug, name)] of the managed sector list, in its order (one query)."""
    return list(Sector.objects.values_list("slug", "name"))


def directory(*, wilayah=None, sector=None, status=None, q=None):
    """Public KIM, filtered; sectors prefetched. Order: by name without the 'KIM' prefix."""
    qs = public_kims()
    if wilayah:
        qs = qs.filter(under(wilayah))
    if sector:
        qs = qs.filter(sectors__slug=sector)
    if status:
        qs = qs.filter(status=status)
    key = normalise_kim_name(q or "")
    if key:
        qs = qs.filter(normalised_name__contains=key)
    return (
        qs.only(*DIRECTORY_FIELDS)
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.only("slug", "name")))
        .order_by("normalised_name", "pk")
    )


def regions_for(codes):
    """{code: Region} for the codes and all their ancestors, in one query."""
    wanted = set()
    for code in codes:
        if code:
            wanted.add(code)
            wanted.update(ancestor_codes(code))
    if not wanted:
        return {}
    return cached_rows(wanted)


def wilayah_label(code, regions):
    """'Nagari Koto Bangun, Kecamatan Kapur IX, Kabupaten Lima Puluh Kota' (desa up to kab/kota)."""
    chain = [*ancestor_codes(code), code]
    parts = [regions[c].label for c in reversed(chain) if c in regions and c.count(".") >= 1]
    if not parts and code in regions:  # a KIM registered at province level
        parts = [regions[code].label]
    return ", ".join(parts) or code


@dataclass
class DirectoryRow:
    kim: Kim
    full_name: str
    wilayah: str
    sectors: list = field(default_factory=list)


def directory_rows(kims, *, extra_codes=()):
    """Rows for one page of the directory, plus {code: Region} (also for `extra_codes`).

    One query fetches every wilayah the page names (each KIM's code and its ancestors),
    so the number of queries does not grow with the rows.
    """
    kims = list(kims)
    regions = regions_for([k.region_code for k in kims] + list(extra_codes))
    rows = [
        DirectoryRow(
            kim=k,
            full_name=full_kim_name(k.name),
            wilayah=wilayah_label(k.region_code, regions),
            sectors=list(k.sectors.all()),
        )
        for k in kims
    ]
    return rows, regions


def public_kim_or_404(slug):
    try:
        return public_kims().prefetch_related("sectors").get(slug=slug)
    except Kim.DoesNotExist as exc:
        raise Http404 from exc


def breadcrumb_regions(code):
    """The KIM's wilayah and its ancestors, top first (one query)."""
    regions = regions_for([code])
    return [regions[c] for c in [*ancestor_codes(code), code] if c in regions]


def public_officers(kim):
    """(name, position label) of current officers who agreed to be listed, ketua first.

    Only the two columns are fetched: never the phone, the user account or the consent note.
    """
    today = timezone.localdate()
    rows = (
        Member.objects.filter(
            kim=kim,
            listed_publicly=True,
            consent_on__isnull=False,
            position__in=Member.OFFICER_POSITIONS,
            started_on__lte=today,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("full_name", "position")
    )
    order = {p: i for i, p in enumerate(Member.OFFICER_POSITIONS)}
    labels = dict(Member.Position.choices)
    return [
        {"name": name, "position": labels[pos]}
        for name, pos in sorted(rows, key=lambda r: (order[r[1]], r[0]))
    ]


# An Indonesian mobile number anywhere in a handle (08…, 628…, +62 8…), e.g. wa.me/628….
PHONE_RE = re.compile(r"(?<![0-9])(?:\+?62|0)[\s.-]?8(?:[\s.-]?[0-9]){7,11}")


@dataclass
class PublicChannel:
    kind: str
    handle: str  # "" when it must not be shown
    url: str  # "" unless the handle is an http(s) link that may be shown
    audience: int | None
    last_updated_on: object


def public_channel(channel):
    """What the public may see of a channel. WhatsApp handles are never shown (closed groups:
    an invite link lets strangers in, a number is somebody's phone); nor is any handle that
    carries a phone number."""
    handle = channel.handle.strip()
    if channel.kind == Channel.Kind.WHATSAPP or PHONE_RE.search(handle):
        handle = ""
    url = channel.url if handle else ""
    if url:  # the link text without the scheme and "www.": shorter on a phone
        handle = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return PublicChannel(
        kind=channel.get_kind_display(),
        handle=handle,
        url=url,
        audience=channel.audience,
        last_updated_on=channel.last_updated_on,
    )


def public_channels(kim):
    rows = Channel.objects.filter(kim=kim).only(
        "kind", "handle", "audience", "last_updated_on", "kim_id"
    )
    return [public_channel(c) for c in rows]


def current_decree(kim):
    """The SK issued last: number, date and signing office only (never the scan)."""
    return (
        Decree.objects.filter(kim=kim)
        .only("number", "issued_on", "signatory_office", "term_ends_on", "kim_id")
        .order_by("-issued_on", "-id")
        .first()
    )


def public_kim_counts(region):
    """(public KIM at or under `region`, {child code: public KIM under that child}).

    One aggregate query: group by the first len(child code) characters of region_code.
    A KIM registered at the region itself counts in the total but under no child.
    """
    qs = public_kims().filter(under(region.code)).order_by()
    length = CHILD_CODE_LENGTH.get(region.level)
    if length is None:
        return qs.count(), {}
    groups = (
        qs.annotate(prefix=Substr("region_code", 1, length))
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    by_child = dict(groups)
    return sum(by_child.values()), by_child
