"""Warta demo articles and comments (`simpul demo`), appended to simpul.core.demo.STEPS.

About 150 articles in Bahasa Indonesia across the demo KIM (farming, tourism, UMKM, health,
hoax clarifications, environment), templated from realistic sentences (`demo_corpus`), with
a few cover illustrations drawn locally with Pillow and stored as WebP renditions like
uploaded photos; the story of the Bimtek KIM of 29 November 2022 in Bukittinggi by KIM Tujuh
Koto Talago; some comments (published, and one waiting for moderation); all indexed for
search.

Rows are written directly (not through the editorial services): the services would send
e-mail to the redaksi and run the copy guard for each of the 150 drafts. Idempotent: an
article is identified by its slug, a comment by (article, author name, text).
"""

import io
import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from simpul import audit
from simpul.registry.models import Kim, Sector, full_kim_name

from . import counts, demo_corpus, search
from .markup import render
from .models import Article, ArticleImage, Comment

ARTICLES = 150
COVERS = 18  # one illustration per article for the first articles of each topic
COVER_SIZE = (1200, 675)
WIDTHS = (480, 960)  # smaller renditions; the full size is the file itself
DAYS_BACK = 200
TOPIC_SHARE = (
    ("pertanian", 34), ("pariwisata", 22), ("umkm", 22), ("kesehatan", 18), ("hoaks", 14),
    ("lingkungan", 10),
)  # fmt: skip
CLANS = ("Chaniago", "Piliang", "Koto", "Tanjung", "Sikumbang")
WIB = timezone.get_fixed_timezone(7 * 60)

BIMTEK_SLUG = "bimtek-kim-di-bukittinggi-transformasi-dan-peran-strategis-kim-di-era-digital"
BIMTEK_TITLE = "Bimtek KIM di Bukittinggi: Transformasi dan Peran Strategis KIM di Era Digital"
BIMTEK_SUMMARY = (
    "Diskominfotik Sumbar melatih 65 pengelola KIM kab/kota di Hotel Grand Bunda, "
    "Bukittinggi; KIM Tujuh Koto Talago berbagi kiat menjalankan KIM dengan dana desa."
)
BIMTEK_BODY = """\
Dinas Komunikasi, Informatika dan Statistik (Diskominfotik) Provinsi Sumatera Barat \
menggelar Bimbingan Teknis (Bimtek) Kelompok Informasi Masyarakat pada Selasa, \
29 November 2022, di Hotel Grand Bunda, Bukittinggi. Tema kegiatan ini *Transformasi dan \
Peran Strategis KIM di Era Digital*.

Bimtek dibuka oleh Kepala Bidang Informasi dan Komunikasi Publik (IKP), Indra Sukma, \
mewakili Kepala Diskominfotik Sumbar. Sebanyak **65 peserta** hadir, yaitu pejabat dan staf \
dinas kominfo kabupaten/kota se-Sumatera Barat yang menangani KIM.

## Narasumber

Materi disampaikan oleh pakar TIK Yonisman dan praktisi KIM Heri Nizwar dari Kelompok \
Informasi Masyarakat Tujuh Koto Talago, Kabupaten Lima Puluh Kota.

Heri Nizwar menceritakan cara KIM Tujuh Koto Talago tetap berjalan dengan dana terbatas, \
antara lain dengan memanfaatkan dana desa untuk kegiatan informasi di nagari.

## M2B: Mau, Mampu, Berbuat

Peserta membahas semboyan **M2B: Mau, Mampu, Berbuat**. KIM diharapkan membawa manfaat yang \
dirasakan langsung oleh masyarakat, terutama warga yang akses informasinya masih terbatas.

Diskusi juga menyinggung peran KIM sebagai jembatan informasi dua arah: menyampaikan \
program pemerintah kepada warga, dan menyampaikan aspirasi warga kepada pemerintah.
"""

