"""The four-colour risk rule (四色管控): pure functions, no database.

A courtyard's *derived* colour comes from figures about its latest inspection and its tenants
(``RiskFigures``). The rule is a dict, by default ``DEFAULT_RISK_RULE``; a deployment changes any
part of it with the setting ``GRIDGOV_COURTYARD_RISK_RULE`` (merged over the defaults colour by
colour, so ``{"orange": {"tenants": 40}}`` changes one threshold and keeps the rest).

How the rule reads (docs/courtyard-safety.md says the same for the people who use it):

- colours are tried from the most severe down: red, orange, yellow; the first colour one of whose
  conditions holds is the colour; if none holds the courtyard is blue;
- a condition ``"figure": n`` holds when the figure is at least n (≥); a condition
  ``"figure_above": n`` holds when the figure is greater than n (>); ``None`` switches it off;
- every colour carries an inspection interval in days (``interval_days``): the next inspection is
  due that many days after the last one.

An override (a person's judgement, with a reason) wins over the derived colour for display and for
the interval; the derived colour is still computed and kept, so clearing the override returns to it.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.registry.models import RiskColor

# The colours a condition can raise a courtyard to, most severe first; blue is the default.
GRADED_COLORS: tuple[str, ...] = (RiskColor.RED, RiskColor.ORANGE, RiskColor.YELLOW)
ALL_COLORS: tuple[str, ...] = (*GRADED_COLORS, RiskColor.BLUE)

DEFAULT_RISK_RULE: dict[str, Any] = {
    "red": {"severe_failed": 2, "severe_overdue": 1},
    "orange": {"severe_failed": 1, "failed": 3, "overdue": 1, "tenants": 50},
    "yellow": {"failed": 1, "tenants": 20, "tenants_per_room_above": 2},
    "interval_days": {"red": 30, "orange": 60, "yellow": 90, "blue": 180},
}

# The figures a condition may name, with what they mean (shown as the reason for a colour).
FIGURE_LABELS: dict[str, Promise] = {
    "severe_failed": _("severe items failed and not rectified"),
    "failed": _("items failed and not rectified"),
    "severe_overdue": _("severe items past their rectification deadline"),
    "overdue": _("items past their rectification deadline"),
    "tenants": _("tenants"),
    "tenants_per_room": _("tenants per room"),
}

ABOVE_SUFFIX = "_above"


@dataclass(frozen=True)
class RiskFigures:
    """What the rule looks at. Failures are those of the latest inspection still open (not
    rectified); ``overdue`` counts open failures whose rectification deadline has passed."""

    severe_failed: int = 0
    failed: int = 0
    severe_overdue: int = 0
    overdue: int = 0
    tenants: int = 0
    rooms: int = 0

    @property
    def tenants_per_room(self) -> float | None:
        return self.tenants / self.rooms if self.rooms else None

    def value(self, figure: str) -> float | None:
        return getattr(self, figure)


@dataclass(frozen=True)
class Reason:
    """One condition that held: ``figure`` reached ``threshold`` (``strict``: went above it)."""

    figure: str
    value: float
    threshold: float
    strict: bool = False

    def __str__(self) -> str:
        value = f"{self.value:.1f}".rstrip("0").rstrip(".")
        return (
            f"{FIGURE_LABELS[self.figure]}: {value} {'>' if self.strict else '≥'} {self.threshold}"
        )


@dataclass(frozen=True)
class RiskAssessment:
    """The derived colour and the conditions that put the courtyard there (empty for blue)."""

    color: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def risk_rule() -> dict[str, Any]:
    """The rule in force: the defaults with ``GRIDGOV_COURTYARD_RISK_RULE`` merged over them."""
    rule = copy.deepcopy(DEFAULT_RISK_RULE)
    configured = getattr(settings, "GRIDGOV_COURTYARD_RISK_RULE", None) or {}
    if not isinstance(configured, dict):
        raise ImproperlyConfigured("GRIDGOV_COURTYARD_RISK_RULE must be a dict")
    for key, value in configured.items():
        if key not in rule:
            raise ImproperlyConfigured(
                f"GRIDGOV_COURTYARD_RISK_RULE: unknown key {key!r} "
                f"(expected one of {', '.join(rule)})"
            )
        if not isinstance(value, dict):
            raise ImproperlyConfigured(f"GRIDGOV_COURTYARD_RISK_RULE[{key!r}] must be a dict")
        rule[key].update(value)
    validate_rule(rule)
    return rule


def validate_rule(rule: dict[str, Any]) -> None:
    """Raise ImproperlyConfigured naming the first mistake in ``rule``."""
    for color in GRADED_COLORS:
        for condition, threshold in rule.get(color, {}).items():
            figure = condition.removesuffix(ABOVE_SUFFIX)
            if figure not in FIGURE_LABELS:
                raise ImproperlyConfigured(
                    f"courtyard risk rule: {color}: unknown figure {condition!r} "
                    f"(expected one of {', '.join(FIGURE_LABELS)}, optionally with '_above')"
                )
            if threshold is not None and (
                isinstance(threshold, bool) or not isinstance(threshold, int | float)
            ):
                raise ImproperlyConfigured(
                    f"courtyard risk rule: {color}.{condition} must be a number or None"
                )
    intervals = rule.get("interval_days", {})
    for color in ALL_COLORS:
        days = intervals.get(color)
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ImproperlyConfigured(
                f"courtyard risk rule: interval_days.{color} must be a whole number of days ≥ 1"
            )


def derive_color(figures: RiskFigures, rule: dict[str, Any] | None = None) -> RiskAssessment:
    """The colour the rule gives these figures, with the conditions that held."""
    rule = risk_rule() if rule is None else rule
    for color in GRADED_COLORS:
        reasons = []
        for condition, threshold in rule.get(color, {}).items():
            if threshold is None:
                continue
            strict = condition.endswith(ABOVE_SUFFIX)
            figure = condition.removesuffix(ABOVE_SUFFIX)
            value = figures.value(figure)
            if value is None:  # e.g. tenants per room when the room count is unknown
                continue
            if (value > threshold) if strict else (value >= threshold):
                reasons.append(Reason(figure, value, threshold, strict))
        if reasons:
            return RiskAssessment(color, tuple(reasons))
    return RiskAssessment(RiskColor.BLUE)


def interval_days(color: str, rule: dict[str, Any] | None = None) -> int:
    """Days between inspections for a courtyard of ``color``."""
    rule = risk_rule() if rule is None else rule
    return int(rule["interval_days"][color])


def next_inspection_due(
    last_inspected_on: datetime.date | None, color: str, rule: dict[str, Any] | None = None
) -> datetime.date | None:
    """When the next inspection is due; None for a courtyard never inspected (due at once)."""
    if last_inspected_on is None:
        return None
    return last_inspected_on + datetime.timedelta(days=interval_days(color, rule))


def severity(color: str) -> int:
    """0 for red … 3 for blue: for sorting, most severe first."""
    return ALL_COLORS.index(color)
