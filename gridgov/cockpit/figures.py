"""Reading the rollups: a period's counts as SUMs over its days, turned into the KPI figures.

Periods are whole local days ``[start, end)`` (a month from ``kpis.month_period``, a week, a
day). The due cohort is the one figure that depends on *now*: ``kpis`` counts cases due up to
``as_of``; the rollups count the deadlines of whole days, so the days after ``as_of`` are left
out and the rest of ``as_of``'s own day (cases due later today) is taken off through the index
on ``Case.resolve_due_at`` — a few rows, never a scan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.cases import kpis
from gridgov.cases.models import Case
from gridgov.cockpit.facts import (
    STATE_COLUMNS,
    CaseState,
    TimelineFacts,
    contributions,
    local_day,
    row_keys,
)
from gridgov.cockpit.models import (
    BY_STREET,
    ROLLUP_COUNTS,
    STREET_CODE,
    TABLES,
    counts_of,
)

NARROW = 9  # a street's code and longer: few rows, found by area first
MAX_CODES = 2_000
DUE_COUNTS = ("due", "on_time_resolved", "closed", "closed_on_time", "reopened")


@dataclass(frozen=True)
class Where:
    """Which rows: an area subtree by code prefix ("" is everything), or a department's own."""

    prefix: str = ""
    department_ids: tuple[int, ...] | None = None

    def rows(self, table: str) -> Any:
        """The rows of this area (and department) in the rollup ``table`` (see ``table``)."""
        model, _key = TABLES[table]
        queryset = model.objects.all()
        codes = self.codes()
        if codes is not None:
            # A street or less: each area's days through the (area_code, day) index.
            queryset = queryset.filter(area_code__in=codes)
        elif self.prefix and not self.everything:
            # A city or a district holds most rows: read the period's days through the
            # (day, area_code) index and keep the prefix's rows.
            queryset = queryset.alias(k_prefix=Substr("area_code", 1, len(self.prefix))).filter(
                k_prefix=self.prefix
            )
        if self.department_ids is not None:
            queryset = queryset.filter(department_id__in=self.department_ids)
        return queryset

    @cached_property
    def everything(self) -> bool:
        """Whether every area lies under the prefix (the root of the only tree): then the
        prefix filters nothing out, and a wide read is spared a test (or a join) per row."""
        if not self.prefix:
            return True
        from gridgov.areas.models import Area

        return not Area.objects.exclude(code__startswith=self.prefix).exists()

    def codes(self) -> list[str] | None:
        """The codes of the areas under a narrow prefix (None: read by day instead)."""
        if not self.prefix or len(self.prefix) < NARROW:
            return None
        from gridgov.areas.models import Area

        codes = list(
            Area.objects.filter(code__startswith=self.prefix).values_list("code", flat=True)
        )
        return codes if len(codes) <= MAX_CODES else None

    def area_ids(self) -> list[int] | None:
        """The keys of the areas under the prefix (None: too many to list)."""
        from gridgov.areas.models import Area

        ids = list(
            Area.objects.filter(code__startswith=self.prefix).values_list("pk", flat=True)[
                : MAX_CODES + 1
            ]
        )
        return ids if len(ids) <= MAX_CODES else None

    def holds(self, area_code: str, department_id: int | None) -> bool:
        """Whether a case of this area and lead department is one of ``cases()``."""
        if self.department_ids is not None and department_id not in self.department_ids:
            return False
        return self.everything or area_code.startswith(self.prefix)

    def cases(self) -> Any:
        queryset = Case.objects.all()
        if self.prefix and not self.everything:
            # By the areas' keys, so that the (area, status, …) index is read for each of them;
            # a join on the code prefix walks every open case of the city.
            ids = self.area_ids()
            queryset = (
                queryset.filter(area_id__in=ids)
                if ids is not None
                else queryset.filter(area__code__startswith=self.prefix)
            )
        if self.department_ids is not None:
            queryset = queryset.filter(assignee_department_id__in=self.department_ids)
        return queryset


def table(where: Where, dimension: str, by: str | None) -> str:
    """The rollup table that answers ``dimension`` for ``where`` grouped ``by``: a department's
    own figures come from its rollup; a street or anything wider, grouped no finer than streets,
    reads the rows by street (``BY_STREET``)."""
    name = "department" if where.department_ids is not None else dimension
    coarse = by is None or by in ("key", "day") or int(by.split(":")[1]) <= STREET_CODE
    if name in BY_STREET and coarse and len(where.prefix) <= STREET_CODE:
        return BY_STREET[name]
    return name


