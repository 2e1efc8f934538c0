import time

from django.core.management.base import BaseCommand, CommandError

from simpul.core.demo import TWO_FACTOR_NOTE, DemoError, format_logins, run_demo

LABELS = {"office": "kantor", "user": "pengguna", "role": "penugasan peran"}


class Command(BaseCommand):
    help = (
        "Build the West Sumatra demo (offices and one account for every role); safe to run "
        "again. Needs `simpul regions load` first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="create the demo accounts even though SIMPUL_DEBUG and SIMPUL_DEMO are off",
        )

    def handle(self, *args, force=False, **options):
        started = time.perf_counter()
        try:
            result = run_demo(force=force)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        if result.created:
            made = ", ".join(f"{n} {LABELS.get(k, k)}" for k, n in result.created.items())
            self.stdout.write(f"Demo Sumatera Barat: dibuat {made} ({seconds:.2f} s).")
        else:
            self.stdout.write(
                f"Demo Sumatera Barat sudah lengkap: tidak ada yang dibuat ({seconds:.2f} s)."
            )
        if result.passwords_reset:
            self.stdout.write(
                f"Kata sandi baru untuk {result.passwords_reset} akun yang tidak ada di "
                "berkas login."
            )
        self.stdout.write("")
        self.stdout.write(format_logins(result.logins), ending="")
        self.stdout.write("")
        self.stdout.write(TWO_FACTOR_NOTE)
        self.stdout.write(f"Login ini tersimpan di {result.logins_file} (mode 600).")
