"""Point the Telegram bots configured in Simpul at their webhook (Bot API setWebhook).

    simpul telegram_webhook                 # every enabled Telegram provider
    simpul telegram_webhook --region 13     # only Sumatera Barat's bot

Run it once after entering or changing a bot token (Django admin, Provider config), and
after the site's address (SIMPUL_SITE_URL) changes. Telegram needs an https address.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simpul.broadcasts import services
from simpul.broadcasts.models import Channel, ProviderConfig


class Command(BaseCommand):
    help = "Pasang webhook bot Telegram (setWebhook) untuk penyedia Telegram yang aktif."

    def add_arguments(self, parser):
        parser.add_argument(
            "--region", default=None, help="kode wilayah penyedia (mis. 13); kosong = semua"
        )

    def handle(self, *args, region, **options):
        configs = ProviderConfig.objects.filter(channel=Channel.TELEGRAM, enabled=True)
        if region is not None:
            configs = configs.filter(region_code=region)
        configs = list(configs.order_by("region_code"))
        if not configs:
            raise CommandError(
                "Tidak ada penyedia Telegram yang aktif"
                + (f" untuk wilayah {region}" if region is not None else "")
                + ": isi token bot di admin Django (Provider config) lebih dulu."
            )
        if not settings.SITE_URL.startswith("https://"):
            self.stderr.write(
                f"Peringatan: SIMPUL_SITE_URL {settings.SITE_URL} bukan https; Telegram hanya "
                "mengirim ke alamat https."
            )
        failed = 0
        for config in configs:
            where = config.region_code or "Indonesia"
            url, error = services.telegram_webhook_install(config=config)
            if error:
                failed += 1
                self.stderr.write(f"Telegram {where}: gagal: {error}")
            else:
                self.stdout.write(
                    f"Telegram {where}: webhook terpasang ({url.rsplit('/', 2)[0]}/…)"
                )
        if failed:
            raise CommandError(f"{failed} dari {len(configs)} bot Telegram gagal dipasang.")
