"""/langganan/…: citizens subscribe to siaran by wilayah and topic, confirm, change topics,
unsubscribe in one click; the Telegram bot webhook; Web Push subscriptions.

Works without JavaScript: the wilayah is a kab/kota select, refined to kecamatan and desa
by a second submit button that re-renders the form. Only Web Push needs JavaScript (the
browser API), and its button is added by a small script when the browser supports it.
Every answer to the form is the same whether or not the address was already subscribed.
"""

import hmac
import json
import logging

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from simpul.accounts import throttle
from simpul.regions.models import Region
from simpul.registry.models import Sector

from . import subscriptions as subs
from .models import Channel, ProviderConfig, Subscriber

logger = logging.getLogger("simpul.broadcasts.subscribe")

SESSION_KEY = "simpul_langganan"
THROTTLE_KIND = "ip"  # LIMIT_FACTOR["ip"]: 4 x LOGIN_MAX_FAILURES per LOGIN_WINDOW


def _throttle_key(request):
    return (THROTTLE_KIND, "langganan:" + throttle.client_ip(request))


def kabkota_choices():
    provinces = dict(Region.objects.filter(level=1).values_list("code", "name"))
    groups = {}
    for code, name in (
        Region.objects.filter(level=2, retired=False).order_by("code").values_list("code", "name")
    ):
        groups.setdefault(provinces.get(code[:2], code[:2]), []).append((code, name))
    return [("", _lazy("— pilih kabupaten/kota —")), *groups.items()]


def children_choices(parent_code, empty):
    rows = Region.objects.filter(parent_id=parent_code, retired=False).order_by("name")
    return [("", empty), *[(r.code, r.label) for r in rows]]


