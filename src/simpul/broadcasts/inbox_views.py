"""A KIM's siaran inbox (/kelola/siaran/kotak/): what arrived, read and acknowledged, and
one tap to pass it on — share links carrying the KIM's own tracked short link, an A4 poster
with a QR code, a radio script, and a form for offline relays (meetings, mosque, door to door).

Scope: SIARAN_RELAY at the inbox's KIM (pengurus, anggota); any other inbox is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from simpul.accounts import scope
from simpul.accounts.roles import ARTICLE_PUBLISH, SIARAN_RELAY
from simpul.newsroom import markup
from simpul.registry.models import Channel as KimChannel
from simpul.registry.models import Kim
from simpul.web.share import share_links

from . import poster, queries, services, shortlinks
from .forms import SHARE_CHANNELS, RelayForm, apply_errors, strip_label
from .kelola_views import file_response
from .models import RelayChannel, Siaran

# Which registry channel of the KIM tells the audience of a share on each relay channel.
AUDIENCE_KIND = {
    RelayChannel.WHATSAPP: KimChannel.Kind.WHATSAPP,
    RelayChannel.TELEGRAM: KimChannel.Kind.TELEGRAM,
    RelayChannel.FACEBOOK: KimChannel.Kind.FACEBOOK,
}


def _inbox_url(inbox):
    return redirect(
        "kelola:siaran:inbox-detail", public_id=inbox.siaran.public_id, kim=inbox.kim.slug
    )


def _cancelled(request, inbox):
    messages.error(request, _("Siaran ini dibatalkan oleh pengirimnya: jangan disebarkan lagi."))
    return _inbox_url(inbox)


def share_text(siaran):
    return f"{siaran.title}\n{siaran.short_text}"


@login_required
@require_safe
def inbox_list(request):
    actor = request.user
    if not scope.kim_ids(actor, SIARAN_RELAY):
        raise Http404
    page = Paginator(queries.inbox_list(actor), 30).get_page(request.GET.get("page"))
    # The KIM's officers may connect its Telegram channel to receive siaran automatically.
    officer_kims = Kim.objects.filter(pk__in=scope.kim_ids(actor, ARTICLE_PUBLISH)).only(
        "slug", "name"
    )
    return render(
        request, "broadcasts/inbox/list.html", {"page": page, "officer_kims": officer_kims}
    )


def _render_detail(request, inbox, relay_form=None):
    siaran = inbox.siaran
    kim = inbox.kim
    copy_link = shortlinks.link_for(channel=RelayChannel.COPY, siaran=siaran, kim=kim)
    relays = list(queries.relays_of(inbox))
    context = {
        "inbox": inbox,
        "siaran": siaran,
        "kim": kim,
        "attachments": list(siaran.attachments.order_by("created_at")),
        "share_channels": [(c.value, c.label) for c in SHARE_CHANNELS],
        "copy_url": shortlinks.url(copy_link),
        "relays": relays,
        "relay_total": sum(r.audience or 0 for r in relays),
        "relay_form": relay_form or RelayForm(),
        "cancelled": siaran.status == Siaran.Status.CANCELLED,
    }
    return render(request, "broadcasts/inbox/detail.html", context)


@login_required
@never_cache
@require_safe
def inbox_detail(request, public_id, kim):
    inbox = queries.inbox_for(request.user, public_id, kim)
    services.inbox_mark_read(actor=request.user, inbox=inbox)
    return _render_detail(request, inbox)


@login_required
@require_POST
def inbox_acknowledge(request, public_id, kim):
    inbox = queries.inbox_for(request.user, public_id, kim)
    services.inbox_acknowledge(actor=request.user, inbox=inbox)
    messages.success(request, _("Terima kasih: kantor pengirim tahu siaran ini sudah diterima."))
    return _inbox_url(inbox)


def _audience(kim, channel):
    kind = AUDIENCE_KIND.get(channel)
    if kind is None:
        return None
    return KimChannel.objects.filter(kim=kim, kind=kind).aggregate(n=Sum("audience"))["n"]


@login_required
@require_safe
def inbox_share(request, public_id, kim, channel):
    """Log the share as a relay, then open WhatsApp / Telegram / Facebook with the text and
    this KIM's short link for that channel."""
    if channel not in {c.value for c in SHARE_CHANNELS}:
        raise Http404
    inbox = queries.inbox_for(request.user, public_id, kim)
    siaran = inbox.siaran
    if siaran.status == Siaran.Status.CANCELLED:
        return _cancelled(request, inbox)
    link = shortlinks.link_for(channel=channel, siaran=siaran, kim=inbox.kim)
    services.share_relay(
        actor=request.user,
        inbox=inbox,
        channel=channel,
        audience=_audience(inbox.kim, channel),
    )
    target = share_links(shortlinks.url(link), share_text(siaran))[channel]
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def inbox_poster(request, public_id, kim):
    inbox = queries.inbox_for(request.user, public_id, kim)
    if inbox.siaran.status == Siaran.Status.CANCELLED:
        return _cancelled(request, inbox)
    pdf = poster.render(inbox.siaran, inbox.kim)
    services.share_relay(actor=request.user, inbox=inbox, channel=RelayChannel.POSTER)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="poster-{inbox.siaran.slug[:60]}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def radio_script(siaran, kim, url):
    """Plain text to be read on air: the short text first, then the body as spoken text."""
    sent = timezone.localtime(siaran.sent_at or siaran.created_at)
    body = markup.to_text(siaran.body_html) if siaran.body_html else siaran.body
    office = str(siaran.office) if siaran.office_id else _("kantor pemerintah")
    lines = [
        _("NASKAH RADIO — %(title)s") % {"title": siaran.title.upper()},
        _("Prioritas: %(p)s · Dikirim %(when)s WIB")
        % {
            "p": siaran.get_priority_display(),
            "when": date_format(sent, "j F Y") + " " + sent.strftime("%H.%M"),
        },
        "",
        _("[PEMBUKA]"),
        _(
            "Pendengar yang kami hormati, berikut informasi dari %(office)s, "
            "disampaikan oleh %(kim)s."
        )
        % {"office": office, "kim": kim.name},
        "",
        _("[RINGKAS]"),
        siaran.short_text,
        "",
        _("[ISI]"),
        body,
        "",
        _("[PENUTUP]"),
        _("Sekali lagi: %(short)s") % {"short": siaran.short_text},
        _("Informasi lengkap dapat dibuka di %(url)s") % {"url": url},
        _("Terima kasih."),
        "",
    ]
    return "\n".join(lines)


