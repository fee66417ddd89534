"""Every figure from the rollups equals the same figure computed from the raw cases by
``gridgov.cases.kpis`` — over random cases walked through the real workflow (the rollups follow
each write), and again after ``gridgov rollup rebuild``."""

from __future__ import annotations

import datetime
import math
import random

import pytest
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Substr

from gridgov.cases import kpis
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.workflow import TRANSITIONS
from gridgov.cockpit import figures
from gridgov.cockpit.figures import Where
from gridgov.cockpit.models import TABLES
from gridgov.cockpit.rebuild import rebuild
from tests.cockpit.conftest import OTHER_APPS_ACTIONS, SHANGHAI, random_cases

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 2, 1, tzinfo=SHANGHAI)


def local(y, m, d, h=0, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


PERIODS = [
    kpis.month_period("2025-02"),
    kpis.month_period("2025-03"),
    kpis.month_period("2025-04"),
    (local(2025, 2, 10), local(2025, 2, 17)),
    (local(2025, 3, 1), local(2025, 3, 2)),
]
AS_OF = [local(2025, 6, 1), local(2025, 3, 15, 13, 27), local(2025, 3, 1), local(2025, 1, 20)]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-3)


def assert_same(raw: dict, ours: dict, where: str) -> None:
    keys = set(raw) | set(ours)
    for key in keys:
        for name in kpis.COUNTS:
            r = raw.get(key, {}).get(name, 0)
            o = ours.get(key, {}).get(name, 0)
            assert close(float(r), float(o)), (where, key, name, r, o)


def check_everything(world) -> int:
    checked = 0
    cases = Case.objects.all()
    for start, end in PERIODS:
        for as_of in AS_OF:
            label = f"{start:%Y-%m-%d}..{end:%Y-%m-%d} as of {as_of}"
            raw = kpis.count_groups(cases, Value(0), start, end, as_of=as_of)
            ours = figures.totals(Where(), start, end, as_of=as_of)
            assert_same(raw, ours, label)
            assert (
                kpis.figures_from_counts(raw.get(0, {}))["composite_score"]
                == (figures.figures(Where(), start, end, as_of=as_of)["composite_score"])
            )
            # per community (code prefix), within the street
            raw = kpis.count_groups(cases, Substr("area__code", 1, 12), start, end, as_of=as_of)
            ours = figures.totals(Where(world.street.code), start, end, as_of=as_of, by="area:12")
            assert_same(raw, ours, "communities " + label)
            # one grid's own figures
            grid = world.grid_a.code
            raw = kpis.count_groups(
                cases.filter(area__code__startswith=grid), Value(0), start, end, as_of=as_of
            )
            assert_same(raw, figures.totals(Where(grid), start, end, as_of=as_of), "grid " + label)
            # by key: everything and the street read the rows by street, a grid its own rows
            for prefix in ("", world.street.code, grid):
                for dimension, key in (
                    ("category", "category_id"),
                    ("channel", "channel"),
                    ("department", "assignee_department_id"),
                ):
                    raw = kpis.count_groups(
                        cases.filter(**{f"{key}__isnull": False, "area__code__startswith": prefix}),
                        F(key),
                        start,
                        end,
                        as_of=as_of,
                    )
                    ours = figures.totals(
                        Where(prefix), start, end, as_of=as_of, dimension=dimension, by="key"
                    )
                    assert_same(raw, ours, f"{dimension} {prefix} {label}")
            checked += 1
    return checked


def test_wide_reads_take_the_rows_by_street(world):
    assert figures.table(Where(), "category", "key") == "category_street"
    assert figures.table(Where(world.street.code), "channel", None) == "channel_street"
    assert figures.table(Where(world.street.code), "category", "area:12") == "category"
    assert figures.table(Where(world.grid_a.code), "category", "key") == "category"
    assert figures.table(Where(department_ids=(1,)), "category", "key") == "department_street"
    assert figures.table(Where(), "area", "area:9") == "area_street"
    assert figures.table(Where(world.street.code), "area", "area:15") == "area"
    assert figures.table(Where(world.grid_a.code), "area", None) == "area"


def table_rows() -> dict:
    rows = {}
    for dimension, (model, key) in TABLES.items():
        for row in model.objects.values():
            row.pop("id")
            identity = (
                dimension,
                row.pop("day"),
                row.pop("area_code"),
                row.pop(key) if key else None,
            )
            kept = {name: value for name, value in row.items() if value}
            if kept:
                rows[identity] = kept
    return rows


