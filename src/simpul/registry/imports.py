"""KIM import from XLSX/CSV: parse, validate (the dry-run report), apply.

Flow (the views only call these):
1. `check_upload(upload, actor=...)` stores the file privately under IMPORT_DIR
   (default DATA_DIR/imports, not MEDIA_ROOT: it is never served) with a random name, runs
   the dry run and returns the report plus a signed token naming the file, the user and the
   original name. Files that cannot be applied are deleted at once.
2. `apply_upload(token, actor=...)` claims the file by renaming it (so a second click or a
   concurrent request finds nothing), parses and validates it again against the database
   as it is now, and writes everything in one transaction only if no row has an error.
   The file is deleted after a successful apply; left-over files expire after a day.

Rows match existing KIM on ID KIM.id first, else on (wilayah, normalised name), so a
re-import updates changed fields only and never duplicates. An empty optional cell
leaves the stored value alone. All database reads are batched (per 500 keys), writes use
bulk_create/bulk_update: 10,000 rows take seconds (bench/import_bench.py).
"""

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul import audit
from simpul.accounts import scope
from simpul.accounts.roles import KIM_REGISTER
from simpul.core.spreadsheets import Limits, SpreadsheetError, format_size, read_table
from simpul.regions.resolve import Resolver

from .import_rows import COLUMNS, Report, Row, parse_row, parse_table, sector_index, text
from .models import Decree, Kim
from .services import unique_slugs

__all__ = ["COLUMNS", "Report", "Row", "apply_import", "apply_upload", "check_upload", "dry_run"]

BATCH = 500
SHEET_NAME = "KIM"
SALT = "simpul.registry.import"
MAX_AGE = 24 * 60 * 60


# --- validation ------------------------------------------------------------------------------


def _chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_scope(code, prefixes):
    return any(scope.code_in(code, p) for p in prefixes)


def validate(*, actor, table, report):
    """Fill report.rows with per-row outcomes (and the plan apply() writes)."""
    rows = parse_table(table, report)
    if not rows:
        return report
    prefixes = scope.region_prefixes(actor, KIM_REGISTER)
    resolver = Resolver(prefixes)
    sectors = sector_index()
    today = timezone.localdate()
    for row in rows:
        parse_row(row, sectors, today)
        _resolve_row(row, resolver, prefixes)
    report.rows = rows
    _match_existing(rows, prefixes)
    for row in rows:
        if row.has_error:
            row.action = "error"
    return report


def _resolve_row(row, resolver, prefixes):
    c = row.cells
    res = resolver.resolve(
        code=text(c.get("code")),
        kabkota=text(c.get("kabkota")),
        kecamatan=text(c.get("kecamatan")),
        desa=text(c.get("desa")),
    )
    for issue in res.issues:
        (row.error if issue.error else row.warn)(issue.column, issue.message)
    place = res.place if not any(i.error for i in res.issues) else None
    if place is None:
        return
    if not _in_scope(place.code, prefixes):
        column = "code" if text(c.get("code")) else ("kabkota" if "kabkota" in c else "kecamatan")
        row.error(
            column,
            _("%(name)s (%(code)s) di luar wilayah kewenangan Anda.")
            % {"name": place.label, "code": place.code},
        )
        return
    row.place = place
    row.values["region_code"] = place.code


def _prefetch(rows):
    by_key, by_kimid, by_pk = {}, {}, {}
    codes = {r.values["region_code"] for r in rows if "region_code" in r.values}
    for chunk in _chunks(sorted(codes)):
        for kim in Kim.objects.filter(region_code__in=chunk):
            by_pk[kim.pk] = kim
    kimids = {r.values["kimid_id"] for r in rows if r.values.get("kimid_id")}
    for chunk in _chunks(sorted(kimids)):
        for kim in Kim.objects.filter(kimid_id__in=chunk):
            by_pk.setdefault(kim.pk, kim)
    for kim in by_pk.values():
        by_key[(kim.region_code, kim.normalised_name)] = kim
        if kim.kimid_id:
            by_kimid[kim.kimid_id] = kim
    return by_key, by_kimid


