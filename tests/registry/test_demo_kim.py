"""The registry part of `simpul demo`: about forty KIM across West Sumatra on real wilayah
codes, the seed story's KIM Tujuh Koto Talago with two demo logins, SK about to end, dormant
KIM, pengajuan and blank spots; a second run creates nothing."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from simpul.accounts import scope
from simpul.accounts.models import User
from simpul.accounts.roles import KIM_EDIT, KIM_VERIFY, KIM_VIEW, Role
from simpul.audit.models import Event
from simpul.core import demo as core_demo
from simpul.regions.models import Region
from simpul.registry import demo, periodic, services
from simpul.registry.models import Channel, Decree, Kim, Member, normalise_kim_name

pytestmark = pytest.mark.django_db

SEED_CODE = "13.07.02.2002"  # Nagari VII Koto Talago, Kecamatan Guguak
SEED_NAME = "Kelompok Informasi Masyarakat Tujuh Koto Talago"


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def run():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts():
    return tuple(m.objects.count() for m in (Kim, Member, Decree, Channel, Event, User))


def test_registry_steps_are_part_of_the_demo():
    steps = core_demo.STEPS
    at = steps.index(demo.step_kims)
    assert steps[at : at + 2] == [demo.step_kims, demo.step_kim_people]
    # Warta and Siaran come after the KIM they write about.
    later = {s.__module__ for s in steps[at + 2 :]}
    assert later == {"simpul.newsroom.demo", "simpul.broadcasts.demo"}


def test_demo_kim_across_west_sumatra(data_dir):
    out = run()
    kims = list(Kim.objects.all())
    assert 38 <= len(kims) <= 45
    assert f"{len(kims)} KIM" in out
    regions = {r.code: r for r in Region.objects.filter(code__in=[k.region_code for k in kims])}
    kabkota = set(Region.objects.filter(parent_id="13", level=2).values_list("code", flat=True))
    assert {k.region_code[:5] for k in kims} == kabkota  # every one of the 19 kab/kota
    for kim in kims:
        region = regions[kim.region_code]  # a real code of the wilayah table
        assert region.level == 4 and not region.retired
        if kim.region_code[3:5] >= "71":
            assert region.kind == Region.Kind.KELURAHAN, kim
        elif kim.region_code.startswith("13.09."):
            assert region.kind == Region.Kind.DESA, kim  # Mentawai has desa, not nagari
        else:
            assert region.kind == Region.Kind.NAGARI, kim
        assert kim.name.startswith("Kelompok Informasi Masyarakat ")
        assert kim.normalised_name == normalise_kim_name(kim.name)

    # Coordinates for about half, inside West Sumatra.
    placed = [k for k in kims if k.latitude is not None]
    assert 0.35 <= len(placed) / len(kims) <= 0.65
    for kim in placed:
        assert -3.5 < kim.latitude < 1.0 and 98.5 < kim.longitude < 102.0, kim

    # SK: ending within 14 days, within 60 days, expired, none.
    today = timezone.localdate()
    active = [k for k in kims if k.status != Kim.Status.PENGAJUAN]
    ends = [k.legality_ends_on for k in active if k.has_sk]
    assert sum(today <= d <= today + timedelta(days=14) for d in ends) >= 2
    assert sum(today + timedelta(days=14) < d <= today + timedelta(days=60) for d in ends) >= 3
    assert sum(d < today for d in ends) >= 3
    assert sum(not k.has_sk for k in active) >= 3
    assert {k.legality for k in active} == {"berlaku", "segera_berakhir", "berakhir", "tanpa_sk"}

    # Channels of the kinds KIM use; members with officers, consent and encrypted phones.
    kinds = set(Channel.objects.values_list("kind", flat=True))
    assert {"whatsapp", "facebook", "papan", "radio"} <= kinds
    for kim in active:
        positions = set(kim.members.values_list("position", flat=True))
        assert {"ketua", "sekretaris", "bendahara", "anggota"} <= positions, kim
        assert kim.member_count == kim.members.count() >= 6
    assert Member.objects.count() >= 400
    listed = Member.objects.filter(listed_publicly=True)
    assert listed.exists() and not listed.filter(consent_on=None).exists()
    with_phone = [m for m in Member.objects.all() if m.phone]
    assert 0.2 < len(with_phone) / Member.objects.count() < 0.8
    assert all(m.consent_on for m in with_phone)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_member WHERE phone <> ''")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any(s.startswith("+62") for s in stored)

    # Written through the services: audited with the demo superuser as actor.
    admin = User.objects.get(email="admin@simpul.demo")
    seed = Kim.objects.get(region_code=SEED_CODE)
    assert Event.objects.filter(action="registry.kim.created", kim_id=seed.pk, actor=admin)
    assert Event.objects.filter(action="registry.member.added", actor=admin).count() >= 400


def test_dormant_pengajuan_and_blank_spots(data_dir):
    run()
    assert Kim.objects.filter(status=Kim.Status.VAKUM).count() == 1
    assert Kim.objects.filter(status=Kim.Status.KURANG_AKTIF).count() == 1
    computed = Event.objects.filter(action="registry.kim.status_computed")
    assert sorted(e.data["new"] for e in computed) == ["kurang_aktif", "vakum"]
    # The periodic task agrees: running it again changes nothing.
    assert periodic.refresh_dormancy() == {}
    assert Kim.objects.filter(status=Kim.Status.AKTIF).count() >= 35

    pengajuan = Kim.objects.filter(status=Kim.Status.PENGAJUAN)
    assert sorted(k.region_code[:5] for k in pengajuan) == ["13.07", "13.75"]
    pembina = {
        "13.07": User.objects.get(email="pembina.limapuluhkota@simpul.demo"),
        "13.75": User.objects.get(email="pembina.bukittinggi@simpul.demo"),
    }
    for kim in pengajuan:
        actor = pembina[kim.region_code[:5]]
        assert scope.can(actor, KIM_VERIFY, kim)
        services.kim_verify(actor=actor, kim=kim, note="Lengkap.")
        kim.refresh_from_db()
        assert kim.status == Kim.Status.AKTIF

    # Blank spots: kecamatan of Lima Puluh Kota without any KIM, beside covered ones.
    kecamatan = set(
        Region.objects.filter(parent_id="13.07", level=3).values_list("code", flat=True)
    )
    covered = {k.region_code[:8] for k in Kim.objects.filter(region_code__startswith="13.07.")}
    assert len(covered) >= 5 and len(kecamatan - covered) >= 4


def test_seed_kim_and_its_demo_logins(data_dir):
    out = run()
    kim = Kim.objects.get(name=SEED_NAME)
    region = Region.objects.get(code=kim.region_code)
    assert kim.region_code == SEED_CODE and region.parent.name == "Guguak"
    assert kim.status == Kim.Status.AKTIF and kim.legality == "berlaku"
    assert "M2B" in kim.description and kim.latitude is not None
    saved = core_demo.read_logins(data_dir / "demo-logins.txt")

    ketua = User.objects.get(email="ketua.tujuhkoto@simpul.demo")
    anggota = User.objects.get(email="anggota.tujuhkoto@simpul.demo")
    for user in (ketua, anggota):
        password = saved[user.email]
        assert user.check_password(password) and password in out and user.email in out
        assert user.email_verified_at is not None
    assert "pengurus          ketua.tujuhkoto@simpul.demo" in out
    assert f"{SEED_CODE} Nagari VII Koto Talago" in out

    members = {m.user_id: m for m in kim.members.filter(user__isnull=False)}
    assert members[ketua.pk].position == Member.Position.KETUA
    assert members[anggota.pk].position == Member.Position.ANGGOTA
    assert kim.members.filter(position=Member.Position.KETUA).count() == 1
    assert scope.roles(ketua) == {Role.PENGURUS} and scope.roles(anggota) == {Role.ANGGOTA}
    assert scope.can(ketua, KIM_EDIT, kim) and not scope.can(ketua, KIM_VERIFY, kim)
    assert scope.can(anggota, KIM_VIEW, kim) and not scope.can(anggota, KIM_EDIT, kim)
    other = Kim.objects.exclude(pk=kim.pk).filter(region_code__startswith="13.07.").first()
    assert not scope.can(ketua, KIM_VIEW, other)
    assert not scope.needs_two_factor(ketua)

    # The public API shows the seed KIM with its ketua, who agreed to be listed.
    body = json.loads(Client().get(f"/api/kim/{kim.slug}/").content)
    assert body["wilayah"]["kecamatan"] == "Guguak"
    assert {"name": "Hendri Datuak Rajo Mudo", "position": "Ketua"} in body["officers"]


def test_second_run_creates_nothing(data_dir, django_assert_max_num_queries):
    run()
    before = counts()
    statuses = dict(Kim.objects.values_list("slug", "status"))
    logins = (data_dir / "demo-logins.txt").read_text()
    with django_assert_max_num_queries(60):
        out = run()
    assert "tidak ada yang dibuat" in out
    assert counts() == before
    assert dict(Kim.objects.values_list("slug", "status")) == statuses
    assert (data_dir / "demo-logins.txt").read_text() == logins


def test_an_existing_kim_is_matched_by_wilayah_and_name(data_dir, settings):
    """A KIM Tujuh Koto Talago registered before the demo (other spelling, other slug) is
    the demo's seed KIM: not duplicated, and the demo logins are attached to it."""
    run_steps = [s for s in core_demo.STEPS if s not in demo.STEPS]
    ctx_result = core_demo.run_demo(steps=run_steps)
    assert ctx_result.created["user"] == 8
    admin = User.objects.get(email="admin@simpul.demo")
    earlier = services.kim_create(actor=admin, name="KIM  tujuh-koto talago", region_code=SEED_CODE)
    run()
    assert Kim.objects.filter(region_code=SEED_CODE).count() == 1
    kim = Kim.objects.get(region_code=SEED_CODE)
    assert kim.slug == earlier.slug
    ketua = User.objects.get(email="ketua.tujuhkoto@simpul.demo")
    assert kim.members.filter(user=ketua, position=Member.Position.KETUA).exists()
    # The demo did not add its generated members to a KIM it did not create.
    assert kim.members.count() == 2
