"""Warta search under the national data: `simpul.newsroom.search.search()` against the bare
full-text SQL on the same index, measured in the same run, query by query (interleaved).

    SIMPUL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/simpul_n3 \\
        python bench/search_bench.py            # 20 two-word queries x 7 rounds
    python bench/search_bench.py --smoke        # a few rounds; fails only on errors

Targets (README, Warta): p95 of the app search <= 150 ms for two-word queries, and <= 1.5 x
the p95 of the bare SQL query. The bare query is what any search on this index must do:
match and rank, first page of ids:

    PostgreSQL: SELECT article_id FROM newsroom_article_search
                WHERE document @@ plainto_tsquery('indonesian', q)
                ORDER BY ts_rank(document, query) DESC LIMIT 10
    SQLite:     SELECT rowid FROM newsroom_article_fts WHERE ... MATCH q ORDER BY bm25 LIMIT 10

It also times the app's own SQL (`search.raw_query`: the probe count, then ranking every
match, or for very common queries only the newest WINDOW matches), which is the ratio's
denominator: the app adds the article rows (with KIM, sector, cover) and the highlighted
snippets. Each query runs once untimed first (cold pages are not the point).
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUERIES = (
    "panen padi", "pupuk organik", "harga cabai", "irigasi sawah", "sekolah lapang",
    "paket wisata", "festival budaya", "rumah gadang", "pemandu wisata", "pemasaran digital",
    "sertifikat halal", "keripik sanjai", "posyandu balita", "demam berdarah", "ibu hamil",
    "pesan berantai", "bantuan tunai", "bank sampah", "bibit pohon", "kelompok tani",
)  # fmt: skip
P95_MAX_MS = 150.0
RATIO_MAX = 1.5


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
    os.environ.setdefault("SIMPUL_SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    os.environ.setdefault("SIMPUL_EMAIL_URL", "console://")
    if "SIMPUL_FIELD_KEY" not in os.environ:
        from cryptography.fernet import Fernet

        os.environ["SIMPUL_FIELD_KEY"] = Fernet.generate_key().decode()
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def bare_sql(connection, q):
    from simpul.newsroom import search

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT article_id FROM newsroom_article_search, "
                "plainto_tsquery('indonesian', %s) query WHERE document @@ query "
                "ORDER BY ts_rank(document, query) DESC LIMIT 10",
                [q],
            )
        else:
            match = " ".join(f'"{search.stem(w)}"' for w in search.query_words(q))
            cursor.execute(
                "SELECT rowid FROM newsroom_article_fts WHERE newsroom_article_fts MATCH %s "
                "ORDER BY bm25(newsroom_article_fts, 10.0, 4.0, 1.0) LIMIT 10",
                [match],
            )
        return cursor.fetchall()


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--json", type=Path, help="write the figures here")
    args = p.parse_args(argv)
    rounds = 2 if args.smoke else args.rounds
    setup_django()
    from django.db import connection

    from simpul.newsroom import search

    with connection.cursor() as cursor:
        table = (
            "newsroom_article_search"
            if connection.vendor == "postgresql"
            else "newsroom_article_fts"
        )
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a constant
        indexed = cursor.fetchone()[0]
    print(f"search bench: {connection.vendor}, {indexed:,} indexed articles, {rounds} rounds")
    app, bare, rows = [], [], []
    for q in QUERIES:  # warm: one untimed run each
        search.search(q=q)
        bare_sql(connection, q)
    per_query = {q: {"app": [], "sql": [], "same": [], "total": 0} for q in QUERIES}
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            bare_sql(connection, q)
            t1 = time.perf_counter()
            search.raw_query(q)  # the app's own SQL (same plan), without ORM and snippets
            t2 = time.perf_counter()
            found = search.search(q=q)
            t3 = time.perf_counter()
            per_query[q]["sql"].append((t1 - t0) * 1000)
            per_query[q]["same"].append((t2 - t1) * 1000)
            per_query[q]["app"].append((t3 - t2) * 1000)
            per_query[q]["total"] = found.total
    print(f"{'query':<22} {'matches':>8} {'rank-all':>9} {'app sql':>8} {'app':>8}  p50 ms")
    same = []
    for q, r in per_query.items():
        app += r["app"]
        bare += r["sql"]
        same += r["same"]
        total = f"{r['total']:,}" + ("+" if r["total"] > search.PER_PAGE * search.MAX_PAGES else "")
        print(
            f"{q:<22} {total:>8} {statistics.median(r['sql']):>9.1f} "
            f"{statistics.median(r['same']):>8.1f} {statistics.median(r['app']):>8.1f}"
        )
        rows.append(
            {
                "q": q,
                "matches": r["total"],
                "rank_all_sql_ms": r["sql"],
                "app_sql_ms": r["same"],
                "app_ms": r["app"],
            }
        )
    app_p95, sql_p95, same_p95 = p95(app), p95(bare), p95(same)
    ratio = app_p95 / same_p95 if same_p95 else 0.0
    ok_p95 = app_p95 <= P95_MAX_MS
    ok_ratio = ratio <= RATIO_MAX
    print(
        f"\nbare SQL, rank every match: p50 {statistics.median(bare):.1f} ms, "
        f"p95 {sql_p95:.1f} ms\n"
        f"bare SQL, the app's queries (search.raw_query): p50 {statistics.median(same):.1f} ms, "
        f"p95 {same_p95:.1f} ms\n"
        f"app search(): p50 {statistics.median(app):.1f} ms, p95 {app_p95:.1f} ms "
        f"(target <= {P95_MAX_MS:g}: {'ok' if ok_p95 else 'FAIL'}); "
        f"ratio to the app's bare SQL {ratio:.2f} (target <= {RATIO_MAX:g}: "
        f"{'ok' if ok_ratio else 'FAIL'}); to rank-every-match {app_p95 / sql_p95:.2f}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "database": connection.vendor,
                    "indexed": indexed,
                    "rounds": rounds,
                    "app_p95_ms": round(app_p95, 2),
                    "rank_all_sql_p95_ms": round(sql_p95, 2),
                    "app_sql_p95_ms": round(same_p95, 2),
                    "ratio": round(ratio, 3),
                    "queries": rows,
                },
                indent=2,
            )
            + "\n"
        )
    if args.smoke:
        return 0
    return 0 if ok_p95 and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
