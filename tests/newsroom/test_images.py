"""Article images: WebP renditions in web widths, EXIF/GPS gone, alt text required, bad files
refused with the field named, and files visible only when their article is public."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from PIL import Image

from simpul.newsroom import images, services
from simpul.newsroom.models import ArticleImage

from .factories import ArticleFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(size=(3000, 2000), fmt="JPEG", name="IMG 2024 (1).jpg", gps=True):
    img = Image.new("RGB", size, (30, 120, 60))
    for x in range(0, size[0], 50):  # some detail, so renditions differ
        img.paste((200, 180, 20), (x, 0, x + 10, size[1]))
    buf = io.BytesIO()
    if fmt == "JPEG" and gps:
        exif = Image.Exif()
        exif[0x010F] = "HP Murah"
        exif[0x8825] = {2: (0.0, 10.0, 0.0), 1: "S", 4: (100.0, 30.0, 0.0), 3: "E"}
        img.save(buf, fmt, exif=exif)
    else:
        img.save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def add(actor, kim, upload, alt="Petani memanen padi", **kw):
    return images.image_add(actor=actor, kim=kim, upload=upload, alt=alt, **kw)


def test_a_phone_photo_becomes_webp_renditions_without_gps(anggota, kim):
    article = ArticleFactory(kim=kim, author=anggota)
    upload = photo()
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)  # had GPS
    upload.seek(0)
    image = add(anggota, kim, upload, article=article, caption="Panen di Koto Bangun")
    image.refresh_from_db()
    assert (image.width, image.height) == (1600, 1067)
    assert sorted(image.variants, key=int) == ["480", "960", "1600"]
    assert image.variants["1600"] == image.file.name
    for width, name in image.variants.items():
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "WEBP" and img.width == int(width)
            assert not img.getexif()  # no EXIF at all, GPS included
            assert b"HP Murah" not in data
    assert image.file.name.startswith(f"warta/{image.public_id[:2]}/{image.public_id}-")
    assert image.file.name.endswith(".webp")
    md = images.markdown_for(image)
    # The 960 px rendition goes into the body: phones never load the 1600 px original.
    assert md == f"![Petani memanen padi](/media/{image.variants['960']})"
    # The Markdown a writer pastes survives the sanitiser, lazy and async.
    from simpul.newsroom.markup import render

    html, _text = render(md)
    assert f'src="/media/{image.variants["960"]}"' in html and 'loading="lazy"' in html
    assert "480w" in images.srcset(image) and "1600w" in images.srcset(image)


def test_small_photos_are_not_upscaled(anggota, kim):
    image = add(anggota, kim, photo(size=(300, 200), fmt="PNG", name="kecil.png"))
    assert (image.width, image.height) == (300, 200)
    assert image.variants == {"300": image.file.name}


def test_alt_text_is_required(anggota, kim):
    with pytest.raises(ValidationError) as err:
        add(anggota, kim, photo(), alt="   ")
    assert list(err.value.message_dict) == ["alt"]
    assert ArticleImage.objects.count() == 0


def _bomb():
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, "PNG")  # 100 Mpx in a few KB
    return SimpleUploadedFile("bom.png", buf.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    "upload, words",
    [
        (SimpleUploadedFile("foto.jpg", b"bukan gambar sama sekali"), "bukan JPEG"),
        (
            SimpleUploadedFile(
                "gambar.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)'
                b"</script></svg>",
                content_type="image/svg+xml",
            ),
            "bukan JPEG",
        ),
        (SimpleUploadedFile("besar.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024)), "10 MB"),
        (
            SimpleUploadedFile("rusak.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200),
            "rusak",
        ),
        ("bomb", "terlalu besar untuk diproses"),
    ],
    ids=["text", "svg", "too-big", "broken", "decompression-bomb"],
)
def test_bad_files_are_refused_naming_the_field(anggota, kim, media, upload, words):
    upload = _bomb() if upload == "bomb" else upload
    with pytest.raises(ValidationError) as err:
        add(anggota, kim, upload)
    message = err.value.message_dict["upload"][0]
    assert message.startswith("Gambar:") and words in message
    assert ArticleImage.objects.count() == 0
    assert not any(media.rglob("*.webp"))


@pytest.mark.parametrize("who", ["pembina_limapuluhkota", "warga", "sibling_pengurus"])
def test_only_the_kims_writers_upload(request, kim, sibling_kim, who):
    if who == "sibling_pengurus":
        from simpul.accounts.roles import Role

        from ..factories import UserFactory, assign

        actor = UserFactory()
        assign(actor, Role.PENGURUS, kim=sibling_kim)
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(Http404):
        add(actor, kim, photo(size=(100, 80)))


def _serve(user, name):
    request = RequestFactory().get("/media/" + name)
    request.user = user or AnonymousUser()
    return images.serve(request, name.removeprefix("warta/"))


def test_files_are_public_only_once_the_article_is(anggota, pengurus, kim, warga):
    article = ArticleFactory(kim=kim, author=anggota)
    image = add(anggota, kim, photo(size=(1000, 600)), article=article)
    small = image.variants["480"]
    for who in (None, warga):
        with pytest.raises(Http404):
            _serve(who, small)
    response = _serve(anggota, small)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "no-store" in response["Cache-Control"]
    services.article_publish(
        actor=pengurus,
        article=article,
        checked_5w1h=True,
        checked_consent=True,
        checked_sources=True,
    )
    response = _serve(None, small)
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    with pytest.raises(Http404):  # names that are not one of the image's files
        _serve(None, image.file.name.replace(".webp", "-2.webp"))
