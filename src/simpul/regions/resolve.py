"""Tolerant wilayah resolution: names as office spreadsheets write them -> Kemendagri codes.

Real sheets say "Kab. 50 Kota", "Lima Puluh Kota" or "Kabupaten Lima Puluh Kota";
"Kototangah" or "Koto Tangah"; "Nagari Koto Tuo" or "Koto Tuo". The rules:

* Names are reduced to a key: ASCII, lower case, abbreviations expanded ("kab." ->
  kabupaten, "kec." -> kecamatan, "kel." -> kelurahan, "kep." -> kepulauan), numbers in
  digits spelled out in Indonesian ("50" -> "lima puluh"), then everything but letters and
  digits dropped ("Koto Tangah" = "Kototangah"). Roman numerals stay as written ("Kapur IX");
  a second, looser key also spells them out, so "VII Koto Talago" = "7 Koto Talago".
* Level prefixes are tried both ways: the whole name first ("Kampung Jawa" and "Kota Padang"
  are real names), then without the prefix ("Nagari Koto Tuo" -> "Koto Tuo",
  "Kec. Harau" -> "Harau"). "Kabupaten"/"Kota" in front of a kab/kota name also narrows the
  kind, so "Kota Solok" and "Kabupaten Solok" differ, while a bare "Solok" is ambiguous
  unless the kecamatan settles it.
* Matching is exact on keys within the parent: kab/kota within the importer's provinces,
  kecamatan within the kab/kota, desa within the kecamatan (or within the kab/kota when no
  kecamatan is given). Without an exact match, difflib's ratio >= 0.8 finds close names: a
  single one >= 0.92 is accepted with a warning ("dibaca sebagai ..."), several are an
  "ambigu" error listing them, otherwise an error with up to 3 suggestions.
* A valid, existing code wins over names (names deeper than the code refine it).

Indexes are built once per `Resolver` (one per import): kab/kota of all Indonesia in one
query, kecamatan and desa per kab/kota on first use (two queries each).
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Region, is_valid_code

ACCEPT_RATIO = 0.92
CLOSE_RATIO = 0.8
SUGGEST_RATIO = 0.6

_ABBREVIATIONS = {
    "kab": "kabupaten",
    "kabupaten": "kabupaten",
    "kot": "kota",
    "kodya": "kota",
    "kotamadya": "kota",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "ds": "desa",
    "kep": "kepulauan",
    "kp": "kampung",
}
KABKOTA_PREFIXES = {"kabupaten", "kota", "pemkab", "pemkot"}
KECAMATAN_PREFIXES = {"kecamatan", "distrik"}
DESA_PREFIXES = {"desa", "nagari", "kelurahan", "jorong", "gampong", "kampung", "pekon", "adat"}

_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def spell_number(n):
    """Indonesian words for 0 <= n < 1,000,000: 50 -> 'lima puluh', 11 -> 'sebelas'."""
    if n == 0:
        return "nol"
    if n < 10:
        return _ONES[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_ONES[tens]} puluh {spell_number(rest) if rest else ''}".strip()
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{_ONES[hundreds]} ratus"
        return f"{head} {spell_number(rest) if rest else ''}".strip()
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = "seribu" if thousands == 1 else f"{spell_number(thousands)} ribu"
        return f"{head} {spell_number(rest) if rest else ''}".strip()
    return str(n)


def _roman_value(token):
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    prev = 0
    for ch in reversed(token):
        value = _ROMAN_VALUES[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total or None


def tokens(text):
    """'Kab. 50 Kota' -> ['kabupaten', 'lima', 'puluh', 'kota']; roman numerals kept."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = text.lower().replace("'", "").replace("`", "")
    out = []
    for raw in re.findall(r"[a-z]+|[0-9]+", text):
        if raw.isdigit():
            out.extend(spell_number(int(raw)).split() if len(raw) <= 6 else [raw])
        else:
            out.append(_ABBREVIATIONS.get(raw, raw))
    return out


def loose(words):
    """Roman numerals spelled out as well: ['vii', 'koto'] -> ['tujuh', 'koto']."""
    out = []
    for w in words:
        value = _roman_value(w)
        out.extend(spell_number(value).split() if value else [w])
    return out


