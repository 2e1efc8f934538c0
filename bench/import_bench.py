"""Time a 10,000-row KIM import (dry run + apply, then a no-op re-import) on a fresh database.

    python bench/import_bench.py                      # SQLite in a temporary data dir
    SIMPUL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simpul \\
        python bench/import_bench.py                  # a fresh database on that server
    python bench/import_bench.py --rows 500           # smoke size

The script migrates a throwaway database and loads all 91,599 wilayah (`simpul regions
load`), then builds XLSX files from the real wilayah rows: about 70 % Sumatera Barat and
30 % other provinces, wilayah written the way office sheets do ("Kab. 50 Kota", "Kec.
Harau", "Nagari Koto Tuo", "KOTO TANGAH", codes without names, ...), dates in every
accepted format. A copy with ~1 % injected bad rows (unknown kecamatan, impossible dates,
duplicates, coordinates outside Indonesia) must be flagged on exactly those rows. Then the
clean file is dry-run and applied, and applied again (everything unchanged).

The importer is a superuser (all of Indonesia in scope), so kab/kota names are matched
nationally. The baseline is openpyxl reading the same file in read-only mode: import work
is reported as a ratio to it, as well as in seconds. Target: dry run + apply <= 60 s on
2 cores.
For PostgreSQL a database <name>_import_<random> is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BenchError, describe_database, server_env, simpul  # noqa: E402
from scratch_db import create_pg_database, drop_pg_database

TARGET_SECONDS = 60.0
BAD_SHARE = 0.01
SUMBAR_SHARE = 0.7
OTHER_KABKOTA = ("12.71", "12.07", "32.73", "33.74", "35.07", "63.03", "73.71", "91.03")
NAME_PATTERNS = (
    "KIM {w}", "KIM {w} Saiyo Sakato", "KIM Cahaya {w}", "KIM {w} Bersatu", "KIM Maju {w}",
    "KIM Suara {w}", "KIM {w} Mandiri", "KIM Informasi {w}", "KIM Bina {w}", "KIM {w} Sejahtera",
)  # fmt: skip
JORONG = ("Koto", "Balai", "Pasar", "Tanjung")
SECTORS = ("Pertanian", "pariwisata", "UMKM", "Kesehatan", "literasi-digital", "Sosial budaya")
HEADERS = [
    "Nama KIM", "Kode wilayah", "Desa/Nagari/Kelurahan", "Kecamatan", "Kabupaten/Kota", "Alamat",
    "Tanggal berdiri", "ID KIM.id", "Sektor", "Lintang", "Bujur", "Nomor SK", "Tanggal SK",
    "SK berlaku sampai", "Penandatangan SK", "Status",
]  # fmt: skip


# --- database ----------------------------------------------------------------------------------


# --- the sheet ---------------------------------------------------------------------------------


def _key(text):
    return re.sub(r"[^a-z0-9]", "", text.lower())


class Generator:
    """Rows from real wilayah. Only spellings the importer must accept are used for good
    rows; a spelling that would be ambiguous in its parent falls back to the code."""

    def __init__(self, rng):
        from simpul.regions.models import Region

        self.rng = rng
        from django.db.models import Q

        wanted = Q(code__startswith="13.")
        for code in OTHER_KABKOTA:
            wanted |= Q(code__startswith=code + ".")
        rows = Region.objects.filter(wanted, retired=False)
        self.places = {r.code: r for r in rows}
        for r in Region.objects.filter(level__lte=2):
            self.places.setdefault(r.code, r)
        self.villages = {"sumbar": [], "other": []}
        siblings = {}
        for r in self.places.values():
            if r.level >= 3:
                siblings.setdefault((r.parent_id, _key(r.name)), []).append(r.code)
        self.unique = {c for group in siblings.values() if len(group) == 1 for c in group}
        bases = {}  # the importer is national here: a bare kab/kota name must be unique
        for r in self.places.values():
            if r.level == 2:
                base = re.sub(r"^(kabupaten|kota) ", "", r.name.lower())
                bases.setdefault(_key(base), []).append(r.code)
        self.unique_base = {c for group in bases.values() if len(group) == 1 for c in group}
        for r in self.places.values():
            if r.level == 4:
                self.villages["sumbar" if r.code.startswith("13.") else "other"].append(r)
        for group in self.villages.values():
            group.sort(key=lambda r: r.code)
        self.used = set()
        self.counter = 0

    def _kabkota(self, kab):
        rng = self.rng
        options = [kab.name, kab.name.upper(), kab.name.replace("Kabupaten ", "Kab. ")]
        if kab.code in self.unique_base:
            options.append(re.sub(r"^(Kabupaten|Kota) ", "", kab.name))
        if kab.code == "13.07":
            options += ["Kab. 50 Kota", "50 Kota", "Lima Puluh Kota"]
        return rng.choice(options)

    def _kecamatan(self, kec):
        options = [kec.name, "Kec. " + kec.name, "Kecamatan " + kec.name.upper()]
        if " " in kec.name:
            options.append(kec.name.replace(" ", ""))  # "Kototangah"
        return self.rng.choice(options)

    def _desa(self, desa):
        label = {"nagari": "Nagari", "kelurahan": "Kelurahan", "desa": "Desa"}.get(desa.kind, "")
        options = [desa.name, desa.name.upper()]
        if label:
            options.append(f"{label} {desa.name}")
        return self.rng.choice(options)

    def wilayah(self, place):
        """(code, desa, kecamatan, kabkota) cells for a place, in a random office spelling."""
        rng = self.rng
        chain = [place]
        while chain[-1].parent_id and chain[-1].level > 2:
            chain.append(self.places[chain[-1].parent_id])
        kab = chain[-1]
        kec = next(p for p in chain if p.level == 3)
        desa = place if place.level == 4 else None
        by_names = all(p.code in self.unique for p in chain if p.level >= 3)
        if not by_names or rng.random() < 0.25:
            names = rng.random() < 0.5  # an export-like row: code plus official names
            return (
                place.code,
                desa.name if desa and names else "",
                kec.name if names else "",
                kab.name if names else "",
            )
        return ("", self._desa(desa) if desa else "", self._kecamatan(kec), self._kabkota(kab))

    def good_row(self):
        rng = self.rng
        group = self.villages["sumbar" if rng.random() < SUMBAR_SHARE else "other"]
        village = rng.choice(group)
        place = village if rng.random() > 0.05 else self.places[village.parent_id]
        self.counter += 1
        words = place.name
        for attempt in range(30):
            pattern = rng.choice(NAME_PATTERNS)
            name = pattern.format(w=words if attempt < 10 else f"{words} {attempt}")
            key = (place.code, _key(re.sub(r"^KIM ", "", name)))
            if key not in self.used:
                self.used.add(key)
                break
        else:
            raise BenchError("could not find a unique KIM name")
        code, desa, kec, kab = self.wilayah(place)
        founded = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(5000))
        row = {
            "Nama KIM": name,
            "Kode wilayah": code,
            "Desa/Nagari/Kelurahan": desa,
            "Kecamatan": kec,
            "Kabupaten/Kota": kab,
            "Alamat": f"Jorong {rng.choice(JORONG)} {rng.randrange(1, 9)}",
            "Tanggal berdiri": rng.choice(
                (
                    founded,
                    founded.strftime("%d/%m/%Y"),
                    founded.isoformat(),
                    f"{founded.day}-{founded.month}-{founded.year}",
                    (founded - datetime.date(1899, 12, 30)).days,
                )
            ),
            "ID KIM.id": f"KIM-{self.counter:06d}" if rng.random() < 0.3 else "",
            "Sektor": ", ".join(rng.sample(SECTORS, rng.randrange(0, 3))),
            "Status": rng.choice(("aktif", "aktif", "aktif", "", "Kurang Aktif", "vakum")),
        }
        if rng.random() < 0.4:
            row["Lintang"] = round(rng.uniform(-1.5, 1.0), 6)
            row["Bujur"] = round(rng.uniform(99.0, 101.5), 6)
        if rng.random() < 0.5:
            issued = founded + datetime.timedelta(days=rng.randrange(1, 200))
            row["Nomor SK"] = f"{rng.randrange(1, 300)}/KPTS/{issued.year}"
            row["Tanggal SK"] = issued.strftime("%d/%m/%Y")
            if rng.random() < 0.7:
                until = issued + datetime.timedelta(days=3 * 365)
                row["SK berlaku sampai"] = until.strftime("%d/%m/%Y")
            row["Penandatangan SK"] = f"Wali Nagari {words}" if rng.random() < 0.8 else ""
        return row

    def bad_row(self, kind, earlier):
        rng = self.rng
        row = self.good_row()
        if kind == "kecamatan":
            row.update({"Kode wilayah": "", "Kecamatan": f"Antah Berantah {rng.randrange(99)}"})
            row["Kabupaten/Kota"] = row["Kabupaten/Kota"] or "Kabupaten Lima Puluh Kota"
            row["Desa/Nagari/Kelurahan"] = ""
        elif kind == "date":
            row["Tanggal berdiri"] = rng.choice(
                ("31/02/2021", "kemarin", "2021-13-01", "00/00/0000")
            )
        elif kind == "duplicate":
            original = rng.choice(earlier)
            row = dict(original, **{"Nama KIM": original["Nama KIM"].upper(), "ID KIM.id": ""})
        elif kind == "coordinates":
            row.update({"Lintang": rng.choice((40.5, -30.2)), "Bujur": rng.choice((10.2, 150.0))})
        return row


def build_rows(rng, n):
    gen = Generator(rng)
    clean = [gen.good_row() for _ in range(n)]
    bad = list(clean)
    n_bad = max(4, round(n * BAD_SHARE))
    positions = sorted(rng.sample(range(n // 10, n), n_bad))
    kinds = ("kecamatan", "date", "duplicate", "coordinates")
    injected = {}
    for i, pos in enumerate(positions):
        kind = kinds[i % len(kinds)]
        earlier = [clean[j] for j in range(pos) if j + 2 not in injected]
        bad[pos] = gen.bad_row(kind, earlier)
        injected[pos + 2] = kind  # row 1 is the header
    return clean, bad, injected


def to_xlsx(rows, *, write_only=False):
    """As openpyxl saves a normal workbook (with a <dimension>, like Excel; inline strings,
    unlike Excel's shared strings), or in its write-only streaming form (no dimension:
    openpyxl's read-only reader then scans the sheet twice)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=write_only)
    if write_only:
        ws = wb.create_sheet("KIM")
    else:
        ws = wb.active
        ws.title = "KIM"
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- timing ------------------------------------------------------------------------------------


def baseline_read(data):
    import openpyxl

    started = time.monotonic()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return time.monotonic() - started, n


def timed(fn, **kw):
    started = time.monotonic()
    result = fn(**kw)
    return result, time.monotonic() - started


def run_bench(rows, seed, log, *, write_only=False):
    import django

    django.setup()
    from simpul.accounts.models import User
    from simpul.registry import imports
    from simpul.registry.models import Kim

    actor = User.objects.create_superuser(
        email=f"bench-{secrets.token_hex(3)}@bench.simpul", full_name="Bench import"
    )
    rng = random.Random(seed)
    started = time.monotonic()
    clean, bad, injected = build_rows(rng, rows)
    clean_x = to_xlsx(clean, write_only=write_only)
    bad_x = to_xlsx(bad, write_only=write_only)
    log(
        f"  generated {rows:,} rows ({len(injected)} bad) in {time.monotonic() - started:.1f} s; "
        f"XLSX {len(clean_x) / 1e6:.2f} MB"
    )
    base_s, n_read = baseline_read(clean_x)
    log(f"  baseline (openpyxl read-only, {n_read:,} rows): {base_s:.2f} s")
    limits = imports.Limits.from_settings()
    limits = imports.Limits(max_bytes=max(limits.max_bytes, len(bad_x) + 1))

    report, bad_s = timed(
        imports.dry_run, actor=actor, source=bad_x, filename="bad.xlsx", limits=limits
    )
    flagged = {r.number for r in report.rows if r.action == "error"}
    missed = sorted(set(injected) - flagged)
    extra = sorted(flagged - set(injected))
    log(f"  dry run with bad rows: {bad_s:.2f} s; flagged {len(flagged)}, injected {len(injected)}")
    for number in extra[:10]:
        r = next(r for r in report.rows if r.number == number)
        log(f"    UNEXPECTED row {number}: {[str(i) for i in r.issues if i.error]}")
    for number in missed[:10]:
        log(f"    MISSED row {number} ({injected[number]})")
    by_kind = {}
    for number, kind in injected.items():
        by_kind.setdefault(kind, 0)
        by_kind[kind] += number in flagged

    dry, dry_s = timed(
        imports.dry_run, actor=actor, source=clean_x, filename="kim.xlsx", limits=limits
    )
    log(f"  dry run (clean): {dry_s:.2f} s  {dry.counts}")
    applied, apply_s = timed(
        imports.apply_import, actor=actor, source=clean_x, filename="kim.xlsx", limits=limits
    )
    log(f"  apply: {apply_s:.2f} s  {applied.counts}")
    kims = Kim.objects.count()
    again, again_s = timed(
        imports.apply_import, actor=actor, source=clean_x, filename="kim.xlsx", limits=limits
    )
    log(f"  re-import: {again_s:.2f} s  {again.counts}")
    ok = (
        not missed
        and not extra
        and dry.ok
        and applied.applied
        and applied.counts["new"] == rows
        and kims == rows
        and again.counts["unchanged"] == rows
        and Kim.objects.count() == rows
    )
    return {
        "rows": rows,
        "injected": len(injected),
        "flagged_by_kind": by_kind,
        "unexpected": extra,
        "missed": missed,
        "warnings": dry.counts["warnings"],
        "baseline_read_s": round(base_s, 2),
        "dry_run_bad_s": round(bad_s, 2),
        "dry_run_s": round(dry_s, 2),
        "apply_s": round(apply_s, 2),
        "reimport_s": round(again_s, 2),
        "dry_run_plus_apply_s": round(dry_s + apply_s, 2),
        "ratio_to_baseline": round((dry_s + apply_s) / base_s, 1) if base_s else None,
        "ok": ok,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=29112022)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument(
        "--write-only",
        action="store_true",
        help="write the sheets in openpyxl's streaming form (no <dimension>: the worst case)",
    )
    args = p.parse_args(argv)
    if not 10 <= args.rows <= 20_000:
        p.error("--rows must be between 10 and 20,000 (the import's row limit)")

    data_dir = Path(tempfile.mkdtemp(prefix="simpul-import-"))
    env = server_env(data_dir)
    vendor = "postgres" if env.get("SIMPUL_DATABASE_URL") else "sqlite"
    pg_name = None
    result = None
    try:
        if vendor == "postgres":
            env["SIMPUL_DATABASE_URL"], pg_name = create_pg_database(
                env["SIMPUL_DATABASE_URL"], "import"
            )
        print(f"KIM import bench on a fresh {vendor} database: {describe_database(env)[1]}")
        _, migrate_s = simpul(env, "migrate", "--no-input", "-v", "0")
        out, load_s = simpul(env, "regions", "load", "--no-progress", timeout=900)
        print(f"  migrate {migrate_s:.1f} s; {out}")
        os.environ.update(env)
        result = run_bench(args.rows, args.seed, print, write_only=args.write_only)
    except BenchError as exc:
        print(f"import_bench: FAILED: {exc}", file=sys.stderr)
        return 2
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            drop_pg_database(env["SIMPUL_DATABASE_URL"], pg_name)
        shutil.rmtree(data_dir, ignore_errors=True)

    total = result["dry_run_plus_apply_s"]
    result["database"] = vendor
    result["xlsx"] = "write-only" if args.write_only else "normal"
    result["target_s"] = TARGET_SECONDS
    verdict = "ok" if total <= TARGET_SECONDS or args.rows < 10_000 else "MISSED"
    print(
        f"\n{vendor}: {args.rows:,} rows, dry run {result['dry_run_s']:.1f} s + apply "
        f"{result['apply_s']:.1f} s = {total:.1f} s (target <= {TARGET_SECONDS:.0f} s: {verdict}; "
        f"{result['ratio_to_baseline']}x the bare openpyxl read); re-import "
        f"{result['reimport_s']:.1f} s; bad rows flagged exactly: "
        f"{'yes' if not result['missed'] and not result['unexpected'] else 'NO'}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["ok"] and verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
