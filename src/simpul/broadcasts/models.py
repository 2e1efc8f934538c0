"""Siaran: information sent by an office to the KIM of a target wilayah and to citizens who
subscribed, every hop counted (the reach ledger).

office -> KIM inbox (Inbox) -> the KIM relays (Relay, ShortLink clicks, poster QR scans)
office -> subscribers (Dispatch, one per recipient and channel, the idempotency key)

Tenant keys: a Siaran's `region_code` is its sending office's wilayah (who may manage it);
inboxes, relays and dispatches carry the recipient's `region_code` (and `kim_id`), so the
ledger and the KIM's own inbox are prefix filters.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from simpul.accounts.models import public_id
from simpul.registry.crypto import EncryptedTextField

SHORT_TEXT_MAX = 160


class Channel(models.TextChoices):
    """Where a message goes, by machine (subscriber channels) or by hand (relays)."""

    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    WEBPUSH = "webpush", _("Notifikasi peramban")


class RelayChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("Grup WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    FACEBOOK = "facebook", _("Facebook")
    COPY = "copy", _("Tautan disalin")
    POSTER = "poster", _("Poster di papan informasi")
    RADIO = "radio", _("Radio komunitas")
    MEETING = "meeting", _("Musyawarah/pertemuan")
    WORSHIP = "worship", _("Pengumuman masjid/gereja")
    DOOR = "door", _("Dari rumah ke rumah")
    OTHER = "other", _("Lainnya")


class Siaran(models.Model):
    class Priority(models.TextChoices):
        BIASA = "biasa", _("Biasa")
        PENTING = "penting", _("Penting")
        DARURAT = "darurat", _("Darurat")
        HOAKS = "klarifikasi", _("Klarifikasi hoaks")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        PENDING_APPROVAL = "pending_approval", _("Menunggu persetujuan")
        SCHEDULED = "scheduled", _("Terjadwal")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        CANCELLED = "cancelled", _("Dibatalkan")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    slug = models.SlugField(max_length=220, unique=True)
    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The sender's wilayah: who may see and manage this siaran in the back office.
    region_code = models.CharField(max_length=13, db_index=True)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), max_length=50_000)
    body_html = models.TextField(editable=False, blank=True)  # sanitised
    short_text = models.CharField(_("teks singkat (SMS)"), max_length=SHORT_TEXT_MAX)
    priority = models.CharField(
        _("prioritas"), max_length=12, choices=Priority.choices, default=Priority.BIASA
    )
    # Target: wilayah codes at any level (inside the sender's scope), sectors, KIM statuses.
    target_regions = models.JSONField(_("wilayah sasaran"), default=list)
    target_sectors = models.ManyToManyField(
        "registry.Sector", verbose_name=_("sektor sasaran"), blank=True, related_name="+"
    )
    target_kim_statuses = models.JSONField(_("status KIM sasaran"), default=list, blank=True)
    # Channels for subscribers; empty = every channel the subscriber chose.
    channels = models.JSONField(_("kanal"), default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("jadwal kirim"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)  # inboxes and dispatches exist
    # When DispatchTally was last taken (before counting); NULL = no tally yet, or stale.
    tally_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    is_public = models.BooleanField(_("tampil di halaman publik"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        verbose_name = _("siaran")
        verbose_name_plural = _("siaran")

    def __str__(self):
        return self.title


def attachment_upload_to(instance, filename):
    return f"siaran/{instance.public_id[:2]}/{instance.public_id}-{filename}"


class Attachment(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    siaran = models.ForeignKey(Siaran, on_delete=models.CASCADE, related_name="attachments")
    region_code = models.CharField(max_length=13, db_index=True)
    file = models.FileField(upload_to=attachment_upload_to)
    name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class OfficePolicy(models.Model):
    """Per-office siaran settings: whether a second person must approve before sending."""

    office = models.OneToOneField(
        "accounts.Office", on_delete=models.CASCADE, related_name="siaran_policy"
    )
    region_code = models.CharField(max_length=13, db_index=True)
    requires_approval = models.BooleanField(_("siaran perlu persetujuan"), default=False)

    def __str__(self):
        return str(self.office_id)


class Inbox(models.Model):
    """One targeted KIM's copy of a siaran."""

    siaran = models.ForeignKey(Siaran, on_delete=models.CASCADE, related_name="inboxes")
    kim = models.ForeignKey("registry.Kim", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)  # the KIM's
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["siaran", "kim"], name="one_inbox_per_kim")]
        indexes = [models.Index(fields=["kim", "-delivered_at"], name="inbox_kim_recent")]

    def __str__(self):
        return f"{self.siaran_id}:{self.kim_id}"


