"""Helpers for the siaran tests of helper B1 (office pages, inbox, relays, public pages)."""

from simpul.accounts.roles import Role

from ..factories import KimFactory, OfficeFactory, UserFactory, assign
from ..registry.kelola_support import errors, expected, jpeg_with_gps, pdf, png  # noqa: F401

DRAFT = {
    "title": "Cek Kesehatan Gratis untuk warga Lima Puluh Kota",
    "body": "Puskesmas membuka **Cek Kesehatan Gratis**.\n\n- Bawa KTP\n- Datang pagi",
    "short_text": "Cek Kesehatan Gratis di puskesmas terdekat. Bawa KTP.",
    "priority": "penting",
    "target_regions": ["13.07"],
}


def draft_fields(**over):
    return {**DRAFT, **over}


def second_admin_sumbar(office):
    """Another officer of the province office (the approver)."""
    user = UserFactory(full_name="Kabid IKP Sumbar", email="kabid.ikp@contoh.id")
    assign(user, Role.ADMIN_PROVINSI, region_code="13", office=office)
    return user


def kim_elsewhere():
    """A KIM in Kota Bukittinggi (13.75), outside a siaran aimed at Lima Puluh Kota."""
    return KimFactory(
        name="Kelompok Informasi Masyarakat Aur Birugo",
        slug="aur-birugo",
        region_code="13.75.01.1001",
    )


def pengurus_of(kim, name="Pengurus Lain"):
    user = UserFactory(full_name=name)
    assign(user, Role.PENGURUS, kim=kim)
    return user


def office_other():
    return OfficeFactory(name="Diskominfo Kabupaten Agam", region_code="13.06")
