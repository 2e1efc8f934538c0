"""The West Sumatra demo (`simpul demo`): offices, one account for every role, logins.

Idempotent: a second run creates nothing and changes nothing. The work is a list of
step functions (`STEPS`); each takes the shared `DemoContext`, creates what is missing
and counts it in `ctx.created`. Later issues add their own steps (KIM, members, warta,
...) to the list and reuse `ensure_office` and `ensure_user`.

Passwords are generated on the first run and kept in `<DATA_DIR>/demo-logins.txt`
(mode 600); later runs read them back instead of generating new ones.
"""

import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from simpul import audit
from simpul.accounts.models import Office, RoleAssignment, User
from simpul.accounts.roles import Role
from simpul.accounts.services import role_assign
from simpul.regions.models import Region

LOGINS_FILE = "demo-logins.txt"
EMAIL_DOMAIN = "simpul.demo"
SUPERUSER = "superuser"  # the role column of the logins table for the superuser

SUMBAR = "13"
RIAU = "14"
LIMA_PULUH_KOTA = "13.07"
BUKITTINGGI = "13.75"
OPERATOR_KECAMATAN = "13.07.07"
WARGA_DESA = "13.07.07.2002"
REQUIRED_CODES = (SUMBAR, RIAU, LIMA_PULUH_KOTA, BUKITTINGGI, OPERATOR_KECAMATAN, WARGA_DESA)

MISSING_REGIONS = "Wilayah belum dimuat: jalankan `simpul regions load` dulu."
NOT_DEBUG = (
    "Akun demo tidak dibuat karena SIMPUL_DEBUG mati: tambahkan --force "
    "(atau SIMPUL_DEMO=1) bila memang ingin membuatnya di sini."
)
TWO_FACTOR_NOTE = (
    "Akun kantor (superuser, nasional, admin provinsi, pembina, operator wilayah) diminta "
    "memasang autentikasi dua langkah (TOTP) saat login pertama."
)

KOMDIGI_NAME = "Kementerian Komunikasi dan Digital"
KOMDIGI_UNIT = "Direktorat Jenderal Komunikasi Publik dan Media"
# Province offices whose real names differ from the generic "Dinas Komunikasi dan
# Informatika Provinsi <name>": {code: (name, unit)}.
PROVINCE_OFFICES = {
    SUMBAR: (
        "Dinas Komunikasi, Informatika dan Statistik Provinsi Sumatera Barat",
        "Bidang Informasi dan Komunikasi Publik (IKP)",
    ),
    RIAU: ("Dinas Komunikasi, Informatika dan Statistik Provinsi Riau", ""),
}

# Letters and digits that cannot be mistaken for one another (no l/1, o/0, i).
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class DemoError(Exception):
    """A one-line reason why the demo cannot be built here."""


def province_office_name(region):
    """(name, unit) of the Diskominfo of a province Region; shared with bench/scale.py."""
    return PROVINCE_OFFICES.get(
        region.code, (f"Dinas Komunikasi dan Informatika Provinsi {region.name}", "")
    )


def kabkota_office_name(region):
    """(name, unit) of the Diskominfo of a kab/kota Region ('... Kabupaten Lima Puluh Kota')."""
    return f"Dinas Komunikasi dan Informatika {region.name}", ""


def new_password():
    """Readable and strong enough for a demo: 'k7mq-x2rb-9tfa' (12 characters + 2 dashes)."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def logins_path():
    return Path(settings.DATA_DIR) / LOGINS_FILE


def read_logins(path):
    """{email: password} from a logins file written by `write_logins` (missing file: {})."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    passwords = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and not line.startswith("#") and "@" in parts[1]:
            passwords[parts[1].lower()] = parts[2]
    return passwords


@dataclass
class Login:
    role: str
    email: str
    password: str
    region: str  # "13.07 Kabupaten Lima Puluh Kota", or "Indonesia"


@dataclass
class DemoContext:
    now: object
    saved_passwords: dict  # from the logins file
    regions: dict = field(default_factory=dict)  # code -> Region
    offices: dict = field(default_factory=dict)  # (kind, region_code) -> Office
    logins: list = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    passwords_reset: int = 0

    def region_label(self, code):
        if not code:
            return "Indonesia"
        region = self.regions.get(code) or Region.objects.filter(code=code).first()
        return f"{code} {region.label}" if region else code


