"""The KIM of the West Sumatra demo (`simpul demo`), appended to simpul.core.demo.STEPS.

About forty KIM across the 19 kab/kota, on real wilayah codes: nagari in the kabupaten,
kelurahan in the kota. Among them KIM Tujuh Koto Talago (Kabupaten Lima Puluh Kota) of the
seed story with two demo logins (its ketua and an anggota), SK that end within 60 and 14
days, expired SK and KIM without SK, two dormant KIM, a pengajuan waiting in Lima Puluh Kota
and one in Bukittinggi, and many kecamatan without any KIM (blank spots).

Everything goes through the registry services with the demo superuser as actor, except the
two dormant KIM: a service call is audited as the actor's activity, and activity is exactly
what keeps a KIM "aktif" (periodic.refresh_dormancy). They are written directly, with an
audit event without a person, dated back, and then refresh_dormancy computes their status.

Idempotent: a KIM is matched on (region_code, normalised_name); one that exists is left alone
with its members, SK and channels. Coordinates are approximate (village centre, ~1 km).
Names and phone numbers (0812-0xxx-xxxx) are made up.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from simpul import audit
from simpul.accounts.models import User, normalise_phone
from simpul.accounts.roles import Role
from simpul.regions.models import Region

from . import periodic, services
from .models import Channel, Decree, Kim, Member, Sector, full_kim_name, normalise_kim_name

# simpul.core.demo imports this module to extend its STEPS, so its helpers are imported
# inside the steps (a top-level import would be circular).

LIMA_PULUH_KOTA = "13.07"
# Nagari Tujuh Koto Talago is written "VII Koto Talago" in the Kepmendagri data (13.07.02.2002,
# Kecamatan Guguak); both spellings are looked up by name.
SEED_SEARCH_NAMES = ("tujuhkototalago", "viikototalago")
SEED = "seed"  # the code of the seed KIM, resolved by name

SK_OK, SK_60, SK_14, SK_EXPIRED, SK_NONE = "ok", "60", "14", "expired", "none"
AKTIF, PENGAJUAN, VAKUM, KURANG_AKTIF = "aktif", "pengajuan", "vakum", "kurang_aktif"
# How long ago the dormant KIM were last seen (default rules: 90 and 180 days).
DORMANT_IDLE_DAYS = {VAKUM: 420, KURANG_AKTIF: 120}

WA, FB, IG, YT, WEB = "whatsapp", "facebook", "instagram", "youtube", "website"
PAPAN, RADIO, BULETIN = "papan", "radio", "buletin"


@dataclass(frozen=True)
class DemoKim:
    code: str
    name: str
    sectors: tuple
    channels: tuple
    sk: str
    at: tuple | None = None  # approximate (latitude, longitude)
    state: str = AKTIF
    founded: int = 2018
    description: str = ""


SEED_DESCRIPTION = (
    "KIM nagari VII Koto Talago, Kecamatan Guguak. Mengelola grup WhatsApp jorong, papan "
    "informasi dan siaran radio komunitas; mendampingi petani dan UMKM nagari memasarkan "
    "hasilnya. Berbagi pengalaman menjalankan KIM dengan dana desa pada Bimtek KIM "
    "Diskominfotik Sumbar di Bukittinggi, 29 November 2022. Motto: M2B, Mau, Mampu, Berbuat."
)

KIMS = (
    # Kabupaten Lima Puluh Kota (13.07): the seed KIM, a pengajuan, a dormant KIM; the
    # kecamatan Payakumbuh, Luak, Pangkalan Koto Baru, Gunuang Omeh and Mungka have none.
    DemoKim(SEED, "Tujuh Koto Talago", ("pertanian", "umkm", "literasi-digital"),
            (WA, FB, PAPAN, RADIO), SK_OK, (-0.1705, 100.5561), founded=2012,
            description=SEED_DESCRIPTION),
    DemoKim("13.07.05.2005", "Harau Saiyo", ("pariwisata", "umkm"), (FB, IG, PAPAN), SK_60,
            (-0.1092, 100.6648), founded=2016),
    DemoKim("13.07.05.2001", "Taram Maju", ("pertanian",), (WA, PAPAN), SK_14,
            (-0.2031, 100.6912), founded=2019),
    DemoKim("13.07.01.2004", "Suliki Bangkit", ("pendidikan", "pertanian"), (WA, BULETIN),
            SK_EXPIRED, founded=2015),
    DemoKim("13.07.12.2001", "Maek Batuah", ("sosial-budaya", "pariwisata"), (WA, FB), SK_NONE,
            (0.0502, 100.5567), founded=2021),
    DemoKim("13.07.07.2002", "Koto Bangun Saiyo", ("pertanian", "kesehatan"), (WA, PAPAN),
            SK_OK, founded=2020),
    DemoKim("13.07.09.2006", "Halaban Sakato", ("pertanian",), (WA,), SK_OK, state=VAKUM,
            founded=2017),
    DemoKim("13.07.13.2004", "Suayan Informatika", ("literasi-digital",), (WA,), SK_NONE,
            state=PENGAJUAN, founded=2025),
    # Kota Bukittinggi (13.75)
    DemoKim("13.75.03.1002", "Birugo Saiyo", ("umkm", "pariwisata"), (FB, IG, WA), SK_OK,
            (-0.3098, 100.3779), founded=2014),
    DemoKim("13.75.01.1005", "Jam Gadang", ("pariwisata", "umkm"), (FB, IG, YT), SK_60,
            (-0.3052, 100.3694), founded=2013),
    DemoKim("13.75.02.1008", "Garegeh Basamo", ("kesehatan",), (WA, PAPAN), SK_NONE,
            founded=2022),
    DemoKim("13.75.02.1007", "Koto Selayan Mandiri", ("umkm", "literasi-digital"), (IG, WA),
            SK_NONE, state=PENGAJUAN, founded=2025),
    # Kota Payakumbuh (13.76)
    DemoKim("13.76.01.1003", "Kubu Gadang", ("pariwisata", "umkm"), (FB, IG), SK_OK,
            (-0.2262, 100.6229), founded=2017),
    DemoKim("13.76.03.1001", "Balai Jaring", ("pertanian",), (WA,), SK_14, founded=2020),
    # Kabupaten Agam (13.06)
    DemoKim("13.06.05.2008", "Koto Gadang", ("pariwisata", "umkm", "pendidikan"), (FB, WEB),
            SK_OK, (-0.3166, 100.3545), founded=2011),
    DemoKim("13.06.03.2003", "Maninjau Saiyo", ("pariwisata", "lingkungan"), (FB, WA, RADIO),
            SK_OK, (-0.3137, 100.2099), founded=2015),
    DemoKim("13.06.02.2005", "Manggopoh", ("pertanian",), (WA, PAPAN), SK_EXPIRED,
            founded=2016),
    DemoKim("13.06.15.2001", "Magek Sakato", ("pertanian", "umkm"), (FB,), SK_60, founded=2019),
    # Kabupaten Tanah Datar (13.04)
    DemoKim("13.04.09.2005", "Pariangan", ("pariwisata", "sosial-budaya"), (FB, IG, PAPAN),
            SK_OK, (-0.4487, 100.4950), founded=2014),
    DemoKim("13.04.01.2008", "Pandai Sikek", ("umkm", "pariwisata"), (FB, IG), SK_OK,
            (-0.3928, 100.4190), founded=2013),
    DemoKim("13.04.05.2004", "Pagaruyung", ("sosial-budaya", "pariwisata"), (FB, WA), SK_NONE,
            (-0.4712, 100.6213), founded=2023),
    DemoKim("13.04.08.2008", "Rao Rao", ("pertanian",), (WA,), SK_14, founded=2018),
    # Kota Padang (13.71)
    DemoKim("13.71.02.1007", "Andalas Bersatu", ("literasi-digital", "kesehatan"), (IG, WA, FB),
            SK_OK, (-0.9397, 100.3785), founded=2016),
    DemoKim("13.71.03.1007", "Kampung Jawa", ("umkm",), (FB, PAPAN), SK_60, founded=2018),
    DemoKim("13.71.05.1002", "Bungus Bahari", ("lingkungan", "pariwisata"), (WA, RADIO),
            SK_EXPIRED, (-1.0476, 100.3943), founded=2015),
    # Kabupaten Padang Pariaman (13.05)
    DemoKim("13.05.01.2001", "Lubuk Alung", ("pertanian", "umkm"), (FB, WA), SK_OK,
            (-0.6648, 100.2877), founded=2017),
    DemoKim("13.05.10.2002", "Ulakan Saiyo", ("sosial-budaya", "pariwisata"), (WA, RADIO), SK_OK,
            (-0.6946, 100.1662), founded=2019),
    # Kabupaten Pesisir Selatan (13.01)
    DemoKim("13.01.05.2003", "Salido Saiyo", ("pariwisata", "pertanian"), (FB, WA), SK_OK,
            (-1.3297, 100.5822), founded=2016),
    DemoKim("13.01.03.2001", "Kambang", ("pertanian",), (WA, PAPAN), SK_NONE, founded=2022),
    # Kabupaten Solok (13.02)
    DemoKim("13.02.11.2004", "Singkarak", ("pariwisata", "lingkungan"), (FB, RADIO), SK_OK,
            (-0.6003, 100.5601), founded=2015),
    DemoKim("13.02.04.2001", "Alahan Panjang", ("pertanian", "umkm"), (WA, FB), SK_OK,
            (-1.0781, 100.7866), founded=2018),
    # Kabupaten Pasaman (13.08) and Pasaman Barat (13.12)
    DemoKim("13.08.04.2001", "Limo Koto Bonjol", ("pertanian",), (WA,), SK_60,
            (0.0047, 100.2202), founded=2019),
    DemoKim("13.12.05.2004", "Kinali Saiyo", ("pertanian", "umkm"), (FB, WA), SK_OK,
            founded=2017),
    DemoKim("13.12.03.2006", "Aia Gadang", ("kesehatan",), (WA,), SK_NONE, founded=2023),
    # Kabupaten Sijunjung, Dharmasraya, Solok Selatan, Kepulauan Mentawai
    DemoKim("13.03.04.2003", "Silokek", ("pariwisata", "lingkungan"), (FB, IG), SK_OK,
            (-0.6514, 100.9206), founded=2018),
    DemoKim("13.10.04.2004", "Gunung Medan", ("pertanian",), (WA, FB), SK_OK, founded=2020),
    DemoKim("13.11.02.2004", "Pasia Talang", ("pariwisata", "sosial-budaya"), (FB,), SK_OK,
            (-1.4826, 101.0574), founded=2016),
    DemoKim("13.09.03.2004", "Muntei", ("sosial-budaya", "pariwisata"), (RADIO, PAPAN), SK_NONE,
            (-1.5846, 99.2013), founded=2021),
    # The other kota: Solok (a dormant KIM), Sawahlunto, Padang Panjang, Pariaman
    DemoKim("13.72.01.1002", "VI Suku", ("umkm",), (WA, FB), SK_OK, state=KURANG_AKTIF,
            founded=2018),
    DemoKim("13.73.01.1002", "Kubang Sirakuk", ("pariwisata",), (FB, IG), SK_OK,
            (-0.6823, 100.7782), founded=2017),
    DemoKim("13.74.01.1007", "Koto Katik", ("pendidikan", "literasi-digital"), (IG, WA),
            SK_EXPIRED, founded=2016),
    DemoKim("13.77.01.1002", "Kampung Perak", ("pariwisata", "umkm"), (FB, RADIO), SK_60,
            (-0.6281, 100.1187), founded=2018),
)  # fmt: skip

# The demo logins at the seed KIM: {e-mail local part: (full name, role, position)}.
SEED_PEOPLE = {
    "ketua.tujuhkoto": ("Hendri Datuak Rajo Mudo", Role.PENGURUS, Member.Position.KETUA),
    "anggota.tujuhkoto": ("Rini Chaniago", Role.ANGGOTA, Member.Position.ANGGOTA),
}

MALE = (
    "Afrizal", "Syafrizal", "Zulkifli", "Hendra", "Irwan", "Yusrizal", "Masrul", "Nasrul",
    "Jasman", "Darmawan", "Rusli", "Efendi", "Asrul", "Fadli", "Zulfikar", "Rinaldi",
    "Yondri", "Riko", "Indra", "Andri", "Novrizal", "Syahrial", "Alfian", "Erizon",
)  # fmt: skip
FEMALE = (
    "Yusniar", "Nurhayati", "Desi", "Rosmaniar", "Elfia", "Yanti", "Fitri", "Mardiana",
    "Syamsinar", "Erni", "Nelly", "Rahmi", "Yulianti", "Susi", "Rika", "Zuraida", "Asnidar",
    "Misnawati", "Dewi", "Lisa",
)  # fmt: skip
SUKU = (
    "Chaniago", "Piliang", "Koto", "Tanjung", "Sikumbang", "Jambak", "Melayu", "Guci",
    "Bodi", "Sumagek", "Pisang", "Mandailiang",
)  # fmt: skip
GELAR = (
    "Datuak Rajo Mudo", "Dt. Bandaro", "Dt. Sinaro", "Malin Sutan", "Sutan Mudo",
    "Sutan Pamenan", "St. Mangkuto", "Bagindo Kayo", "Malin Marajo",
)  # fmt: skip
BIDANG = (
    Member.Position.BIDANG_PENGUMPULAN,
    Member.Position.BIDANG_PENGOLAHAN,
    Member.Position.BIDANG_PENYEBARAN,
)
CONSENT_PUBLIC = "Dicatat di Simpul; nama dan jabatan tampil di profil publik KIM."
CONSENT_CONTACT = "Dicatat di Simpul dan dihubungi pengurus serta pembina KIM."


@dataclass
class RegistryDemo:
    """What the registry steps learned on this run (kept on the DemoContext)."""

    kims: dict = field(default_factory=dict)  # code -> Kim, for the specs
    seed_code: str = ""


def _person(rng):
    if rng.random() < 0.55:
        return f"{rng.choice(MALE)} {rng.choice(GELAR + SUKU)}"
    return f"{rng.choice(FEMALE)} {rng.choice(SUKU)}"


def _day_in(rng, year, today):
    day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330))
    return min(day, today - timedelta(days=1))


def village_office(region):
    if region.kind == Region.Kind.KELURAHAN:
        return f"Lurah {region.name}"
    if region.kind == Region.Kind.NAGARI:
        return f"Wali Nagari {region.name}"
    return f"Kepala Desa {region.name}"


def decree_for(spec, region, rng, today):
    """The SK fields for a spec, relative to today, or None (no SK)."""
    if spec.sk == SK_NONE:
        return None
    ends = {
        SK_OK: today + timedelta(days=rng.randrange(200, 900)),
        SK_60: today + timedelta(days=rng.randrange(20, 56)),
        SK_14: today + timedelta(days=rng.randrange(3, 13)),
        SK_EXPIRED: today - timedelta(days=rng.randrange(30, 200)),
    }[spec.sk]
    issued = ends - timedelta(days=3 * 365)
    abbr = "".join(w[0] for w in region.name.upper().split() if w[0].isalnum())[:5]
    return {
        "number": f"{rng.randrange(1, 60):02d}/KPTS/{abbr}/{issued.year}",
        "issued_on": issued,
        "signatory_office": village_office(region),
        "signatory_name": f"{rng.choice(MALE)} {rng.choice(GELAR)}",
        "term_ends_on": ends,
    }


def members_for(spec, index, rng, started_on, today):
    """Member fields for a spec: the officers, then anggota. Phones for most officers and a
    quarter of the anggota; consent recorded for everyone with a phone or publicly listed."""
    positions = [Member.Position.KETUA]
    if spec.state != PENGAJUAN and rng.random() < 0.3:
        positions.append(Member.Position.WAKIL_KETUA)
    positions += [Member.Position.SEKRETARIS, Member.Position.BENDAHARA]
    if spec.state != PENGAJUAN:
        positions += [p for p in BIDANG if rng.random() < 0.7]
    positions += [Member.Position.ANGGOTA] * (
        rng.randrange(2, 4) if spec.state == PENGAJUAN else rng.randrange(4, 12)
    )
    if spec.code == SEED:  # the ketua and one anggota are the demo logins (SEED_PEOPLE)
        positions.remove(Member.Position.KETUA)
        positions.remove(Member.Position.ANGGOTA)
    consent_on = min(started_on + timedelta(days=rng.randrange(0, 30)), today)
    rows = []
    for n, position in enumerate(positions, start=1):
        officer = position in Member.OFFICER_POSITIONS
        phone = f"08120{index:03d}{n:04d}" if rng.random() < (0.9 if officer else 0.25) else ""
        listed = position in Member.OFFICER_POSITIONS[:4] and rng.random() < 0.8
        consented = bool(phone) or listed
        rows.append(
            {
                "full_name": _person(rng),
                "position": position,
                "started_on": started_on,
                "phone": phone,
                "consent_on": consent_on if consented else None,
                "consent_purpose": (CONSENT_PUBLIC if listed else CONSENT_CONTACT)
                if consented
                else "",
                "listed_publicly": listed,
            }
        )
    return rows


def channels_for(spec, region, rng, today):
    slug = slugify(spec.name).replace("-", "")
    office = village_office(region).replace("Lurah", "Kantor Lurah")
    office = office.replace("Wali Nagari", "Kantor Wali Nagari").replace(
        "Kepala Desa", "Kantor Desa"
    )
    handles = {
        WA: (f"Grup WhatsApp KIM {spec.name}", (60, 250)),
        FB: (f"https://www.facebook.com/kim.{slug}", (300, 4000)),
        IG: (f"@kim.{slug}", (200, 2500)),
        YT: (f"https://www.youtube.com/@kim{slug}", (100, 1500)),
        WEB: (f"https://kim{slug}.kim.id", (None, None)),
        PAPAN: (f"Papan informasi di depan {office}", (None, None)),
        RADIO: (f"Radio komunitas {spec.name} {rng.randrange(88, 108)},{rng.randrange(10)} FM",
                (None, None)),
        BULETIN: (f"Buletin KIM {spec.name}, terbit bulanan", (150, 600)),
    }  # fmt: skip
    rows = []
    for kind in spec.channels:
        handle, (low, high) = handles[kind]
        rows.append(
            {
                "kind": kind,
                "handle": handle,
                "audience": rng.randrange(low, high) if low else None,
                "last_updated_on": today - timedelta(days=rng.randrange(0, 40)),
            }
        )
    return rows


# --- steps ----------------------------------------------------------------------


def _state(ctx):
    if not hasattr(ctx, "registry"):
        ctx.registry = RegistryDemo()
    return ctx.registry


def _seed_region():
    region = (
        Region.objects.filter(
            code__startswith=LIMA_PULUH_KOTA + ".", level=4, search_name__in=SEED_SEARCH_NAMES
        )
        .order_by("code")
        .first()
    )
    if region is None:
        from simpul.core.demo import DemoError

        raise DemoError(
            "Nagari VII Koto Talago tidak ada di tabel wilayah: jalankan `simpul regions load`."
        )
    return region


def _regions(ctx):
    """{spec code: Region}; the seed KIM's code is found by the nagari's name."""
    from simpul.core.demo import DemoError

    seed = _seed_region()
    codes = [s.code for s in KIMS if s.code != SEED]
    found = {r.code: r for r in Region.objects.filter(code__in=codes, retired=False)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise DemoError(
            f"Wilayah demo KIM tidak ada ({', '.join(missing)}): jalankan `simpul regions load`."
        )
    found[SEED] = seed
    ctx.regions.update({r.code: r for r in found.values()})
    _state(ctx).seed_code = seed.code
    return found


def _demo_actor():
    from simpul.core.demo import EMAIL_DOMAIN, DemoError

    actor = User.objects.filter(email=f"admin@{EMAIL_DOMAIN}", is_superuser=True).first()
    if actor is None:
        raise DemoError("Superuser demo (admin@simpul.demo) belum ada: jalankan langkah akun.")
    return actor


def _create_with_services(actor, spec, region, index, today):
    rng = random.Random(f"simpul-demo:{region.code}")
    kim = services.kim_create(
        actor=actor,
        name=spec.name,
        region_code=region.code,
        sectors=list(Sector.objects.filter(slug__in=spec.sectors)),
        status=Kim.Status.PENGAJUAN if spec.state == PENGAJUAN else Kim.Status.AKTIF,
        founded_on=_day_in(rng, spec.founded, today),
        description=spec.description,
        latitude=Decimal(str(spec.at[0])) if spec.at else None,
        longitude=Decimal(str(spec.at[1])) if spec.at else None,
    )
    decree = decree_for(spec, region, rng, today)
    if decree:
        services.decree_add(actor=actor, kim=kim, **decree)
    started_on = decree["issued_on"] if decree else kim.founded_on
    members = members_for(spec, index, rng, started_on, today)
    for fields in members:
        services.member_add(actor=actor, kim=kim, **fields)
    channels = channels_for(spec, region, rng, today)
    for fields in channels:
        services.channel_save(actor=actor, kim=kim, **fields)
    return kim, bool(decree), len(members), len(channels)


def _create_dormant(spec, region, index, now):
    """A KIM last active long ago: rows written directly (see the module docstring)."""
    today = timezone.localdate(now)
    rng = random.Random(f"simpul-demo:{region.code}")
    seen = now - timedelta(days=DORMANT_IDLE_DAYS[spec.state])
    name = full_kim_name(spec.name)
    kim = Kim.objects.create(
        name=name,
        normalised_name=normalise_kim_name(name),
        slug=services.unique_slug(name),
        region_code=region.code,
        status=Kim.Status.AKTIF,
        founded_on=_day_in(rng, spec.founded, today),
        description=spec.description,
    )
    # created_at is auto_now_add: dated back with an update, like verified_at.
    Kim.objects.filter(pk=kim.pk).update(created_at=seen, verified_at=seen, status_changed_at=seen)
    kim.sectors.set(Sector.objects.filter(slug__in=spec.sectors))
    decree = decree_for(spec, region, rng, today)
    if decree:
        Decree.objects.create(kim=kim, region_code=kim.region_code, **decree)
    started_on = decree["issued_on"] if decree else kim.founded_on
    members = members_for(spec, index, rng, started_on, today)
    Member.objects.bulk_create(
        Member(
            kim=kim,
            region_code=kim.region_code,
            **{**m, "phone": normalise_phone(m["phone"]) if m["phone"] else ""},
        )
        for m in members
    )
    channels = channels_for(spec, region, rng, today)
    Channel.objects.bulk_create(
        Channel(kim=kim, region_code=kim.region_code, **c) for c in channels
    )
    services.refresh_denormalised(kim)
    audit.record(
        actor=None,
        action="registry.kim.created",
        obj=kim,
        object_type="kim",
        object_id=kim.slug,
        kim_id=kim.pk,
        data={"source": "demo", "status": Kim.Status.AKTIF},
    )
    return kim, bool(decree), len(members), len(channels)


def step_kims(ctx):
    """The demo KIM with their SK, members and channels; dormancy computed at the end."""
    regions = _regions(ctx)
    state = _state(ctx)
    keys = {(regions[s.code].code, normalise_kim_name(full_kim_name(s.name))): s.code for s in KIMS}
    existing = Kim.objects.filter(region_code__in={code for code, _ in keys}).only(
        "pk", "slug", "name", "region_code", "normalised_name", "status"
    )
    for kim in existing:
        spec_code = keys.get((kim.region_code, kim.normalised_name))
        if spec_code:
            state.kims[spec_code] = kim
    missing = [s for s in KIMS if s.code not in state.kims]
    if not missing:
        return
    actor = _demo_actor()
    today = timezone.localdate(ctx.now)
    made_dormant = False
    for index, spec in enumerate(KIMS, start=1):
        if spec.code in state.kims:
            continue
        region = regions[spec.code]
        if spec.state in DORMANT_IDLE_DAYS:
            made = _create_dormant(spec, region, index, ctx.now)
            made_dormant = True
        else:
            made = _create_with_services(actor, spec, region, index, today)
        kim, has_sk, members, channels = made
        state.kims[spec.code] = kim
        ctx.created["KIM"] += 1
        ctx.created["SK"] += has_sk
        ctx.created["anggota KIM"] += members
        ctx.created["saluran media"] += channels
    if made_dormant:
        periodic.refresh_dormancy(now=ctx.now)


def step_kim_people(ctx):
    """The demo logins of KIM Tujuh Koto Talago: its ketua (pengurus) and an anggota, each a
    member of the KIM with their account linked."""
    from simpul.core.demo import EMAIL_DOMAIN, ensure_user

    state = _state(ctx)
    kim = state.kims.get(SEED)
    if kim is None:  # run without step_kims: nothing to attach the people to
        return
    users = {}
    for local_part, (full_name, role, _position) in SEED_PEOPLE.items():
        users[local_part] = ensure_user(
            ctx,
            email=f"{local_part}@{EMAIL_DOMAIN}",
            full_name=full_name,
            role=role,
            kim=kim,
        )
    linked = set(
        Member.objects.filter(kim=kim, user__in=users.values()).values_list("user_id", flat=True)
    )
    if len(linked) == len(users):
        return
    actor = _demo_actor()
    today = timezone.localdate(ctx.now)
    for n, (local_part, (full_name, _role, position)) in enumerate(SEED_PEOPLE.items()):
        user = users[local_part]
        if user.pk in linked:
            continue
        ketua = position == Member.Position.KETUA
        services.member_add(
            actor=actor,
            kim=kim,
            full_name=full_name,
            position=position,
            user=user,
            started_on=date(2023, 1, 16),
            phone=f"0812000000{n:02d}",
            consent_on=min(date(2023, 1, 16), today),
            consent_purpose=CONSENT_PUBLIC if ketua else CONSENT_CONTACT,
            listed_publicly=ketua,
        )
        ctx.created["anggota KIM"] += 1


STEPS = [step_kims, step_kim_people]
