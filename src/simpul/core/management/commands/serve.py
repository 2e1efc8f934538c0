import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Simpul with granian and run a background worker in the same command."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=4, help="blocking threads per worker")
        parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")

    def handle(self, *args, host, port, workers, threads, no_worker, **options):
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        procs = []
        if not no_worker:
            procs.append(
                subprocess.Popen([sys.executable, "-m", "simpul", "worker", "--verbosity", "0"])
            )
        web = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "simpul.wsgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "--log-level",
            "warning",
        ]
        procs.append(subprocess.Popen(web))
        self.stdout.write(f"Simpul: http://{host}:{port}/  (Ctrl+C to stop)")

        def stop(signum=None, frame=None):
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        stop()
