import json

from django.core.management.base import BaseCommand

from simpul.api.api import api


def schema_text():
    """The OpenAPI schema as committed in src/simpul/api/openapi.json."""
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Print the OpenAPI schema of /api/; refresh the committed snapshot with "
        "`simpul api_schema > src/simpul/api/openapi.json`."
    )

    def handle(self, *args, **options):
        self.stdout.write(schema_text(), ending="")
