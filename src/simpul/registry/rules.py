"""Membership rules and dormancy thresholds per wilayah (DOMAIN.md: they differ by region).

The most specific MembershipRule whose code is the KIM's wilayah or one of its ancestors
wins; without any, the defaults below (settings.KIM_DEFAULT_RULES may override them).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from simpul.regions.models import ancestor_codes

from .models import Member, MembershipRule


@dataclass(frozen=True)
class Rules:
    required_positions: tuple = ("ketua", "sekretaris", "bendahara")
    min_members: int = 3
    max_members: int | None = None
    less_active_after_days: int = 90
    dormant_after_days: int = 180
    source: str = field(default="", compare=False)


def default_rules():
    overrides = getattr(settings, "KIM_DEFAULT_RULES", {}) or {}
    return Rules(**overrides, source="")


def rules_for(region_code, *, table=None):
    """Rules for a KIM at `region_code`. Pass `table` ({code: MembershipRule}) for many KIM."""
    codes = [*ancestor_codes(region_code), region_code]
    if table is None:
        table = {r.region_code: r for r in MembershipRule.objects.filter(region_code__in=codes)}
    for code in reversed(codes):
        rule = table.get(code)
        if rule is not None:
            return Rules(
                required_positions=tuple(rule.required_positions or ()),
                min_members=rule.min_members,
                max_members=rule.max_members,
                less_active_after_days=rule.less_active_after_days,
                dormant_after_days=rule.dormant_after_days,
                source=code,
            )
    return default_rules()


def all_rules_table():
    return {r.region_code: r for r in MembershipRule.objects.all()}


def membership_warnings(kim, members=None):
    """Warnings (never errors) about a KIM's current members against its wilayah's rules."""
    rules = rules_for(kim.region_code)
    if members is None:
        members = [m for m in kim.members.all() if m.is_current]
    warnings = []
    present = {m.position for m in members}
    labels = dict(Member.Position.choices)
    for position in rules.required_positions:
        if position not in present:
            warnings.append(
                _("Belum ada %(position)s.") % {"position": labels.get(position, position)}
            )
    if len(members) < rules.min_members:
        warnings.append(
            _("Anggota baru %(n)d orang; aturan wilayah ini paling sedikit %(min)d.")
            % {"n": len(members), "min": rules.min_members}
        )
    if rules.max_members and len(members) > rules.max_members:
        warnings.append(
            _("Anggota %(n)d orang; aturan wilayah ini paling banyak %(max)d.")
            % {"n": len(members), "max": rules.max_members}
        )
    return warnings
