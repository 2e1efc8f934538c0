"""The KIM registry. The Foundation ships the KIM row that roles point at; the registry
issue grows it into profiles, SK, members and coverage."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kim(models.Model):
    class Status(models.TextChoices):
        PENGAJUAN = "pengajuan", _("Pengajuan")
        AKTIF = "aktif", _("Aktif")
        KURANG_AKTIF = "kurang_aktif", _("Kurang aktif")
        VAKUM = "vakum", _("Vakum")
        NONAKTIF = "nonaktif", _("Nonaktif")

    name = models.CharField(_("nama lengkap"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    region_code = models.CharField(_("kode wilayah"), max_length=13, db_index=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.PENGAJUAN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("KIM")
        verbose_name_plural = _("KIM")

    def __str__(self):
        return self.name

    @staticmethod
    def random_suffix():
        return secrets.token_hex(2)
