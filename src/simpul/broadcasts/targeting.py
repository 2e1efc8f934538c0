"""Who a siaran reaches: the KIM and the subscribers of its target.

A target is a list of wilayah codes at any level ('' = all of Indonesia), optionally sectors
and KIM statuses. Both functions return plain querysets, so the fan-out can turn them into
one `INSERT ... SELECT` and the preview into COUNT queries; nothing is loaded into Python.

- KIM: registered at or below a target code; with any of the sectors (when given); with a
  status that can receive information (pengajuan and nonaktif never do).
- Subscribers: active; subscribed at or below a target code, *or* at a wilayah that contains
  a target code (whoever follows a whole kabupaten also gets a siaran aimed at one nagari);
  topics: all topics or any of the sectors; channel: any of the channels (all when empty).
"""

from django.db.models import Count, Exists, OuterRef, Q

from simpul.accounts.scope import region_q
from simpul.regions.models import ancestor_codes
from simpul.registry.models import Kim

from .models import Channel, Subscriber

# Statuses a siaran may be addressed to; the default when the sender chose none.
RECEIVING_STATUSES = (Kim.Status.AKTIF, Kim.Status.KURANG_AKTIF, Kim.Status.VAKUM)


def normalise_regions(regions):
    """Distinct codes without the ones already covered by a shorter one ('' covers all)."""
    codes = sorted({(c or "").strip() for c in regions or ()}, key=lambda c: (len(c), c))
    kept = []
    for code in codes:
        if not any(k == "" or code == k or code.startswith(k + ".") for k in kept):
            kept.append(code)
    return kept


def statuses_for(kim_statuses):
    """The statuses asked for, limited to the receiving ones; all receiving ones if none."""
    wanted = [s for s in kim_statuses or () if s in RECEIVING_STATUSES]
    return wanted or list(RECEIVING_STATUSES)


def kims(*, regions, sector_ids=(), kim_statuses=()):
    """KIM targeted by the wilayah codes, sectors and statuses (a QuerySet, not evaluated)."""
    codes = normalise_regions(regions)
    if not codes:
        return Kim.objects.none()
    qs = Kim.objects.filter(region_q(codes), status__in=statuses_for(kim_statuses))
    if sector_ids:
        links = Kim.sectors.through.objects.filter(
            kim_id=OuterRef("pk"), sector_id__in=list(sector_ids)
        )
        qs = qs.filter(Exists(links))
    return qs


def _subscriber_region_q(codes):
    """At or under a target code, or at a wilayah above one (incl. '' = the whole country)."""
    if "" in codes:
        return Q()  # not OR-ed: Q() | x is x, which would narrow "everywhere"
    above = {""}
    for code in codes:
        above.update(ancestor_codes(code))
    return region_q(codes) | Q(region_code__in=sorted(above))


def subscribers(*, regions, sector_ids=(), channels=()):
    """Active subscribers reached by the target (a QuerySet, not evaluated)."""
    codes = normalise_regions(regions)
    if not codes:
        return Subscriber.objects.none()
    qs = Subscriber.objects.filter(_subscriber_region_q(codes), status=Subscriber.Status.ACTIVE)
    if sector_ids:
        topics = Subscriber.topics.through.objects.filter(
            subscriber_id=OuterRef("pk"), sector_id__in=list(sector_ids)
        )
        qs = qs.filter(Q(all_topics=True) | Exists(topics))
    if channels:
        qs = qs.filter(channel__in=list(channels))
    return qs


def preview(*, regions, sector_ids=(), kim_statuses=(), channels=()):
    """How many KIM and subscribers per channel the target reaches: two COUNT queries."""
    targeted = kims(regions=regions, sector_ids=sector_ids, kim_statuses=kim_statuses)
    result = {"kim": targeted.count()}
    for channel in Channel.values:
        result[channel] = 0
    rows = (
        subscribers(regions=regions, sector_ids=sector_ids, channels=channels)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    for channel, n in rows:
        result[channel] = n
    return result
