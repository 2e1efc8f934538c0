"""Checks and clean-up for uploaded files: size, real type by content, images re-encoded.

Extensions and the browser's content type are not trusted: the first bytes decide. Images
are decoded with Pillow's decompression-bomb guard, EXIF (GPS included) is dropped by
re-encoding only the pixels, and they are scaled down to web sizes.
"""

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MB = 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # ~ a 7,700 x 5,200 photo; larger is refused, not decoded

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "webp": (b"RIFF",),  # + "WEBP" at offset 8, checked below
}
EXTENSIONS = {
    "pdf": {".pdf"},
    "jpeg": {".jpg", ".jpeg"},
    "png": {".png"},
    "webp": {".webp"},
}


def sniff(head):
    for kind, magics in SIGNATURES.items():
        if any(head.startswith(m) for m in magics):
            if kind == "webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return None


def check_upload(upload, *, kinds, max_bytes, field_label):
    """Raise ValidationError (Indonesian, naming the field) unless `upload` is one of `kinds`
    by content, its extension agrees, and it is at most `max_bytes`. Returns the kind."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(field)s: berkas terlalu besar (%(size).1f MB); paling besar %(max)d MB.")
            % {"field": field_label, "size": upload.size / MB, "max": max_bytes // MB},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    allowed = ", ".join(k.upper() for k in kinds)
    if kind not in kinds:
        raise ValidationError(
            _("%(field)s: isi berkas bukan %(allowed)s.")
            % {"field": field_label, "allowed": allowed},
            code="bad_type",
        )
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in EXTENSIONS[kind]:
        raise ValidationError(
            _("%(field)s: nama berkas berakhiran %(ext)s, tetapi isinya %(kind)s.")
            % {"field": field_label, "ext": ext or "—", "kind": kind.upper()},
            code="spoofed",
        )
    return kind


def clean_image(upload, *, max_side=1600, field_label, quality=82):
    """Decode, drop metadata (EXIF/GPS), fix orientation, scale down and re-encode as WebP.

    Returns (SimpleUploadedFile, width, height)."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB")
            img.thumbnail((max_side, max_side))
            pixels = Image.new(img.mode, img.size)
            pixels.paste(img)  # only pixels travel: no EXIF, XMP or ICC text
            out = io.BytesIO()
            pixels.save(out, "WEBP", quality=quality, method=4)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("%(field)s: gambar terlalu besar untuk diproses.") % {"field": field_label},
            code="bomb",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("%(field)s: berkas gambar rusak atau tidak bisa dibaca.") % {"field": field_label},
            code="broken",
        ) from exc
    base = os.path.splitext(os.path.basename(upload.name or "gambar"))[0][:60] or "gambar"
    return (
        SimpleUploadedFile(f"{base}.webp", out.getvalue(), content_type="image/webp"),
        pixels.width,
        pixels.height,
    )
