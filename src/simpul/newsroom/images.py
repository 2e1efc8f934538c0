"""Article images: phone photos (<= 10 MB) checked by content, decoded with a pixel limit,
stripped of EXIF/GPS, re-encoded as WebP and stored in web widths (480, 960, 1600 px; never
upscaled). Files are served by `serve` (media are not a public folder): an image is public
once its article is published, before that only the KIM's writers and the offices above it
see it.
"""

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from PIL import Image

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.roles import ARTICLE_UNPUBLISH, ARTICLE_WRITE
from simpul.core.uploads import MB, check_upload, clean_image

from .models import Article, ArticleImage

IMAGE_MAX_BYTES = 10 * MB
WIDTHS = (480, 960, 1600)
ALT_MAX = 200


def media_url(name):
    from django.conf import settings

    return f"{settings.MEDIA_URL}{name}"


def markdown_for(image):
    """What a writer pastes into the body to show this image."""
    alt = image.alt.replace("[", "(").replace("]", ")")
    # The 960 px rendition: a phone column never needs the 1600 px original.
    name = (image.variants or {}).get("960") or image.file.name
    return f"![{alt}]({media_url(name)})"


def srcset(image):
    """'url 480w, url 960w, ...' for <img srcset> (the largest is the file itself)."""
    items = sorted(
        ((int(w), name) for w, name in (image.variants or {}).items()), key=lambda x: x[0]
    )
    return ", ".join(f"{media_url(name)} {w}w" for w, name in items)


def _rendition(data, width):
    with Image.open(io.BytesIO(data)) as img:
        height = max(1, round(img.height * width / img.width))
        small = img.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "WEBP", quality=80, method=4)
        return out.getvalue()


def image_add(*, actor, kim, upload, alt, caption="", article=None):
    """Store one uploaded photo for `kim` (and `article`). Raises ValidationError naming the
    field (Indonesian), Http404 outside the actor's KIM."""
    scope.require(actor, ARTICLE_WRITE, kim)
    if article is not None and article.kim_id != kim.pk:
        raise Http404
    alt = " ".join((alt or "").split())
    caption = " ".join((caption or "").split())
    label = _("Gambar")
    errors = {}
    if not alt:
        errors["alt"] = [
            _("Teks alternatif wajib diisi: jelaskan isi gambar untuk pembaca tunanetra.")
        ]
    elif len(alt) > ALT_MAX:
        errors["alt"] = [_("Teks alternatif paling panjang %(n)d karakter.") % {"n": ALT_MAX}]
    if len(caption) > 300:
        errors["caption"] = [_("Keterangan foto paling panjang 300 karakter.")]
    if upload is None:
        errors["upload"] = [_("Pilih berkas gambar (JPEG, PNG atau WebP).")]
    if errors:
        raise ValidationError(errors)
    try:
        check_upload(
            upload, kinds=("jpeg", "png", "webp"), max_bytes=IMAGE_MAX_BYTES, field_label=label
        )
        cleaned, width, height = clean_image(upload, max_side=max(WIDTHS), field_label=label)
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from exc
    data = cleaned.read()
    image = ArticleImage(
        kim=kim,
        region_code=article.region_code if article else kim.region_code,
        article=article,
        alt=alt,
        caption=caption,
        uploaded_by=actor,
    )
    saved = []
    try:
        with transaction.atomic():
            image.file.save("foto.webp", ContentFile(data), save=False)
            saved.append(image.file.name)
            stem = os.path.splitext(image.file.name)[0]
            variants = {}
            for w in WIDTHS:
                if w < width:
                    name = default_storage.save(
                        f"{stem}-{w}.webp", ContentFile(_rendition(data, w))
                    )
                    saved.append(name)
                    variants[str(w)] = name
            variants[str(width)] = image.file.name
            image.variants = variants
            image.width, image.height = width, height
            image.save()
            audit.record(
                actor=actor,
                action="newsroom.image.added",
                obj=image,
                kim_id=kim.pk,
                data={"article": article.public_id if article else "", "width": width},
            )
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise
    return image


def visible_publicly(image):
    if image.article_id and image.article.status == Article.Status.PUBLISHED:
        return True
    return Article.objects.filter(cover=image, status=Article.Status.PUBLISHED).exists()


def may_see(user, image):
    return visible_publicly(image) or (
        scope.can(user, ARTICLE_WRITE, image) or scope.can(user, ARTICLE_UNPUBLISH, image)
    )


@require_safe
def serve(request, path):
    """/media/warta/<xx>/<public_id>-foto[-480].webp"""
    name = f"warta/{path}"
    base = os.path.basename(path)
    image = (
        ArticleImage.objects.select_related("article").filter(public_id=base[:11]).first()
        if len(base) > 11
        else None
    )
    if image is None or name not in {image.file.name, *(image.variants or {}).values()}:
        raise Http404
    public = visible_publicly(image)
    if not public and not may_see(request.user, image):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