def strip_prefix(words, prefixes):
    rest = list(words)
    while len(rest) > 1 and rest[0] in prefixes:
        rest.pop(0)
    return rest


def key(words):
    return "".join(words)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: int
    kind: str
    retired: bool = False

    @property
    def label(self):
        """'Kabupaten Lima Puluh Kota', 'Kecamatan Harau', 'Nagari Koto Tuo'."""
        if self.level <= 2:
            return self.name
        return f"{Region.Kind(self.kind).label} {self.name}"

    @property
    def parent_code(self):
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    def kabkota_code(self):
        return self.code[:5] if self.level >= 2 else None


@dataclass
class Issue:
    column: str  # "code", "kabkota", "kecamatan", "desa"
    message: str
    error: bool = True


@dataclass
class Resolution:
    place: Place | None = None
    issues: list = field(default_factory=list)

    @property
    def ok(self):
        return self.place is not None and not any(i.error for i in self.issues)


class _Index:
    """Places of one parent by key: the official name, the official name without its level
    prefix (consulted only after the first), and the loose keys (roman numerals spelled)."""

    def __init__(self):
        self.exact = {}
        self.stripped = {}
        self.loose = {}

    def add(self, place, *, strip=frozenset()):
        if place.retired:
            return
        words = tokens(place.name)
        bare = strip_prefix(words, strip)
        self.exact.setdefault(key(words), []).append(place)
        if bare != words:
            self.stripped.setdefault(key(bare), []).append(place)
        for k in {key(loose(words)), key(loose(bare))}:
            self.loose.setdefault(k, []).append(place)


_EMPTY = _Index()


@dataclass
class Match:
    places: list
    how: str  # exact | fuzzy | ambiguous | missing
    suggestions: list = field(default_factory=list)


def _peel(words, prefixes):
    """The name, then the name without one, two, ... leading level prefixes:
    'Desa Kampung Jawa' -> [desakampungjawa, kampungjawa, jawa]."""
    out = [words]
    while len(out[-1]) > 1 and out[-1][0] in prefixes:
        out.append(out[-1][1:])
    return out


def _lookup(index, value, prefixes, kind=None):
    """Exact keys, most literal first: each peeled form against official names, then against
    official names without their prefix; then the loose keys; then difflib. `kind`
    (kabupaten/kota from the prefix typed) narrows several matches to one."""
    forms = _peel(tokens(value), prefixes)
    attempts = [(index.exact, key(f)) for f in forms]
    attempts += [(index.stripped, key(f)) for f in forms]
    attempts += [(index.loose, key(loose(f))) for f in forms]
    for table, k in attempts:
        found = table.get(k)
        if not found:
            continue
        found = _unique(found)
        if kind:
            typed = [p for p in found if p.kind == kind]
            if not typed:  # "Kabupaten Bukittinggi": only a kota has that name
                return Match(found, "fuzzy" if len(found) == 1 else "ambiguous")
            found = typed
        return Match(found, "exact")
    return _fuzzy(index, key(forms[-1]) or key(forms[0]), kind)


def _unique(places):
    seen = {}
    for p in places:
        seen.setdefault(p.code, p)
    return list(seen.values())


def _fuzzy(index, wanted, kind=None):
    if not wanted:
        return Match([], "missing")
    scores = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    for table in (index.exact, index.stripped):
        for k, places in table.items():
            matcher.set_seq1(k)
            ratio = matcher.ratio() if matcher.quick_ratio() >= SUGGEST_RATIO else 0.0
            # "Harau Baru" -> "Harau": a name containing the official one is worth suggesting.
            if ratio < SUGGEST_RATIO and len(k) >= 4 and (k in wanted or wanted in k):
                ratio = SUGGEST_RATIO
            for p in places:
                if ratio > scores.get(p.code, (0.0, p))[0]:
                    scores[p.code] = (ratio, p)
    ranked = sorted(scores.values(), key=lambda item: (-item[0], item[1].name))
    if kind:
        ranked = [item for item in ranked if item[1].kind == kind] or ranked
    close = [p for ratio, p in ranked if ratio >= CLOSE_RATIO]
    if len(close) == 1 and ranked[0][0] >= ACCEPT_RATIO:
        return Match(close, "fuzzy")
    if len(close) > 1:
        return Match(close, "ambiguous")
    return Match([], "missing", suggestions=[p for r, p in ranked if r >= SUGGEST_RATIO][:3])