class ShortLink(models.Model):
    """`/s/<code>`: a tracked link for one KIM (or none) and one channel. Clicks are counted
    without storing IP addresses or anything about the person."""

    code = models.CharField(max_length=16, unique=True)  # random, not guessable
    target = models.CharField(max_length=500)  # a local path, e.g. /siaran/<slug>/
    siaran = models.ForeignKey(
        Siaran, on_delete=models.CASCADE, null=True, blank=True, related_name="short_links"
    )
    article = models.ForeignKey(
        "newsroom.Article", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kim = models.ForeignKey(
        "registry.Kim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    channel = models.CharField(max_length=12, choices=RelayChannel.choices)
    clicks = models.PositiveBigIntegerField(default=0)
    last_clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["siaran", "kim", "channel"],
                condition=models.Q(siaran__isnull=False),
                name="one_link_per_siaran_kim_channel",
            ),
            models.UniqueConstraint(
                fields=["article", "kim", "channel"],
                condition=models.Q(article__isnull=False),
                name="one_link_per_article_kim_channel",
            ),
        ]

    def __str__(self):
        return self.code


def relay_photo_upload_to(instance, filename):
    return f"relay/{instance.public_id[:2]}/{instance.public_id}-{filename}"


class Relay(models.Model):
    """A KIM passed a siaran on: a tap on a share button, or an offline relay logged by hand."""

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    siaran = models.ForeignKey(Siaran, on_delete=models.CASCADE, related_name="relays")
    kim = models.ForeignKey("registry.Kim", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    channel = models.CharField(_("cara"), max_length=12, choices=RelayChannel.choices)
    audience = models.PositiveIntegerField(_("perkiraan jumlah orang"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    photo = models.ImageField(_("foto"), upload_to=relay_photo_upload_to, blank=True)
    relayed_on = models.DateField(_("tanggal"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["siaran", "region_code"], name="relay_siaran_region")]

    def __str__(self):
        return f"{self.get_channel_display()} ({self.audience or 0})"


class Subscriber(models.Model):
    """A citizen (or a KIM's Telegram channel) who receives siaran on one channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu konfirmasi")
        ACTIVE = "active", _("Aktif")
        UNSUBSCRIBED = "unsubscribed", _("Berhenti")
        BOUNCED = "bounced", _("Alamat gagal")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # E-mail, +62 phone, Telegram chat id or Web Push subscription JSON; encrypted at rest.
    address = EncryptedTextField()
    # HMAC of the normalised address: uniqueness and lookups without decrypting.
    address_hash = models.CharField(max_length=64)
    region_code = models.CharField(_("wilayah"), max_length=13, db_index=True)
    all_topics = models.BooleanField(_("semua topik"), default=True)
    topics = models.ManyToManyField(
        "registry.Sector", verbose_name=_("topik"), blank=True, related_name="+"
    )
    # A KIM's own Telegram channel connected for automatic posting.
    kim = models.ForeignKey(
        "registry.Kim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=43, unique=True)  # confirm/unsubscribe, not guessable
    language = models.CharField(max_length=5, default="id")
    consent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_hash"], name="one_subscription_per_address"
            )
        ]
        indexes = [models.Index(fields=["status", "region_code"], name="subscriber_active")]

    def __str__(self):
        return self.public_id


class Dispatch(models.Model):
    """One message to one subscriber on one channel: (siaran, subscriber) is the
    idempotency key, so fan-out and retries never create a second one."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Antre")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        SKIPPED = "skipped", _("Dilewati")
        CANCELLED = "cancelled", _("Dibatalkan")

    # No index of its own: every composite index below starts with siaran_id (fan-out writes
    # two million rows per national siaran; each index costs).
    siaran = models.ForeignKey(
        Siaran, on_delete=models.CASCADE, related_name="dispatches", db_index=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    region_code = models.CharField(max_length=13)  # the subscriber's wilayah
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)  # the provider's reason
    provider_id = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["siaran", "subscriber"], name="one_dispatch_each")
        ]
        indexes = [
            models.Index(fields=["siaran", "channel", "status"], name="dispatch_work"),
        ]

    def __str__(self):
        return f"{self.siaran_id}:{self.subscriber_id}"


class DispatchTally(models.Model):
    """How many dispatches of a siaran are in each (subscriber wilayah, channel, status):
    the reach ledger reads these few rows instead of counting millions of dispatches.
    Recomputed as a whole by `tally.refresh` (never incremented, so it cannot drift);
    `Siaran.tally_at` says when."""

    # No index of its own: one_tally_each starts with siaran_id.
    siaran = models.ForeignKey(Siaran, on_delete=models.CASCADE, related_name="+", db_index=False)
    region_code = models.CharField(max_length=13)  # the subscriber's wilayah, as on Dispatch
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Dispatch.Status.choices)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["siaran", "region_code", "channel", "status"], name="one_tally_each"
            )
        ]
        indexes = [
            # The periodic refresh asks "does the last tally still show pending messages?"
            # for every siaran: only those few rows are indexed.
            models.Index(
                fields=["siaran"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="tally_pending",
            )
        ]

    def __str__(self):
        return f"{self.siaran_id}:{self.region_code}:{self.channel}:{self.status}={self.n}"


class ProviderConfig(models.Model):
    """Credentials of a messaging provider, per province (or '' for the whole country)."""

    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)
    base_url = models.URLField(blank=True)  # API root; tests point it at a local server
    credentials = EncryptedTextField(blank=True)  # JSON: token, phone id, sender, VAPID keys
    rate_per_second = models.PositiveIntegerField(default=20)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "channel"], name="one_provider_each")
        ]

    def __str__(self):
        return f"{self.channel}@{self.region_code or 'ID'}"
