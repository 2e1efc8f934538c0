"""Reads of Siaran, each taking the actor: the office's list and pages (SIARAN_VIEW, a prefix
filter on the sender's `region_code`), the KIM's inbox (SIARAN_RELAY at the KIM), and the
public pages (sent and public siaran only). Outside scope is 404, the same as missing."""

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from simpul.accounts import scope
from simpul.accounts.roles import OFFICE_MANAGE, SIARAN_RELAY, SIARAN_SEND, SIARAN_VIEW
from simpul.regions.models import Region

from . import targeting
from .models import Attachment, Inbox, OfficePolicy, Relay, Siaran

PUBLIC_STATUSES = (Siaran.Status.SENT,)
WHOLE_COUNTRY = "ID"  # the form's value for target code "" (all of Indonesia)


# --- the office ------------------------------------------------------------------------


def siaran_list(actor, *, status=""):
    rows = scope.scope_filter(actor, Siaran.objects.all(), SIARAN_VIEW).select_related("office")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def siaran_for(actor, public_id, capability=SIARAN_VIEW):
    return scope.get_or_404(
        actor,
        Siaran.objects.select_related("office", "created_by", "approved_by"),
        capability,
        public_id=public_id,
    )


def attachment_for(actor, siaran, public_id):
    try:
        return siaran.attachments.get(public_id=public_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc


def region_names(codes):
    names = dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))
    if "" in codes:
        names[""] = _("Seluruh Indonesia")
    return names


def target_choices(actor):
    """(code, label) of the wilayah an actor may pick from a list: their own wilayah and the
    kab/kota inside it (for national officers: the provinces)."""
    prefixes = scope.region_prefixes(actor, SIARAN_SEND)
    national = prefixes == [""]
    if national:
        rows = Region.objects.filter(level=1, retired=False)
    else:
        q = Q(code__in=prefixes)
        for p in prefixes:
            if p.count(".") == 0:  # a province: its kab/kota
                q |= Q(level=2, code__startswith=p + ".")
        rows = Region.objects.filter(q, retired=False)
    choices = [(r.code, f"{r.name} ({r.code})") for r in rows.order_by("code")]
    return [(WHOLE_COUNTRY, _("Seluruh Indonesia")), *choices] if national else choices


def siaran_counts(siaran):
    """Inboxes delivered/read/acknowledged and relays for one siaran (the office's page)."""
    inbox = siaran.inboxes.aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    relays = siaran.relays.aggregate(total=Count("pk"), audience=Sum("audience"))
    return {"inbox": inbox, "relays": relays}


def preview(siaran):
    """How many KIM and subscribers on each channel the target reaches (COUNT queries)."""
    return targeting.preview(
        regions=siaran.target_regions,
        sector_ids=list(siaran.target_sectors.values_list("pk", flat=True)),
        kim_statuses=siaran.target_kim_statuses,
        channels=siaran.channels,
    )


def policy_for(actor, office):
    """The office's siaran policy, if the actor may change it (OFFICE_MANAGE there)."""
    if office is None or not scope.can(actor, OFFICE_MANAGE, region_code=office.region_code):
        return None
    return OfficePolicy.objects.filter(office=office).first() or OfficePolicy(
        office=office, region_code=office.region_code
    )


# --- the KIM's inbox --------------------------------------------------------------------


def inbox_list(actor):
    ids = scope.kim_ids(actor, SIARAN_RELAY)
    return (
        Inbox.objects.filter(kim_id__in=ids)
        .select_related("siaran", "siaran__office", "kim")
        .order_by("-delivered_at", "-pk")
    )


def inbox_for(actor, public_id, kim_slug):
    ids = scope.kim_ids(actor, SIARAN_RELAY)
    try:
        return (
            Inbox.objects.select_related("siaran", "siaran__office", "kim")
            .filter(kim_id__in=ids)
            .get(siaran__public_id=public_id, kim__slug=kim_slug)
        )
    except Inbox.DoesNotExist as exc:
        raise Http404 from exc


def relays_of(inbox):
    return Relay.objects.filter(siaran_id=inbox.siaran_id, kim_id=inbox.kim_id).order_by(
        "-relayed_on", "-pk"
    )


# --- public -----------------------------------------------------------------------------


def public_list():
    return (
        Siaran.objects.filter(status__in=PUBLIC_STATUSES, is_public=True)
        .select_related("office")
        .order_by("-sent_at", "-pk")
    )


def public_detail(slug):
    try:
        return public_list().get(slug=slug)
    except Siaran.DoesNotExist as exc:
        raise Http404 from exc