def _match_existing(rows, prefixes):
    by_key, by_kimid = _prefetch(rows)
    seen_key, seen_kimid, seen_kim = {}, {}, {}
    for row in rows:
        v = row.values
        key = (v.get("region_code"), v.get("normalised_name"))
        kimid = v.get("kimid_id")
        first = None
        if None not in key:
            first = seen_key.setdefault(key, row.number)
        if first is not None and first != row.number:
            row.duplicate_of = first
            row.error(
                "name", _("sama dengan baris %(row)s (nama dan wilayah sama).") % {"row": first}
            )
        if kimid:
            first_id = seen_kimid.setdefault(kimid, row.number)
            if first_id != row.number:
                row.duplicate_of = row.duplicate_of or first_id
                row.error(
                    "kimid",
                    _("ID KIM.id %(id)s sudah dipakai di baris %(row)s.")
                    % {"id": kimid, "row": first_id},
                )
        if None in key:
            continue
        by_id = by_kimid.get(kimid) if kimid else None
        by_name = by_key.get(key)
        if by_id and by_name and by_id.pk != by_name.pk:
            row.error(
                "kimid",
                _("ID KIM.id %(id)s milik %(a)s, tetapi nama dan wilayahnya cocok dengan %(b)s.")
                % {"id": kimid, "a": by_id.name, "b": by_name.name},
            )
            continue
        kim = by_id or by_name
        if kim is not None:
            if not _in_scope(kim.region_code, prefixes):
                row.error(
                    "kimid", _("ID KIM.id %(id)s milik KIM di luar wilayah Anda.") % {"id": kimid}
                )
                continue
            first_kim = seen_kim.setdefault(kim.pk, row.number)
            if first_kim != row.number:
                row.duplicate_of = row.duplicate_of or first_kim
                row.error(
                    "name", _("mengubah KIM yang sama dengan baris %(row)s.") % {"row": first_kim}
                )
                continue
        row.kim = kim
    _plan_changes([r for r in rows if not r.has_error])


def _plan_changes(rows):
    existing = [r.kim.pk for r in rows if r.kim]
    sectors, decrees = {}, {}
    through = Kim.sectors.through
    for chunk in _chunks(existing):
        for kim_id, sector_id in through.objects.filter(kim_id__in=chunk).values_list(
            "kim_id", "sector_id"
        ):
            sectors.setdefault(kim_id, set()).add(sector_id)
        for decree in Decree.objects.filter(kim_id__in=chunk):
            decrees[(decree.kim_id, decree.number)] = decree
    for row in rows:
        kim, v = row.kim, row.values
        if kim is None:
            row.action = "new"
            continue
        changes = [
            f
            for f in ("name", "region_code", "address", "founded_on", "kimid_id", "status")
            if f in v and v[f] != getattr(kim, f)
        ]
        if "latitude" in v and (v["latitude"], v["longitude"]) != (kim.latitude, kim.longitude):
            changes += ["latitude", "longitude"]
        if row.sectors is not None and row.sectors != sectors.get(kim.pk, set()):
            changes.append("sectors")
        if row.decree:
            old = decrees.get((kim.pk, row.decree["number"]))
            row.decree["existing"] = old
            if (
                old is None
                or old.issued_on != row.decree["issued_on"]
                or (row.decree["term_ends_on"] and old.term_ends_on != row.decree["term_ends_on"])
                or (row.decree["office"] and old.signatory_office != row.decree["office"])
                or old.region_code != v["region_code"]
            ):
                changes.append("decree")
        row.changes = changes
        row.action = "updated" if changes else "unchanged"


# --- applying --------------------------------------------------------------------------------


def _apply(rows, now):
    new = [r for r in rows if r.action == "new"]
    updated = [r for r in rows if r.action == "updated"]
    slugs = dict(
        zip(
            [r.number for r in new],
            unique_slugs([r.values["normalised_name"] for r in new]),
            strict=True,
        )
    )
    for row in new:
        v = row.values
        status = v.get("status") or Kim.Status.AKTIF
        row.kim = Kim(
            name=v["name"],
            normalised_name=v["normalised_name"],
            slug=slugs[row.number],
            region_code=v["region_code"],
            address=v.get("address") or "",
            founded_on=v.get("founded_on"),
            kimid_id=v.get("kimid_id"),
            latitude=v.get("latitude"),
            longitude=v.get("longitude"),
            status=status,
            status_changed_at=now,
            verified_at=now if status == Kim.Status.AKTIF else None,
            has_sk=row.decree is not None,
            legality_ends_on=row.decree["term_ends_on"] if row.decree else None,
        )
    Kim.objects.bulk_create([r.kim for r in new], batch_size=BATCH)
    # Grouped by the fields that changed, so a row never writes a field it did not change
    # (a stale in-memory value would undo someone else's edit).
    groups = {}
    moved = []
    for row in updated:
        kim, v = row.kim, row.values
        fields = {"updated_at"}
        for f in row.changes:
            if f in ("sectors", "decree"):
                continue
            setattr(kim, f, v[f])
            fields.add(f)
        if "name" in row.changes:
            kim.normalised_name = v["normalised_name"]
            fields.add("normalised_name")
        if "status" in row.changes:
            kim.status_changed_at = now
            fields.add("status_changed_at")
            if kim.status == Kim.Status.AKTIF and kim.verified_at is None:
                kim.verified_at = now
                fields.add("verified_at")
        if "region_code" in row.changes:
            moved.append(kim)
        kim.updated_at = now
        groups.setdefault(tuple(sorted(fields)), []).append(kim)
    for fields, kims in groups.items():
        Kim.objects.bulk_update(kims, fields, batch_size=BATCH)
    _move_related(moved)
    _write_sectors(new, updated)
    _write_decrees(new, updated, now)