@dataclass
class DemoResult:
    created: Counter
    passwords_reset: int
    logins: list
    logins_file: Path


def ensure_office(ctx, *, kind, region_code, name, unit=""):
    """get_or_create on the Office unique constraint (region_code, kind, name, unit)."""
    office, created = Office.objects.get_or_create(
        region_code=region_code, kind=kind, name=name, unit=unit
    )
    if created:
        ctx.created["office"] += 1
    ctx.offices[(kind, region_code)] = office
    return office


def ensure_user(ctx, *, email, full_name, role, region_code=None, kim=None, office=None):
    """A demo user holding `role` (or a superuser when role == SUPERUSER), with a password
    kept in the logins file. Creates only what is missing; returns the user."""
    email = email.lower()
    saved = ctx.saved_passwords.get(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        password = saved or new_password()
        manager = User.objects.create_superuser if role == SUPERUSER else User.objects.create_user
        user = manager(email, password, full_name=full_name, email_verified_at=ctx.now)
        ctx.created["user"] += 1
    elif saved is None:
        # The user exists but its password is not on file: set a new one we can show.
        password = new_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        ctx.passwords_reset += 1
    else:
        password = saved
    if user.email_verified_at is None:
        user.email_verified_at = ctx.now
        user.save(update_fields=["email_verified_at"])

    if role != SUPERUSER:
        held = RoleAssignment.objects.active().filter(user=user, role=role)
        held = held.filter(kim=kim) if kim is not None else held.filter(region_code=region_code)
        if not held.exists():
            role_assign(
                actor=None, user=user, role=role, region_code=region_code, kim=kim, office=office
            )
            ctx.created["role"] += 1

    where = kim.region_code if kim is not None else region_code
    ctx.logins.append(
        Login(role=role, email=email, password=password, region=ctx.region_label(where or ""))
    )
    return user


# --- steps ------------------------------------------------------------------


def step_offices(ctx):
    """Komdigi, Diskominfotik Sumbar, the 19 kab/kota Diskominfo, Diskominfotik Riau and
    the camat's office of the operator's kecamatan."""
    ensure_office(
        ctx, kind=Office.Kind.KOMDIGI, region_code="", name=KOMDIGI_NAME, unit=KOMDIGI_UNIT
    )
    for code in (SUMBAR, RIAU):
        name, unit = province_office_name(ctx.regions[code])
        ensure_office(
            ctx, kind=Office.Kind.DISKOMINFO_PROVINSI, region_code=code, name=name, unit=unit
        )
    kabkota = Region.objects.filter(parent_id=SUMBAR, level=2, retired=False).order_by("code")
    for region in kabkota:
        ctx.regions[region.code] = region
        name, unit = kabkota_office_name(region)
        ensure_office(
            ctx, kind=Office.Kind.DISKOMINFO_KABKOTA, region_code=region.code, name=name, unit=unit
        )
    kecamatan = ctx.regions[OPERATOR_KECAMATAN]
    ensure_office(
        ctx,
        kind=Office.Kind.KECAMATAN,
        region_code=kecamatan.code,
        name=f"Kantor Camat {kecamatan.name}",
    )


def step_users(ctx):
    """One account for every role, plus the superuser."""
    offices = ctx.offices
    kind = Office.Kind
    people = [
        (SUPERUSER, "admin", "Administrator Simpul", None, None),
        (Role.NASIONAL, "komdigi", "Rahmat Hidayat", "", offices[(kind.KOMDIGI, "")]),
        (
            Role.ADMIN_PROVINSI,
            "admin.sumbar",
            "Yulia Rahmi",
            SUMBAR,
            offices[(kind.DISKOMINFO_PROVINSI, SUMBAR)],
        ),
        (
            Role.PEMBINA,
            "pembina.limapuluhkota",
            "Fadli Datuak Sinaro",
            LIMA_PULUH_KOTA,
            offices[(kind.DISKOMINFO_KABKOTA, LIMA_PULUH_KOTA)],
        ),
        (
            Role.PEMBINA,
            "pembina.bukittinggi",
            "Rini Oktavia",
            BUKITTINGGI,
            offices[(kind.DISKOMINFO_KABKOTA, BUKITTINGGI)],
        ),
        (
            Role.ADMIN_PROVINSI,
            "admin.riau",
            "Tengku Said Hamdani",
            RIAU,
            offices[(kind.DISKOMINFO_PROVINSI, RIAU)],
        ),
        (
            Role.OPERATOR_WILAYAH,
            "operator.kecamatan",
            "Zulkifli Malin Marajo",
            OPERATOR_KECAMATAN,
            offices[(kind.KECAMATAN, OPERATOR_KECAMATAN)],
        ),
        (Role.WARGA, "warga", "Siti Rahmah", WARGA_DESA, None),
    ]
    for role, local_part, full_name, region_code, office in people:
        ensure_user(
            ctx,
            email=f"{local_part}@{EMAIL_DOMAIN}",
            full_name=full_name,
            role=role,
            region_code=region_code,
            office=office,
        )


# Later issues append their steps here (e.g. the KIM of the seed story and its people).
STEPS = [step_offices, step_users]

# The registry's KIM, members, SK and channels (they reuse ensure_user above).
from simpul.registry.demo import STEPS as REGISTRY_STEPS  # noqa: E402

STEPS += REGISTRY_STEPS

# Warta articles and comments, then a siaran relayed by demo KIM (both need the KIM above).
from simpul.broadcasts.demo import STEPS as BROADCAST_STEPS  # noqa: E402
from simpul.newsroom.demo import STEPS as NEWSROOM_STEPS  # noqa: E402

STEPS += NEWSROOM_STEPS + BROADCAST_STEPS


# --- running ----------------------------------------------------------------


def format_logins(logins):
    """The logins table, as printed and as stored in the logins file."""
    header = ("peran", "e-mail", "kata sandi", "wilayah")
    rows = [(x.role, x.email, x.password, x.region) for x in logins]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]

    def line(row, prefix=""):
        cells = [prefix + row[0], row[1], row[2]]
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + row[3]

    widths[0] = max(widths[0], len(header[0]) + 2)
    return "\n".join([line(header, "# "), *(line(r) for r in rows)]) + "\n"