COVER_STYLES = {
    # topic -> (sky, ground, accent): simple flat illustrations, no text.
    "pertanian": ((186, 222, 240), (96, 160, 72), (230, 200, 60)),
    "pariwisata": ((150, 200, 235), (70, 120, 90), (240, 240, 240)),
    "umkm": ((245, 225, 200), (180, 110, 60), (200, 50, 40)),
    "kesehatan": ((220, 240, 235), (120, 190, 170), (220, 60, 70)),
    "hoaks": ((235, 235, 235), (90, 90, 110), (230, 160, 30)),
    "lingkungan": ((200, 235, 210), (60, 140, 80), (60, 120, 200)),
}
COVER_ALT = {
    "pertanian": "Ilustrasi sawah bertingkat dengan matahari pagi",
    "pariwisata": "Ilustrasi bukit dan rumah gadang di tepi danau",
    "umkm": "Ilustrasi etalase produk UMKM",
    "kesehatan": "Ilustrasi tanda palang kesehatan di posyandu",
    "hoaks": "Ilustrasi telepon genggam dengan tanda peringatan",
    "lingkungan": "Ilustrasi pohon dan sungai yang bersih",
}


def _draw_cover(topic, variant):
    """A flat illustration for a topic (a few shapes), as WebP bytes at COVER_SIZE."""
    sky, ground, accent = COVER_STYLES[topic]
    w, h = COVER_SIZE
    img = Image.new("RGB", (w, h), sky)
    draw = ImageDraw.Draw(img)
    rng = random.Random(f"cover:{topic}:{variant}")
    horizon = int(h * rng.uniform(0.5, 0.65))
    for i in range(4):  # hills, terraces
        y = horizon + i * (h - horizon) // 4
        shade = tuple(max(0, c - 18 * i) for c in ground)
        draw.polygon(
            [
                (0, y),
                (w // 3, y - rng.randint(20, 90)),
                (w, y + rng.randint(-30, 30)),
                (w, h),
                (0, h),
            ],
            fill=shade,
        )
    x, y, r = rng.randint(120, w - 120), rng.randint(60, horizon - 80), rng.randint(40, 80)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=accent)
    for _ in range(3):  # small houses or stalls
        bx, by = rng.randint(40, w - 200), horizon + rng.randint(10, 80)
        draw.rectangle((bx, by, bx + 120, by + 70), fill=(250, 245, 235))
        draw.polygon([(bx - 15, by), (bx + 60, by - 50), (bx + 135, by)], fill=(150, 40, 30))
    out = io.BytesIO()
    img.save(out, "WEBP", quality=78, method=4)
    return out.getvalue()


def _store_cover(kim, article, topic, variant):
    """An ArticleImage like the upload pipeline stores one: WebP file plus renditions."""
    data = _draw_cover(topic, variant)
    image = ArticleImage(
        kim=kim,
        region_code=article.region_code,
        article=article,
        alt=COVER_ALT[topic],
        caption="Ilustrasi: Simpul",
    )
    image.file.save("ilustrasi.webp", ContentFile(data), save=False)
    stem = image.file.name.rsplit(".", 1)[0]
    variants = {}
    with Image.open(io.BytesIO(data)) as full:
        for width in WIDTHS:
            height = round(full.height * width / full.width)
            out = io.BytesIO()
            full.resize((width, height), Image.Resampling.LANCZOS).save(
                out, "WEBP", quality=78, method=4
            )
            variants[str(width)] = default_storage.save(
                f"{stem}-{width}.webp", ContentFile(out.getvalue())
            )
    variants[str(COVER_SIZE[0])] = image.file.name
    image.variants = variants
    image.width, image.height = COVER_SIZE
    image.save()
    return image


def _short(kim_name):
    return full_kim_name(kim_name).removeprefix("Kelompok Informasi Masyarakat ").strip()


