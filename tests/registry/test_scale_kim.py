"""The KIM step of `simpul scale`: KIM for about two thirds of the desa/kelurahan, ~17
members each, SK for ~60%, deterministic and idempotent, consistent with the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from simpul.core.management.commands.scale import load_generator
from simpul.regions.models import Region
from simpul.registry import periodic
from simpul.registry.models import (
    Channel,
    Decree,
    Kim,
    Member,
    full_kim_name,
    normalise_kim_name,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path


def run(**options):
    out = StringIO()
    call_command("scale", stdout=out, **options)
    return out.getvalue()


def scale_kims():
    return Kim.objects.filter(slug__startswith="skala-")


def wipe_scale_kims():
    """Their articles first: an article protects its KIM from deletion."""
    from simpul.newsroom.models import Article

    Article.objects.filter(kim__in=scale_kims()).delete()
    scale_kims().delete()


def snapshot():
    """What the generator decided, without the random public ids and ciphertexts."""
    kims = {
        k.slug: (k.name, k.status, k.has_sk, k.legality_ends_on, k.member_count, k.founded_on)
        for k in scale_kims()
    }
    members = sorted(
        Member.objects.filter(kim__slug__startswith="skala-").values_list(
            "kim__slug", "full_name", "position", "started_on", "ended_on", "listed_publicly"
        )
    )
    phones = sorted(
        (m.kim.slug, m.full_name, m.phone)
        for m in Member.objects.filter(kim__slug__startswith="skala-")
        .exclude(phone="")
        .select_related("kim")
    )
    sectors = sorted(
        Kim.sectors.through.objects.filter(kim__slug__startswith="skala-").values_list(
            "kim__slug", "sector__slug"
        )
    )
    return kims, members, phones, sectors


def test_sumbar_kim_members_sk_and_channels(debug):
    out = run(preset="sumbar")
    villages = Region.objects.filter(code__startswith="13.", level=4, retired=False)
    kims = list(scale_kims())
    assert all(k.region_code.startswith("13.") for k in kims)
    covered = {k.region_code for k in kims}
    assert 0.60 < len(covered) / villages.count() < 0.72
    assert 1.03 < len(kims) / len(covered) < 1.11  # some wilayah have two KIM
    assert f"kim +{len(kims):,}" in out
    for kim in kims:
        code = kim.region_code.replace(".", "-")
        assert kim.slug in (f"skala-{code}-1", f"skala-{code}-2")
        assert kim.normalised_name == normalise_kim_name(kim.name)
        assert kim.name.startswith("Kelompok Informasi Masyarakat ")

    # Members: ~17 per KIM, one ketua/sekretaris/bendahara each, member_count exact.
    members = Member.objects.filter(kim__slug__startswith="skala-")
    assert 15 < members.count() / len(kims) < 20
    today = timezone.localdate()
    current = Q(members__ended_on__isnull=True) | Q(members__ended_on__gt=today)
    counted = dict(scale_kims().annotate(n=Count("members", filter=current)).values_list("pk", "n"))
    assert all(counted[k.pk] == k.member_count for k in kims)
    per_kim = (
        members.filter(position__in=["ketua", "sekretaris", "bendahara"])
        .values("kim_id", "position")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_kim} == {1}
    assert len(per_kim) == 3 * len(kims)
    positions = set(members.values_list("position", flat=True))
    assert {"anggota", "wakil_ketua", "bidang_pengumpulan", "bidang_penyebaran"} <= positions
    assert not members.filter(listed_publicly=True, consent_on=None).exists()

    # Phones for ~10%, encrypted in the table and readable through the model.
    with_phone = [m for m in members.exclude(phone="") if m.phone]
    assert 0.07 < len(with_phone) / members.count() < 0.13
    assert all(m.phone.startswith("+628") and m.consent_on for m in with_phone)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_member WHERE phone <> '' LIMIT 50")
        assert not any(row[0].startswith("+62") for row in cursor.fetchall())

    # SK for ~60% of the verified KIM; the list columns agree with the SK rows.
    verified = [k for k in kims if k.status != Kim.Status.PENGAJUAN]
    assert 0.52 < sum(k.has_sk for k in verified) / len(verified) < 0.68
    ends = dict(Decree.objects.filter(kim__in=kims).values_list("kim_id", "term_ends_on"))
    assert all((k.pk in ends) == k.has_sk for k in kims)
    assert all(ends[k.pk] == k.legality_ends_on for k in kims if k.has_sk)
    assert {k.legality for k in verified} == {"berlaku", "segera_berakhir", "berakhir", "tanpa_sk"}

    # 1-2 channels and 1-3 sectors each.
    channels = dict(
        scale_kims().annotate(n=Count("channels", distinct=True)).values_list("pk", "n")
    )
    assert set(channels.values()) == {1, 2}
    sectors = dict(scale_kims().annotate(n=Count("sectors")).values_list("pk", "n"))
    assert set(sectors.values()) == {1, 2, 3}
    assert Channel.objects.filter(kim__in=kims, kind="whatsapp").exists()


def test_statuses_agree_with_the_dormancy_task(debug):
    run(preset="sumbar")
    statuses = dict(
        scale_kims().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    assert set(statuses) == {"aktif", "kurang_aktif", "vakum", "nonaktif", "pengajuan"}
    assert statuses["aktif"] > sum(statuses.values()) / 2
    assert periodic.refresh_dormancy() == {}
    assert not scale_kims().filter(status=Kim.Status.PENGAJUAN, verified_at__isnull=False)


def test_second_run_creates_nothing(debug):
    run(preset="sumbar")
    before = snapshot()
    out = run(preset="sumbar")
    assert "kim +0, sector link +0, sk +0, channel +0, member +0" in out
    assert snapshot() == before


def test_same_seed_gives_the_same_kim_and_members(debug):
    run(preset="sumbar", seed=3)
    first = snapshot()
    wipe_scale_kims()
    run(preset="sumbar", seed=3)
    assert snapshot() == first
    wipe_scale_kims()
    run(preset="sumbar", seed=4)
    assert snapshot()[0] != first[0]


def test_existing_kim_names_are_kept_free(debug):
    """A wilayah may already hold a KIM named after it (e.g. from the demo): the generated
    KIM there gets another name instead of breaking the unique name per wilayah."""
    scale = load_generator()
    ctx = scale.load_context(preset="sumbar", seed=1, batch_size=1000)
    code, village = next(
        (r.code, r.name)
        for r in Region.objects.filter(code__startswith="13.07.", level=4).order_by("code")
        if scale.planned_kim(ctx, r.code)
    )
    name = full_kim_name(village)
    Kim.objects.create(
        name=name, normalised_name=normalise_kim_name(name), slug="kim-lebih-dulu", region_code=code
    )
    run(preset="sumbar")
    generated = scale_kims().filter(region_code=code)
    assert generated.exists()
    assert name not in set(generated.values_list("name", flat=True))
    assert Kim.objects.filter(slug="kim-lebih-dulu", name=name).exists()


def test_national_adds_other_provinces_and_keeps_sumbar(debug):
    run(preset="sumbar")
    sumbar = snapshot()
    run(preset="national")
    medan = scale_kims().filter(region_code__startswith="12.71.")
    assert medan.count() > 50  # the test wilayah table has desa only in 13 and 12.71
    assert medan.first().members.exists()
    kims, *_ = snapshot()
    assert {s: v for s, v in kims.items() if s.startswith("skala-13-")} == sumbar[0]
