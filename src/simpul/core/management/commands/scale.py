import importlib.util
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simpul.accounts.models import Office, RoleAssignment, User

MODULE_NAME = "simpul_bench_scale"


def generator_path():
    return Path(settings.BASE_DIR).parents[1] / "bench" / "scale.py"


def load_generator():
    """bench/scale.py of the repository checkout (it is not part of the installed package)."""
    path = generator_path()
    if not path.is_file():
        raise CommandError(
            f"Generator data skala tidak ada di {path}: jalankan `simpul scale` dari checkout "
            "repositori Simpul (yang punya folder bench/)."
        )
    module = sys.modules.get(MODULE_NAME)
    if module is not None and getattr(module, "__file__", None) == str(path):
        return module
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(MODULE_NAME, None)
        raise
    return module


class Command(BaseCommand):
    help = (
        "Generate synthetic scale data (offices, office users, ...) for a preset; "
        "deterministic and safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", required=True, choices=["sumbar", "national"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--force",
            action="store_true",
            help="generate even though SIMPUL_DEBUG and SIMPUL_DEMO are off",
        )

    def handle(self, *args, preset, seed, batch_size, force=False, **options):
        if not (settings.DEBUG or getattr(settings, "DEMO", False) or force):
            raise CommandError(
                "Data skala tidak dibuat karena SIMPUL_DEBUG mati: tambahkan --force bila "
                "memang ingin membuatnya di basis data ini."
            )
        scale = load_generator()
        self.stdout.write(f"scale --preset {preset} --seed {seed}")
        try:
            result = scale.generate(
                preset=preset, seed=seed, batch_size=batch_size, log=self.stdout.write
            )
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        created = ", ".join(f"{k} +{n:,}" for k, n in result.created.items() if n) or "nothing"
        self.stdout.write(
            f"{result.provinces} provinces, {result.kabkota} kab/kota, "
            f"{result.kecamatan:,} kecamatan: created {created} in {result.seconds:.2f} s"
        )
        domain = "@" + scale.EMAIL_DOMAIN
        self.stdout.write(
            f"in the database: {Office.objects.count():,} offices, "
            f"{User.objects.filter(email__endswith=domain).count():,} scale users, "
            f"{RoleAssignment.objects.filter(user__email__endswith=domain).count():,} "
            "scale role assignments"
        )
