"""Full-text search of published articles: PostgreSQL `indonesian` text search with a GIN
index, SQLite FTS5 with Indonesian stemming done in Python (PySastrawi).

The editorial services call `index_articles` / `unindex_articles` after their transaction
commits; a published article's index entry always matches its current text.
"""


def index_articles(article_ids):
    """(Re)index these articles if published, drop them from the index otherwise."""


def unindex_articles(article_ids):
    """Remove these articles from the index."""
