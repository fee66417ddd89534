"""The figures of the case loop against a small data set computed by hand.

Nine cases in March 2025 (Asia/Shanghai), built through ``transition`` with fixed times, in a
category whose clock runs day and night (claim within 2 h, resolve within 7 days), so that every
deadline is plain arithmetic:

c1 grid A  claimed in 1 h, extension of 1 day approved, resolved, closed on time, rated 5
c2 grid A  claimed late (3 h), resolved and closed after the deadline, rated 4
c3 grid A  returned, dispatched again, claimed, escalated to the community, claimed by the
           secretary, resolved (community level), closed on time, rated 3
c4 grid B  resolved, closed, rated 2 → reworked (返工), resolved and closed again on time
c5 grid B  claimed on time, then suspended (still suspended: not due)
c6 grid A  a duplicate, merged into c1
c7 grid C  (community 2) claimed late by the admin, never resolved
c8 grid A  rejected
c9 grid C  dispatched to the department, reported in on time, resolved and closed on time
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases import kpis
from gridgov.cases.kpis import Hours, Rate
from gridgov.cases.models import Case, CaseStatus
from gridgov.cases.workflow import transition

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = kpis.month_period("2025-03")
AS_OF = datetime.datetime(2025, 5, 1, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=SHANGHAI)


def hours(h: float) -> float:
    return h * 3600


@pytest.fixture
def plain_clock(hallway):
    """楼道杂物 with its clock running day and night: claim in 2 h, resolve in 7 days."""
    hallway.working_time = False
    hallway.save(update_fields=["working_time"])
    return hallway


@pytest.fixture
def march(world, report, plain_clock):
    w = world

    def go(case, action, actor, when, **payload):
        return transition(case=case, action=action, actor=actor, at=when, **payload)

    def dispatched(day, area, actor=None, **payload):
        case = report(at=at(day, 9), area=area, category=plain_clock)
        case = go(case, "accept", actor or w.secretary, at(day, 9, 5))
        return go(case, "dispatch", actor or w.secretary, at(day, 9, 10), **payload)

    def close_loop(case, resolver, verifier, resolve_at, close_at):
        case = go(case, "resolve", resolver, resolve_at, result="已处理")
        case = go(
            case, "verify", verifier, resolve_at + datetime.timedelta(minutes=50), passed=True
        )
        return go(case, "close", verifier, close_at)

    c1 = dispatched(3, w.grid_a)
    c1 = go(c1, "claim", w.worker_a, at(3, 10, 10))
    c6 = report(at=at(3, 10), area=w.grid_a, category=plain_clock, title="重复报")
    c6 = go(c6, "merge", w.secretary, at(3, 10, 30), into=c1)
    c1 = go(c1, "request_extension", w.worker_a, at(3, 11), duration="1", reason="等材料")
    c1 = go(c1, "decide_extension", w.secretary, at(3, 12), approve=True)
    assert c1.resolve_due_at == at(11, 9, 10)
    c1 = close_loop(c1, w.worker_a, w.secretary, at(5, 9, 10), at(5, 11))
    c1 = go(c1, "rate", w.resident, at(6, 9), rating=5)

    c2 = dispatched(4, w.grid_a)
    c2 = go(c2, "claim", w.worker_a, at(4, 12, 10))  # due 11:10: late
    c2 = close_loop(c2, w.worker_a, w.secretary, at(12, 9, 10), at(12, 11))  # due 11 Mar 9:10
    c2 = go(c2, "rate", w.resident, at(13, 9), rating=4)

    c3 = dispatched(5, w.grid_a)
    c3 = go(c3, "return", w.worker_a, at(5, 9, 40), reason="不是本网格的事")
    c3 = go(c3, "dispatch", w.secretary, at(5, 10, 10))
    c3 = go(c3, "claim", w.worker_a, at(5, 11, 10))
    c3 = go(c3, "escalate", w.worker_a, at(5, 12, 10), reason="需要社区协调")
    c3 = go(c3, "claim", w.secretary, at(5, 13, 10))
    c3 = close_loop(c3, w.secretary, w.officer, at(6, 13, 10), at(6, 15))
    c3 = go(c3, "rate", w.resident, at(7, 9), rating=3)

    c4 = dispatched(6, w.grid_b)
    c4 = go(c4, "claim", w.worker_b, at(6, 10, 10))
    c4 = close_loop(c4, w.worker_b, w.secretary, at(7, 9, 10), at(7, 11))
    c4 = go(c4, "rate", w.resident, at(8, 9), rating=2)
    assert (c4.status, c4.reopen_count) == (CaseStatus.CLAIMED, 1)
    c4 = close_loop(c4, w.worker_b, w.secretary, at(9, 9), at(9, 11))

    c5 = dispatched(7, w.grid_b)
    c5 = go(c5, "claim", w.worker_b, at(7, 10, 10))
    c5 = go(c5, "suspend", w.secretary, at(7, 12), reason="等待产权单位答复")

    c7 = dispatched(10, w.grid_c, actor=w.officer)
    c7 = go(c7, "claim", w.admin, at(10, 12, 10))

    c8 = report(at=at(10, 10), area=w.grid_a, category=plain_clock)
    c8 = go(c8, "reject", w.secretary, at(10, 10, 30), reason="不属于受理范围")

    c9 = dispatched(11, w.grid_c, actor=w.officer, department=w.department)
    c9 = go(c9, "claim", w.handler, at(11, 10, 10))
    c9 = close_loop(c9, w.handler, w.officer, at(12, 9, 10), at(12, 11))
    return {f"c{i}": c for i, c in enumerate([c1, c2, c3, c4, c5, c6, c7, c8, c9], start=1)}


def street_figures(world, **kwargs):
    return kpis.kpis_for(Case.objects.visible_to(world.officer), *MARCH, as_of=AS_OF, **kwargs)


def test_every_figure_of_the_street_against_the_hand_computed_month(world, march):
    f = street_figures(world)
    # 7 dispatched in March (c1 c2 c3 c4 c5 c7 c9); c2 and c7 claimed late.
    assert f["response_rate"] == Rate(5, 7)
    assert f["resolution_rate"] == Rate(5, 7)  # c5 suspended and c7 open
    assert f["dispatch_accuracy"] == Rate(6, 7)  # c3 was returned
    assert f["extension_rate"] == Rate(1, 7)  # c1
    # Ratings 5, 4, 3, 2.
    assert f["reporter_resolution_rate"] == Rate(3, 4)
    assert f["satisfaction_rate"].fraction == Fraction(1, 2)
    # 9 reports, one merged duplicate; c6 (merged) and c8 (rejected) were not filed.
    assert f["filing_rate"] == Rate(7, 8)
    # Due in March, less the suspended c5: c1 c2 c3 c4 c7 c9.
    assert f["on_time_resolution_rate"] == Rate(4, 6)  # c2 late, c7 never
    assert f["close_rate"] == Rate(5, 6)
    assert f["on_time_close_rate"] == Rate(4, 6)
    assert f["reopen_rate"] == Rate(1, 6)  # c4
    # First dispatch → first claim: 1 + 3 + 2 + 1 + 1 + 3 + 1 hours over 7 cases.
    assert f["claim_hours"] == Hours(pytest.approx(hours(12)), 7)
    assert f["claim_hours"].value == pytest.approx(12 / 7, abs=0.01)
    # Resolved in March: c1 48 h, c2 192 h, c3 28 h, c4 71 h 50 min (last resolution), c9 24 h.
    assert f["resolve_hours"].count == 5
    assert f["resolve_hours"].total_seconds == pytest.approx(hours(292) + hours(71) + 50 * 60)
    # Closed: 49 h 50, 193 h 50, 29 h 50, 73 h 50, 25 h 50.
    assert f["close_hours"].total_seconds == pytest.approx(
        hours(49 + 193 + 29 + 73 + 25) + 5 * 50 * 60
    )
    assert f["close_hours"].count == 5
    # Where they were settled: c1 c2 c4 in the grid, c3 in the community, c9 by the department.
    assert f["grid_share"] == Rate(3, 5)
    assert f["community_share"] == Rate(1, 5)
    assert f["street_share"] == Rate(0, 5)
    assert f["department_share"] == Rate(1, 5)
    # Composite: (30 × 5/7 + 35 × 5/7 + 35 × 1/2) / 100.
    expected = 100 * (30 * 5 / 7 + 35 * 5 / 7 + 35 * 0.5) / 100
    assert f["composite_score"].value == pytest.approx(expected, abs=0.01)


def test_a_month_without_cases_shows_dashes_not_zero_percent(world, march):
    february = kpis.month_period("2025-02")
    f = kpis.kpis_for(Case.objects.all(), *february, as_of=AS_OF)
    for key in kpis.DEFINITIONS:
        assert f[key].value is None, key
        assert str(f[key]) == "—", key
    assert f["response_rate"] == Rate(0, 0) and f["response_rate"].fraction is None


def test_the_secretary_never_counts_another_communitys_cases(world, march):
    f = kpis.kpis_for(Case.objects.visible_to(world.secretary), *MARCH, as_of=AS_OF)
    # Community 1 only: c1–c6 and c8; c7 and c9 lie in community 2.
    assert f["filing_rate"] == Rate(5, 6)
    assert f["response_rate"] == Rate(4, 5)
    assert f["on_time_resolution_rate"] == Rate(3, 4)
    assert f["department_share"] == Rate(0, 4)
    # A resident sees only their own reports; a grid worker only the grid's cases.
    grid_b = kpis.kpis_for(Case.objects.visible_to(world.worker_b), *MARCH, as_of=AS_OF)
    assert grid_b["response_rate"] == Rate(2, 2)  # c4 c5
    assert grid_b["reopen_rate"] == Rate(1, 1)


def test_figures_by_area_rank_the_communities_and_the_grids(world, march):
    cases = Case.objects.visible_to(world.officer)
    rows = kpis.kpis_by_area(cases, [world.community1, world.community2], *MARCH, as_of=AS_OF)
    by_code = {row.key: row for row in rows}
    one, two = by_code[world.community1.code], by_code[world.community2.code]
    assert one.figures["response_rate"] == Rate(4, 5)
    assert two.figures["response_rate"] == Rate(1, 2)  # c9 on time, c7 late
    assert two.figures["on_time_close_rate"] == Rate(1, 2)
    assert two.figures["satisfaction_rate"].value is None  # nobody rated there
    # Composite: community 1 (30·4/5 + 35·4/5 + 35·1/2)/100 = 69.5; community 2 rescales
    # its two rates with a value: (30·1/2 + 35·1/2)/65 = 50.
    assert one.figures["composite_score"].value == pytest.approx(69.5)
    assert two.figures["composite_score"].value == pytest.approx(50)
    assert [row.rank for row in rows] == [1, 2] and rows[0] is one
    grids = kpis.kpis_by_area(cases, [world.grid_a, world.grid_b], *MARCH, as_of=AS_OF)
    grid_a = next(row for row in grids if row.obj == world.grid_a)
    assert grid_a.figures["filing_rate"] == Rate(3, 4)  # c1 c2 c3 of c1 c2 c3 c8 (c6 merged)
    assert grid_a.figures["dispatch_accuracy"] == Rate(2, 3)


def test_mixed_levels_count_each_case_in_its_innermost_area(world, march):
    cases = Case.objects.all()
    rows = kpis.kpis_by_area(cases, [world.grid_a, world.community1], *MARCH, as_of=AS_OF)
    by_code = {row.key: row for row in rows}
    assert by_code[world.grid_a.code].figures["response_rate"] == Rate(2, 3)
    assert by_code[world.community1.code].figures["response_rate"] == Rate(2, 2)  # grid B


def test_figures_by_department_and_by_worker(world, march, police):
    cases = Case.objects.all()
    rows = kpis.kpis_by_department(cases, [world.department, police], *MARCH, as_of=AS_OF)
    urban, idle = rows
    assert urban.obj == world.department
    assert urban.figures["response_rate"] == Rate(1, 1)
    assert urban.figures["department_share"] == Rate(1, 1)
    assert idle.figures["response_rate"].value is None and idle.rank is None
    workers = kpis.kpis_by_worker(cases, [world.worker_a, world.worker_b], *MARCH, as_of=AS_OF)
    by_user = {row.obj: row for row in workers}
    assert by_user[world.worker_a].figures["response_rate"] == Rate(1, 2)  # c1 on time, c2 late
    assert by_user[world.worker_b].figures["reopen_rate"] == Rate(1, 1)


def test_the_running_month_counts_only_what_is_due_so_far(world, march):
    f = kpis.kpis_for(Case.objects.all(), *MARCH, as_of=at(12, 0))
    # Before 12 March 00:00 only c2 (due 11 Mar 9:10) and c1 (due 11 Mar 9:10, extended) fell due.
    assert f["on_time_resolution_rate"] == Rate(1, 2)


def test_weights_come_from_the_setting(world, march, settings):
    settings.GRIDGOV_KPI_WEIGHTS = {"response_rate": 1}
    assert street_figures(world)["composite_score"].value == pytest.approx(100 * 5 / 7, abs=0.01)
    settings.GRIDGOV_KPI_WEIGHTS = {"claim_hours": 1}
    with pytest.raises(ValueError):
        street_figures(world)


def test_each_figure_has_a_definition_and_a_bad_month_is_refused():
    figures = kpis.figures_from_counts({})
    assert set(figures) == set(kpis.DEFINITIONS)
    for definition in kpis.DEFINITIONS.values():
        assert definition.term and definition.numerator and definition.denominator
    start, end = kpis.month_period("2025-12")
    assert (start.month, end.year, end.month) == (12, 2026, 1)
    with pytest.raises(ValueError):
        kpis.month_period("2025-13")


def test_the_figures_take_a_fixed_number_of_queries(world, march, django_assert_max_num_queries):
    cases = Case.objects.all()
    with django_assert_max_num_queries(1):
        kpis.kpis_for(cases, *MARCH, as_of=AS_OF)
    with django_assert_max_num_queries(1):
        kpis.kpis_by_area(cases, [world.grid_a, world.grid_b, world.grid_c], *MARCH, as_of=AS_OF)


def test_a_late_first_claim_stays_late_after_an_escalation(world, report, plain_clock):
    """The grid worker claims 3 h after dispatch (due in 2 h), escalates, and the secretary
    claims at once at the community: the case's latest claim met its deadline, but the response
    to the dispatch did not, and the figure judges the response."""
    case = report(at=at(3, 9), area=world.grid_a, category=plain_clock)
    for action, actor, when, payload in [
        ("accept", world.secretary, at(3, 9, 5), {}),
        ("dispatch", world.secretary, at(3, 9, 10), {}),
        ("claim", world.worker_a, at(3, 12, 10), {}),
        ("escalate", world.worker_a, at(3, 12, 20), {"reason": "需要社区协调"}),
        ("claim", world.secretary, at(3, 12, 30), {}),
    ]:
        case = transition(case=case, action=action, actor=actor, at=when, **payload)
    assert case.claimed_at <= case.claim_due_at  # on time on the latest assignment
    f = kpis.kpis_for(Case.objects.all(), *MARCH, as_of=AS_OF)
    assert f["response_rate"] == Rate(0, 1)


def test_a_case_rerouted_by_recategorizing_counts_at_its_new_level(
    world, report, plain_clock, lift
):
    case = report(at=at(3, 9), area=world.grid_a, category=plain_clock)
    for action, actor, when, payload in [
        ("accept", world.secretary, at(3, 9, 5), {}),
        ("dispatch", world.secretary, at(3, 9, 10), {}),  # to grid A
        ("recategorize", world.secretary, at(3, 9, 30), {"category": lift}),  # community
        ("claim", world.secretary, at(3, 9, 40), {}),
        ("resolve", world.secretary, at(3, 10), {"result": "已修复"}),
    ]:
        case = transition(case=case, action=action, actor=actor, at=when, **payload)
    f = kpis.kpis_for(Case.objects.all(), *MARCH, as_of=AS_OF)
    assert f["community_share"] == Rate(1, 1) and f["grid_share"] == Rate(0, 1)
