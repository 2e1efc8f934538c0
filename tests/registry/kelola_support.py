"""Helpers shared by the /kelola/kim/ and /daftar-kim/ tests (not fixtures: each test module
declares its own small `actor` fixture with `actor_client`)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from simpul.registry.models import Kim, Member

from ..factories import KimFactory

# Who may do what, by the capability table in accounts/roles.py.
EVERYONE = (
    "admin_sumbar",
    "pembina_limapuluhkota",
    "pembina_bukittinggi",
    "admin_other_province",
    "warga",
    "pengurus",
    "anggota",
    "anonymous",
)
CAN_VIEW = {"admin_sumbar", "pembina_limapuluhkota", "pengurus", "anggota"}  # KIM_VIEW
CAN_EDIT = {"pembina_limapuluhkota", "pengurus"}  # KIM_EDIT
CAN_VERIFY = {"admin_sumbar", "pembina_limapuluhkota"}  # KIM_VERIFY


def expected(name, allowed, ok=200):
    """The status a persona gets: `ok` if allowed, a login redirect if anonymous, else 404."""
    if name == "anonymous":
        return 302
    return ok if name in allowed else 404


def errors(response):
    """The texts of the error lists on a page."""
    html = response.content.decode()
    return " ".join(part.split("</ul>")[0] for part in html.split('class="errorlist"')[1:])


def actor_client(request, login, client):
    """(persona name, user or None, client logged in as that persona, past 2FA)."""
    name = request.param
    if name == "anonymous":
        return name, None, client
    user = request.getfixturevalue(name)
    return name, user, login(user)


def pending_kim(**kw):
    kw.setdefault("name", "Kelompok Informasi Masyarakat Sungai Dadok")
    kw.setdefault("slug", "kim-sungai-dadok")
    return KimFactory(status=Kim.Status.PENGAJUAN, **kw)


def member(kim, full_name="Siti Rahmah", position=Member.Position.ANGGOTA, **kw):
    return Member.objects.create(
        kim=kim, region_code=kim.region_code, full_name=full_name, position=position, **kw
    )


def pdf(name="sk.pdf", size=2000):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def png(name="logo.png", size=(60, 40)):
    buf = io.BytesIO()
    Image.new("RGB", size, "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def jpeg_with_gps(name="sk.jpg"):
    img = Image.new("RGB", (80, 60), "white")
    exif = Image.Exif()
    exif[0x010F] = "HP Murah"  # Make
    exif[0x8825] = {2: (0.0, 10.0, 0.0), 1: "S", 4: (100.0, 30.0, 0.0), 3: "E"}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


REGISTRATION = {
    "region_code": "13.07.07.2002",
    "name": "KIM Koto Bangun Saiyo",
    "ketua_name": "Yusrizal Datuak",
    "ketua_email": "yusrizal@contoh.id",
    "password1": "Nagari-Kapur-IX-2024",
    "password2": "Nagari-Kapur-IX-2024",
    "ketua_phone": "0812 6612 3456",
    "consent": "on",
    "alamat_web": "",
}


def registration(**over):
    data = dict(REGISTRATION)
    data.update(over)
    return data