def _unique_slugs(titles, taken):
    slugs = []
    for title in titles:
        base = slugify(title)[:200] or "berita"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _plan(kims, regions, now):
    """The demo articles, deterministically: [(kim, topic, title, summary, body, when)]."""
    rng = random.Random("simpul-demo:warta")
    topics = [t for t, n in TOPIC_SHARE for _ in range(n)]
    plan = []
    for i in range(ARTICLES - 1):  # the Bimtek story is the last one
        kim = kims[i % len(kims)]
        region = regions.get(kim.region_code)
        kab = regions.get(kim.region_code[:5])
        topic = topics[rng.randrange(len(topics))]
        title, summary, paragraphs = demo_corpus.article_text(
            rng,
            topic,
            desa=region.name if region else _short(kim.name),
            kim=_short(kim.name),
            kab=kab.label if kab else "Sumatera Barat",
        )
        when = now - timedelta(days=rng.uniform(0.1, DAYS_BACK))
        plan.append((kim, topic, title, summary, "\n\n".join(paragraphs), when))
    return plan


def _demo_kims(ctx):
    state = getattr(ctx, "registry", None)
    ids = [k.pk for k in state.kims.values()] if state else []
    # Statuses from the database: the registry step recomputes dormancy after creating.
    kims = Kim.objects.filter(pk__in=ids, status__in=(Kim.Status.AKTIF, Kim.Status.KURANG_AKTIF))
    return list(kims.order_by("region_code", "pk"))


def _seed_kim(ctx):
    from simpul.registry.demo import SEED

    state = getattr(ctx, "registry", None)
    return state.kims.get(SEED) if state else None


def step_articles(ctx):
    """~150 published articles over the last 200 days (a few drafts and submissions at the
    seed KIM for the redaksi demo), 18 with a cover illustration, and the Bimtek story."""
    from simpul.accounts.models import User
    from simpul.core.demo import EMAIL_DOMAIN
    from simpul.regions.models import Region

    kims = _demo_kims(ctx)
    seed = _seed_kim(ctx)
    if not kims or seed is None:
        return
    codes = {k.region_code for k in kims} | {k.region_code[:5] for k in kims}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    plan = _plan(kims, regions, ctx.now)
    taken = set()
    slugs = _unique_slugs([p[2] for p in plan], taken)
    existing = set(
        Article.objects.filter(slug__in=[*slugs, BIMTEK_SLUG]).values_list("slug", flat=True)
    )
    if len(existing) == len(slugs) + 1:
        return
    sectors = dict(Sector.objects.values_list("slug", "pk"))
    people = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(
            email__in=[f"ketua.tujuhkoto@{EMAIL_DOMAIN}", f"anggota.tujuhkoto@{EMAIL_DOMAIN}"]
        )
    }
    ketua, anggota = people.get("ketua.tujuhkoto"), people.get("anggota.tujuhkoto")
    rng = random.Random("simpul-demo:warta:bylines")
    made, topics, covers_per_topic = [], [], {}
    for index, ((kim, topic, title, summary, body, when), slug) in enumerate(
        zip(plan, slugs, strict=True)
    ):
        if slug in existing:
            continue
        sector_slug, adinda = demo_corpus.TOPICS[topic][:2]
        status = Article.Status.PUBLISHED
        author, author_name = None, f"{rng.choice(demo_corpus.PEOPLE)} ({_short(kim.name)})"
        if kim.pk == seed.pk:
            author = anggota if index % 2 else ketua
            author_name = author.full_name if author else author_name
            if author == anggota and index > ARTICLES - 40 and len(made) % 3 == 0:
                status = Article.Status.SUBMITTED  # waiting for the redaksi
        html, text = render(body)
        article = Article(
            kim=kim,
            region_code=kim.region_code,
            title=title,
            slug=slug,
            summary=summary[:160],
            body_source=body,
            body_html=html,
            body_text=text,
            sector_id=sectors.get(sector_slug),
            adinda=adinda,
            status=status,
            author=author,
            author_name=author_name,
            event_date=timezone.localdate(when),
        )
        if status == Article.Status.PUBLISHED:
            article.published_at = when
            article.checked_5w1h = article.checked_consent = article.checked_sources = True
            article.published_by = ketua if kim.pk == seed.pk else None
        else:
            article.submitted_at = when
        made.append(article)
        topics.append(topic)
    Article.objects.bulk_create(made)
    for article, topic in zip(made, topics, strict=True):
        n = covers_per_topic.get(topic, 0)
        if n < COVERS // len(COVER_STYLES) and article.status == Article.Status.PUBLISHED:
            covers_per_topic[topic] = n + 1
            article.cover = _store_cover(article.kim, article, topic, n)
            Article.objects.filter(pk=article.pk).update(cover=article.cover)
    if BIMTEK_SLUG not in existing:
        made.append(_bimtek(seed, ketua, sectors))
    ctx.created["berita"] += len(made)
    ctx.created["gambar"] += sum(covers_per_topic.values())
    search.index_articles([a.pk for a in made])
    audit.record(
        actor=None,
        action="newsroom.demo.loaded",
        object_type="demo",
        object_id="warta",
        region_code="13",
        data={"articles": len(made)},
    )


