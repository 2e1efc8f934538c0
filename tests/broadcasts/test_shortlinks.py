"""Short links /s/<code>: one per siaran, KIM and channel; a click is counted with nothing
stored about the visitor; unknown codes are 404; codes are not guessable."""

import pytest
from django.urls import reverse

from simpul.broadcasts import shortlinks
from simpul.broadcasts.models import ShortLink

from ..factories import KimFactory
from .factories import SiaranFactory


@pytest.fixture
def siaran(db):
    return SiaranFactory(slug="cek-kesehatan-gratis")


def test_link_for_is_get_or_create_per_kim_and_channel(siaran, kim, sibling_kim):
    wa = shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=kim)
    assert shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=kim).pk == wa.pk
    poster = shortlinks.link_for(channel="poster", siaran=siaran, kim=kim)
    sibling = shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=sibling_kim)
    assert len({wa.code, poster.code, sibling.code}) == 3
    assert wa.target == "/siaran/cek-kesehatan-gratis/"
    assert wa.region_code == kim.region_code
    assert shortlinks.url(wa).endswith(f"/s/{wa.code}")


def test_codes_are_random_and_long_enough(siaran):
    kims = [KimFactory() for _ in range(30)]
    codes = [shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=k).code for k in kims]
    assert len(set(codes)) == 30
    assert all(len(c) >= 8 for c in codes)
    # Not a counter: neighbouring links share no long common prefix.
    assert len({c[:3] for c in codes}) > 20


def test_a_click_is_counted_and_redirects(client, siaran, kim):
    link = shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=kim)
    r = client.get(f"/s/{link.code}", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="HP Murah")
    assert r.status_code == 302 and r["Location"] == "/siaran/cek-kesehatan-gratis/"
    client.get(f"/s/{link.code}")
    link.refresh_from_db()
    assert link.clicks == 2 and link.last_clicked_at is not None
    assert not r.cookies
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
    # Nothing about the visitor is kept anywhere in the row.
    row = ShortLink.objects.filter(pk=link.pk).values().get()
    assert "10.1.2.3" not in str(row) and "HP Murah" not in str(row)


def test_poster_qr_scans_count_on_the_poster_link_only(client, siaran, kim):
    poster = shortlinks.link_for(channel="poster", siaran=siaran, kim=kim)
    wa = shortlinks.link_for(channel="whatsapp", siaran=siaran, kim=kim)
    for _ in range(3):
        client.get(reverse("siaran:short", args=[poster.code]))
    poster.refresh_from_db()
    wa.refresh_from_db()
    assert (poster.clicks, wa.clicks) == (3, 0)


@pytest.mark.parametrize("code", ["tidakada1", "AAAAAAAA", "x" * 40, "..%2F"])
def test_unknown_codes_are_404(client, siaran, code):
    assert client.get(f"/s/{code}").status_code == 404
    assert not ShortLink.objects.filter(clicks__gt=0).exists()


def test_a_click_is_one_update(client, siaran, kim, django_assert_max_num_queries):
    link = shortlinks.link_for(channel="telegram", siaran=siaran, kim=kim)
    with django_assert_max_num_queries(2):  # the UPDATE and reading the target back
        client.get(f"/s/{link.code}")


def test_link_without_kim_for_the_public_page(siaran):
    a = shortlinks.link_for(channel="copy", siaran=siaran)
    b = shortlinks.link_for(channel="copy", siaran=siaran)
    assert a.pk == b.pk and a.kim is None and a.region_code == ""


def test_article_links_go_to_the_article(client, kim):
    from ..newsroom.factories import ArticleFactory

    article = ArticleFactory(kim=kim, published=True, slug="panen-raya")
    link = shortlinks.link_for(channel="whatsapp", article=article, kim=kim)
    assert shortlinks.link_for(channel="whatsapp", article=article, kim=kim).pk == link.pk
    r = client.get(f"/s/{link.code}")
    assert r.status_code == 302 and r["Location"] == "/berita/panen-raya/"
    assert client.get(r["Location"]).status_code == 200
    link.refresh_from_db()
    assert link.clicks == 1


def test_exactly_one_of_siaran_or_article(siaran):
    with pytest.raises(ValueError):
        shortlinks.link_for(channel="whatsapp")
    with pytest.raises(ValueError):
        shortlinks.link_for(channel="sms", siaran=siaran)  # not a relay channel