def days(start: datetime.datetime, end: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The local days of a period that starts and ends at local midnight."""
    first, last = timezone.localtime(start), timezone.localtime(end)
    if first.time() != datetime.time.min or last.time() != datetime.time.min:
        raise ValueError("rollups answer periods of whole days (local midnight to midnight)")
    if last <= first:
        raise ValueError("the period ends before it starts")
    return first.date(), last.date()


def _group(by: str | None, dimension: str) -> Any:
    if by is None:
        return None
    if by == "key":
        _model, key = TABLES[dimension]
        return key
    if by == "day":
        return "day"
    if by.startswith("area:"):
        return Substr("area_code", 1, int(by.split(":")[1]))
    raise ValueError(by)


def _sum(queryset: Any, names: tuple[str, ...], group: Any) -> dict[Any, dict[str, float]]:
    sums = {name: Sum(name) for name in names}
    if group is None:
        row = queryset.aggregate(**sums)
        return {0: {name: row[name] or 0 for name in names}} if row[names[0]] is not None else {}
    grouped = queryset.annotate(k_group=group) if not isinstance(group, str) else queryset
    column = "k_group" if not isinstance(group, str) else group
    result = {}
    for row in grouped.values(column).order_by().annotate(**sums):
        result[row[column]] = {name: row[name] or 0 for name in names}
    return result


def totals(
    where: Where,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
    dimension: str = "area",
    by: str | None = None,
    hours: bool = False,
    names: tuple[str, ...] | None = None,
) -> dict[Any, dict[str, float]]:
    """group → counts (``ROLLUP_COUNTS``) for the period; ``by`` is None (one group, key 0),
    "key" (the dimension's key), "day" or "area:N" (the first N digits of the area code)."""
    first, last = days(start, end)
    as_of = as_of or timezone.now()
    source = table(where, dimension, by)
    if names is None:
        names = counts_of(source) if hours else ROLLUP_COUNTS
    group = _group(by, source)
    rows = where.rows(source).filter(day__gte=first, day__lt=last)
    result = _sum(rows, names, group)
    # The due cohort ends at as_of: no deadline after it counts.
    due_end = max(start, min(end, as_of))
    due_day = local_day(due_end) if due_end < end else last
    if due_day < last:
        due_names = tuple(name for name in DUE_COUNTS if name in names)
        if not due_names:
            return result
        later = _sum(rows.filter(day__gt=due_day), due_names, group)
        if timezone.localtime(due_end).time() == datetime.time.min:
            later_today = {}
            later = _merge(later, _sum(rows.filter(day=due_day), due_names, group))
        else:
            later_today = _due_later_today(where, due_end, source, by)
        for key, counts in _merge(later, later_today).items():
            target = result.setdefault(key, {name: 0 for name in names})
            for name in due_names:
                target[name] -= counts.get(name, 0)
    return result


def _merge(*parts: dict[Any, dict[str, float]]) -> dict[Any, dict[str, float]]:
    merged: dict[Any, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for part in parts:
        for key, counts in part.items():
            for name, value in counts.items():
                merged[key][name] += value
    return merged


def _due_later_today(where: Where, moment: datetime.datetime, table: str, by: str | None) -> dict:
    """Due counts of the cases due from ``moment`` to the end of its day, grouped like the rows."""
    result: dict[Any, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for state, counts in _due_later_states(where, moment):
        if by is None:
            key: Any = 0
        elif by == "key":
            key = row_keys(state)[table]
        elif by == "day":
            key = local_day(state.resolve_due_at)
        else:
            key = state.area_code[: int(by.split(":")[1])]
        for name in DUE_COUNTS:
            result[key][name] += counts.get(name, 0)
    return result


# Within one reading (a screen), the cases due later today are read and counted once for all
# its figures: a city has thousands of them, and a screen asks for them per rollup table.
_reading: ContextVar[dict | None] = ContextVar("cockpit_reading", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def _due_later_states(
    where: Where, moment: datetime.datetime
) -> list[tuple[CaseState, dict[str, float]]]:
    """(state, due counts) of the cases due from ``moment`` to the end of its day."""
    cache = _reading.get()
    if cache is not None and (where, moment) in cache:
        return cache[where, moment]
    midnight = datetime.datetime.combine(
        local_day(moment) + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_default_timezone(),
    )
    # Every case due in the rest of the day, kept by ``where.holds``: one range of the deadline
    # index (a few hundred rows in a city of 10,000,000 cases) for any area, where a filter by
    # area let the planner walk all of a street's cases (3.2 s).
    cases = Case.objects.filter(Q(resolve_due_at__gte=moment, resolve_due_at__lt=midnight))
    found = []
    for row in cases.values_list(*STATE_COLUMNS):
        state = CaseState(*row[:5], bool(row[5]), *row[6:13], row[13] or 0)
        if not where.holds(state.area_code, state.department_id):
            continue
        due: dict[str, float] = defaultdict(float)
        for _day, counts in contributions(state, TimelineFacts()).items():
            for name in DUE_COUNTS:
                due[name] += counts.get(name, 0)
        found.append((state, due))
    if cache is not None:
        cache[where, moment] = found
    return found


def figures(
    where: Where,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> dict[str, kpis.Figure]:
    """The KPI figures (``kpis.DEFINITIONS``) of the period, from the rollups."""
    counts = totals(where, start, end, as_of=as_of)
    return kpis.figures_from_counts(next(iter(counts.values()), {}))


def ranked_areas(
    where: Where, areas: list[Any], start: datetime.datetime, end: datetime.datetime, **kw: Any
) -> list[kpis.Ranked]:
    """Figures per area (all of one code length, e.g. the communities of a street), ranked."""
    if not areas:
        return []
    length = len(areas[0].code)
    return rank_areas(areas, totals(where, start, end, by=f"area:{length}", **kw))


def rank_areas(areas: list[Any], groups: dict[Any, dict[str, float]]) -> list[kpis.Ranked]:
    """The areas ranked by the figures of their groups (keyed by area code)."""
    return kpis.rank(
        [
            kpis.Ranked(a.code, a.name, kpis.figures_from_counts(groups.get(a.code, {})), obj=a)
            for a in areas
        ]
    )


def ranked_departments(
    where: Where, start: datetime.datetime, end: datetime.datetime, **kw: Any
) -> list[kpis.Ranked]:
    """Figures per lead department that has rows in the period, ranked."""
    return rank_departments(totals(where, start, end, dimension="department", by="key", **kw))


def rank_departments(groups: dict[Any, dict[str, float]]) -> list[kpis.Ranked]:
    """The departments of the groups (keyed by department id) ranked by their figures."""
    from gridgov.core.models import Department

    departments = Department.objects.filter(pk__in=list(groups)).order_by("name")
    return kpis.rank(
        [
            kpis.Ranked(d.pk, d.name, kpis.figures_from_counts(groups.get(d.pk, {})), obj=d)
            for d in departments
        ]
    )
