"""Synthetic scale data for load tests: `simpul scale --preset sumbar|national`.

The generator is a list of steps (`STEPS`). Each step is idempotent: it works out the
rows the preset wants, deterministically from the seed, skips the ones already in the
database and bulk-creates the rest. Later issues append their steps (KIM, members,
articles, ...) and reuse `ScaleContext.rng` and `bulk_create`.

Determinism: every random choice comes from a `random.Random` seeded with the seed, the
step and the province, so a province gets the same people whatever the preset and
whatever already exists. Scale users have an unusable password: they are for load, not
for logging in.

Run it with `simpul scale`; this module is loaded from the repository's bench/ folder.
"""

import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from simpul.accounts.models import Office, RoleAssignment, User, public_id
from simpul.accounts.roles import Role
from simpul.accounts.scope import region_q
from simpul.core.demo import kabkota_office_name, province_office_name
from simpul.regions.models import Region
from simpul.registry.crypto import encrypt
from simpul.registry.models import (
    Channel,
    Decree,
    Kim,
    Member,
    Sector,
    full_kim_name,
    normalise_kim_name,
)

PRESETS = {"sumbar": ("13",), "national": None}  # province codes; None = all
EMAIL_DOMAIN = "scale.simpul"
PEMBINA_PER_KABKOTA = 2
ADMINS_PER_PROVINCE = 2
OPERATOR_SHARE = 0.10  # of the kecamatan of each province
BATCH_SIZE = 1000

MISSING_REGIONS = "Wilayah belum dimuat: jalankan `simpul regions load` dulu."

FIRST_NAMES = (
    "Afrizal", "Andi", "Ayu", "Budi", "Dewi", "Desi", "Dodi", "Elfira", "Fadli", "Fitri",
    "Gusrizal", "Hendra", "Ika", "Indah", "Irwan", "Jasmi", "Kurniawan", "Lestari", "Mardiah",
    "Novia", "Nurhayati", "Putri", "Rahmat", "Rini", "Rizki", "Sari", "Syafri", "Taufik",
    "Tuti", "Wahyu", "Wulan", "Yendri", "Yulia", "Zainal", "Zulfahmi", "Agus", "Bambang",
    "Siti", "Made", "Ketut", "Yohanes", "Maria", "Tengku", "Ratna", "Hasan", "Nurul",
)  # fmt: skip
LAST_NAMES = (
    "Hidayat", "Saputra", "Rahmi", "Putra", "Syahputra", "Amelia", "Oktavia", "Rahman",
    "Fauzi", "Yusuf", "Sinaro", "Marajo", "Bagindo", "Pangulu", "Sutan", "Malin", "Nasution",
    "Siregar", "Harahap", "Lubis", "Wijaya", "Santoso", "Pratama", "Kurnia", "Susanti",
    "Wulandari", "Permana", "Setiawan", "Simanjuntak", "Manurung", "Daulay", "Tanjung",
)  # fmt: skip


class ScaleError(Exception):
    """A one-line reason why the generator cannot run."""


