"""The generated cases of the benchmarks and the city seed: each case's columns say what its
timeline says, the timelines follow the workflow, and the cases are numbered in report order."""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict

import pytest

from gridgov.benchmarks import timelines
from gridgov.cases.models import Case, CaseEvent, CaseStatus, Category
from gridgov.core.models import Department, DepartmentKind
from tests.factories import AreaFactory, UserFactory

COUNT = 3_000


@pytest.fixture
def generated(db):
    grids = [AreaFactory(code=f"99990100100100{i}") for i in range(3)]
    worker = UserFactory()
    department = Department.objects.create(
        name="城管", kind=DepartmentKind.URBAN_MANAGEMENT, area=grids[0]
    )
    from gridgov.cases.taxonomy import load_default_taxonomy

    load_default_taxonomy(Category)
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    where = timelines.world(
        [(grid.pk, grid.parent_id, grid.code) for grid in grids],
        {grids[0].pk: worker.pk},
        [department.pk],
        categories[:5],
    )
    events = timelines.generate(COUNT, where, seed=7)
    return events, grids, worker, department


def _timelines() -> dict[int, list[CaseEvent]]:
    entries: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "at", "id"):
        entries[event.case_id].append(event)
    return entries


def test_every_case_has_the_columns_its_timeline_gives_it(generated):
    events, grids, worker, department = generated
    cases = list(Case.objects.order_by("pk"))
    entries = _timelines()
    assert len(cases) == COUNT
    assert sum(len(rows) for rows in entries.values()) == events
    for case in cases:
        timeline = entries[case.pk]
        first, last = timeline[0], timeline[-1]
        assert (first.action, first.at, first.data) == (
            "report",
            case.reported_at,
            {"channel": case.channel},
        )
        assert last.to_status == case.status
        assert case.updated_at == last.at
        # Each entry starts where the one before it ended, no earlier than it.
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.at >= before.at

        def last_at(*actions: str, timeline=timeline):
            moments = [e.at for e in timeline if e.action in actions]
            return moments[-1] if moments else None

        assert case.closed_at == (
            last_at("close", "merge", "reject") if case.status != "claimed" else None
        )
        assert case.resolved_at == last_at("resolve")
        assert case.dispatched_at == last_at("dispatch")
        claims = [
            e.at
            for e in timeline
            if e.action == "claim" or (e.action == "rate" and e.to_status == "claimed")
        ]
        assert case.claimed_at == (claims[-1] if claims else None)
        ratings = [e.data["rating"] for e in timeline if e.action == "rate"]
        assert case.rating == (ratings[-1] if ratings else None)
        assert case.reopen_count == sum(1 for r in ratings if r <= 2)
        assert case.escalation_level == sum(1 for e in timeline if e.action == "escalate")
        if case.status in (CaseStatus.MERGED, CaseStatus.REJECTED):
            assert case.handling_level == "" and case.claim_due_at is None
            continue
        levels = [
            (e.data.get("to") or e.data.get("assignee"))["level"]
            for e in timeline
            if e.action in ("dispatch", "escalate")
        ]
        assert case.handling_level == levels[-1]
        assert (case.assignee_department_id == department.pk) == (levels[-1] == "department")
        if case.assignee_user_id is not None:
            assert case.assignee_user_id == worker.pk
            assert case.area_id == grids[0].pk and levels[-1] == "grid"
        for claim in (e for e in timeline if e.action == "claim"):
            assert set(claim.data) == {"on_time"}
        if case.status == CaseStatus.SUSPENDED:
            assert case.suspended_at == last_at("suspend") and case.suspended_from == "claimed"
        extended = any(e.action == "decide_extension" for e in timeline)
        dispatched = case.claimed_at if case.reopen_count else last_at("escalate", "dispatch")
        days = 7 + (3 if extended and not case.reopen_count else 0)
        assert case.resolve_due_at == dispatched + datetime.timedelta(days=days)


def test_cases_are_numbered_in_the_order_they_were_reported(generated):
    reported = list(Case.objects.order_by("pk").values_list("reported_at", flat=True))
    assert reported == sorted(reported)
    numbers = list(Case.objects.order_by("pk").values_list("number", flat=True)[:3])
    assert numbers == ["B00000000001", "B00000000002", "B00000000003"]
    first, last = reported[0], reported[-1]
    assert first >= timelines.FIRST_DAY - datetime.timedelta(hours=8)
    assert (last - first).days >= timelines.DAYS - 10


def test_the_shares_of_each_outcome_are_those_drawn(generated):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    share = {status: count / COUNT for status, count in statuses.items()}
    assert 0.015 < share["merged"] < 0.05
    assert 0.025 < share["rejected"] < 0.06
    assert 0.45 < share["rated"] < 0.65
    assert 0.25 < share["closed"] < 0.45
    on_time = Counter(
        json.dumps(data)
        for data in CaseEvent.objects.filter(action="claim").values_list("data", flat=True)
    )
    assert 0.7 < on_time['{"on_time": true}'] / sum(on_time.values()) < 0.9
