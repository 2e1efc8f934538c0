"""Warta KIM: articles written by KIM members, their images, corrections, comments,
right of reply, and official texts the copy-paste guard compares against.

Every owned row carries `region_code` (the article's wilayah, at or below its KIM's) and
`kim_id`, so scope filters stay single-column (DESIGN.md, tenancy).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from simpul.accounts.models import public_id

BODY_MAX_CHARS = 200_000
SUMMARY_MAX_CHARS = 160


class Adinda(models.TextChoices):
    """The ADINDA tag set (DOMAIN.md): every KIM activity is one of these."""

    AKSES = "akses", _("Akses informasi")
    DISKUSI = "diskusi", _("Diskusi")
    IMPLEMENTASI = "implementasi", _("Implementasi")
    NETWORKING = "networking", _("Networking")
    DISEMINASI = "diseminasi", _("Diseminasi")
    ASPIRASI = "aspirasi", _("Aspirasi")


class Tag(models.Model):
    name = models.CharField(_("nama"), max_length=50)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tag")

    def __str__(self):
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan ke redaksi")
        RETURNED = "returned", _("Dikembalikan dengan catatan")
        SCHEDULED = "scheduled", _("Terjadwal")
        PUBLISHED = "published", _("Terbit")
        UNPUBLISHED = "unpublished", _("Diturunkan")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    kim = models.ForeignKey("registry.Kim", on_delete=models.PROTECT, related_name="articles")
    # The KIM's wilayah by default, or a more specific desa/kelurahan below it.
    region_code = models.CharField(_("wilayah"), max_length=13, db_index=True)
    title = models.CharField(_("judul"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(_("ringkasan"), max_length=SUMMARY_MAX_CHARS, blank=True)
    body_source = models.TextField(_("isi (Markdown)"), max_length=BODY_MAX_CHARS)
    body_html = models.TextField(editable=False, blank=True)  # sanitised with nh3
    body_text = models.TextField(editable=False, blank=True)  # plain text: search, copy guard
    cover = models.ForeignKey(
        "newsroom.ArticleImage",
        verbose_name=_("gambar sampul"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sector = models.ForeignKey(
        "registry.Sector",
        verbose_name=_("sektor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    adinda = models.CharField(
        _("tag ADINDA"), max_length=12, choices=Adinda.choices, default=Adinda.DISEMINASI
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tag"), blank=True, related_name="articles")
    event_date = models.DateField(_("tanggal peristiwa"), null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="articles"
    )
    author_name = models.CharField(max_length=150, blank=True)  # byline kept if the user goes
    # Pre-publish checklist, ticked by the redaksi (5W1H, consent, sources).
    checked_5w1h = models.BooleanField(default=False)
    checked_consent = models.BooleanField(default=False)
    checked_sources = models.BooleanField(default=False)
    review_note = models.TextField(_("catatan redaksi"), blank=True)
    # Copy-paste guard: the closest published article or official text at submission.
    copy_match = models.JSONField(default=dict, blank=True, editable=False)
    publish_at = models.DateTimeField(_("jadwal terbit"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    unpublished_reason = models.TextField(_("alasan diturunkan"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the public page shows beside the row, counted here so that an article without
    # them renders with one query (kept by `newsroom.counts.refresh`, recomputed, never
    # incremented): tags, corrections, answered hak jawab, visible comments (published and
    # "dihapus oleh moderator" placeholders).
    tag_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    correction_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    reply_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub"),
            models.Index(fields=["kim", "status", "-published_at"], name="article_kim_pub"),
            models.Index(fields=["region_code", "status"], name="article_region_status"),
        ]
        verbose_name = _("artikel")
        verbose_name_plural = _("artikel")

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED


def image_upload_to(instance, filename):
    return f"warta/{instance.public_id[:2]}/{instance.public_id}-{filename}"


class ArticleImage(models.Model):
    """A phone photo, re-encoded to WebP without EXIF/GPS, in web sizes."""

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    kim = models.ForeignKey("registry.Kim", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="images"
    )
    file = models.ImageField(upload_to=image_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # Smaller renditions: {"480": "warta/..-480.webp", ...} (widths as strings).
    variants = models.JSONField(default=dict, blank=True)
    alt = models.CharField(_("teks alternatif"), max_length=200)
    caption = models.CharField(_("keterangan foto"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gambar")
        verbose_name_plural = _("gambar")

    def __str__(self):
        return self.alt


class Correction(models.Model):
    """A public correction note on a published article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    region_code = models.CharField(max_length=13, db_index=True)
    note = models.TextField(_("catatan koreksi"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.note[:60]


class KimNewsroom(models.Model):
    """Per-KIM newsroom settings."""

    class CommentMode(models.TextChoices):
        APPROVE_FIRST = "approve_first", _("Setujui dulu, baru tampil")
        PUBLISH_FIRST = "publish_first", _("Tampil langsung, dimoderasi kemudian")

    kim = models.OneToOneField("registry.Kim", on_delete=models.CASCADE, related_name="newsroom")
    region_code = models.CharField(max_length=13, db_index=True)
    comment_mode = models.CharField(
        _("moderasi komentar"),
        max_length=16,
        choices=CommentMode.choices,
        default=CommentMode.APPROVE_FIRST,
    )
    comments_open = models.BooleanField(_("komentar dibuka"), default=True)

    def __str__(self):
        return str(self.kim_id)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu moderasi")
        PUBLISHED = "published", _("Tampil")
        REMOVED = "removed", _("Dihapus oleh moderator")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    kim = models.ForeignKey("registry.Kim", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    author_name = models.CharField(max_length=150)
    body = models.TextField(_("komentar"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    report_count = models.PositiveIntegerField(default=0)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["article", "status", "created_at"], name="comment_art")]

    def __str__(self):
        return self.body[:60]


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # As the reporter wrote it; blank = no reason given (shown as "Tidak pantas" in the
    # moderator's own language, not stored in the reporter's).
    reason = models.CharField(_("alasan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person")
        ]

    def __str__(self):
        return self.reason[:60] or str(_("Tidak pantas"))


class ReplyRequest(models.Model):
    """Hak jawab: a public request to answer or correct an article (UU Pers habit)."""

    class Status(models.TextChoices):
        NEW = "new", _("Baru")
        ANSWERED = "answered", _("Ditanggapi")
        CLOSED = "closed", _("Ditutup")

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reply_requests")
    kim = models.ForeignKey("registry.Kim", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    name = models.CharField(_("nama"), max_length=150)
    email = models.EmailField(_("e-mail"))  # never shown publicly
    body = models.TextField(_("isi hak jawab"), max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    response = models.TextField(_("tanggapan redaksi"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class OfficialText(models.Model):
    """An official text (press release, siaran) the copy-paste guard compares drafts with."""

    public_id = models.CharField(max_length=16, unique=True, default=public_id, editable=False)
    region_code = models.CharField(max_length=13, db_index=True)  # the issuing office's
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    source_url = models.URLField(_("sumber"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class Fingerprint(models.Model):
    """One LSH band of the MinHash of a published article or an official text (copy guard).

    A draft's candidates are the rows sharing one of its band values (an indexed lookup,
    cheap at a million articles); only those are compared word by word."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    official = models.ForeignKey(
        OfficialText, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    band = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False, official__isnull=True)
                | models.Q(article__isnull=True, official__isnull=False),
                name="fingerprint_one_source",
            )
        ]

    def __str__(self):
        return str(self.band)
