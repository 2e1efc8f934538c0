"""Articles and comments for tests. `ArticleFactory(published=True)` gives a public one."""

import factory
from django.utils import timezone

from simpul.newsroom import counts
from simpul.newsroom.markup import render
from simpul.newsroom.models import Article, Comment

from ..factories import KimFactory, UserFactory


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    title = factory.Sequence(lambda n: f"Panen raya padi di nagari uji {n}")
    slug = factory.Sequence(lambda n: f"panen-raya-padi-di-nagari-uji-{n}")
    summary = "Petani merayakan panen raya padi dengan hasil lebih baik dari tahun lalu."
    body_source = (
        "Kelompok tani di nagari ini memanen padi bersama.\n\n"
        "## Hasil\n\nHasil panen naik berkat pupuk organik dan penyuluhan pertanian."
    )
    body_html = factory.LazyAttribute(lambda o: render(o.body_source)[0])
    body_text = factory.LazyAttribute(lambda o: render(o.body_source)[1])
    author = factory.SubFactory(UserFactory)
    author_name = factory.LazyAttribute(lambda o: o.author.full_name if o.author else "")
    status = Article.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Article.Status.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            checked_5w1h=True,
            checked_consent=True,
            checked_sources=True,
        )


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory, published=True)
    kim = factory.SelfAttribute("article.kim")
    region_code = factory.SelfAttribute("article.region_code")
    author = factory.SubFactory(UserFactory)
    author_name = factory.LazyAttribute(lambda o: o.author.full_name)
    body = "Terima kasih atas informasinya."
    status = Comment.Status.PUBLISHED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Like comments.comment_post: the article's counts follow its comments.
        comment = super()._create(model_class, *args, **kwargs)
        counts.refresh(comment.article_id)
        return comment


def article_reads(comments):
    """Statements the article page runs for the article and its comments: one round trip on
    PostgreSQL (queries.public_article_with_comments); elsewhere the comments are a second
    statement, run only when the article has some."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" or not comments else 2
