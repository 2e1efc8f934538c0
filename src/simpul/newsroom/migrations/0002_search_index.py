# The full-text index of published articles (filled in by simpul.newsroom.search):
# PostgreSQL tsvector + GIN, SQLite FTS5. Not Django models: vendor-specific SQL.
from django.db import migrations

POSTGRESQL = (
    # The filter columns are copied from the article so that ranking and filtering read
    # this table only (no join over every match); the document is weighted title A,
    # summary B, body C with the built-in `indonesian` configuration.
    """
    CREATE TABLE newsroom_article_search (
        -- No foreign key: Django's test flush TRUNCATEs without CASCADE; the search
        -- module removes rows when an article leaves the index.
        article_id bigint PRIMARY KEY,
        region_code varchar(13) NOT NULL,
        sector_id bigint NULL,
        published_at timestamp with time zone NULL,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX newsroom_article_search_doc ON newsroom_article_search USING gin (document)",
    "CREATE INDEX newsroom_article_search_region ON newsroom_article_search "
    "(region_code varchar_pattern_ops)",
    # Very common queries are ranked among their newest matches (search.WINDOW).
    "CREATE INDEX newsroom_article_search_pub ON newsroom_article_search (published_at DESC)",
)
POSTGRESQL_REVERSE = ("DROP TABLE IF EXISTS newsroom_article_search",)

SQLITE = (
    # SQLite has no Indonesian stemmer: the columns hold text already stemmed in Python
    # (PySastrawi); rowid is the article id. Filters join newsroom_article.
    "CREATE VIRTUAL TABLE newsroom_article_fts USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
)
SQLITE_REVERSE = ("DROP TABLE IF EXISTS newsroom_article_fts",)


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
            elidable=False,
        ),
    ]