@login_required
@require_safe
def inbox_radio(request, public_id, kim):
    inbox = queries.inbox_for(request.user, public_id, kim)
    link = shortlinks.link_for(channel=RelayChannel.RADIO, siaran=inbox.siaran, kim=inbox.kim)
    text = radio_script(inbox.siaran, inbox.kim, shortlinks.url(link))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="naskah-radio-{inbox.siaran.slug[:60]}.txt"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def inbox_relay(request, public_id, kim):
    inbox = queries.inbox_for(request.user, public_id, kim)
    form = RelayForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.relay_log(
                actor=request.user,
                inbox=inbox,
                channel=d["channel"],
                audience=d["audience"],
                note=d["note"],
                relayed_on=d["relayed_on"],
                photo=d["photo"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "photo" in exc.error_dict:
                for message in exc.message_dict["photo"]:
                    form.add_error("photo", strip_label(message, _("Foto")))
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, _("Penyebaran dicatat. Terima kasih!"))
            return _inbox_url(inbox)
    return _render_detail(request, inbox, relay_form=form)


@login_required
@require_safe
def inbox_attachment(request, public_id, kim, attachment_id):
    inbox = queries.inbox_for(request.user, public_id, kim)
    attachment = queries.attachment_for(request.user, inbox.siaran, attachment_id)
    return file_response(attachment.file, attachment.name, attachment.content_type)
