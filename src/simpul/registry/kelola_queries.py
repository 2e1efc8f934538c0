"""Reads for the back office (/kelola/kim/). Every function takes the actor; outside the
actor's scope is Http404, the same as a KIM that does not exist (DESIGN.md, tenancy)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from simpul.accounts import scope
from simpul.accounts.roles import KIM_VERIFY, KIM_VIEW
from simpul.audit.models import Event
from simpul.regions.models import Region

from .models import Kim, Member, normalise_kim_name

LEGALITY_CHOICES = ("berlaku", "segera_berakhir", "berakhir", "tanpa_sk")
SOON_DAYS = 60  # the same threshold as Kim.legality


def _ketua_unconfirmed():
    """The KIM's ketua has an account whose e-mail is not confirmed yet (self-registration)."""
    return Exists(
        Member.objects.filter(
            kim=OuterRef("pk"),
            position=Member.Position.KETUA,
            user__isnull=False,
            user__email_verified_at__isnull=True,
        )
    )


def kims_visible_to(actor, capability=KIM_VIEW):
    """KIM the actor may use `capability` on. A self-registered pengajuan whose ketua has not
    confirmed the e-mail yet is hidden from offices (services.pending_visible); its own
    pengurus still see it."""
    qs = scope.scope_filter(actor, Kim.objects.all(), capability, kim_field="id")
    hidden = Q(status=Kim.Status.PENGAJUAN) & _ketua_unconfirmed()
    own = scope.kim_ids(actor, capability)
    if own:
        hidden &= ~Q(id__in=own)
    return qs.exclude(hidden)


def kim_for(actor, slug, capability=KIM_VIEW):
    try:
        return kims_visible_to(actor, capability).get(slug=slug)
    except Kim.DoesNotExist as exc:
        raise Http404 from exc


def kim_list(actor, *, wilayah="", status="", legality="", q=""):
    """The filtered list for /kelola/kim/. Rejected KIM are listed only when asked for."""
    qs = kims_visible_to(actor)
    if wilayah:
        qs = qs.filter(scope.region_q([wilayah]))
    # Rejected KIM only when asked for: they are not part of the working list.
    qs = qs.filter(status=status) if status else qs.exclude(status=Kim.Status.DITOLAK)
    if legality:
        today = timezone.localdate()
        soon = today + timedelta(days=SOON_DAYS)
        with_sk = Q(has_sk=True)
        qs = qs.filter(
            {
                "tanpa_sk": Q(has_sk=False),
                "berakhir": with_sk & Q(legality_ends_on__lt=today),
                "segera_berakhir": with_sk
                & Q(legality_ends_on__gte=today, legality_ends_on__lte=soon),
                "berlaku": with_sk
                & (Q(legality_ends_on__isnull=True) | Q(legality_ends_on__gt=soon)),
            }[legality]
        )
    if q:
        key = normalise_kim_name(q)
        if key:
            qs = qs.filter(normalised_name__contains=key)
    return qs.order_by("region_code", "name")


def pending_for(actor):
    """Pengajuan waiting for this actor's verification (only e-mail-confirmed ones), oldest
    first; those sent back for changes come last."""
    if not scope.has_capability(actor, KIM_VERIFY):
        return Kim.objects.none()
    return (
        scope.scope_filter(actor, Kim.objects.all(), KIM_VERIFY, kim_field="id")
        .filter(status=Kim.Status.PENGAJUAN)
        .exclude(_ketua_unconfirmed())
        .order_by("status_note", "created_at")
    )


def regions_for(kims):
    """{code: Region} for a page of KIM, with parents, in one query."""
    codes = {k.region_code for k in kims}
    return {r.code: r for r in Region.objects.filter(code__in=codes).select_related("parent")}


def kim_events(kim, limit=20):
    return list(Event.objects.filter(kim_id=kim.pk).order_by("-created_at", "-id")[:limit])


def decree_for(kim, public_id):
    try:
        return kim.decrees.get(public_id=public_id)
    except kim.decrees.model.DoesNotExist as exc:
        raise Http404 from exc


def member_for(kim, public_id):
    try:
        return kim.members.select_related("user").get(public_id=public_id)
    except Member.DoesNotExist as exc:
        raise Http404 from exc
