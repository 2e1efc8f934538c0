"""Siaran demo (`simpul demo`), appended to simpul.core.demo.STEPS.

Diskominfotik Sumbar sends "Cek Kesehatan Gratis" to every KIM of Sumatera Barat; it is
fanned out for real (simpul.broadcasts.fanout); several demo KIM read, acknowledge and relay
it in different ways (WhatsApp group, a musyawarah with 40 people, the mosque, radio, a
poster whose QR code was scanned, door to door); a dozen demo subscribers got it by e-mail,
Telegram, WhatsApp and SMS, two of those failed with the provider's reason. Several kab/kota
have neither a relay nor a reached subscriber: the ledger shows them as gaps.

Idempotent: the siaran is found by its title and office; when it exists, nothing is done.
Writes go through the services where one exists (siaran_create, relay_log, inbox states,
short links); what only a worker or a provider would do (sending, the clicks) is written
directly, consistently with what those would have written.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from simpul import audit

# simpul.core.demo imports this module to extend its STEPS: its helpers are imported inside
# the step (a top-level import would be circular).

TITLE = "Cek Kesehatan Gratis: skrining kesehatan gratis di puskesmas untuk semua warga"
SHORT_TEXT = (
    "Cek Kesehatan Gratis di puskesmas terdekat: tensi, gula darah, kolesterol, mata, "
    "skrining TBC. Bawa KTP atau KK. Diskominfotik Sumbar."
)
BODY = """Pemerintah membuka layanan **Cek Kesehatan Gratis (CKG)** bagi seluruh warga \
Sumatera Barat. Pemeriksaan dilakukan di puskesmas dan posyandu terdekat, tanpa biaya.

Yang diperiksa, sesuai usia:

- tekanan darah, gula darah dan kolesterol;
- berat dan tinggi badan, lingkar perut;
- kesehatan mata, telinga dan gigi;
- skrining tuberkulosis (TBC) dan kesehatan jiwa;
- untuk balita: tumbuh kembang dan imunisasi.

**Cara ikut:** datang ke puskesmas pada jam layanan dengan membawa KTP atau Kartu Keluarga. \
Warga yang berulang tahun bulan ini diutamakan. Pendaftaran juga dapat dibantu kader \
posyandu dan KIM di nagari/kelurahan masing-masing.

KIM diminta meneruskan informasi ini ke grup WhatsApp warga, papan informasi nagari, \
pengumuman di masjid/musala dan radio komunitas, terutama kepada warga lanjut usia dan \
warga yang jauh dari puskesmas.

