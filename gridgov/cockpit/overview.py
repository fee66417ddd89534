"""The overview of one area (or one department): every figure of the cockpit's first screen.

Case figures come from the rollups (``gridgov.cockpit.figures``); what stands *now* (open,
overdue and supervised cases) from the indexed status columns of the open cases; people figures
from the registry by code prefix. Nothing here scans the cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis
from gridgov.cases.models import OPEN_STATUSES, CaseStatus, Category, Channel
from gridgov.cockpit import figures, grouped
from gridgov.cockpit.figures import Where
from gridgov.cockpit.models import HOUR_COUNTS, STATUS_COUNTS

HEADLINE = ("response_rate", "resolution_rate", "satisfaction_rate")
WORKING = (CaseStatus.DISPATCHED, CaseStatus.CLAIMED)
# What a category row needs: its reports and its satisfaction rate.
CATEGORY_COUNTS = ("reported", "rated", "satisfied")
# What today and this week show: reports by their status now.
BY_STATUS = ("reported", *STATUS_COUNTS)


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


@dataclass
class Periods:
    """Today, this week (from Monday), this month, and last month (the trend's reference)."""

    today: tuple[datetime.datetime, datetime.datetime]
    week: tuple[datetime.datetime, datetime.datetime]
    month: tuple[datetime.datetime, datetime.datetime]
    last_month: tuple[datetime.datetime, datetime.datetime]
    month_label: str

    @classmethod
    def at(cls, now: datetime.datetime) -> Periods:
        day = timezone.localtime(now).date()
        tomorrow = midnight(day + datetime.timedelta(days=1))
        month = day.strftime("%Y-%m")
        start, end = kpis.month_period(month)
        last = (start - datetime.timedelta(days=1)).strftime("%Y-%m")
        return cls(
            today=(midnight(day), tomorrow),
            week=(midnight(day - datetime.timedelta(days=day.weekday())), tomorrow),
            month=(start, end),
            last_month=kpis.month_period(last),
            month_label=month,
        )


@dataclass
class Trend:
    key: str
    definition: kpis.Definition
    figure: kpis.Figure
    previous: kpis.Figure

    @property
    def change(self) -> float | None:
        now, before = _value(self.figure), _value(self.previous)
        if now is None or before is None:
            return None
        return round(now - before, 1)

    @property
    def better(self) -> bool | None:
        if self.change is None or self.change == 0:
            return None
        return (self.change > 0) == self.definition.higher_is_better


def _value(figure: kpis.Figure) -> float | None:
    if isinstance(figure, kpis.Rate):
        return figure.percent
    return figure.value


@dataclass
class Overview:
    area: Area | None
    where: Where
    now: datetime.datetime
    periods: Periods
    trends: list[Trend] = field(default_factory=list)
    by_status: list[dict[str, Any]] = field(default_factory=list)
    live: dict[str, int] = field(default_factory=dict)
    levels: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    hours: list[int] = field(default_factory=list)
    rankings: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> list[Trend]:
        return [t for t in self.trends if t.key in HEADLINE]

    @property
    def others(self) -> list[Trend]:
        return [t for t in self.trends if t.key not in HEADLINE]


def build(
    *,
    area: Area | None,
    where: Where,
    children: list[Area] | None = None,
    grandchildren: list[Area] | None = None,
    now: datetime.datetime | None = None,
    people: bool = True,
) -> Overview:
    with figures.one_reading():
        return _build(area, where, children, grandchildren, now, people)


def _build(
    area: Area | None,
    where: Where,
    children: list[Area] | None,
    grandchildren: list[Area] | None,
    now: datetime.datetime | None,
    people: bool,
) -> Overview:
    now = now or timezone.now()
    periods = Periods.at(now)
    result = Overview(area=area, where=where, now=now, periods=periods)
    # One pass over the area rollup for every period, grouped as finely as the rankings need.
    ranked = [level_areas for level_areas in (children, grandchildren) if level_areas]
    if where.department_ids is not None:
        ranked = []
    finest = max((len(level_areas[0].code) for level_areas in ranked), default=None)
    by_period = grouped.totals(
        where,
        {
            "month": periods.month,
            "last_month": periods.last_month,
            "today": periods.today,
            "week": periods.week,
        },
        as_of=now,
        by=f"area:{finest}" if finest else None,
        hours=True,
        only={"last_month": kpis.COUNTS, "today": BY_STATUS, "week": BY_STATUS},
    )
    month_groups = by_period["month"]
    month, previous, today, week = (
        grouped.roll_up(by_period[name], None).get(0, {})
        for name in ("month", "last_month", "today", "week")
    )
    this_figures = kpis.figures_from_counts(month)
    last_figures = kpis.figures_from_counts(previous)
    result.trends = [
        Trend(key, definition, this_figures[key], last_figures[key])
        for key, definition in kpis.DEFINITIONS.items()
    ]
    result.by_status = [
        {
            "status": status,
            "label": label,
            "today": int(today.get(f"status_{status}", 0)),
            "week": int(week.get(f"status_{status}", 0)),
            "month": int(month.get(f"status_{status}", 0)),
        }
        for status, label in CaseStatus.choices
    ]
    result.by_status.append(
        {
            "status": "",
            "label": None,
            "today": int(today.get("reported", 0)),
            "week": int(week.get("reported", 0)),
            "month": int(month.get("reported", 0)),
        }
    )
    result.live = live(where, now)
    result.live["supervised_reported_this_month"] = int(month.get("supervised", 0))
    resolved = this_figures["grid_share"].denominator
    result.levels = [
        {
            "key": key,
            "figure": this_figures[f"{key}_share"],
            "count": this_figures[f"{key}_share"].numerator,
        }
        for key in kpis.LEVELS
    ]
    result.levels_total = resolved  # type: ignore[attr-defined]
    result.categories = top_categories(where, *periods.month, now=now)
    result.channels = channel_counts(where, *periods.month, now=now)
    result.hours = [int(month.get(name, 0)) for name in HOUR_COUNTS]
    for level_areas in ranked:
        groups = grouped.roll_up(month_groups, len(level_areas[0].code))
        result.rankings.append(
            {
                "level": AreaLevel(level_areas[0].level).label,
                "rows": figures.rank_areas(level_areas, groups),
            }
        )
    department_groups = grouped.totals(
        where, {"month": periods.month}, as_of=now, dimension="department", by="key"
    )["month"]
    departments = figures.rank_departments(department_groups)
    if departments:
        result.rankings.append({"level": None, "rows": departments})
    if people and area is not None and where.department_ids is None:
        result.people = people_figures(area)
    return result


def live(where: Where, now: datetime.datetime) -> dict[str, int]:
    """What stands now: open cases by status, overdue and supervised open cases."""
    rows = (
        where.cases()
        .filter(status__in=OPEN_STATUSES)
        .values("status")
        .order_by()
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(status__in=WORKING, resolve_due_at__lt=now)),
            supervised=Count("id", filter=Q(supervised=True)),
        )
    )
    result = {"open": 0, "overdue": 0, "supervised": 0}
    for row in rows:
        result[f"open_{row['status']}"] = row["n"]
        result["open"] += row["n"]
        result["overdue"] += row["overdue"]
        result["supervised"] += row["supervised"]
    return result


