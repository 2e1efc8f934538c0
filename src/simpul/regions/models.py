import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from simpul.core.choices import display

# PP, PP.KK, PP.KK.CC, PP.KK.CC.DDDD (Kepmendagri)
# ASCII digits only: \d would also accept e.g. Arabic-Indic or full-width digits.
CODE_RE = re.compile(r"^[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?$")


def is_valid_code(code):
    return bool(code) and bool(CODE_RE.fullmatch(code))  # fullmatch: "$" allows a final "\n"


def parent_code(code):
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestor_codes(code):
    """'13.07.07.2002' -> ['13', '13.07', '13.07.07']"""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def normalise_name(name):
    """Lowercase letters and digits only: 'Koto Tangah' and 'Kototangah' both -> 'kototangah'."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


class Region(models.Model):
    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        DISTRIK = "distrik", _("Distrik")
        DESA = "desa", _("Desa")
        NAGARI = "nagari", _("Nagari")
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA_ADAT = "desa_adat", _("Desa adat")

    LEVEL_NAMES = {1: _("provinsi"), 2: _("kabupaten/kota"), 3: _("kecamatan"), 4: _("desa")}

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), db_index=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    child_count = models.PositiveIntegerField(default=0, editable=False)
    village_count = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("desa/nagari/kelurahan di bawahnya")
    )
    get_kind_display = display("kind", Kind.choices)
    retired = models.BooleanField(
        default=False, help_text=_("Tidak ada lagi di data Kemendagri yang terakhir dimuat.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def label(self):
        """'Kabupaten Lima Puluh Kota', 'Kecamatan Harau', 'Nagari Koto Tuo'."""
        if self.level <= 2:
            return self.name
        return _("%(kind)s %(name)s") % {"kind": self.get_kind_display(), "name": self.name}

    @property
    def is_village(self):
        return self.level == 4


class VillageLabel(models.Model):
    """Per-kabupaten setting: what its desa are called (nagari in most of West Sumatra)."""

    class Label(models.TextChoices):
        DESA = "desa", _("Desa")
        NAGARI = "nagari", _("Nagari")

    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        related_name="village_label",
        limit_choices_to={"level": 2},
    )
    label = models.CharField(_("sebutan desa"), max_length=10, choices=Label.choices)

    class Meta:
        verbose_name = _("sebutan desa per kabupaten")
        verbose_name_plural = _("sebutan desa per kabupaten")

    def __str__(self):
        return f"{self.region.name}: {self.label}"


# DOMAIN.md: desa of the 11 West Sumatran kabupaten other than Kepulauan Mentawai are nagari.
DEFAULT_VILLAGE_LABELS = {f"13.{n:02d}": VillageLabel.Label.NAGARI for n in range(1, 13) if n != 9}