Diskominfotik Provinsi Sumatera Barat, Bidang IKP."""

# Demo KIM (registry demo names) and what they did with the siaran:
# (name, read, acknowledged, [(relay channel, audience, note)], {link channel: clicks}).
KIM_ACTIONS = (
    (
        "Tujuh Koto Talago",
        True,
        True,
        [
            ("whatsapp", 250, "Diteruskan ke grup WhatsApp Jorong Koto Tinggi dan Talago."),
            ("meeting", 40, "Dibacakan pada musyawarah nagari di kantor wali nagari."),
            ("poster", 120, "Poster A4 ditempel di papan informasi nagari dan pasar."),
        ],
        {"whatsapp": 37, "poster": 12},
    ),
    (
        "Maninjau Saiyo",
        True,
        True,
        [("radio", 1500, "Dibacakan di radio komunitas pada acara pagi.")],
        {},
    ),
    (
        "Koto Bangun Saiyo",
        True,
        False,
        [("worship", 300, "Diumumkan selepas salat Jumat di masjid nagari.")],
        {},
    ),
    (
        "Birugo Saiyo",
        True,
        True,
        [("whatsapp", 180, ""), ("facebook", None, "Dibagikan di halaman Facebook KIM.")],
        {"whatsapp": 22, "facebook": 41},
    ),
    (
        "Pariangan",
        True,
        False,
        [("door", 60, "Kader mendatangi rumah warga lanjut usia di Jorong Padang Panjang.")],
        {},
    ),
    ("Lubuk Alung", True, True, [("meeting", 35, "Rapat kader posyandu.")], {}),
    ("Andalas Bersatu", True, False, [], {}),
    ("Harau Saiyo", True, False, [], {}),
    ("Jam Gadang", False, False, [], {}),
)

# (channel, address, wilayah, sent or the provider's reason for failing)
SUBSCRIBERS = (
    ("email", "rahmi.warga@contoh.id", "13.07.02.2002", True),
    ("email", "budi.talago@contoh.id", "13.07", True),
    ("telegram", "700100201", "13.07.05", True),
    ("email", "ayu.bukittinggi@contoh.id", "13.75", True),
    ("whatsapp", "+6281266001122", "13.75.03.1002", True),
    ("email", "hendra.padang@contoh.id", "13.71", True),
    ("sms", "+6281374005566", "13.71.02.1007", True),
    ("email", "sari.agam@contoh.id", "13.06.03.2003", True),
    ("telegram", "700100305", "13.06", True),
    ("email", "lestari.tanahdatar@contoh.id", "13.04", True),
    ("sms", "+6285263007788", "13.05.01.2001", "Nomor tujuan tidak aktif (gateway: 21)"),
    (
        "whatsapp",
        "+6282170009911",
        "13.76.01.1003",
        "Penerima belum pernah memulai percakapan (WhatsApp 131047)",
    ),
    ("email", "warga.provinsi@contoh.id", "13", True),
)


def _actor():
    from simpul.accounts.models import User
    from simpul.core.demo import EMAIL_DOMAIN, DemoError

    admin = User.objects.filter(email=f"admin.sumbar@{EMAIL_DOMAIN}").first()
    if admin is None:
        raise DemoError("Akun demo admin Sumbar belum ada: jalankan langkah akun dulu.")
    return admin


def _subscribers(ctx, now):
    from .models import Subscriber
    from .subscriptions import address_hash, new_token

    made = 0
    for channel, address, code, _outcome in SUBSCRIBERS:
        digest = address_hash(channel, address)
        if Subscriber.objects.filter(channel=channel, address_hash=digest).exists():
            continue
        since = now - timedelta(days=30 + made * 7)
        Subscriber.objects.create(
            channel=channel,
            address=address,
            address_hash=digest,
            region_code=code,
            all_topics=True,
            status=Subscriber.Status.ACTIVE,
            token=new_token(),
            consent_at=since,
            confirmed_at=since,
        )
        made += 1
    ctx.created["pelanggan siaran"] += made


def _deliveries(siaran, sent_at):
    """What the delivery engine and the providers answered, written as they would."""
    from .models import Dispatch, Subscriber
    from .subscriptions import address_hash

    outcome = {address_hash(c, a): result for c, a, _code, result in SUBSCRIBERS}
    hashes = dict(Subscriber.objects.values_list("pk", "address_hash"))
    for d in Dispatch.objects.filter(siaran=siaran, status=Dispatch.Status.QUEUED):
        result = outcome.get(hashes.get(d.subscriber_id), True)
        if result is True:
            d.status, d.sent_at = Dispatch.Status.SENT, sent_at + timedelta(minutes=2)
            d.provider_id = f"demo-{d.pk}"
        else:
            d.status, d.error = Dispatch.Status.FAILED, result
        d.attempts = 1
        d.save(update_fields=["status", "sent_at", "provider_id", "error", "attempts"])


def _kim_actions(ctx, siaran, today):
    """Inbox states, relays (as relay_log writes them, audited) and short-link clicks."""
    from simpul.registry.models import Kim, normalise_kim_name

    from . import shortlinks
    from .models import Inbox, Relay, ShortLink

    names = {normalise_kim_name(name): name for name, *_rest in KIM_ACTIONS}
    kims = {
        names[k.normalised_name]: k
        for k in Kim.objects.filter(normalised_name__in=names, region_code__startswith="13.")
    }
    inboxes = {
        i.kim_id: i for i in Inbox.objects.filter(siaran=siaran, kim__in=list(kims.values()))
    }
    for day, (name, read, acknowledged, relays, clicks) in enumerate(KIM_ACTIONS):
        kim = kims.get(name)
        inbox = inboxes.get(kim.pk) if kim else None
        if inbox is None:  # not a demo KIM here, or not receiving (e.g. pengajuan)
            continue
        delivered_on = timezone.localdate(inbox.delivered_at)
        opened = inbox.delivered_at + timedelta(hours=3 + day)
        Inbox.objects.filter(pk=inbox.pk).update(
            read_at=opened if read or relays else None,
            acknowledged_at=opened + timedelta(minutes=5) if acknowledged else None,
        )
        for channel, audience, note in relays:
            relay = Relay.objects.create(
                siaran=siaran,
                kim=kim,
                region_code=kim.region_code,
                channel=channel,
                audience=audience,
                note=note,
                relayed_on=min(today, delivered_on + timedelta(days=day % 2)),
            )
            audit.record(
                actor=None,
                action="broadcasts.relay.logged",
                obj=relay,
                object_type="relay",
                object_id=relay.public_id,
                data={"channel": channel, "audience": audience, "source": "demo"},
            )
            ctx.created["penerusan siaran"] += 1
        for channel, n in clicks.items():
            link = shortlinks.link_for(channel=channel, siaran=siaran, kim=kim)
            ShortLink.objects.filter(pk=link.pk).update(
                clicks=F("clicks") + n, last_clicked_at=timezone.now()
            )


def step_siaran(ctx):
    """The Cek Kesehatan Gratis siaran to every KIM of Sumatera Barat and what became of it."""
    from simpul.accounts.models import Office
    from simpul.core.demo import SUMBAR

    from . import fanout, services, tally
    from .models import Inbox, Siaran

    office = ctx.offices.get((Office.Kind.DISKOMINFO_PROVINSI, SUMBAR))
    if office is None or Siaran.objects.filter(office=office, title=TITLE).exists():
        return
    admin = _actor()
    now = timezone.now()
    sent_at = now - timedelta(days=2)
    _subscribers(ctx, now)
    siaran = services.siaran_create(
        actor=admin,
        office=office,
        title=TITLE,
        body=BODY,
        short_text=SHORT_TEXT,
        priority=Siaran.Priority.PENTING,
        target_regions=[SUMBAR],
    )
    Siaran.objects.filter(pk=siaran.pk).update(status=Siaran.Status.SENDING, sent_at=sent_at)
    audit.record(actor=admin, action="broadcasts.siaran.sent", obj=siaran, data={"demo": True})
    made = fanout.fan_out(siaran.pk)
    services.mark_sent(siaran.pk)
    # Sent two days ago: the inboxes were delivered then, the relays came after.
    Inbox.objects.filter(siaran=siaran).update(delivered_at=sent_at)
    _deliveries(siaran, sent_at)
    tally.refresh(siaran.pk)  # what the worker does when delivery ends
    _kim_actions(ctx, siaran, timezone.localdate(now))
    ctx.created["siaran"] += 1
    ctx.created["kotak masuk KIM"] += made["inboxes"]
    ctx.created["pesan pelanggan"] += made["dispatches"]


STEPS = [step_siaran]
