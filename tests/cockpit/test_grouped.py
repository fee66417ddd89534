"""The one-pass read of the rollups (``gridgov.cockpit.grouped``, what the overview of a city or
a district uses) gives exactly the figures of reading each period and each grouping on its own
(``gridgov.cockpit.figures``), for every kind of area and moment."""

from __future__ import annotations

import datetime
import random

import pytest

from gridgov.cockpit import figures, grouped, overview
from gridgov.cockpit.figures import Where
from tests.cockpit.conftest import SHANGHAI, random_cases

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 2, 1, tzinfo=SHANGHAI)
# Mid-afternoon (cases due later today), midnight, the first and last day of a month, a Monday.
NOWS = [
    datetime.datetime(2025, 3, 15, 13, 27, tzinfo=SHANGHAI),
    datetime.datetime(2025, 3, 10, 0, 0, tzinfo=SHANGHAI),
    datetime.datetime(2025, 4, 1, 9, 30, tzinfo=SHANGHAI),
    datetime.datetime(2025, 3, 31, 23, 0, tzinfo=SHANGHAI),
    datetime.datetime(2025, 4, 1, 0, 0, tzinfo=SHANGHAI),
]
GROUPINGS = [
    ("area", None),
    ("area", "area:9"),
    ("area", "area:12"),
    ("area", "area:15"),
    ("category", "key"),
    ("channel", "key"),
    ("department", "key"),
]


def plain(groups: dict) -> dict:
    return {key: dict(counts) for key, counts in groups.items()}


@pytest.fixture
def cases(world, taxonomy):
    random_cases(world, random.Random(7), 45, START, span_days=60)


def test_one_pass_equals_each_period_read_alone(world, cases):
    assert Where(world.district.code).everything
    check_one_pass(
        [
            Where(),
            Where(world.district.code),
            Where(world.street.code),
            Where(world.grid_a.code),
            Where(department_ids=(world.department.pk,)),
        ]
    )


def test_a_wide_area_beside_another_tree_keeps_its_filter(world, cases):
    from gridgov.areas.models import AreaLevel
    from tests.factories import AreaFactory

    other = AreaFactory(level=AreaLevel.DISTRICT, code="120101", name="别区")
    assert not Where(world.district.code).everything
    check_one_pass([Where(world.district.code)])
    month = overview.Periods.at(NOWS[0]).month
    assert figures.totals(Where(other.code), *month, as_of=NOWS[0]) == {}
    assert figures.totals(Where(world.district.code), *month, as_of=NOWS[0])


def check_one_pass(wheres):
    for now in NOWS:
        periods = overview.Periods.at(now)
        named = {
            "month": periods.month,
            "last_month": periods.last_month,
            "today": periods.today,
            "week": periods.week,
        }
        for where in wheres:
            for dimension, by in GROUPINGS:
                together = grouped.totals(
                    where, named, as_of=now, dimension=dimension, by=by, hours=True
                )
                for name, (start, end) in named.items():
                    alone = figures.totals(
                        where, start, end, as_of=now, dimension=dimension, by=by, hours=True
                    )
                    assert plain(together[name]) == plain(alone), (now, where, dimension, by, name)


def test_overview_of_a_wide_area_equals_the_per_area_figures(world, cases):
    children = [world.street]
    grandchildren = [world.community1, world.community2]
    for now in NOWS:
        where = Where(world.district.code)
        data = overview.build(
            area=world.district,
            where=where,
            children=children,
            grandchildren=grandchildren,
            now=now,
            people=False,
        )
        periods = data.periods
        month = figures.figures(where, *periods.month, as_of=now)
        last = figures.figures(where, *periods.last_month, as_of=now)
        for trend in data.trends:
            assert trend.figure == month[trend.key], (now, trend.key)
            assert trend.previous == last[trend.key], (now, trend.key)
        today = figures.totals(where, *periods.today, as_of=now).get(0, {})
        week = figures.totals(where, *periods.week, as_of=now).get(0, {})
        for row in data.by_status:
            name = f"status_{row['status']}" if row["status"] else "reported"
            assert row["today"] == today.get(name, 0)
            assert row["week"] == week.get(name, 0)
        expected = [
            figures.ranked_areas(where, children, *periods.month, as_of=now),
            figures.ranked_areas(where, grandchildren, *periods.month, as_of=now),
            figures.ranked_departments(where, *periods.month, as_of=now),
        ]
        expected = [rows for rows in expected if rows]
        assert len(data.rankings) == len(expected)
        for ranking, rows in zip(data.rankings, expected, strict=True):
            assert [(r.key, r.figures) for r in ranking["rows"]] == [
                (r.key, r.figures) for r in rows
            ], now


def test_narrowed_periods_keep_their_counts(world, cases):
    now = NOWS[0]
    periods = overview.Periods.at(now)
    named = {"month": periods.month, "last_month": periods.last_month, "week": periods.week}
    only = {"last_month": ("reported", "due", "closed"), "week": ("reported",)}
    together = grouped.totals(Where(), named, as_of=now, by="area:12", only=only)
    for name, (start, end) in named.items():
        alone = figures.totals(Where(), start, end, as_of=now, by="area:12")
        kept = only.get(name)
        if kept:
            alone = {k: {n: v for n, v in c.items() if n in kept} for k, c in alone.items()}
        assert plain(together[name]) == plain(alone), name


def test_one_reading_counts_the_cases_due_later_today_once_and_the_same(world, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    month = overview.Periods.at(NOWS[0]).month
    readings = {}
    for name, reading in (("alone", None), ("shared", figures.one_reading)):
        with CaptureQueriesContext(connection) as queries:
            if reading is None:
                found = [
                    plain(figures.totals(Where(), *month, as_of=NOWS[0], dimension=d, by=by))
                    for d, by in GROUPINGS
                ]
            else:
                with reading():
                    found = [
                        plain(figures.totals(Where(), *month, as_of=NOWS[0], dimension=d, by=by))
                        for d, by in GROUPINGS
                    ]
        reads = [q for q in queries.captured_queries if "resolve_due_at" in q["sql"]]
        readings[name] = (found, len(reads))
    assert readings["shared"][0] == readings["alone"][0]
    assert readings["alone"][1] == len(GROUPINGS)
    assert readings["shared"][1] == 1


def test_where_holds_the_cases_its_query_selects(world, cases):
    from gridgov.cases.models import Case

    for where in (
        Where(),
        Where(world.street.code),
        Where(world.grid_a.code),
        Where(department_ids=(world.department.pk,)),
    ):
        selected = set(where.cases().values_list("pk", flat=True))
        held = {
            pk
            for pk, code, department in Case.objects.values_list(
                "pk", "area__code", "assignee_department_id"
            )
            if where.holds(code, department)
        }
        assert held == selected
        assert selected or where.prefix == world.grid_a.code