def _bimtek(seed, ketua, sectors):
    html, text = render(BIMTEK_BODY)
    published = datetime.combine(date(2022, 11, 29), time(16, 30), tzinfo=WIB)
    return Article.objects.create(
        kim=seed,
        region_code=seed.region_code,
        title=BIMTEK_TITLE,
        slug=BIMTEK_SLUG,
        summary=BIMTEK_SUMMARY,
        body_source=BIMTEK_BODY,
        body_html=html,
        body_text=text,
        sector_id=sectors.get("literasi-digital"),
        adinda="networking",
        status=Article.Status.PUBLISHED,
        author=ketua,
        author_name=ketua.full_name if ketua else "Heri Nizwar",
        event_date=date(2022, 11, 29),
        published_at=published,
        published_by=ketua,
        checked_5w1h=True,
        checked_consent=True,
        checked_sources=True,
    )


def step_comments(ctx):
    """Published comments on a dozen articles and the Bimtek story, one waiting."""
    seed = _seed_kim(ctx)
    if seed is None:
        return
    rng = random.Random("simpul-demo:warta:comments")
    articles = list(
        Article.objects.filter(
            kim__in=[k.pk for k in _demo_kims(ctx)], status=Article.Status.PUBLISHED
        ).order_by("-published_at")[:12]
    )
    bimtek = Article.objects.filter(slug=BIMTEK_SLUG).first()
    wanted = []
    for article in articles:
        for _ in range(rng.randint(1, 3)):
            name = f"{rng.choice(demo_corpus.PEOPLE)} {rng.choice(CLANS)}"
            body = rng.choice(demo_corpus.COMMENTS)
            wanted.append((article, name, body, Comment.Status.PUBLISHED))
    if bimtek:
        wanted.append(
            (
                bimtek,
                "Yonisman",
                "Semangat M2B untuk semua KIM di Sumatera Barat!",
                Comment.Status.PUBLISHED,
            )
        )
        wanted.append(
            (
                bimtek,
                "Warga Talago",
                "Kapan ada bimtek serupa untuk pengurus KIM di tingkat nagari?",
                Comment.Status.PENDING,
            )
        )
    wanted = list(
        {(a.pk, name, body): (a, name, body, st) for a, name, body, st in wanted}.values()
    )
    have = set(
        Comment.objects.filter(article__in={a.pk for a, *_ in wanted}).values_list(
            "article_id", "author_name", "body"
        )
    )
    new = [
        Comment(
            article=a,
            kim_id=a.kim_id,
            region_code=a.region_code,
            author_name=name,
            body=body,
            status=status,
        )
        for a, name, body, status in wanted
        if (a.pk, name, body) not in have
    ]
    Comment.objects.bulk_create(new)
    counts.refresh(*{a.pk for a, *_ in wanted})
    ctx.created["komentar"] += len(new)


STEPS = [step_articles, step_comments]