class SubscribeForm(forms.Form):
    channel = forms.ChoiceField(label=_lazy("Kirim lewat"), widget=forms.RadioSelect)
    address = forms.CharField(
        label=_lazy("Alamat e-mail atau nomor HP"),
        required=False,
        max_length=254,
        help_text=_lazy(
            "E-mail: nama@contoh.id. SMS/WhatsApp: 0812 3456 7890. Telegram: kosongkan, "
            "Anda akan diarahkan ke bot kami."
        ),
    )
    kabkota = forms.ChoiceField(label=_lazy("Kabupaten/kota"))
    kecamatan = forms.ChoiceField(label=_lazy("Kecamatan (boleh kosong)"), required=False)
    desa = forms.ChoiceField(label=_lazy("Desa/nagari/kelurahan (boleh kosong)"), required=False)
    all_topics = forms.BooleanField(label=_lazy("Semua topik"), required=False, initial=True)
    topics = forms.ModelMultipleChoiceField(
        label=_lazy("Atau hanya topik ini"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_lazy(
            "Saya setuju alamat ini disimpan hanya untuk mengirim siaran pemerintah dan dapat "
            "berhenti kapan saja."
        ),
    )
    situs_web = forms.CharField(label=_lazy("Jangan isi kolom ini"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kabkota"].choices = kabkota_choices()
        data = self.data if self.is_bound else self.initial
        kab = data.get("kabkota", "") or ""
        kec = data.get("kecamatan", "") or ""
        region = kab or kec
        channels = subs.available_channels(region) if region else [Channel.EMAIL]
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in channels if c != Channel.WEBPUSH]
        self.fields["channel"].initial = Channel.EMAIL
        self.fields["kecamatan"].choices = (
            children_choices(kab, _lazy("— seluruh kabupaten/kota —")) if kab else [("", "—")]
        )
        self.fields["desa"].choices = (
            children_choices(kec, _lazy("— seluruh kecamatan —"))
            if kec and kec.startswith(kab + ".")
            else [("", "—")]
        )
        for field in self.fields.values():
            field.error_messages["required"] = _lazy("Wajib diisi.")
        self.fields["consent"].error_messages["required"] = _lazy(
            "Centang persetujuan untuk berlangganan."
        )

    @property
    def is_spam(self):
        return bool(self.data.get("situs_web"))

    def region_code(self):
        d = self.cleaned_data
        kab, kec, desa = d.get("kabkota"), d.get("kecamatan"), d.get("desa")
        if desa and kec and desa.startswith(kec + "."):
            return desa
        if kec and kab and kec.startswith(kab + "."):
            return kec
        return kab


def _apply(form, exc):
    rename = {"region_code": "kabkota", "topics": "topics", "address": "address"}
    for field, errors in exc.message_dict.items():
        name = rename.get(field, field)
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


def _render(request, form, status=200):
    return render(
        request,
        "broadcasts/subscribe/form.html",
        {"form": form, "webpush_key": _webpush_public_key()},
        status=status,
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    if request.method != "POST":
        initial = {}
        if request.GET.get("wilayah"):
            initial["kabkota"] = request.GET["wilayah"][:5]
        return _render(request, SubscribeForm(initial=initial))
    form = SubscribeForm(request.POST)
    if "refine" in request.POST:  # "pilih kecamatan/desa": show the narrower choices
        initial = request.POST.dict() | {"topics": request.POST.getlist("topics")}
        initial["all_topics"] = bool(request.POST.get("all_topics"))
        initial["consent"] = bool(request.POST.get("consent"))
        return _render(request, SubscribeForm(initial=initial))
    key = _throttle_key(request)
    wait = throttle.retry_after(key)
    if wait:
        form.is_valid()
        form.add_error(
            None, throttle.try_again(wait, _("Terlalu banyak permintaan dari jaringan ini."))
        )
        return _render(request, form, status=429)
    if not form.is_valid():
        return _render(request, form)
    if form.is_spam:
        throttle.failed(key)
        form.add_error(None, _("Permintaan tidak dapat diproses. Kosongkan kolom terakhir."))
        return _render(request, form, status=400)
    d = form.cleaned_data
    if d["channel"] != Channel.TELEGRAM and not d["address"].strip():
        form.add_error("address", _("Wajib diisi untuk kanal ini."))
        return _render(request, form)
    throttle.failed(key)
    try:
        sub = subs.subscriber_subscribe(
            channel=d["channel"],
            address=d["address"],
            region_code=form.region_code(),
            sector_ids=[s.pk for s in d["topics"]],
            all_topics=d["all_topics"] or not d["topics"],
            language=get_language() or "id",
        )
    except ValidationError as exc:
        _apply(form, exc)
        return _render(request, form)
    request.session[SESSION_KEY] = {"channel": d["channel"], "sub": sub.public_id}
    return redirect("langganan:sent")


@require_safe
@never_cache
def sent(request):
    data = request.session.get(SESSION_KEY)
    if not data:
        return redirect("langganan:start")
    context = {"channel": data["channel"], "telegram_link": ""}
    if data["channel"] == Channel.TELEGRAM:
        sub = Subscriber.objects.filter(
            public_id=data["sub"], status=Subscriber.Status.PENDING
        ).first()
        context["telegram_link"] = subs.telegram_start_link(sub) if sub else ""
    return render(request, "broadcasts/subscribe/sent.html", context)


def _bad_link(request):
    return render(request, "broadcasts/subscribe/bad_link.html", status=404)


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners open links; they must not confirm), POST confirms."""
    token = token[:64]
    sub = Subscriber.objects.filter(token=token).first()
    if sub is None or sub.status not in (Subscriber.Status.PENDING, Subscriber.Status.ACTIVE):
        return _bad_link(request)
    if request.method == "POST":
        sub = subs.subscriber_confirm(token=token)
        if sub is None:
            return _bad_link(request)
        return render(request, "broadcasts/subscribe/confirmed.html", {"sub": sub})
    return render(request, "broadcasts/subscribe/confirm.html", {"sub": sub})


@csrf_exempt  # RFC 8058: the mail provider POSTs without our CSRF token; the token is the key
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    token = token[:64]
    sub = Subscriber.objects.filter(token=token).first()
    if sub is None:
        return _bad_link(request)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subs.subscriber_unsubscribe(
            token=token, reason="List-Unsubscribe-Post" if one_click else "berhenti lewat tautan"
        )
        if one_click:
            return HttpResponse(status=200)
        return render(request, "broadcasts/subscribe/unsubscribed.html", {"sub": sub})
    return render(request, "broadcasts/subscribe/unsubscribe.html", {"sub": sub})


class ManageForm(forms.Form):
    all_topics = forms.BooleanField(label=_lazy("Semua topik"), required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_lazy("Atau hanya topik ini"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    token = token[:64]
    sub = Subscriber.objects.filter(token=token, status=Subscriber.Status.ACTIVE).first()
    if sub is None:
        return _bad_link(request)
    saved = False
    if request.method == "POST":
        form = ManageForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                subs.subscriber_change_topics(
                    token=token,
                    all_topics=d["all_topics"] or not d["topics"],
                    sector_ids=[s.pk for s in d["topics"]],
                )
                saved = True
            except ValidationError as exc:
                _apply(form, exc)
    else:
        form = ManageForm(initial={"all_topics": sub.all_topics, "topics": list(sub.topics.all())})
    region = Region.objects.filter(code=sub.region_code).first()
    return render(
        request,
        "broadcasts/subscribe/manage.html",
        {"form": form, "sub": sub, "region": region, "saved": saved},
    )


# --- a KIM's own Telegram channel ----------------------------------------------------


def kim_telegram(request, slug):
    """/langganan/kim/<slug>/telegram/: the KIM's officers connect its Telegram channel (the
    bot must be an admin of it); siaran for the KIM's wilayah are then posted there."""
    from simpul.accounts import scope
    from simpul.accounts.roles import ARTICLE_PUBLISH
    from simpul.registry.models import Kim

    kim = scope.get_or_404(
        request.user, Kim.objects.all(), ARTICLE_PUBLISH, kim_field="pk", slug=slug
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "disconnect":
                subs.kim_telegram_disconnect(actor=request.user, kim=kim)
            else:
                subs.kim_telegram_connect(
                    actor=request.user, kim=kim, chat=request.POST.get("chat", "")[:100]
                )
            return redirect("langganan:kim-telegram", slug=kim.slug)
        except ValidationError as exc:
            error = " ".join(m for ms in exc.message_dict.values() for m in ms)
    connected = Subscriber.objects.filter(
        kim=kim, channel=Channel.TELEGRAM, status=Subscriber.Status.ACTIVE
    ).first()
    return render(
        request,
        "broadcasts/subscribe/kim_telegram.html",
        {"kim": kim, "connected": connected, "error": error},
        status=200 if not error else 400,
    )


# --- Telegram bot webhook ------------------------------------------------------------


def _telegram_config(secret):
    for config in ProviderConfig.objects.filter(channel=Channel.TELEGRAM, enabled=True):
        try:
            expected = json.loads(config.credentials or "{}").get("webhook_secret", "")
        except ValueError:
            continue
        if expected and hmac.compare_digest(expected, secret):
            return config, expected
    return None, ""


kim_telegram = csrf_protect(
    never_cache(require_http_methods(["GET", "HEAD", "POST"])(kim_telegram))
)


@csrf_exempt
@require_POST
def telegram_webhook(request, secret):
    """Telegram calls this for every message to the bot (setWebhook with this URL and
    secret_token). `/start <token>` links the chat, `/stop` ends it. The answer is the reply
    itself (a Bot API method in the webhook response), so no extra request is needed."""
    config, expected = _telegram_config(secret[:100])
    if config is None:
        raise Http404
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if header is not None and not hmac.compare_digest(header, expected):
        raise Http404
    try:
        update = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({})
    message = update.get("message") or {}
    chat_id = (message.get("chat") or {}).get("id")
    text = str(message.get("text") or "").strip()
    if chat_id is None or not text.startswith("/"):
        return JsonResponse({})
    command, _sep, arg = text.partition(" ")
    command = command.split("@", 1)[0]
    if command == "/start":
        sub = subs.telegram_link(token=arg.strip()[:64], chat_id=chat_id) if arg else None
        if sub is not None:
            reply = _(
                "Terima kasih. Anda akan menerima siaran pemerintah untuk wilayah Anda. "
                "Kirim /stop untuk berhenti."
            )
        else:
            reply = _("Tautan langganan tidak berlaku. Daftar lagi di %(url)s") % {
                "url": subs.site_url() + "/langganan/"
            }
    elif command == "/stop":
        subs.telegram_unlink(chat_id=chat_id)
        reply = _(
            "Anda sudah berhenti berlangganan. Kirim /start dari halaman langganan untuk "
            "mulai lagi."
        )
    else:
        reply = _("Perintah: /stop untuk berhenti berlangganan.")
    return JsonResponse({"method": "sendMessage", "chat_id": chat_id, "text": reply})


# --- Web Push ----------------------------------------------------------------------------


def _webpush_public_key():
    config = ProviderConfig.objects.filter(channel=Channel.WEBPUSH, enabled=True).first()
    if config is None:
        return ""
    try:
        return json.loads(config.credentials or "{}").get("vapid_public_key", "")
    except ValueError:
        return ""


@csrf_protect
@require_POST
def webpush_subscribe(request):
    """The page's script posts the browser's subscription (form fields: subscription = JSON,
    wilayah = code, topics = sector ids) with the CSRF token."""
    key = _throttle_key(request)
    if throttle.retry_after(key):
        return JsonResponse({"ok": False, "error": _("Terlalu banyak permintaan.")}, status=429)
    throttle.failed(key)
    topics = [t for t in request.POST.getlist("topics") if t.isdigit()]
    try:
        sub = subs.webpush_subscribe(
            subscription=request.POST.get("subscription", "")[:4000],
            region_code=request.POST.get("wilayah", "")[:13],
            sector_ids=[int(t) for t in topics],
            all_topics=not topics,
            language=get_language() or "id",
        )
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms]
        return JsonResponse({"ok": False, "error": " ".join(errors)}, status=400)
    return JsonResponse(
        {"ok": True, "unsubscribe": subs.unsubscribe_url(sub), "manage": subs.manage_url(sub)}
    )


@require_safe
def service_worker(request):
    """The service worker: shows a pushed siaran and opens its page when tapped."""
    body = loader.render_to_string("broadcasts/subscribe/sw.js")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def webpush_script(request):
    body = loader.render_to_string("broadcasts/subscribe/webpush.js")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
