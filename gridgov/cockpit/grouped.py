"""Several periods and groups from one pass over a rollup table.

``figures.totals`` answers one period and one grouping per call, and each call reads the
period's rows again (plus a second read for the due correction). An overview wants this month,
last month, this week and today, for the area and for its children and grandchildren: read one
by one, a city reads its tens of thousands of finest rows about ten times. Here the days from
the first period's start to the last period's end are cut into segments at every period bound
(and at the due day of each period), and one GROUP BY (group, segment) sums the rows once; each
period is then the sum of its segments, and coarser groups (the city, its districts) the sum of
finer ones (its streets), in Python over a few hundred rows.

The result is exactly ``figures.totals`` for each period (tested): the same rows are summed and
the due cohort is cut at ``as_of`` the same way (whole days after it left out, the rest of its
own day taken off through ``Case.resolve_due_at``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.cockpit import figures
from gridgov.cockpit.facts import local_day
from gridgov.cockpit.figures import DUE_COUNTS, Where
from gridgov.cockpit.models import ROLLUP_COUNTS, TABLES, counts_of

Period = tuple[datetime.datetime, datetime.datetime]
Groups = dict[Any, dict[str, float]]


class _Cut:
    """How one period reads the segments: its days, and where its due cohort stops."""

    def __init__(self, start: datetime.datetime, end: datetime.datetime, as_of: datetime.datetime):
        self.start = start
        self.first, self.last = figures.days(start, end)
        due_end = max(start, min(end, as_of))
        self.due_end = due_end
        self.due_day = local_day(due_end) if due_end < end else self.last
        self.cut = self.due_day < self.last
        self.at_midnight = timezone.localtime(due_end).time() == datetime.time.min

    def bounds(self) -> set[datetime.date]:
        found = {self.first, self.last}
        if self.cut:
            found |= {self.due_day, self.due_day + datetime.timedelta(days=1)}
        return found


def totals(
    where: Where,
    periods: dict[str, Period],
    *,
    as_of: datetime.datetime | None = None,
    dimension: str = "area",
    by: str | None = None,
    hours: bool = False,
    names: tuple[str, ...] | None = None,
    only: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Groups]:
    """period name → what ``figures.totals(where, *period, as_of=…, dimension=…, by=…, …)``
    returns, from one pass. ``by`` is None, "key" or "area:N". ``only`` narrows the counts of
    some periods (e.g. last month needs no hours): the days no other period covers are read
    with fewer columns (a second query), which is what costs in a wide scan."""
    as_of = as_of or timezone.now()
    table = figures.table(where, dimension, by)
    if names is None:
        names = counts_of(table) if hours else ROLLUP_COUNTS
    cuts = {name: _Cut(start, end, as_of) for name, (start, end) in periods.items()}
    wanted = {
        period: tuple(name for name in names if name in set((only or {}).get(period, names)))
        for period in periods
    }
    bounds = sorted(set().union(*(cut.bounds() for cut in cuts.values())))
    # The counts each segment must hold: those of every period that covers it.
    needs: list[set[str]] = [set() for _ in bounds[1:]]
    for period, cut in cuts.items():
        for i in range(bounds.index(cut.first), bounds.index(cut.last)):
            needs[i] |= set(wanted[period])
    segments = _read(where, table, by, names, bounds, needs)
    later_today: dict[datetime.datetime, Groups] = {}
    result: dict[str, Groups] = {}
    for period, cut in cuts.items():
        names = wanted[period]
        due_names = tuple(name for name in DUE_COUNTS if name in names)
        inside = range(bounds.index(cut.first), bounds.index(cut.last))
        groups: Groups = {}
        for key, per_segment in segments.items():
            kept = [per_segment[i] for i in inside if i in per_segment]
            if not kept:
                continue
            groups[key] = {name: sum(counts[name] for counts in kept) for name in names}
        if cut.cut and due_names:
            # The due cohort ends at as_of: the segments after its day are taken off, and its
            # own day either whole (as_of at midnight) or for the cases due later that day.
            after = bounds.index(cut.due_day) + (1 if not cut.at_midnight else 0)
            off: Groups = defaultdict(lambda: defaultdict(float))
            for key, per_segment in segments.items():
                for i in inside:
                    if i >= after and i in per_segment:
                        for name in due_names:
                            off[key][name] += per_segment[i][name]
            if not cut.at_midnight:
                if cut.due_end not in later_today:
                    later_today[cut.due_end] = figures._due_later_today(
                        where, cut.due_end, table, by
                    )
                for key, counts in later_today[cut.due_end].items():
                    for name in due_names:
                        off[key][name] += counts.get(name, 0)
            for key, counts in off.items():
                target = groups.setdefault(key, {name: 0 for name in names})
                for name in due_names:
                    target[name] -= counts.get(name, 0)
        result[period] = groups
    return result


def _read(
    where: Where,
    table: str,
    by: str | None,
    names: tuple[str, ...],
    bounds: list[datetime.date],
    needs: list[set[str]],
) -> dict[Any, dict[int, dict[str, float]]]:
    """group → segment index → summed counts, for the days from bounds[0] to bounds[-1]: one
    query per run of neighbouring segments that need the same counts."""
    found: dict[Any, dict[int, dict[str, float]]] = defaultdict(dict)
    first = 0
    for last in range(len(needs)):
        if last + 1 < len(needs) and needs[last + 1] == needs[first]:
            continue
        if needs[first]:
            kept = tuple(name for name in names if name in needs[first])
            _read_run(where, table, by, kept, bounds, first, last + 1, found)
        first = last + 1
    return found


def _read_run(
    where: Where,
    table: str,
    by: str | None,
    names: tuple[str, ...],
    bounds: list[datetime.date],
    first: int,
    end: int,
    found: dict[Any, dict[int, dict[str, float]]],
) -> None:
    """Segments first … end - 1 (the days from bounds[first] to bounds[end]) into ``found``."""
    rows = where.rows(table).filter(day__gte=bounds[first], day__lt=bounds[end])
    segment = When_(
        *(When(day__lt=bounds[i + 1], then=Value(i)) for i in range(first, end - 1)),
        default=Value(end - 1),
        output_field=IntegerField(),
    )
    if by is None:
        group: Any = Value(0, output_field=IntegerField())
    elif by == "key":
        group = TABLES[table][1]
    elif by.startswith("area:"):
        group = Substr("area_code", 1, int(by.split(":")[1]))
    else:
        raise ValueError(by)
    if isinstance(group, str):
        rows = rows.annotate(k_segment=segment)
        column = group
    else:
        rows = rows.annotate(k_group=group, k_segment=segment)
        column = "k_group"
    sums = {name: Sum(name) for name in names}
    for row in rows.values(column, "k_segment").order_by().annotate(**sums):
        found[row[column]][row["k_segment"]] = {name: row[name] or 0 for name in names}


def roll_up(groups: Groups, length: int | None) -> Groups:
    """Groups keyed by area code prefixes summed to shorter prefixes (None: one group, key 0)."""
    rolled: Groups = {}
    for code, counts in groups.items():
        key = 0 if length is None else code[:length]
        target = rolled.get(key)
        if target is None:
            rolled[key] = dict(counts)
        else:
            for name, value in counts.items():
                target[name] = target.get(name, 0) + value
    return rolled
