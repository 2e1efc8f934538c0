"""Roles are capability sets (DESIGN.md). A role is held at a wilayah code or at one KIM."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NASIONAL = "nasional", _("Nasional (Komdigi)")
    ADMIN_PROVINSI = "admin_provinsi", _("Admin provinsi")
    PEMBINA = "pembina", _("Pembina (Diskominfo kab/kota)")
    OPERATOR_WILAYAH = "operator_wilayah", _("Operator wilayah (kecamatan/desa)")
    PENGURUS = "pengurus", _("Pengurus KIM")
    ANGGOTA = "anggota", _("Anggota KIM")
    WARGA = "warga", _("Warga")


# Capabilities, by what they let a person do.
KELOLA = "kelola.access"  # enter the back office
AUDIT_VIEW = "audit.view"
OFFICE_MANAGE = "office.manage"
ROLE_ASSIGN = "role.assign"
REGION_CONFIGURE = "region.configure"
KIM_VIEW = "kim.view"  # non-public KIM data (pengajuan, members)
KIM_REGISTER = "kim.register"
KIM_VERIFY = "kim.verify"
KIM_EDIT = "kim.edit"
KIM_VIEW_PRIVATE = "kim.view_private"  # unmasked phone numbers
ARTICLE_WRITE = "article.write"
ARTICLE_PUBLISH = "article.publish"
ARTICLE_UNPUBLISH = "article.unpublish"  # an office takes a published article down
SIARAN_SEND = "siaran.send"
SIARAN_APPROVE = "siaran.approve"  # second pair of eyes where an office requires it
SIARAN_VIEW = "siaran.view"  # siaran and reach ledgers inside the scope (read only)
SIARAN_RELAY = "siaran.relay"  # a KIM's inbox: read, acknowledge, relay
TASKS_VIEW = "tasks.view"  # failed background tasks: global, so national only

_OFFICE_COMMON = {KELOLA, AUDIT_VIEW, KIM_VIEW, SIARAN_VIEW}

CAPABILITIES = {
    Role.NASIONAL: _OFFICE_COMMON
    | {OFFICE_MANAGE, ROLE_ASSIGN, REGION_CONFIGURE, SIARAN_SEND, SIARAN_APPROVE, TASKS_VIEW},
    Role.ADMIN_PROVINSI: _OFFICE_COMMON
    | {
        OFFICE_MANAGE,
        ROLE_ASSIGN,
        REGION_CONFIGURE,
        KIM_VERIFY,
        KIM_REGISTER,
        ARTICLE_UNPUBLISH,
        SIARAN_SEND,
        SIARAN_APPROVE,
    },
    Role.PEMBINA: _OFFICE_COMMON
    | {
        ROLE_ASSIGN,
        KIM_REGISTER,
        KIM_VERIFY,
        KIM_EDIT,
        KIM_VIEW_PRIVATE,
        ARTICLE_UNPUBLISH,
        SIARAN_SEND,
        SIARAN_APPROVE,
    },
    Role.OPERATOR_WILAYAH: _OFFICE_COMMON,
    Role.PENGURUS: {
        KELOLA,
        KIM_VIEW,
        KIM_EDIT,
        KIM_VIEW_PRIVATE,
        ARTICLE_WRITE,
        ARTICLE_PUBLISH,  # the KIM's redaksi: publish, return, moderate comments
        SIARAN_RELAY,
    },
    Role.ANGGOTA: {KELOLA, KIM_VIEW, ARTICLE_WRITE, SIARAN_RELAY},
    Role.WARGA: set(),
}

# Office roles must use two-factor authentication.
OFFICE_ROLES = {Role.NASIONAL, Role.ADMIN_PROVINSI, Role.PEMBINA, Role.OPERATOR_WILAYAH}
# Roles held at a KIM rather than at a wilayah code.
KIM_ROLES = {Role.PENGURUS, Role.ANGGOTA}

# Who may hand out which roles (always inside their own scope).
ASSIGNABLE = {
    Role.NASIONAL: {Role.NASIONAL, Role.ADMIN_PROVINSI, Role.PEMBINA, Role.OPERATOR_WILAYAH},
    Role.ADMIN_PROVINSI: {Role.ADMIN_PROVINSI, Role.PEMBINA, Role.OPERATOR_WILAYAH},
    Role.PEMBINA: {Role.OPERATOR_WILAYAH, Role.PENGURUS, Role.ANGGOTA},
    Role.PENGURUS: {Role.ANGGOTA},
}

# The wilayah level at which each office role is normally held (0 = whole country).
ROLE_LEVEL = {
    Role.NASIONAL: 0,
    Role.ADMIN_PROVINSI: 1,
    Role.PEMBINA: 2,
}