def assert_same_rows(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for identity in a:
        assert set(a[identity]) == set(b[identity]), identity
        for name in a[identity]:
            assert close(a[identity][name], b[identity][name]), (identity, name)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_raw_figures_after_random_workflows_and_after_rebuild(world, taxonomy, seed):
    rng = random.Random(seed)
    random_cases(world, rng, 45, START, span_days=75)
    actions = set(CaseEvent.objects.values_list("action", flat=True))
    # every kind of transition went through the hook (an assisting department's "our part
    # done" needs its own handler and changes no counted column)
    missed = set(TRANSITIONS) - actions - OTHER_APPS_ACTIONS
    assert missed <= {"assist_done"}, sorted(missed)
    assert check_everything(world) == len(PERIODS) * len(AS_OF)
    incremental = table_rows()
    call_command("rollup", "rebuild")
    rebuilt = table_rows()
    assert_same_rows(incremental, rebuilt)
    # more changes on top of rebuilt rows, then a partial rebuild
    random_cases(world, rng, 15, START + datetime.timedelta(days=30), span_days=40)
    check_everything(world)
    before = table_rows()
    call_command("rollup", "rebuild", "--since", "2025-03-10")
    assert_same_rows(before, table_rows())


def test_rollups_from_the_outbox_in_any_order_equal_raw_figures(world, taxonomy, settings):
    """The production path: each step's follow-up waits in the outbox; carried out by workers in
    whatever order they take them, the counts are the same."""
    from gridgov.cases import followups

    settings.GRIDGOV_FOLLOW_UPS_INLINE = False
    rng = random.Random(11)
    random_cases(world, rng, 40, START, span_days=60)
    waiting = followups.pending()
    assert len(waiting) > 100 and not table_rows()
    rng.shuffle(waiting)
    assert sum(followups.carry_out_pending(event_id) for event_id in waiting) == len(waiting)
    assert check_everything(world) == len(PERIODS) * len(AS_OF)
    counted = table_rows()
    call_command("rollup", "rebuild")
    assert_same_rows(counted, table_rows())


def test_rollups_from_the_outbox_in_shuffled_batches_equal_raw_figures(world, taxonomy, settings):
    """The relay's path: follow-ups carried out a batch at a time (their counts summed, then one
    UPSERT per row), batches of mixed cases and steps in any order: the same rows as the
    rebuild, and the figures equal the raw ones."""
    from gridgov.cases import followups

    settings.GRIDGOV_FOLLOW_UPS_INLINE = False
    rng = random.Random(12)
    random_cases(world, rng, 40, START, span_days=60)
    waiting = followups.pending()
    assert len(waiting) > 100 and not table_rows()
    rng.shuffle(waiting)
    assert followups.carry_out_waiting(waiting, chunk=37) == len(waiting)
    assert followups.pending() == []
    assert check_everything(world) == len(PERIODS) * len(AS_OF)
    counted = table_rows()
    call_command("rollup", "rebuild")
    assert_same_rows(counted, table_rows())


def test_rebuild_in_one_day_slices_equals_rebuild_in_one_slice(world, taxonomy):
    """The rebuild reads the cases in slices of days of report and writes each slice's days in
    its own transaction: the rows come out the same whatever the slice, stale rows go, and a case
    with something dated before its report (an imported timeline) still counts on that day."""
    random_cases(world, random.Random(4), 30, START, span_days=60)
    # A case whose report time was moved after its first hand-off: its dispatched cohort day
    # lies before the slice that reads it.
    moved = (
        Case.objects.filter(events__action="dispatch")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    dispatched_at = CaseEvent.objects.filter(case_id=moved, action="dispatch").first().at
    Case.objects.filter(pk=moved).update(reported_at=dispatched_at + datetime.timedelta(days=3))
    rebuild(slice_days=10_000)
    whole = table_rows()
    assert any(
        key[0] == "area" and key[1] == dispatched_at.astimezone(SHANGHAI).date() for key in whole
    )
    # a stale row on a day without cases must not survive either rebuild
    stale = datetime.date(2025, 1, 2)
    TABLES["area"][0].objects.create(day=stale, area_code=world.grid_a.code, reported=7)
    rebuild(slice_days=1)
    assert_same_rows(whole, table_rows())
    TABLES["area"][0].objects.create(day=stale, area_code=world.grid_a.code, reported=7)
    rebuild(since=datetime.date(2025, 1, 1), slice_days=1)
    assert_same_rows(whole, table_rows())
    rebuild(since=datetime.date(2025, 3, 10), slice_days=2)
    assert_same_rows(whole, table_rows())


def test_rebuild_refuses_an_empty_slice():
    with pytest.raises(ValueError, match="slice_days"):
        rebuild(slice_days=0)
