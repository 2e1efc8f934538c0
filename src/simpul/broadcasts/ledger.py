"""The reach ledger of a siaran (/kelola/siaran/<id>/jangkauan/): did it reach people?

For each wilayah one level below the ledger's root (the target, or a wilayah picked inside
it): KIM that received it (inboxes), read and acknowledged it, relayed it (and to how many
people, by their estimate); subscriber messages sent and failed; short-link clicks and
poster QR scans (ShortLink.clicks: a counter, no IP address or anything about the person).
The information gap: targeted wilayah where no KIM relayed and no subscriber was reached.

Who sees what (reads take the actor): an officer whose SIARAN_VIEW scope covers the sending
office's wilayah sees the whole ledger; an officer whose wilayah lies inside the target
(a pembina under a provincial siaran) sees the part of the ledger inside their wilayah.
Anyone else gets 404, the same as a siaran that does not exist.

A fixed number of aggregate queries, grouped by the child code prefix (Substr, the same on
SQLite and PostgreSQL): never one query per wilayah or per KIM.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.http import Http404

from simpul.accounts import scope
from simpul.accounts.roles import SIARAN_VIEW
from simpul.regions.models import Region, ancestor_codes, is_valid_code
from simpul.registry.queries import CHILD_CODE_LENGTH

from . import tally
from .models import (
    Channel,
    Dispatch,
    DispatchTally,
    Inbox,
    Relay,
    RelayChannel,
    ShortLink,
    Siaran,
)
from .targeting import normalise_regions

KIM_PAGE = 50
# Below this level the ledger lists every KIM (paginated); above it, only wilayah rows.
KIM_LIST_FROM_LEVEL = 2
REGION_FIELDS = ("code", "name", "kind", "level", "parent_id")
# The grouped tally of one (siaran, ledger root) is cached under its tally_at: a new tally
# is a new key, so the cache never serves older numbers than the tally; it only saves
# re-grouping the tally (hundreds of thousands of rows for a national siaran) per view.
TALLY_CACHE_SECONDS = 600


@dataclass
class Row:
    """The numbers of one wilayah (or of the whole ledger, for the total)."""

    code: str
    name: str = ""
    kind: str = ""
    region: Region | None = None
    kims: int = 0  # inboxes: KIM that received the siaran
    read: int = 0
    acknowledged: int = 0
    relayed_kims: int = 0
    relays: int = 0
    audience: int = 0
    sent: int = 0  # subscriber messages delivered to the provider
    failed: int = 0
    pending: int = 0  # queued or sending
    other: int = 0  # skipped or cancelled
    clicks: int = 0  # short-link clicks (every channel but the poster)
    scans: int = 0  # poster QR scans
    url: str = ""

    @property
    def dispatches(self):
        return self.sent + self.failed + self.pending + self.other

    @property
    def relay_percent(self):
        return self.relayed_kims * 100 / self.kims if self.kims else None

    @property
    def is_gap(self):
        return not self.relayed_kims and not self.sent

    def add(self, other):
        for name in (
            "kims", "read", "acknowledged", "relayed_kims", "relays", "audience",
            "sent", "failed", "pending", "other", "clicks", "scans",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Ledger:
    siaran: Siaran
    visible: list  # target codes the actor may see ('' = all of Indonesia)
    whole: bool  # the actor sees the whole siaran (its office's scope)
    root_code: str
    root: Region | None
    counted: list  # codes whose rows are counted (root, or visible codes under it)
    rows: list = field(default_factory=list)
    total: Row = None
    relay_channels: list = field(default_factory=list)  # [{channel, label, relays, ...}]
    dispatch_channels: list = field(default_factory=list)
    link_channels: list = field(default_factory=list)
    crumbs: list = field(default_factory=list)  # [(code, label)] from the top visible code
    dispatch_as_of: object = None  # when the subscriber message counts were taken

    @property
    def level(self):
        return self.root.level if self.root else 0

    @property
    def label(self):
        return self.root.label if self.root else "Indonesia"

    @property
    def gaps(self):
        return [r for r in self.rows if r.is_gap]

    @property
    def lists_kims(self):
        return self.level >= KIM_LIST_FROM_LEVEL


# --- access -------------------------------------------------------------------------


def visible_targets(actor, siaran):
    """(codes, whole): the target codes the actor may see, or 404."""
    if not scope.has_capability(actor, SIARAN_VIEW):
        raise Http404
    prefixes = scope.region_prefixes(actor, SIARAN_VIEW)
    targets = normalise_regions(siaran.target_regions)
    if any(scope.code_in(siaran.region_code, p) for p in prefixes):
        return targets, True
    inside = [t for t in targets if any(scope.code_in(t, p) for p in prefixes)]
    inside += [p for p in prefixes if any(scope.code_in(p, t) for t in targets)]
    inside = normalise_regions(inside)
    if not inside:
        raise Http404
    return inside, False


def siaran_for(actor, public_id):
    """The siaran, if the actor may see (part of) its ledger; else 404."""
    siaran = Siaran.objects.select_related("office").filter(public_id=public_id).first()
    if siaran is None or siaran.status == Siaran.Status.DRAFT:
        raise Http404
    visible_targets(actor, siaran)
    return siaran


def _common_code(codes):
    """The deepest wilayah code containing every code ('' when they span provinces)."""
    split = [c.split(".") for c in codes if c]
    if not split or len(split) < len(codes):
        return ""
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common)


def _in_any(code, prefixes):
    return any(scope.code_in(code, p) for p in prefixes)


def resolve_root(visible, wanted="", *, whole=True):
    """(root code, counted codes) for a wilayah picked inside the visible target, or 404.
    Whoever sees the whole siaran may also pick a wilayah above its targets (their common
    parent); whoever sees a part only picks inside it."""
    if wanted:
        if not is_valid_code(wanted):
            raise Http404
        above = whole and any(scope.code_in(v, wanted) for v in visible)
        if not _in_any(wanted, visible) and not above:
            raise Http404
        root = wanted
    else:
        root = visible[0] if len(visible) == 1 else _common_code(visible)
    if _in_any(root, visible):
        return root, [root]
    return root, [v for v in visible if scope.code_in(v, root)]


# --- numbers ------------------------------------------------------------------------


def _prefixed(qs, length):
    return qs.annotate(prefix=Substr("region_code", 1, length)).values("prefix").order_by()


def _children(root_code, root, counted):
    """Rows for the children of the root that overlap the counted codes (one query)."""
    if root is not None and root.level >= 4:
        return [Row(code=root.code, name=root.name, kind=root.kind, region=root)]
    if root_code == "":
        qs = Region.objects.filter(level=1)
    else:
        qs = Region.objects.filter(parent_id=root_code)
    children = qs.filter(retired=False).only(*REGION_FIELDS).order_by("code")
    return [
        Row(code=c.code, name=c.name, kind=c.kind, region=c)
        for c in children
        if _in_any(c.code, counted) or any(scope.code_in(v, c.code) for v in counted)
    ]


def ledger(actor, siaran, *, wilayah=""):
    """The ledger of a siaran for the actor, rooted at `wilayah` (default: the target)."""
    visible, whole = visible_targets(actor, siaran)
    root_code, counted = resolve_root(visible, (wilayah or "").strip(), whole=whole)
    root = Region.objects.filter(code=root_code).only(*REGION_FIELDS).first() if root_code else None
    if root_code and root is None:
        raise Http404
    result = Ledger(
        siaran=siaran,
        visible=visible,
        whole=whole,
        root_code=root_code,
        root=root,
        counted=counted,
    )
    level = root.level if root else 0
    length = CHILD_CODE_LENGTH.get(level, 13)
    # The whole siaran at its own root: every row of it counts, including subscribers of a
    # wilayah above the target (a kabupaten-wide subscriber of a siaran to one nagari), who
    # fall under no child row but into the total. Elsewhere: the rows under the counted codes.
    everything = whole and not (wilayah or "").strip()
    where = Q() if everything else scope.region_q(counted)
    rows = _children(root_code, root, counted)
    by_code = {r.code: r for r in rows}
    result.total = Row(code=root_code, name=result.label)

    def row(prefix):
        return by_code.get(prefix) or Row(code=prefix)  # outside the listed children

    inboxes = _prefixed(siaran.inboxes.filter(where), length).annotate(
        n=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        ack=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    for item in inboxes:
        r = row(item["prefix"])
        r.kims, r.read, r.acknowledged = item["n"], item["read"], item["ack"]
        result.total.kims += item["n"]
        result.total.read += item["read"]
        result.total.acknowledged += item["ack"]

    relays = _prefixed(siaran.relays.filter(where), length).annotate(
        n=Count("pk"), audience=Coalesce(Sum("audience"), 0), kims=Count("kim_id", distinct=True)
    )
    for item in relays:
        r = row(item["prefix"])
        r.relays, r.audience, r.relayed_kims = item["n"], item["audience"], item["kims"]

    dispatch_totals = {}
    key = "all" if everything else ",".join(counted)
    dispatches, result.dispatch_as_of = _dispatch_counts(siaran, where, length, key)
    for item in dispatches:
        r = row(item["prefix"])
        status, n = item["status"], item["n"]
        bucket = _dispatch_bucket(status)
        setattr(r, bucket, getattr(r, bucket) + n)
        per = dispatch_totals.setdefault(item["channel"], Row(code=item["channel"]))
        setattr(per, bucket, getattr(per, bucket) + n)

    link_totals = {}
    links = (
        _prefixed(siaran.short_links.filter(where), length)
        .values("prefix", "channel")
        .annotate(clicks=Coalesce(Sum("clicks"), 0), links=Count("pk"))
    )
    for item in links:
        r = row(item["prefix"])
        if item["channel"] == RelayChannel.POSTER:
            r.scans += item["clicks"]
        else:
            r.clicks += item["clicks"]
        per = link_totals.setdefault(item["channel"], [0, 0])
        per[0] += item["clicks"]
        per[1] += item["links"]

    relay_channels = (
        siaran.relays.filter(where)
        .values("channel")
        .order_by()
        .annotate(
            n=Count("pk"),
            audience=Coalesce(Sum("audience"), 0),
            kims=Count("kim_id", distinct=True),
        )
    )
    labels = dict(RelayChannel.choices)
    result.relay_channels = sorted(
        (
            {
                "channel": i["channel"],
                "label": str(labels.get(i["channel"], i["channel"])),
                "relays": i["n"],
                "audience": i["audience"],
                "kims": i["kims"],
            }
            for i in relay_channels
        ),
        key=lambda d: -d["relays"],
    )
    # Totals of relaying KIM across channels: distinct over the whole ledger (one query).
    relay_total = siaran.relays.filter(where).aggregate(
        n=Count("pk"), audience=Coalesce(Sum("audience"), 0), kims=Count("kim_id", distinct=True)
    )
    result.total.relays = relay_total["n"]
    result.total.audience = relay_total["audience"]
    result.total.relayed_kims = relay_total["kims"]

    channel_labels = dict(Channel.choices)
    result.dispatch_channels = [
        {"channel": c, "label": str(channel_labels.get(c, c)), "row": dispatch_totals[c]}
        for c in Channel.values
        if c in dispatch_totals
    ]
    for per in dispatch_totals.values():
        for name in ("sent", "failed", "pending", "other"):
            setattr(result.total, name, getattr(result.total, name) + getattr(per, name))
    result.link_channels = [
        {"channel": c, "label": str(labels.get(c, c)), "clicks": v[0], "links": v[1]}
        for c, v in sorted(link_totals.items(), key=lambda kv: -kv[1][0])
    ]
    result.total.clicks = sum(v[0] for c, v in link_totals.items() if c != RelayChannel.POSTER)
    result.total.scans = link_totals.get(RelayChannel.POSTER, [0, 0])[0]
    result.rows = rows
    result.crumbs = _crumbs(visible, root_code)
    return result


def _dispatch_counts(siaran, where, length, key):
    """([{prefix, channel, status, n}], as of) of the subscriber messages, from the dispatch
    tally (tally.py), not from the dispatches: a national siaran has ~2,000,000 of them,
    1.4-1.8 s to count. The worker refreshes the tally right after fan-out and every 60 s
    while messages are queued or sending; the page says when it was taken (tally_at)."""
    if siaran.fanned_out_at is None:
        return [], None  # no dispatches yet
    if siaran.tally_at is None:
        # Fanned out but never tallied (or marked stale): the only time a request counts.
        siaran.tally_at = tally.refresh(siaran.pk)
        if siaran.tally_at is None:
            return [], None  # deleted meanwhile
    cache_key = f"ledger:tally:{siaran.pk}:{siaran.tally_at.timestamp()}:{length}:{key}"
    rows = cache.get(cache_key)
    if rows is None:
        rows = list(
            _prefixed(DispatchTally.objects.filter(where, siaran=siaran), length)
            .values("prefix", "channel", "status")
            .annotate(n=Sum("n"))
        )
        cache.set(cache_key, rows, TALLY_CACHE_SECONDS)
    return rows, siaran.tally_at


def _dispatch_bucket(status):
    if status == Dispatch.Status.SENT:
        return "sent"
    if status == Dispatch.Status.FAILED:
        return "failed"
    if status in (Dispatch.Status.QUEUED, Dispatch.Status.SENDING):
        return "pending"
    return "other"


def _crumbs(visible, root_code):
    """[(code, name)] from the visible target down to the root's parent (one query)."""
    if not root_code:
        return []
    codes = [c for c in ancestor_codes(root_code) if _in_any(c, visible)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [(c, names.get(c, c)) for c in codes]


# --- per KIM ------------------------------------------------------------------------


def kim_rows(siaran, result, *, page=1, per_page=KIM_PAGE):
    """A page of the targeted KIM under the root with their inbox state, relays and clicks
    (two queries: the count and the page). None above KIM_LIST_FROM_LEVEL."""
    if not result.lists_kims:
        return None
    return Paginator(_kim_queryset(siaran, result), per_page).get_page(page)


def _kim_queryset(siaran, result):
    where = scope.region_q(result.counted)
    relays = (
        Relay.objects.filter(siaran=siaran, kim_id=OuterRef("kim_id")).order_by().values("kim_id")
    )
    links = (
        ShortLink.objects.filter(siaran=siaran, kim_id=OuterRef("kim_id"))
        .order_by()
        .values("kim_id")
    )
    number = IntegerField()
    return (
        Inbox.objects.filter(where, siaran=siaran)
        .select_related("kim")
        .only(
            "pk",
            "region_code",
            "delivered_at",
            "read_at",
            "acknowledged_at",
            "kim__name",
            "kim__slug",
            "kim__region_code",
            "kim__status",
        )  # fmt: skip
        .annotate(
            relays=Coalesce(Subquery(relays.annotate(n=Count("pk")).values("n")), 0),
            audience=Coalesce(
                Subquery(relays.annotate(n=Sum("audience")).values("n"), output_field=number), 0
            ),
            clicks=Coalesce(
                Subquery(
                    links.exclude(channel=RelayChannel.POSTER)
                    .annotate(n=Sum("clicks"))
                    .values("n"),
                    output_field=number,
                ),
                0,
            ),
            scans=Coalesce(
                Subquery(
                    links.filter(channel=RelayChannel.POSTER).annotate(n=Sum("clicks")).values("n"),
                    output_field=number,
                ),
                0,
            ),
        )
        .order_by("region_code", "kim__name", "pk")
    )


def all_kim_rows(siaran, result):
    """Every targeted KIM under the root (for the export), or [] above KIM_LIST_FROM_LEVEL."""
    if not result.lists_kims:
        return []
    return list(_kim_queryset(siaran, result))


# --- the information gap ------------------------------------------------------------


def _nobody_reached(siaran):
    """Villages (Region rows) where no KIM relayed and no subscriber message was sent (as
    of the dispatch tally, like the ledger's numbers)."""
    relayed = Relay.objects.filter(siaran=siaran, region_code=OuterRef("code"))
    reached = DispatchTally.objects.filter(
        siaran=siaran, region_code=OuterRef("code"), status=Dispatch.Status.SENT, n__gt=0
    )
    return ~Exists(relayed) & ~Exists(reached)


def gap_villages(siaran, result):
    """Villages under the root with no relay and no reached subscriber, grouped by their
    kecamatan: [(kecamatan name, [village Region])]. Only from kab/kota level down (a
    province holds over a thousand villages; above that, see gap_counts)."""
    if result.level < 2:
        return []
    villages = (
        Region.objects.filter(scope.region_q(result.counted, "code"), level=4, retired=False)
        .filter(_nobody_reached(siaran))
        .only(*REGION_FIELDS)
        .order_by("code")
    )
    groups = {}
    for v in villages:
        groups.setdefault(v.parent_id, []).append(v)
    names = dict(Region.objects.filter(code__in=list(groups)).values_list("code", "name"))
    return [(names.get(code, code), code, items) for code, items in groups.items()]


def gap_counts(siaran, result):
    """{child code: (villages, villages without relay or reached subscriber)} in one query."""
    length = CHILD_CODE_LENGTH.get(result.level, 13)
    rows = (
        Region.objects.filter(scope.region_q(result.counted, "code"), level=4, retired=False)
        .annotate(prefix=Substr("code", 1, length))
        .values("prefix")
        .order_by()
        .annotate(n=Count("code"), gap=Count("code", filter=_nobody_reached(siaran)))
    )
    return {r["prefix"]: (r["n"], r["gap"]) for r in rows}