def top_categories(
    where: Where,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    now: datetime.datetime,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """Subcategories by cases reported in the period, most first, with their satisfaction rate."""
    groups = figures.totals(
        where, start, end, as_of=now, dimension="category", by="key", names=CATEGORY_COUNTS
    )
    names, codes = {}, {}
    for pk, name, code in Category.objects.filter(pk__in=list(groups)).values_list(
        "pk", "name", "code"
    ):
        names[pk], codes[pk] = name, code
    rows = [
        {
            "key": pk,
            "code": codes.get(pk, ""),
            "label": names.get(pk, str(pk)),
            "reported": int(counts.get("reported", 0)),
            "figures": kpis.figures_from_counts(counts),
        }
        for pk, counts in groups.items()
        if counts.get("reported")
    ]
    rows.sort(key=lambda row: (-row["reported"], row["code"]))
    return rows[:limit] if limit else rows


def channel_counts(
    where: Where, start: datetime.datetime, end: datetime.datetime, *, now: datetime.datetime
) -> list[dict[str, Any]]:
    if where.department_ids is not None:
        return []  # a department's rollup is not split by channel
    groups = figures.totals(
        where, start, end, as_of=now, dimension="channel", by="key", names=("reported",)
    )
    labels = dict(Channel.choices)
    return [
        {
            "key": key,
            "label": labels.get(key, key),
            "reported": int(groups.get(key, {}).get("reported", 0)),
        }
        for key in Channel.values
    ]


def people_figures(area: Area) -> dict[str, Any]:
    """Residents, floating population, special groups and courtyards by risk colour."""
    from gridgov.registry.models import (
        Courtyard,
        ResidenceType,
        Resident,
        ResidentTag,
        ResidentTagKind,
        RiskColor,
    )
    from gridgov.registry.selectors import area_counts

    counts = area_counts([area])[area.pk]
    residents = Resident.objects.filter(area__code__startswith=area.code, moved_out_at__isnull=True)
    floating = residents.filter(residence_type=ResidenceType.FLOATING).count()
    tags = dict(
        ResidentTag.objects.filter(
            resident__area__code__startswith=area.code, resident__moved_out_at__isnull=True
        )
        .values("tag")
        .order_by()
        .annotate(n=Count("resident_id", distinct=True))
        .values_list("tag", "n")
    )
    colours = dict(
        Courtyard.objects.filter(area__code__startswith=area.code, retired_at__isnull=True)
        .annotate(colour=Coalesce(NullIf("risk_override", models_empty()), "risk_color"))
        .values("colour")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("colour", "n")
    )
    return {
        "residents": counts["residents"],
        "households": counts["households"],
        "courtyards": counts["courtyards"],
        "floating": floating,
        "groups": [
            {"key": key, "label": label, "count": tags.get(key, 0)}
            for key, label in ResidentTagKind.choices
        ],
        "risk": [
            {"key": key, "label": label, "count": colours.get(key, 0)}
            for key, label in RiskColor.choices
        ],
    }


def models_empty() -> Any:
    from django.db.models import Value

    return Value("")
