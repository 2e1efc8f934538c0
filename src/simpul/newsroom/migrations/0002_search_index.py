# The full-text index of published articles (filled in by simpul.newsroom.search):
# PostgreSQL tsvector + GIN, SQLite FTS5. Not Django models: vendor-specific SQL.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial")]

    operations = []