def _names(places, limit=5):
    names = [p.label for p in places[:limit]]
    text = ", ".join(names)
    if len(places) > limit:
        text += ", …"
    return text


class Resolver:
    """Resolve many rows against one set of indexes. `prefixes` are the importer's scope
    prefixes ([''] = all of Indonesia); kab/kota names are looked up in their provinces."""

    def __init__(self, prefixes):
        self.prefixes = list(prefixes)
        everywhere = "" in self.prefixes
        self.provinces = None if everywhere else {p[:2] for p in self.prefixes if p}
        self.by_code = {}
        self.kabkota_in_scope = _Index()
        self.kabkota_elsewhere = _Index()
        for code, name, level, kind, retired in Region.objects.filter(level__lte=2).values_list(
            "code", "name", "level", "kind", "retired"
        ):
            place = Place(code, name, level, kind, retired)
            self.by_code[code] = place
            if level != 2:
                continue
            if self.provinces is None or code[:2] in self.provinces:
                self.kabkota_in_scope.add(place, strip=KABKOTA_PREFIXES)
            else:
                self.kabkota_elsewhere.add(place, strip=KABKOTA_PREFIXES)
        self._loaded = set()
        self.kecamatan = {}  # kab/kota code -> _Index
        self.desa = {}  # kecamatan code -> _Index
        self.desa_in_kabkota = {}  # kab/kota code -> _Index
        self._cache = {}
        self._matches = {}
        # A pembina whose scope is one kab/kota may leave the Kabupaten/Kota column empty.
        kabs = {p[:5] for p in self.prefixes if len(p) >= 5}
        self.default_kabkota = (
            next(iter(kabs)) if len(kabs) == 1 and all(len(p) >= 5 for p in self.prefixes) else None
        )

    # -- indexes -------------------------------------------------------------------------

    def _load(self, kabkota_code):
        if kabkota_code in self._loaded:
            return
        self._loaded.add(kabkota_code)
        kec_index = self.kecamatan.setdefault(kabkota_code, _Index())
        kab_desa = self.desa_in_kabkota.setdefault(kabkota_code, _Index())
        fields = ("code", "name", "level", "kind", "retired")
        kec_codes = []
        for row in Region.objects.filter(parent_id=kabkota_code).values_list(*fields):
            place = Place(*row)
            self.by_code[place.code] = place
            kec_index.add(place, strip=KECAMATAN_PREFIXES)
            kec_codes.append(place.code)
        if not kec_codes:
            return
        for row in Region.objects.filter(parent_id__in=kec_codes).values_list(*fields):
            place = Place(*row)
            self.by_code[place.code] = place
            self.desa.setdefault(place.parent_code, _Index()).add(place, strip=DESA_PREFIXES)
            kab_desa.add(place, strip=DESA_PREFIXES)

    def place(self, code):
        """The Place for an existing code (loading its kab/kota on demand), else None."""
        if not is_valid_code(code):
            return None
        if len(code) > 5:
            self._load(code[:5])
        return self.by_code.get(code)

    # -- single levels ---------------------------------------------------------------------

    def _memo(self, key, compute):
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = compute()
        return found

    def kabkota(self, name):
        """Match for a kab/kota name among the importer's provinces."""
        return self._memo(("kab", name), lambda: self._kabkota(name))

    def _kabkota(self, name):
        words = tokens(name)
        kind = None
        if words and words[0] == "kota" and len(words) > 1:
            kind = Region.Kind.KOTA
        elif words and words[0] == "kabupaten" and len(words) > 1:
            kind = Region.Kind.KABUPATEN
        return _lookup(self.kabkota_in_scope, name, KABKOTA_PREFIXES, kind)

    def kecamatan_in(self, kabkota_code, name):
        self._load(kabkota_code)
        index = self.kecamatan.get(kabkota_code, _EMPTY)
        return self._memo(
            ("kec", kabkota_code, name), lambda: _lookup(index, name, KECAMATAN_PREFIXES)
        )

    def desa_in(self, kecamatan_code, name):
        self._load(kecamatan_code[:5])
        index = self.desa.get(kecamatan_code, _EMPTY)
        return self._memo(
            ("desa", kecamatan_code, name), lambda: _lookup(index, name, DESA_PREFIXES)
        )

    def desa_in_kab(self, kabkota_code, name):
        self._load(kabkota_code)
        index = self.desa_in_kabkota.get(kabkota_code, _EMPTY)
        return self._memo(
            ("desa-kab", kabkota_code, name), lambda: _lookup(index, name, DESA_PREFIXES)
        )

    # -- a whole row ----------------------------------------------------------------------

    def resolve(self, *, code="", kabkota="", kecamatan="", desa=""):
        """Resolution for one row: the Place (kecamatan or desa level) and issues by column."""
        args = (
            (code or "").strip(),
            (kabkota or "").strip(),
            (kecamatan or "").strip(),
            (desa or "").strip(),
        )
        cached = self._cache.get(args)
        if cached is None:
            cached = self._cache[args] = self._resolve(*args)
        return cached

    def _resolve(self, code, kabkota, kecamatan, desa):
        res = Resolution()
        if code:
            return self._by_code(res, code, kabkota, kecamatan, desa)
        if not (kabkota or kecamatan or desa):
            res.issues.append(
                Issue(
                    "code",
                    _("Isi Kode wilayah, atau nama Kabupaten/Kota, Kecamatan dan Desa/Nagari."),
                )
            )
            return res
        kab = self._resolve_kabkota(res, kabkota, kecamatan, desa)
        if kab is None:
            return res
        if kecamatan:
            kec = self._pick(
                res, "kecamatan", kecamatan, self.kecamatan_in(kab.code, kecamatan), kab
            )
            if kec is None:
                return res
            if not desa:
                res.place = kec
                return res
            res.place = self._pick(res, "desa", desa, self.desa_in(kec.code, desa), kec)
            return res
        if not desa:
            res.issues.append(
                Issue("kecamatan", _("Isi Kecamatan (dan Desa/Nagari/Kelurahan bila ada)."))
            )
            return res
        res.place = self._pick(res, "desa", desa, self.desa_in_kab(kab.code, desa), kab)
        return res

    def _resolve_kabkota(self, res, kabkota, kecamatan, desa):
        if not kabkota:
            if self.default_kabkota and self.default_kabkota in self.by_code:
                return self.by_code[self.default_kabkota]
            res.issues.append(Issue("kabkota", _("Isi Kabupaten/Kota (atau Kode wilayah).")))
            return None
        match = self.kabkota(kabkota)
        if match.how == "exact" and len(match.places) > 1 and kecamatan:
            # "Solok": Kabupaten or Kota? The one that has this kecamatan.
            fits = [p for p in match.places if self.kecamatan_in(p.code, kecamatan).how == "exact"]
            if len(fits) == 1:
                return fits[0]
        if match.how == "missing":
            elsewhere = _lookup(self.kabkota_elsewhere, kabkota, KABKOTA_PREFIXES)
            if elsewhere.how == "exact" and elsewhere.places:
                place = elsewhere.places[0]
                province = self.by_code.get(place.code[:2])
                res.issues.append(
                    Issue(
                        "kabkota",
                        _(
                            "'%(value)s' (%(name)s) ada di Provinsi %(province)s, "
                            "di luar wilayah Anda."
                        )
                        % {
                            "value": kabkota,
                            "name": place.name,
                            "province": province.name if province else place.code[:2],
                        },
                    )
                )
                return None
        return self._pick(res, "kabkota", kabkota, match, None)

    def _scope_label(self):
        if self.provinces and len(self.provinces) == 1:
            province = self.by_code.get(next(iter(self.provinces)))
            if province:
                return _("Provinsi %(name)s") % {"name": province.name}
        return _("wilayah Anda")

    def _pick(self, res, column, value, match, parent):
        """The single match, or an issue on `column`. `parent` None: the importer's provinces."""
        if match.how == "exact" and len(match.places) == 1:
            return match.places[0]
        parent_label = parent.label if parent else self._scope_label()
        if match.how == "fuzzy":
            place = match.places[0]
            res.issues.append(
                Issue(
                    column,
                    _("'%(value)s' dibaca sebagai %(name)s.")
                    % {"value": value, "name": place.label},
                    error=False,
                )
            )
            return place
        if match.places:  # several exact or close candidates
            res.issues.append(
                Issue(
                    column,
                    _(
                        "'%(value)s' ambigu di %(parent)s: bisa %(candidates)s. "
                        "Tulis nama lengkapnya atau isi Kode wilayah."
                    )
                    % {"value": value, "parent": parent_label, "candidates": _names(match.places)},
                )
            )
            return None
        message = _("'%(value)s' tidak ditemukan di %(parent)s.") % {
            "value": value,
            "parent": parent_label,
        }
        if match.suggestions:
            message += " " + _("Mungkin: %(names)s.") % {
                "names": ", ".join(p.name for p in match.suggestions)
            }
        res.issues.append(Issue(column, message))
        return None

    def _by_code(self, res, code, kabkota, kecamatan, desa):
        code = normalise_code(code)
        if not is_valid_code(code):
            res.issues.append(
                Issue(
                    "code",
                    _("'%(value)s' bukan kode wilayah Kemendagri (contoh: 13.07.05.2001).")
                    % {"value": code},
                )
            )
            return res
        place = self.place(code)
        if place is None:
            res.issues.append(
                Issue(
                    "code",
                    _("Kode wilayah %(code)s tidak ada di data wilayah Kemendagri.")
                    % {"code": code},
                )
            )
            return res
        if place.retired:
            res.issues.append(
                Issue("code", _("Kode wilayah %(code)s sudah tidak berlaku.") % {"code": code})
            )
            return res
        if place.level < 3:
            res.issues.append(
                Issue(
                    "code",
                    _(
                        "Kode wilayah %(code)s adalah %(name)s: isi kode kecamatan atau "
                        "desa/nagari/kelurahan."
                    )
                    % {"code": code, "name": place.label},
                )
            )
            return res
        if place.level == 3 and desa:
            # A kecamatan code with a desa name: the name picks the desa inside it.
            picked = self._pick(res, "desa", desa, self.desa_in(place.code, desa), place)
            res.place = picked
            return res
        res.place = place
        self._cross_check(res, place, kabkota, kecamatan, desa)
        return res

    def _cross_check(self, res, place, kabkota, kecamatan, desa):
        """Names that contradict the code are reported (as warnings: the code is used)."""
        chain = {p.level: p for p in (self.by_code.get(c) for c in _ancestors(place.code)) if p}
        chain[place.level] = place
        checks = (
            ("kabkota", kabkota, 2, KABKOTA_PREFIXES),
            ("kecamatan", kecamatan, 3, KECAMATAN_PREFIXES),
            ("desa", desa, 4, DESA_PREFIXES),
        )
        for column, value, level, prefixes in checks:
            expected = chain.get(level)
            if not value or expected is None:
                continue
            if not self._memo(
                ("same", expected.code, value),
                lambda e=expected, v=value, p=prefixes: _same(e, v, p),
            ):
                res.issues.append(
                    Issue(
                        column,
                        _("Kode %(code)s adalah %(name)s, bukan '%(value)s'; yang dipakai kodenya.")
                        % {"code": place.code, "name": expected.label, "value": value},
                        error=False,
                    )
                )


def _same(place, value, prefixes):
    """Does `value` name `place` (tolerantly)?"""
    index = _Index()
    index.add(place, strip=prefixes)
    match = _lookup(index, value, prefixes)
    return match.how in ("exact", "fuzzy") and bool(match.places)


def _ancestors(code):
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def normalise_code(value):
    """'1307052001' -> '13.07.05.2001'; ' 13.07.05 ' -> '13.07.05'."""
    text = str(value or "").strip().replace(" ", "")
    if text.isdigit() and len(text) in (2, 4, 6, 10):
        parts = [text[:2], text[2:4], text[4:6], text[6:]]
        return ".".join(p for p in parts if p)
    return text
