"""The Warta part of `simpul demo`: ~150 Indonesian articles, covers, the Bimtek story,
comments, all searchable; a second run creates nothing."""

import time
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from simpul.core import demo as core_demo
from simpul.newsroom import demo, search
from simpul.newsroom.models import Article, ArticleImage, Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    return tmp_path


def run():
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts():
    return tuple(m.objects.count() for m in (Article, ArticleImage, Comment))


def test_newsroom_steps_are_part_of_the_demo():
    assert demo.step_articles in core_demo.STEPS and demo.step_comments in core_demo.STEPS


def test_demo_articles_idempotent_and_searchable(data_dir, monkeypatch):
    spent = []

    def timed(step):
        def run_step(ctx):
            t0 = time.perf_counter()
            step(ctx)
            spent.append(time.perf_counter() - t0)

        return run_step

    mine = (demo.step_articles, demo.step_comments)
    monkeypatch.setattr(core_demo, "STEPS", [timed(s) if s in mine else s for s in core_demo.STEPS])
    run()
    print(f"warta demo steps: {sum(spent):.1f} s")
    assert sum(spent) < 20  # `simpul demo` stays quick
    first = counts()
    articles, images, comments = first
    assert 140 <= articles <= 160
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert published.count() >= 140
    assert published.values("kim").distinct().count() >= 20
    assert published.values("sector").distinct().count() >= 5
    assert Article.objects.filter(title__istartswith="Klarifikasi").exists()
    assert images >= 12
    image = ArticleImage.objects.first()
    assert image.file.name.endswith(".webp") and (image.width, image.height) == (1200, 675)
    assert set(image.variants) == {"480", "960", "1200"}
    assert all(default_storage.exists(name) for name in image.variants.values())
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 1
    assert Comment.objects.filter(status=Comment.Status.PUBLISHED).count() >= 10
    # The counts on each article (newsroom.counts) match its rows, so the page shows them.
    visible = Comment.objects.filter(status__in=("published", "removed"))
    for article in Article.objects.filter(status=Article.Status.PUBLISHED):
        assert article.comment_count == visible.filter(article=article).count(), article.slug
        assert article.tag_count == article.tags.count()
    assert Article.objects.filter(comment_count__gt=0).count() >= 10

    # The seed story: Bimtek KIM, 29 Nov 2022, Grand Bunda, by KIM Tujuh Koto Talago.
    bimtek = Article.objects.get(slug=demo.BIMTEK_SLUG)
    assert bimtek.kim.slug and "Tujuh Koto Talago" in bimtek.kim.name
    assert timezone.localtime(bimtek.published_at).date().isoformat() == "2022-11-29"
    for fact in ("Grand Bunda", "65 peserta", "Indra Sukma", "Heri Nizwar", "Mau, Mampu, Berbuat"):
        assert fact in bimtek.body_text
    assert [h.article.slug for h in search.search(q="bimtek grand bunda").hits] == [bimtek.slug]
    assert search.search(q="tani").total >= 10  # "petani", "pertanian" via stemming

    run()
    assert counts() == first