@dataclass
class ScaleContext:
    preset: str
    seed: int
    batch_size: int
    now: object
    provinces: list  # Region rows, by code
    kabkota: dict  # province code -> [Region], by code
    kecamatan: dict  # province code -> [(code, kab/kota code)], by code
    offices: dict = field(default_factory=dict)  # (kind, region_code) -> office id

    def rng(self, *parts):
        """A Random for one step and one place; the same on every run with the same seed."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def bulk_create(self, model, rows):
        if rows:
            model.objects.bulk_create(rows, batch_size=self.batch_size)
        return len(rows)


@dataclass
class StepResult:
    name: str
    created: dict
    seconds: float


@dataclass
class ScaleResult:
    preset: str
    seed: int
    provinces: int
    kabkota: int
    kecamatan: int
    steps: list
    seconds: float

    @property
    def created(self):
        total = {}
        for step in self.steps:
            for key, n in step.created.items():
                total[key] = total.get(key, 0) + n
        return total


def load_context(*, preset, seed, batch_size):
    if preset not in PRESETS:
        raise ScaleError(f"Preset {preset!r} tidak dikenal: pakai {', '.join(PRESETS)}.")
    provinces = Region.objects.filter(level=1, retired=False).order_by("code")
    if PRESETS[preset] is not None:
        provinces = provinces.filter(code__in=PRESETS[preset])
    provinces = list(provinces)
    if not provinces or (PRESETS[preset] and len(provinces) < len(PRESETS[preset])):
        raise ScaleError(MISSING_REGIONS)
    # Codes are PP.KK.CC: a prefix filter picks a province's kab/kota and kecamatan.
    under = region_q(PRESETS[preset] or [""], field="code")
    kabkota = {p.code: [] for p in provinces}
    for region in Region.objects.filter(under, level=2, retired=False).order_by("code"):
        if region.code[:2] in kabkota:
            kabkota[region.code[:2]].append(region)
    kecamatan = {p.code: [] for p in provinces}
    rows = Region.objects.filter(under, level=3, retired=False).order_by("code")
    for code, parent_code in rows.values_list("code", "parent_id"):
        if code[:2] in kecamatan:
            kecamatan[code[:2]].append((code, parent_code))
    return ScaleContext(
        preset=preset,
        seed=seed,
        batch_size=batch_size,
        now=timezone.now(),
        provinces=provinces,
        kabkota=kabkota,
        kecamatan=kecamatan,
    )


# --- steps ------------------------------------------------------------------


def step_offices(ctx):
    """One Diskominfo per province and per kab/kota; an office of that kind already at the
    code (e.g. from `simpul demo`, which names offices the same way) is reused."""
    kinds = (Office.Kind.DISKOMINFO_PROVINSI, Office.Kind.DISKOMINFO_KABKOTA)

    def existing():
        found = {}
        for pk, kind, code in (
            Office.objects.filter(kind__in=kinds)
            .order_by("id")
            .values_list("id", "kind", "region_code")
        ):
            found.setdefault((kind, code), pk)
        return found

    found = existing()
    missing = []
    for province in ctx.provinces:
        wanted = [(Office.Kind.DISKOMINFO_PROVINSI, province, province_office_name(province))]
        wanted += [
            (Office.Kind.DISKOMINFO_KABKOTA, region, kabkota_office_name(region))
            for region in ctx.kabkota[province.code]
        ]
        for kind, region, (name, unit) in wanted:
            if (kind, region.code) not in found:
                missing.append(Office(kind=kind, region_code=region.code, name=name, unit=unit))
    created = ctx.bulk_create(Office, missing)
    ctx.offices = existing() if created else found
    return {"office": created}


def _person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _slug(code):
    return code.replace(".", "-")


def desired_office_people(ctx):
    """[(email, full_name, role, region_code, office_id)] for the preset, in a fixed order."""
    kind = Office.Kind
    people = []
    for province in ctx.provinces:
        p = province.code
        names = ctx.rng("people", p)

        def add(local_part, role, code, office, names=names):
            people.append((f"{local_part}@{EMAIL_DOMAIN}", _person(names), role, code, office))

        office = ctx.offices[(kind.DISKOMINFO_PROVINSI, p)]
        for i in range(1, ADMINS_PER_PROVINCE + 1):
            add(f"admin{i}.{_slug(p)}", Role.ADMIN_PROVINSI, p, office)
        for region in ctx.kabkota[p]:
            office = ctx.offices[(kind.DISKOMINFO_KABKOTA, region.code)]
            for i in range(1, PEMBINA_PER_KABKOTA + 1):
                add(f"pembina{i}.{_slug(region.code)}", Role.PEMBINA, region.code, office)
        kecamatan = ctx.kecamatan[p]
        chosen = ctx.rng("operators", p).sample(kecamatan, round(len(kecamatan) * OPERATOR_SHARE))
        for code, kabkota_code in sorted(chosen):
            office = ctx.offices.get((kind.DISKOMINFO_KABKOTA, kabkota_code))
            add(f"operator.{_slug(code)}", Role.OPERATOR_WILAYAH, code, office)
    return people


def step_office_people(ctx):
    """2 admin_provinsi per province, 2 pembina per kab/kota, operator_wilayah for ~10% of
    the kecamatan; each with their role assignment."""
    people = desired_office_people(ctx)
    scale_users = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    ids = dict(scale_users.values_list("email", "id"))
    new_users = []
    for email, full_name, _role, _code, _office in people:
        if email not in ids:
            user = User(email=email, full_name=full_name, email_verified_at=ctx.now)
            user.set_unusable_password()
            new_users.append(user)
    created_users = ctx.bulk_create(User, new_users)
    if created_users:
        ids = dict(scale_users.values_list("email", "id"))

    held = set(
        RoleAssignment.objects.active()
        .filter(user__email__endswith="@" + EMAIL_DOMAIN)
        .values_list("user_id", "role", "region_code")
    )
    new_roles = [
        RoleAssignment(
            user_id=ids[email], role=role, region_code=code, office_id=office, starts_at=ctx.now
        )  # fmt: skip
        for email, _name, role, code, office in people
        if (ids[email], role, code) not in held
    ]
    return {"user": created_users, "role": ctx.bulk_create(RoleAssignment, new_roles)}


# --- KIM: the registry at national scale -------------------------------------------

SCALE_SLUG_PREFIX = "skala-"  # marks generated KIM: "skala-13-07-02-2002-1"
KIM_COVERAGE = 0.66  # share of desa/kelurahan with at least one KIM
SECOND_KIM_SHARE = 0.065  # of those, the share with a second KIM (~58,900 KIM nationally)
SK_SHARE = 0.60
PHONE_SHARE = 0.10  # each phone is encrypted (Fernet) when planned
MEMBERS = (9, 26)  # per KIM, uniform: ~17.5 on average, about 1 million nationally
KIM_CHUNK = 1000  # KIM per round of inserts (with their ~17,000 members)
# (status, share, days since verification): statuses agree with periodic.refresh_dormancy
# under the default thresholds (90 and 180 days idle), with margins of about ten days.
KIM_STATUSES = (
    ("aktif", 0.72, (1, 80)),
    ("kurang_aktif", 0.12, (100, 170)),
    ("vakum", 0.08, (200, 1200)),
    ("nonaktif", 0.03, (200, 1500)),
    ("pengajuan", 0.05, (1, 30)),
)
CHANNEL_KINDS = (
    ("whatsapp", 40), ("facebook", 25), ("papan", 15), ("instagram", 8), ("radio", 5),
    ("youtube", 3), ("buletin", 2), ("tiktok", 2),
)  # fmt: skip
SECOND_NAMES = (
    "Saiyo Sakato", "Maju Bersama", "Bina Informasi", "Harapan", "Mandiri", "Cahaya",
    "Sehati", "Bersatu", "Mekar", "Lestari",
)  # fmt: skip
OFFICERS = ("ketua", "sekretaris", "bendahara")
BIDANG = ("bidang_pengumpulan", "bidang_pengolahan", "bidang_penyebaran")


def _weighted(rng, table):
    kinds, weights = zip(*table, strict=True)
    return rng.choices(kinds, weights=weights)[0]


def _status(rng):
    u, acc = rng.random(), 0.0
    for status, share, days in KIM_STATUSES:
        acc += share
        if u < acc:
            return status, days
    return KIM_STATUSES[0][0], KIM_STATUSES[0][2]


def _signatory_office(kind, name):
    return {"kelurahan": f"Lurah {name}", "nagari": f"Wali Nagari {name}"}.get(
        kind, f"Kepala Desa {name}"
    )


def planned_kim(ctx, code):
    """How many KIM the wilayah gets in this run's plan: 0, 1 or 2 (from its own Random, so
    the answer does not depend on which other wilayah exist or were generated before)."""
    rng = ctx.rng("kim", code)
    if rng.random() >= KIM_COVERAGE:
        return 0
    return 2 if rng.random() < SECOND_KIM_SHARE else 1


def _kim_name(village, n, taken):
    options = [village] if n == 1 else []
    options += [f"{village} {s}" for s in SECOND_NAMES] + [f"{village} {n}"]
    for option in options:
        name = full_kim_name(option)
        key = normalise_kim_name(name)
        if key not in taken:
            taken.add(key)
            return name, key
    raise ScaleError(f"Tidak ada nama KIM yang bebas di {village}.")  # not reached in practice


# Columns written by fast_insert, in the order the planned tuples carry them (after kim).
MEMBER_COLUMNS = (
    "kim", "region_code", "public_id", "full_name", "position", "started_on", "ended_on",
    "phone", "consent_on", "consent_purpose", "listed_publicly", "created_at",
)  # fmt: skip
CHANNEL_COLUMNS = ("kim", "region_code", "kind", "handle", "audience", "last_updated_on")
DECREE_COLUMNS = (
    "kim", "region_code", "public_id", "number", "issued_on", "signatory_office",
    "signatory_name", "term_ends_on", "scan", "created_at",
)  # fmt: skip


def _build_kim(ctx, code, village, kind, n, taken, sectors, today):
    """One KIM, unsaved, and the rows below it as tuples without their kim id:
    (Kim, sector ids, decree or None, [channel], [member]) in the *_COLUMNS order."""
    rng = ctx.rng("kim", code, n)
    name, key = _kim_name(village, n, taken)
    status, (low, high) = _status(rng)
    since = ctx.now - timedelta(days=rng.randint(low, high), seconds=rng.randrange(86400))
    founded = date(rng.randint(2010, 2023), rng.randint(1, 12), rng.randint(1, 28))
    decree = None
    if status != "pengajuan" and rng.random() < SK_SHARE:
        issued = today - timedelta(days=rng.randrange(30, 3 * 365 + 200))
        decree = (
            code,
            public_id(),
            f"{rng.randrange(1, 99):02d}/KPTS/{code}/{issued.year}",
            issued,
            _signatory_office(kind, village),
            _person(rng),
            issued + timedelta(days=3 * 365),
            "",
            ctx.now,
        )
    started = decree[3] if decree else founded
    positions = [*OFFICERS]
    if rng.random() < 0.3:
        positions.append("wakil_ketua")
    positions += [b for b in BIDANG if rng.random() < 0.6]
    positions += ["anggota"] * max(rng.randint(*MEMBERS) - len(positions), 0)
    members = []
    current = 0
    for i, position in enumerate(positions):
        listed = position in OFFICERS[:2] and rng.random() < 0.5
        phone = f"+628{rng.randrange(10**9, 10**10)}" if rng.random() < PHONE_SHARE else ""
        joined = started if i < 8 else started + timedelta(days=rng.randrange(400))
        ended = today - timedelta(days=rng.randrange(1, 365)) if rng.random() < 0.02 else None
        if ended is not None and ended <= joined:
            ended = None
        current += ended is None
        consent = phone or listed
        members.append(
            (
                code,
                public_id(),
                _person(rng),
                position,
                joined,
                ended,
                encrypt(phone),  # what EncryptedTextField stores
                joined if consent else None,
                "Data keanggotaan KIM" if consent else "",
                listed,
                ctx.now,
            )
        )
    kinds = sorted({_weighted(rng, CHANNEL_KINDS) for _ in range(rng.randint(1, 2))})
    channels = [
        (
            code,
            kind_,
            f"KIM {village} ({kind_})",
            rng.randrange(20, 3000),
            today - timedelta(days=rng.randrange(0, 400)),
        )
        for kind_ in kinds
    ]
    kim = Kim(
        name=name,
        normalised_name=key,
        slug=f"{SCALE_SLUG_PREFIX}{_slug(code)}-{n}",
        region_code=code,
        status=status,
        status_changed_at=since,
        verified_at=None if status == "pengajuan" else since,
        founded_on=founded,
        has_sk=decree is not None,
        legality_ends_on=decree[6] if decree else None,
        member_count=current,
    )
    picked = rng.sample(sectors, rng.randint(1, min(3, len(sectors)))) if sectors else []
    return kim, picked, decree, channels, members


def _adapter(field):
    """What turns a Python value into what SQLite stores for this field (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def fast_insert(model, fields, rows):
    """INSERT rows of plain column values (`fields` in order; foreign keys as ids; values
    already as stored, e.g. an encrypted phone), without model instances: COPY on
    PostgreSQL, executemany on SQLite. For the million member rows, where bulk_create's
    per-object work (model __init__, per-field preparation) is most of the time."""
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            adapters = [_adapter(meta.get_field(f)) for f in fields]
            if any(adapters):
                rows = [
                    tuple(
                        v if a is None or v is None else a(v)
                        for a, v in zip(adapters, row, strict=True)
                    )
                    for row in rows
                ]
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    return len(rows)


def _insert_kim_chunk(ctx, planned):
    """Insert one chunk of planned KIM and everything below them; returns created counts."""
    kims = [p[0] for p in planned]
    Kim.objects.bulk_create(kims, batch_size=ctx.batch_size)
    # created_at is auto_now_add: date it to the verification (or the pengajuan), so that
    # periodic.refresh_dormancy, which also looks at created_at, agrees with the status.
    Kim.objects.filter(pk__in=[k.pk for k in kims]).update(created_at=F("status_changed_at"))
    links, decrees, channels, members = [], [], [], []
    for kim, sector_ids, decree, kim_channels, kim_members in planned:
        links += [(kim.pk, s) for s in sector_ids]
        if decree:
            decrees.append((kim.pk, *decree))
        channels += [(kim.pk, *c) for c in kim_channels]
        members += [(kim.pk, *m) for m in kim_members]
    return {
        "kim": len(kims),
        "sector link": fast_insert(Kim.sectors.through, ("kim", "sector"), links),
        "sk": fast_insert(Decree, DECREE_COLUMNS, decrees),
        "channel": fast_insert(Channel, CHANNEL_COLUMNS, channels),
        "member": fast_insert(Member, MEMBER_COLUMNS, members),
    }


def step_kim(ctx):
    """KIM for ~66% of the desa/kelurahan (6.5% of those get a second one), each with 1-3
    sectors, 1-2 channels, an SK for 60% and 9-26 members (positions spread as in real KIM,
    phones for 10%). A wilayah that already has generated KIM (slug "skala-...") is skipped;
    names never clash with a KIM already in the wilayah."""
    sectors = list(Sector.objects.order_by("position", "pk").values_list("pk", flat=True))
    today = timezone.localdate(ctx.now)
    totals = dict.fromkeys(("kim", "sector link", "sk", "channel", "member"), 0)
    for province in ctx.provinces:
        prefix = province.code + "."
        done = set(
            Kim.objects.filter(
                slug__startswith=SCALE_SLUG_PREFIX, region_code__startswith=prefix
            ).values_list("region_code", flat=True)
        )
        taken = {}
        for code, key in Kim.objects.filter(region_code__startswith=prefix).values_list(
            "region_code", "normalised_name"
        ):
            taken.setdefault(code, set()).add(key)
        villages = (
            Region.objects.filter(code__startswith=prefix, level=4, retired=False)
            .order_by("code")
            .values_list("code", "name", "kind")
        )
        chunk = []
        for code, name, kind in villages.iterator(chunk_size=5000):
            wanted = planned_kim(ctx, code)
            if not wanted or code in done:
                continue
            names = taken.setdefault(code, set())
            for n in range(1, wanted + 1):
                chunk.append(_build_kim(ctx, code, name, kind, n, names, sectors, today))
            if len(chunk) >= KIM_CHUNK:
                for key, made in _insert_kim_chunk(ctx, chunk).items():
                    totals[key] += made
                chunk = []
        if chunk:
            for key, made in _insert_kim_chunk(ctx, chunk).items():
                totals[key] += made
    if totals["kim"]:
        analyze(Kim, Member, Channel, Decree, Kim.sectors.through)
    return totals


def analyze(*models_):
    """Fresh planner statistics after a bulk load: without them PostgreSQL estimated ~100
    rows for 56,000 public KIM and sorted the whole directory for each page."""
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# Later issues append (name, step) here: KIM, members, articles, ...
STEPS = [
    ("offices", step_offices),
    ("office_people", step_office_people),
    ("kim", step_kim),
]

# Warta (articles, comments) and Siaran (subscribers) need the KIM above.
# Loaded by file path (simpul scale), so the sibling modules are found by file path too.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_siaran import STEPS as SIARAN_STEPS  # noqa: E402
from scale_warta import STEPS as WARTA_STEPS  # noqa: E402

STEPS += WARTA_STEPS + SIARAN_STEPS


def generate(*, preset, seed=1, batch_size=BATCH_SIZE, log=None, steps=None):
    """Run every step for the preset; each step in its own transaction."""
    started = time.perf_counter()
    ctx = load_context(preset=preset, seed=seed, batch_size=batch_size)
    results = []
    for name, step in STEPS if steps is None else steps:
        t0 = time.perf_counter()
        with transaction.atomic():
            created = step(ctx)
        result = StepResult(name=name, created=created, seconds=time.perf_counter() - t0)
        results.append(result)
        if log:
            made = ", ".join(f"{k} +{n:,}" for k, n in created.items()) or "-"
            log(f"  {name:<16} {made:<40} {result.seconds:6.2f} s")
    return ScaleResult(
        preset=preset,
        seed=seed,
        provinces=len(ctx.provinces),
        kabkota=sum(len(v) for v in ctx.kabkota.values()),
        kecamatan=sum(len(v) for v in ctx.kecamatan.values()),
        steps=results,
        seconds=time.perf_counter() - started,
    )