def write_logins(path, logins):
    """Write the logins file with mode 600, only when its content changes."""
    content = (
        "# Simpul: akun demo (dibuat oleh `simpul demo`). Rahasia: jangan dibagikan.\n"
        + format_logins(logins)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        if path.stat().st_mode & 0o777 != 0o600:
            path.chmod(0o600)
        return False
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    tmp.chmod(0o600)
    os.replace(tmp, path)
    return True


def check_regions():
    present = dict(Region.objects.filter(code__in=REQUIRED_CODES).in_bulk())
    if SUMBAR not in present:
        raise DemoError(MISSING_REGIONS)
    missing = [c for c in REQUIRED_CODES if c not in present]
    if missing:
        raise DemoError(
            f"Wilayah belum lengkap (tidak ada {', '.join(missing)}): "
            "jalankan `simpul regions load` dulu."
        )
    return present


def run_demo(*, force=False, steps=None):
    """Build the demo; raises DemoError with a one-line reason when it must not run."""
    if not (settings.DEBUG or getattr(settings, "DEMO", False) or force):
        raise DemoError(NOT_DEBUG)
    path = logins_path()
    with transaction.atomic():
        ctx = DemoContext(now=timezone.now(), saved_passwords=read_logins(path))
        ctx.regions.update(check_regions())
        for step in STEPS if steps is None else steps:
            step(ctx)
        # A step may count zero of something; only what was really made is reported.
        ctx.created = Counter({k: n for k, n in ctx.created.items() if n})
        if ctx.created:
            audit.record(
                actor=None,
                action="core.demo.loaded",
                object_type="demo",
                object_id="sumbar",
                region_code=SUMBAR,
                data={"created": dict(ctx.created), "passwords_reset": ctx.passwords_reset},
            )
        # Inside the transaction: if the file cannot be written, nothing is kept.
        write_logins(path, ctx.logins)
    return DemoResult(
        created=ctx.created,
        passwords_reset=ctx.passwords_reset,
        logins=ctx.logins,
        logins_file=path,
    )