def _move_related(kims):
    from .models import Channel, Member

    by_code = {}
    for kim in kims:
        by_code.setdefault(kim.region_code, []).append(kim.pk)
    for code, pks in by_code.items():
        for model in (Channel, Decree, Member):
            for chunk in _chunks(pks):
                model.objects.filter(kim_id__in=chunk).update(region_code=code)


def _write_sectors(new, updated):
    through = Kim.sectors.through
    replace = [r.kim.pk for r in updated if "sectors" in r.changes]
    for chunk in _chunks(replace):
        through.objects.filter(kim_id__in=chunk).delete()
    links = [
        through(kim_id=r.kim.pk, sector_id=s)
        for r in new + [r for r in updated if "sectors" in r.changes]
        for s in sorted(r.sectors or ())
    ]
    through.objects.bulk_create(links, batch_size=BATCH)


def _write_decrees(new, updated, now):
    """New KIM got has_sk/legality at creation; updated ones are refreshed from their SK."""
    create, update = [], []
    for row in new + updated:
        spec = row.decree
        if not spec or (row.action == "updated" and "decree" not in row.changes):
            continue
        old = spec.get("existing")
        if old is None:
            create.append(
                Decree(
                    kim_id=row.kim.pk,
                    region_code=row.kim.region_code,
                    number=spec["number"],
                    issued_on=spec["issued_on"],
                    term_ends_on=spec["term_ends_on"],
                    signatory_office=spec["office"] or "-",
                    signatory_name="",
                )
            )
        else:
            old.issued_on = spec["issued_on"]
            old.term_ends_on = spec["term_ends_on"] or old.term_ends_on
            old.signatory_office = spec["office"] or old.signatory_office
            old.region_code = row.kim.region_code
            update.append(old)
    Decree.objects.bulk_create(create, batch_size=BATCH)
    if update:
        Decree.objects.bulk_update(
            update, ["issued_on", "term_ends_on", "signatory_office", "region_code"], BATCH
        )
    fresh = {r.kim.pk for r in new}
    touched = sorted({d.kim_id for d in create + update} - fresh)
    current = {}
    for chunk in _chunks(touched):
        for kim_id, ends in (
            Decree.objects.filter(kim_id__in=chunk)
            .order_by("kim_id", "-issued_on", "-id")
            .values_list("kim_id", "term_ends_on")
        ):
            current.setdefault(kim_id, ends)
    kims = [r.kim for r in updated if r.kim.pk in current]
    for kim in kims:
        kim.has_sk = True
        kim.legality_ends_on = current[kim.pk]
        kim.updated_at = now
    Kim.objects.bulk_update(kims, ["has_sk", "legality_ends_on", "updated_at"], batch_size=BATCH)


def _common_code(codes):
    parts = None
    for code in codes:
        segs = code.split(".")
        if parts is None:
            parts = segs
        else:
            n = 0
            while n < min(len(parts), len(segs)) and parts[n] == segs[n]:
                n += 1
            parts = parts[:n]
    return ".".join(parts or [])


# --- entry points ----------------------------------------------------------------------------


def _read(source, filename, limits):
    """(Report, Table or None): the file read, or the report says why it cannot be."""
    report = Report(filename=os.path.basename(filename or "")[:100])
    try:
        table = read_table(source, filename, limits, sheet_names=(SHEET_NAME,))
    except SpreadsheetError as exc:
        report.file_errors.append(exc.message)
        return report, None
    report.format = table.format
    return report, table


