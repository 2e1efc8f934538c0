from django.db import migrations

SECTORS = [
    ("pertanian", "Pertanian"),
    ("pariwisata", "Pariwisata"),
    ("umkm", "UMKM"),
    ("kesehatan", "Kesehatan"),
    ("pendidikan", "Pendidikan"),
    ("lingkungan", "Lingkungan"),
    ("sosial-budaya", "Sosial budaya"),
    ("literasi-digital", "Literasi digital"),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("registry", "Sector")
    for position, (slug, name) in enumerate(SECTORS):
        Sector.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
