"""Error responses of the API, in one shape and in Indonesian.

- 422 {"errors": {field: [messages]}}: bad input, from the services (Django ValidationError)
  or from the request schema (pydantic);
- 404 {"detail": ...}: missing or outside the caller's scope (the same answer);
- 401 {"detail": ...}: no valid credentials; 403 only for a failed CSRF check.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

# Parts of a pydantic error location that name where a value came from, not the field.
LOCATION_PARTS = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _messages_by_type():
    return {
        "missing": _("Wajib diisi."),
        "int_parsing": _("Harus bilangan bulat."),
        "int_type": _("Harus bilangan bulat."),
        "int_from_float": _("Harus bilangan bulat."),
        "float_parsing": _("Harus angka."),
        "float_type": _("Harus angka."),
        "decimal_parsing": _("Harus angka, mis. -0.2345."),
        "decimal_type": _("Harus angka, mis. -0.2345."),
        "decimal_max_digits": _("Angkanya terlalu panjang."),
        "decimal_max_places": _("Terlalu banyak angka di belakang koma."),
        "bool_parsing": _("Harus true atau false."),
        "bool_type": _("Harus true atau false."),
        "string_type": _("Harus teks."),
        "list_type": _("Harus daftar (array)."),
        "dict_type": _("Harus objek JSON."),
        "model_attributes_type": _("Isi permintaan harus objek JSON."),
        "json_invalid": _("Isi permintaan bukan JSON yang valid."),
        "date_parsing": _("Tanggal tidak valid: tulis TTTT-BB-HH, mis. 2024-05-17."),
        "date_from_datetime_parsing": _("Tanggal tidak valid: tulis TTTT-BB-HH, mis. 2024-05-17."),
        "date_type": _("Tanggal tidak valid: tulis TTTT-BB-HH, mis. 2024-05-17."),
        "extra_forbidden": _("Kolom ini tidak dikenal."),
    }


def _message(error):
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Paling kecil %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Paling besar %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("Paling banyak %(n)s karakter.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Paling sedikit %(n)s karakter.") % {"n": ctx.get("min_length")}
    if kind in ("enum", "literal_error"):
        return _("Pilih salah satu: %(choices)s.") % {"choices": ctx.get("expected", "")}
    return _messages_by_type().get(kind, _("Nilai tidak valid."))


def _field(loc):
    parts = [str(p) for p in loc if str(p) not in LOCATION_PARTS]
    return ".".join(parts) or NON_FIELD_ERRORS


def schema_errors(errors):
    """pydantic errors (as ninja passes them) -> {field: [Indonesian messages]}."""
    out = {}
    for error in errors:
        out.setdefault(_field(error.get("loc", ())), []).append(_message(error))
    return out


def django_errors(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}
