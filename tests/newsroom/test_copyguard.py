"""Copy-paste guard: a submitted draft that mostly copies a published article (another KIM's)
or an official text is flagged with the original; unrelated drafts are not."""

import random

import pytest
from django.http import Http404

from simpul.accounts.roles import Role
from simpul.newsroom import copyguard, services
from simpul.newsroom.models import Article, Fingerprint

from ..factories import UserFactory, assign

CHECKS = {"checked_5w1h": True, "checked_consent": True, "checked_sources": True}
WORDS = str.split(
    "padi sawah petani nagari jorong panen pupuk organik air irigasi musim hujan kemarau "
    "benih bibit harga pasar kelompok tani penyuluh dinas pertanian wali bupati camat warga "
    "gotong royong jalan jembatan sekolah anak posyandu bidan puskesmas imunisasi gizi "
    "pariwisata danau bukit air terjun homestay pemuda karang taruna umkm rendang kerupuk "
    "kopi kakao gambir sapi kambing ikan kolam radio papan informasi siaran hoaks klarifikasi"
)


def text(seed, n=220):
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < n:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) + ".")
    return " ".join(sentences)


def published(kim, author, body, title="Berita asli"):
    redaksi = UserFactory()
    assign(redaksi, Role.PENGURUS, kim=kim)
    article = services.article_create(actor=author, kim=kim, title=title, body_source=body)
    return services.article_publish(actor=redaksi, article=article, **CHECKS)


@pytest.fixture
def sibling_writer(sibling_kim):
    user = UserFactory(full_name="Penulis Koto Bangun")
    assign(user, Role.ANGGOTA, kim=sibling_kim)
    return user


def submit(actor, kim, body, title="Draf"):
    article = services.article_create(actor=actor, kim=kim, title=title, body_source=body)
    return services.article_submit(actor=actor, article=article)


def test_a_draft_copying_80_percent_of_another_kims_article_is_flagged(
    anggota, kim, sibling_kim, sibling_writer
):
    for seed in range(5):  # other published articles that are not the source
        published(sibling_kim, sibling_writer, text(100 + seed), title=f"Lain {seed}")
    original_body = text(1)
    original = published(sibling_kim, sibling_writer, original_body, title="Panen gambir 2025")
    words = original_body.split()
    copied = " ".join(words[: int(len(words) * 0.8)]) + " " + text(2, n=40)
    article = submit(anggota, kim, copied)
    match = article.copy_match
    assert match["kind"] == "article" and match["public_id"] == original.public_id
    assert match["title"] == "Panen gambir 2025"
    assert match["url"] == f"/berita/{original.slug}/"
    assert match["kim"] == sibling_kim.name
    assert match["containment"] >= 0.7
    assert len(match["excerpt"]) > 50 and match["excerpt"].split()[0] in original_body.lower()


def test_an_unrelated_draft_is_not_flagged(anggota, kim, sibling_kim, sibling_writer):
    published(sibling_kim, sibling_writer, text(1))
    article = submit(anggota, kim, text(3))
    assert article.copy_match == {}


def test_a_short_quote_is_not_flagged(anggota, kim, sibling_kim, sibling_writer):
    body = text(1)
    published(sibling_kim, sibling_writer, body)
    quote = " ".join(body.split()[:20])  # 20 of ~220 words, inside a text of its own
    article = submit(anggota, kim, text(4) + " " + quote)
    assert article.copy_match == {}


def test_official_texts_are_compared_too(anggota, kim, admin_sumbar):
    body = text(7)
    official = services.official_text_add(
        actor=admin_sumbar,
        region_code="13",
        title="Siaran pers: vaksinasi ternak",
        body=body,
        source_url="https://sumbarprov.go.id/siaran/1",
    )
    assert Fingerprint.objects.filter(official=official).count() == copyguard.BANDS
    article = submit(anggota, kim, body)
    assert article.copy_match["kind"] == "official"
    assert article.copy_match["title"] == "Siaran pers: vaksinasi ternak"
    assert article.copy_match["url"] == "https://sumbarprov.go.id/siaran/1"
    assert article.copy_match["containment"] == 1.0


def test_official_text_needs_an_office_in_scope(anggota, admin_other_province):
    with pytest.raises(Http404):
        services.official_text_add(actor=anggota, region_code="13", title="x", body="y")
    with pytest.raises(Http404):
        services.official_text_add(
            actor=admin_other_province, region_code="13", title="x", body="y"
        )


def test_taken_down_articles_are_no_longer_compared(
    anggota, kim, sibling_kim, sibling_writer, pembina_limapuluhkota
):
    body = text(1)
    original = published(sibling_kim, sibling_writer, body)
    services.article_unpublish(actor=pembina_limapuluhkota, article=original, reason="Hoaks.")
    assert not Fingerprint.objects.filter(article=original).exists()
    assert submit(anggota, kim, body).copy_match == {}


def test_candidates_come_from_an_index_lookup(
    anggota, kim, sibling_kim, sibling_writer, django_assert_max_num_queries
):
    """The check reads only the band rows and the few candidates, however many articles."""
    for seed in range(30):
        published(sibling_kim, sibling_writer, text(200 + seed))
    body = text(1)
    published(sibling_kim, sibling_writer, body, title="Sumber")
    with django_assert_max_num_queries(3):
        match = copyguard.find_match(body)
    assert match["title"] == "Sumber"
    assert Article.objects.filter(status="published").count() == 31


def test_bands_are_stable_and_similar_texts_share_them():
    a = text(1)
    assert copyguard.bands(a) == copyguard.bands(a)
    near = a.replace("padi", "jagung", 2)
    assert set(copyguard.bands(a)) & set(copyguard.bands(near))
    assert not set(copyguard.bands(a)) & set(copyguard.bands(text(9)))
