"""The editorial services: create, edit, submit, publish/schedule, return, take down, correct."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from simpul.accounts.roles import Role
from simpul.audit.models import Event
from simpul.core import jobs
from simpul.newsroom import services, tasks
from simpul.newsroom.models import Article, Correction, Fingerprint

from ..factories import KimFactory, UserFactory, assign
from ..registry.factories import sector
from .factories import ArticleFactory

S = Article.Status
BODY = (
    "Kelompok tani Nagari Koto Bangun memanen padi bersama pada hari Sabtu.\n\n"
    "## Hasil\n\nHasil panen naik berkat pupuk organik dan penyuluhan dari dinas pertanian."
)
CHECKS = {"checked_5w1h": True, "checked_consent": True, "checked_sources": True}


def draft(actor, kim, **kw):
    kw.setdefault("title", "Panen raya padi di Koto Bangun")
    kw.setdefault("body_source", BODY)
    return services.article_create(actor=actor, kim=kim, **kw)


# --- create ----------------------------------------------------------------------------


def test_anggota_creates_a_draft_with_derived_fields(anggota, kim):
    article = draft(
        anggota,
        kim,
        sector=sector("pertanian"),
        adinda="implementasi",
        tags="panen, Pupuk Organik, panen",
        event_date=date(2025, 3, 1),
    )
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.author == anggota
    assert article.author_name == "Anggota KIM"
    assert article.region_code == kim.region_code and article.kim == kim
    assert article.slug == "panen-raya-padi-di-koto-bangun"
    assert "<h2>Hasil</h2>" in article.body_html and "Hasil panen naik" in article.body_text
    assert article.summary.startswith("Kelompok tani Nagari Koto Bangun")
    assert sorted(t.name for t in article.tags.all()) == ["Pupuk Organik", "panen"]
    assert article.sector.slug == "pertanian" and article.adinda == "implementasi"
    assert Event.objects.filter(action="newsroom.article.created", kim_id=kim.pk).count() == 1


def test_slugs_get_numbered_suffixes(anggota, kim):
    slugs = [draft(anggota, kim).slug for _ in range(3)]
    assert slugs == [
        "panen-raya-padi-di-koto-bangun",
        "panen-raya-padi-di-koto-bangun-2",
        "panen-raya-padi-di-koto-bangun-3",
    ]


def test_summary_from_a_long_body_is_cut_at_a_word(anggota, kim):
    body = " ".join(["Petani"] + ["menanam padi sawah"] * 80)
    article = draft(anggota, kim, body_source=body)
    assert len(article.summary) <= 160
    assert article.summary.endswith("…")
    assert article.summary[:-1].split()[-1] in {"menanam", "padi", "sawah"}


def test_desa_below_a_kecamatan_kim_and_refused_outside(anggota):
    kim = KimFactory(region_code="13.07.07")
    assign(anggota, Role.ANGGOTA, kim=kim)
    assert draft(anggota, kim, region_code="13.07.07.2002").region_code == "13.07.07.2002"
    with pytest.raises(ValidationError) as err:
        draft(anggota, kim, region_code="13.75.01.1001")
    assert "region_code" in err.value.message_dict


@pytest.mark.parametrize(
    "field, kw",
    [
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 201}),
        ("body_source", {"body_source": ""}),
        ("body_source", {"body_source": "a" * 200_001}),
        ("summary", {"summary": "s" * 161}),
        ("adinda", {"adinda": "hiburan"}),
    ],
)
def test_bad_input_is_refused_naming_the_field(anggota, kim, field, kw):
    with pytest.raises(ValidationError) as err:
        draft(anggota, kim, **kw)
    assert list(err.value.message_dict) == [field]
    assert Article.objects.count() == 0


def test_body_over_200_kb_says_so(anggota, kim):
    with pytest.raises(ValidationError) as err:
        draft(anggota, kim, body_source="é" * 110_000)  # 220 KB in UTF-8
    assert "200 KB" in err.value.message_dict["body_source"][0]


@pytest.mark.parametrize(
    "who", ["sibling_anggota", "pembina_limapuluhkota", "admin_sumbar", "warga", "anonymous"]
)
def test_only_the_kims_writers_create(request, kim, sibling_kim, who):
    if who == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        actor = AnonymousUser()
    elif who == "sibling_anggota":
        actor = UserFactory()
        assign(actor, Role.ANGGOTA, kim=sibling_kim)
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(Http404):
        draft(actor, kim)


# --- edit -------------------------------------------------------------------------------


def test_author_edits_while_draft_then_not_after_submitting(anggota, pengurus, kim):
    article = draft(anggota, kim)
    services.article_update(
        actor=anggota, article=article, title="Panen raya", body_source="Isi **baru**."
    )
    article.refresh_from_db()
    assert article.title == "Panen raya" and article.slug == "panen-raya"
    assert "<strong>baru</strong>" in article.body_html
    services.article_submit(actor=anggota, article=article)
    with pytest.raises(ValidationError):
        services.article_update(actor=anggota, article=article, title="Lagi")
    # The redaksi may still edit it.
    services.article_update(actor=pengurus, article=article, title="Panen raya 2025")
    article.refresh_from_db()
    assert article.title == "Panen raya 2025"


def test_other_writers_and_other_kims_cannot_edit(anggota, kim, sibling_kim):
    article = draft(anggota, kim)
    other_member = UserFactory()
    assign(other_member, Role.ANGGOTA, kim=kim)
    with pytest.raises(ValidationError):
        services.article_update(actor=other_member, article=article, title="Bukan milikku")
    outsider = UserFactory()
    assign(outsider, Role.PENGURUS, kim=sibling_kim)
    with pytest.raises(Http404):
        services.article_update(actor=outsider, article=article, title="Bukan KIM-ku")


# --- submit, publish, schedule, return ----------------------------------------------------


def test_submit_mails_the_redaksi(anggota, pengurus, kim, smtp, django_capture_on_commit_callbacks):
    article = draft(anggota, kim)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(actor=anggota, article=article)
    article.refresh_from_db()
    assert article.status == S.SUBMITTED and article.submitted_at
    smtp.wait_for(1)
    assert smtp.messages[0]["to"] == [pengurus.email]
    assert article.title in smtp.bodies()[0]
    assert f"/kelola/warta/{article.public_id}/" in smtp.bodies()[0]


def test_publish_requires_the_three_checks(anggota, pengurus, kim):
    article = draft(anggota, kim)
    services.article_submit(actor=anggota, article=article)
    with pytest.raises(ValidationError) as err:
        services.article_publish(
            actor=pengurus,
            article=article,
            checked_5w1h=True,
            checked_consent=False,
            checked_sources=False,
        )
    assert sorted(err.value.message_dict) == ["checked_consent", "checked_sources"]
    article.refresh_from_db()
    assert article.status == S.SUBMITTED


def test_redaksi_publishes_now(anggota, pengurus, kim, django_capture_on_commit_callbacks):
    article = draft(anggota, kim)
    services.article_submit(actor=anggota, article=article)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_publish(actor=pengurus, article=article, **CHECKS)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.published_by == pengurus
    assert article.published_at and article.checked_consent
    assert Fingerprint.objects.filter(article=article).count() == 32  # copy-guard bands
    assert Event.objects.filter(action="newsroom.article.published", object_id=article.public_id)
    assert callbacks  # the search index is refreshed after commit


@pytest.mark.parametrize("who", ["anggota", "pembina_limapuluhkota", "admin_sumbar"])
def test_only_the_redaksi_publishes(request, anggota, kim, who):
    article = draft(anggota, kim)
    services.article_submit(actor=anggota, article=article)
    with pytest.raises(Http404):
        services.article_publish(actor=request.getfixturevalue(who), article=article, **CHECKS)


def test_scheduled_articles_publish_when_due(anggota, pengurus, kim):
    article = draft(anggota, kim)
    services.article_submit(actor=anggota, article=article)
    when = timezone.now() + timedelta(hours=2)
    services.article_publish(actor=pengurus, article=article, publish_at=when, **CHECKS)
    article.refresh_from_db()
    assert article.status == S.SCHEDULED and article.published_at is None
    assert services.publish_due() == 0
    assert services.publish_due(now=when + timedelta(seconds=1)) == 1
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.published_at == when
    assert services.publish_due(now=when + timedelta(seconds=2)) == 0  # idempotent
    assert Fingerprint.objects.filter(article=article).exists()


def test_publish_due_is_a_periodic_task_every_minute():
    assert (tasks.publish_due, 60) in jobs.PERIODIC


def test_return_needs_a_note_and_mails_the_author(
    anggota, pengurus, kim, smtp, django_capture_on_commit_callbacks
):
    article = draft(anggota, kim)
    services.article_submit(actor=anggota, article=article)
    with pytest.raises(ValidationError) as err:
        services.article_return(actor=pengurus, article=article, note="  ")
    assert list(err.value.message_dict) == ["note"]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_return(actor=pengurus, article=article, note="Sebutkan nama narasumber.")
    article.refresh_from_db()
    assert article.status == S.RETURNED and article.review_note == "Sebutkan nama narasumber."
    smtp.wait_for(1)
    assert smtp.messages[0]["to"] == [anggota.email]
    assert "Sebutkan nama narasumber." in smtp.bodies()[0]
    # The author fixes it and submits again.
    services.article_update(actor=anggota, article=article, body_source=BODY + "\n\nKata Pak Wali.")
    assert services.article_submit(actor=anggota, article=article).status == S.SUBMITTED


# --- take down and correct ---------------------------------------------------------------


def test_pembina_takes_down_with_a_reason(kim, pembina_limapuluhkota):
    article = ArticleFactory(kim=kim, published=True)
    with pytest.raises(ValidationError) as err:
        services.article_unpublish(actor=pembina_limapuluhkota, article=article, reason="")
    assert list(err.value.message_dict) == ["reason"]
    services.article_unpublish(
        actor=pembina_limapuluhkota, article=article, reason="Memuat data pribadi warga."
    )
    article.refresh_from_db()
    assert article.status == S.UNPUBLISHED
    assert article.unpublished_reason == "Memuat data pribadi warga."
    event = Event.objects.get(action="newsroom.article.unpublished")
    assert event.actor == pembina_limapuluhkota
    assert event.data["reason"] == "Memuat data pribadi warga."


@pytest.mark.parametrize("who", ["pembina_bukittinggi", "admin_other_province", "anggota"])
def test_take_down_outside_scope_is_404(request, kim, who):
    article = ArticleFactory(kim=kim, published=True)
    with pytest.raises(Http404):
        services.article_unpublish(
            actor=request.getfixturevalue(who), article=article, reason="Tidak suka."
        )


def test_redaksi_takes_its_own_article_down(kim, pengurus):
    article = ArticleFactory(kim=kim, published=True)
    services.article_unpublish(actor=pengurus, article=article, reason="Salah orang.")
    article.refresh_from_db()
    assert article.status == S.UNPUBLISHED


def test_correction_note_and_corrected_text(kim, pengurus, pembina_limapuluhkota):
    article = ArticleFactory(kim=kim, published=True)
    correction = services.article_correct(
        actor=pengurus,
        article=article,
        note="Tanggal panen yang benar 3 Maret, bukan 2 Maret.",
        body_source="Panen pada **3 Maret**.",
    )
    article.refresh_from_db()
    assert correction.article == article and Correction.objects.count() == 1
    assert "<strong>3 Maret</strong>" in article.body_html
    assert Event.objects.filter(action="newsroom.article.corrected").count() == 1
    with pytest.raises(ValidationError):
        services.article_correct(actor=pengurus, article=article, note="")
    with pytest.raises(Http404):
        services.article_correct(actor=pembina_limapuluhkota, article=article, note="Koreksi.")


def test_correction_only_for_published(anggota, pengurus, kim):
    article = draft(anggota, kim)
    with pytest.raises(ValidationError):
        services.article_correct(actor=pengurus, article=article, note="Koreksi.")


def test_derived_summary_skips_headings(anggota, kim):
    article = draft(anggota, kim, body_source="## Pembuka\n\nPetani panen.\n\n## Hasil\n\nNaik.")
    assert article.summary == "Petani panen. Naik."