def dry_run(*, actor, source, filename, limits=None):
    """Parse and validate; nothing is written. Returns a Report."""
    started = time.monotonic()
    report, table = _read(source, filename, limits)
    if table is not None:
        validate(actor=actor, table=table, report=report)
    report.seconds = time.monotonic() - started
    return report


def apply_import(*, actor, source, filename, limits=None, batch_id=""):
    """Validate again and, only if no row has an error, write it all in one transaction.

    The file is read before the transaction (on SQLite the transaction holds the write
    lock); validation runs inside it, so the writes follow the database as validated."""
    started = time.monotonic()
    report, table = _read(source, filename, limits)
    if table is None:
        return report
    try:
        with transaction.atomic():
            validate(actor=actor, table=table, report=report)
            if not report.ok:
                return report
            _apply(report.rows, timezone.now())
            counts = report.counts
            audit.record(
                actor=actor,
                action="registry.import.applied",
                object_type="kim_import",
                object_id=batch_id or secrets.token_hex(6),
                region_code=_common_code(r.values["region_code"] for r in report.rows),
                data={
                    "file": report.filename,
                    "rows": counts["total"],
                    "new": counts["new"],
                    "updated": counts["updated"],
                    "unchanged": counts["unchanged"],
                },
            )
            report.applied = True
    except IntegrityError:
        report = Report(filename=report.filename, format=report.format)
        report.file_errors.append(
            _("Data KIM berubah selama impor berjalan; tidak ada yang disimpan. Ulangi impor.")
        )
    report.seconds = time.monotonic() - started
    return report


# --- stored uploads between dry run and apply -----------------------------------------------


class UploadExpired(Exception):
    """The token is invalid, expired, for someone else, or its file is gone (applied)."""


def import_dir():
    path = Path(getattr(settings, "IMPORT_DIR", settings.DATA_DIR / "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(directory, now=None):
    limit = (now or time.time()) - MAX_AGE
    for entry in directory.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            pass


def check_upload(upload, *, actor, limits=None):
    """Store an uploaded file and dry-run it: (Report, token or None if it cannot apply)."""
    limits = limits or Limits.from_settings()
    filename = os.path.basename(upload.name or "")
    if upload.size > limits.max_bytes:
        report = Report(filename=filename[:100])
        report.file_errors.append(too_big_message(upload.size, limits))
        return report, None
    directory = import_dir()
    _sweep(directory)
    ext = Path(filename).suffix.lower()[:6] or ".bin"
    file_id = secrets.token_urlsafe(18)
    path = directory / f"{file_id}{ext}"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    report = dry_run(actor=actor, source=path, filename=filename, limits=limits)
    if not report.ok:
        path.unlink(missing_ok=True)
        return report, None
    token = signing.dumps(
        {"id": file_id, "ext": ext, "name": filename, "user": actor.pk}, salt=SALT
    )
    return report, token


def too_big_message(size, limits):
    """`size` None: the upload was cut off before its full size was known."""
    if size is None:
        return _("Berkas terlalu besar; paling besar %(max)s.") % {
            "max": format_size(limits.max_bytes)
        }
    return _("Berkas terlalu besar (%(size)s); paling besar %(max)s.") % {
        "size": format_size(size),
        "max": format_size(limits.max_bytes),
    }


def _stored(token, actor):
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise UploadExpired from exc
    if data.get("user") != actor.pk or not re.fullmatch(r"[A-Za-z0-9_-]{24}", data.get("id", "")):
        raise UploadExpired
    if not re.fullmatch(r"\.[a-z]{1,5}", data.get("ext", "")):
        raise UploadExpired
    return import_dir() / f"{data['id']}{data['ext']}", data["name"]


def apply_upload(token, *, actor, limits=None):
    """Apply a stored, dry-run file once. Raises UploadExpired if there is nothing to apply."""
    path, filename = _stored(token, actor)
    claimed = path.with_name(path.name + ".applying")
    try:
        os.replace(path, claimed)  # atomic: only one request gets the file
    except FileNotFoundError as exc:
        raise UploadExpired from exc
    try:
        report = apply_import(
            actor=actor, source=claimed, filename=filename, limits=limits, batch_id=path.stem[:12]
        )
    except BaseException:
        os.replace(claimed, path)
        raise
    if report.applied:
        claimed.unlink(missing_ok=True)
    else:
        os.replace(claimed, path)
    return report
