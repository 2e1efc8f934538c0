"""The Warta step of `simpul scale`: articles and comments on the generated KIM, with search
index rows; deterministic text, idempotent (a second run adds nothing)."""

import pytest
from django.db.models import Count, F

from simpul.core.management.commands.scale import load_generator
from simpul.newsroom import search
from simpul.newsroom.models import Article, Comment
from simpul.registry.models import Kim

pytestmark = pytest.mark.django_db


@pytest.fixture
def generator(settings, tmp_path, monkeypatch):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path
    scale = load_generator()
    warta = __import__("scale_warta")
    monkeypatch.setattr(warta, "ARTICLES_PER_KIM", 2)  # ~1,800 for Sumbar instead of ~15,000
    monkeypatch.setattr(warta, "COMMENTS_PER_ARTICLE", 1.5)
    steps = [(n, s) for n, s in scale.STEPS if n in ("kim", "warta")]
    return lambda: scale.generate(preset="sumbar", steps=steps)


def test_articles_comments_and_index(generator):
    result = generator()
    created = result.created
    kims = Kim.objects.filter(slug__startswith="skala-")
    articles = Article.objects.filter(slug__startswith="skala-")
    assert created["article"] == articles.count() > 1000
    assert created["comment"] == Comment.objects.count() > 500
    # Spread over the generated KIM that are not in pengajuan, at the KIM's wilayah.
    with_articles = set(articles.values_list("kim_id", flat=True))
    assert with_articles <= set(kims.exclude(status="pengajuan").values_list("pk", flat=True))
    assert len(with_articles) > 0.6 * kims.count()
    sample = articles.select_related("kim").first()
    assert sample.region_code == sample.kim.region_code and sample.body_html.startswith("<p>")
    assert sample.slug.startswith(sample.kim.slug + "-b")
    published = articles.filter(status="published")
    assert 0.9 < published.count() / articles.count() < 0.995
    assert not published.filter(published_at__isnull=True).exists()
    assert not Comment.objects.exclude(article__status="published").exists()
    # Each article's comment count (the page reads it) matches its visible comments.
    from django.db.models import Count, Q

    live = articles.annotate(
        n=Count("comments", filter=Q(comments__status__in=("published", "removed")))
    )
    assert not [a.slug for a in live if a.n != a.comment_count]
    assert articles.filter(comment_count__gt=0).exists()
    assert articles.values("sector").distinct().count() >= 5
    # Indexed: stemmed search finds farming news, and only published articles.
    found = search.search(q="pertanian", wilayah="13")
    assert found.total > 20
    assert all(h.article.status == "published" for h in found.hits)
    assert search.search(q="tani panen").total > 0


def test_second_run_adds_nothing(generator):
    generator()
    before = (Article.objects.count(), Comment.objects.count())
    titles = dict(Article.objects.values_list("slug", "title"))
    again = generator()
    assert again.created["article"] == 0 and again.created["comment"] == 0
    assert (Article.objects.count(), Comment.objects.count()) == before
    assert dict(Article.objects.values_list("slug", "title")) == titles
    # Comments stay on the article's KIM and wilayah (tenant keys).
    mismatched = Comment.objects.exclude(kim_id=F("article__kim_id"))
    assert not mismatched.exists()
    per_article = Comment.objects.values("article").annotate(n=Count("pk"))
    assert max(r["n"] for r in per_article) <= 3
