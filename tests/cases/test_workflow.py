"""The case workflow: every path of the transition table, allowed and refused."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent, CaseFollower, CaseStatus, Category
from gridgov.cases.workflow import ConcurrentChange, WorkflowError, transition
from gridgov.core.models import Role
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def run(case, action, actor, **payload):
    return transition(case=case, action=action, actor=actor, **payload)


def dispatched(world, report, **fields):
    case = report(**fields)
    case = run(case, "accept", world.secretary)
    return run(case, "dispatch", world.secretary)


def assert_unchanged(case: Case) -> None:
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version) == (case.status, case.version)
    assert fresh.events.count() == CaseEvent.objects.filter(case=case).count()


def test_the_closed_loop_from_report_to_rating(world, report):
    case = report()
    assert case.status == CaseStatus.REPORTED and case.number
    case = run(case, "accept", world.secretary)
    case = run(case, "dispatch", world.secretary)
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignee_area == world.grid_a  # 楼道杂物 is settled in the grid
    assert case.claim_due_at > case.dispatched_at and case.resolve_due_at > case.claim_due_at
    case = run(case, "claim", world.worker_a)
    assert (case.status, case.assignee_user) == (CaseStatus.CLAIMED, world.worker_a)
    case = run(case, "resolve", world.worker_a, result="已清理楼道杂物")
    assert case.status == CaseStatus.RESOLVED and case.resolved_by == world.worker_a
    case = run(case, "verify", world.secretary, passed=True)
    case = run(case, "close", world.secretary)
    assert case.closed_at is not None
    case = run(case, "rate", world.resident, rating=5, comment="很及时")
    assert (case.status, case.rating) == (CaseStatus.RATED, 5)
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "claim",
        "resolve",
        "verify",
        "close",
        "rate",
    ]
    statuses = list(case.events.values_list("to_status", flat=True))
    assert statuses[-1] == "rated"
    audited = LogEntry.objects.get_for_object(case).filter(changes__icontains="status")
    assert audited.count() >= 7


@pytest.mark.parametrize(
    ("action", "persona", "payload"),
    [
        ("claim", "worker_b", {}),  # another grid's worker
        ("resolve", "worker_b", {"result": "x"}),
        ("supervise", "secretary", {}),  # supervision is for the street
        ("accept", "worker_a", {}),  # a grid worker does not dispatch
    ],
)
def test_the_wrong_person_is_refused_and_nothing_changes(world, report, action, persona, payload):
    case = dispatched(world, report)
    if action == "resolve":
        case = run(case, "claim", world.worker_a)
    with pytest.raises((PermissionDenied, WorkflowError)):
        run(case, action, getattr(world, persona), **payload)
    assert_unchanged(case)


@pytest.mark.parametrize(
    ("status_path", "action", "payload"),
    [
        ([], "claim", {}),  # not dispatched yet
        ([], "resolve", {"result": "x"}),
        (["accept"], "accept", {}),
        (["accept"], "close", {}),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason(world, report, status_path, action, payload):
    case = report()
    for step in status_path:
        case = run(case, step, world.secretary)
    with pytest.raises(WorkflowError) as raised:
        run(case, action, world.admin, **payload)
    assert raised.value.messages
    assert_unchanged(case)


def test_required_reason_and_result(world, report):
    case = report()
    with pytest.raises(WorkflowError):
        run(case, "reject", world.secretary)
    case = run(case, "reject", world.secretary, reason="不属于本辖区职责")
    assert case.status == CaseStatus.REJECTED
    assert case.events.last().note == "不属于本辖区职责"


def test_verification_by_the_handler_is_refused_and_failure_reopens(world, report):
    case = dispatched(world, report)
    leader = UserFactory(username="leader_a")
    assign(leader, Role.GRID_LEADER, world.grid_a)
    case = run(case, "claim", leader)
    case = run(case, "resolve", leader, result="处理好了")
    with pytest.raises(PermissionDenied):
        run(case, "verify", leader, passed=True)  # someone other than the handler checks
    case = run(case, "verify", world.secretary, passed=False, reason="杂物还在")
    assert case.status == CaseStatus.CLAIMED and case.reopen_count == 1
    assert case.assignee_user == leader


def test_an_unhappy_rating_reopens_the_case(world, report):
    case = dispatched(world, report)
    case = run(case, "claim", world.worker_a)
    case = run(case, "resolve", world.worker_a, result="ok")
    case = run(case, "verify", world.secretary, passed=True)
    case = run(case, "close", world.secretary)
    case = run(case, "rate", world.resident, rating=2, comment="没解决")
    assert case.status == CaseStatus.CLAIMED
    assert (case.rating, case.reopen_count) == (2, 1)
    with pytest.raises(WorkflowError):
        run(Case.objects.get(pk=case.pk), "rate", world.resident, rating=9)


def test_return_sends_it_back_to_the_dispatcher(world, report):
    case = dispatched(world, report)
    case = run(case, "return", world.worker_a, reason="不是本网格的问题")
    assert case.status == CaseStatus.ACCEPTED and case.assignee_area is None


def test_escalation_climbs_grid_community_street_then_stops(world, report):
    case = dispatched(world, report)
    case = run(case, "escalate", world.worker_a, reason="需要社区协调")
    assert (case.assignee_area, case.escalation_level) == (world.community1, 1)
    case = run(case, "escalate", world.secretary, reason="需要街道处置")
    assert (case.assignee_area, case.escalation_level) == (world.street, 2)
    with pytest.raises(WorkflowError):
        run(case, "escalate", world.officer, reason="再往上")


def test_whistle_lead_and_assistants_each_claim_and_the_lead_resolves_last(world, report, police):
    case = dispatched(world, report)
    case = run(case, "whistle", world.officer, lead=world.department, assisting=[police])
    assert case.whistled and case.status == CaseStatus.DISPATCHED
    summons = {s.department_id: s for s in case.summons.filter(active=True)}
    assert set(summons) == {world.department.pk, police.pk}
    assert all(
        s.claim_due_at == s.summoned_at + datetime.timedelta(minutes=30) for s in summons.values()
    )
    policeman = UserFactory(username="policeman")
    assign(policeman, Role.DEPARTMENT_HANDLER, department=police)
    case = run(case, "claim", world.handler)  # the lead reports in
    assert case.status == CaseStatus.CLAIMED
    case = run(case, "claim", policeman)  # the assistant reports in: state unchanged
    with pytest.raises(WorkflowError):
        run(case, "resolve", world.handler, result="已拆除")  # the assistant's part is not done
    with pytest.raises(PermissionDenied):
        run(case, "resolve", policeman, result="x")  # only the lead resolves
    case = run(case, "assist_done", policeman, note="现场维持秩序")
    case = run(case, "resolve", world.handler, result="已拆除")
    assert case.status == CaseStatus.RESOLVED


def test_a_department_sees_only_what_it_was_summoned_to(world, report, police):
    case = dispatched(world, report)
    other = dispatched(world, report, title="另一件")
    assert not Case.objects.visible_to(world.handler).exists()
    run(case, "whistle", world.officer, lead=world.department, assisting=[police])
    assert list(Case.objects.visible_to(world.handler)) == [Case.objects.get(pk=case.pk)]
    assert other not in Case.objects.visible_to(world.handler)


def test_merge_makes_the_reporter_follow_the_surviving_case(world, report):
    first = report(title="第一次报")
    second = report(title="重复报", actor=world.worker_a, channel="patrol")
    merged = run(second, "merge", world.secretary, into=first)
    assert merged.status == CaseStatus.MERGED and merged.merged_into == first
    assert CaseFollower.objects.filter(case=first, user=world.worker_a).exists()
    with pytest.raises(WorkflowError):
        run(first, "merge", world.secretary, into=first)


def test_suspension_stops_the_clock(world, report, lift):
    start = timezone.now()
    case = report(category=lift)  # around-the-clock deadlines: calendar time
    case = transition(case=case, action="accept", actor=world.secretary, at=start)
    case = transition(case=case, action="dispatch", actor=world.secretary, at=start)
    due = case.resolve_due_at
    case = transition(
        case=case,
        action="suspend",
        actor=world.secretary,
        reason="等待配件",
        at=start + datetime.timedelta(hours=1),
    )
    assert case.status == CaseStatus.SUSPENDED
    case = transition(
        case=case, action="resume", actor=world.secretary, at=start + datetime.timedelta(hours=4)
    )
    assert case.status == CaseStatus.DISPATCHED
    assert case.resolve_due_at == due + datetime.timedelta(hours=3)


def test_extension_requested_by_the_handler_and_approved_by_the_dispatcher(world, report, lift):
    case = report(category=lift)
    case = run(case, "accept", world.secretary)
    case = run(case, "dispatch", world.secretary)
    assert case.assignee_area == world.community1  # lifts are the community's
    case = run(case, "claim", world.secretary)
    due = case.resolve_due_at
    case = run(case, "request_extension", world.secretary, duration="1 00:00:00", reason="等厂家")
    with pytest.raises(WorkflowError):
        run(case, "request_extension", world.secretary, duration="1 00:00:00", reason="again")
    case = run(case, "decide_extension", world.officer, approve=True)
    assert case.resolve_due_at == due + datetime.timedelta(days=1)
    assert case.extension_requested is None


def test_a_stale_page_cannot_overwrite_a_newer_change(world, report):
    case = dispatched(world, report)
    seen = case.version
    run(case, "claim", world.worker_a, expected_version=seen)
    with pytest.raises(ConcurrentChange):
        run(case, "supervise", world.officer, expected_version=seen)
    assert not Case.objects.get(pk=case.pk).supervised


def test_reporting_twice_with_the_same_client_key_creates_one_case(world, hallway):
    from gridgov.cases.services import case_report

    first = case_report(
        actor=world.resident,
        channel="api",
        category=hallway,
        title="同一件事",
        area=world.grid_a,
        client_key="abc-123",
    )
    again = case_report(
        actor=world.resident,
        channel="api",
        category=hallway,
        title="同一件事",
        area=world.grid_a,
        client_key="abc-123",
    )
    assert first.created and not again.created
    assert first.case.pk == again.case.pk
    assert Case.objects.count() == 1


def test_recategorizing_reroutes_the_case(world, report, lift):
    case = dispatched(world, report)
    assert case.assignee_area == world.grid_a
    case = run(case, "recategorize", world.secretary, category=lift)
    assert case.category == lift and case.assignee_area == world.community1


def test_supervision_is_a_flag_set_by_the_street(world, report):
    case = dispatched(world, report)
    case = run(case, "supervise", world.officer)
    assert case.supervised and case.status == CaseStatus.DISPATCHED
    with pytest.raises(WorkflowError):
        run(case, "supervise", world.officer)


def test_anonymous_reports_need_a_callback_phone(world, hallway):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ValidationError

    from gridgov.cases.services import case_report

    with pytest.raises(ValidationError):
        case_report(
            actor=AnonymousUser(),
            channel="resident",
            category=hallway,
            title="x",
            area=world.grid_a,
        )
    case = case_report(
        actor=AnonymousUser(),
        channel="resident",
        category=hallway,
        title="x",
        area=world.grid_a,
        callback_phone="13812345678",
    ).case
    assert case.anonymous and case.callback_phone == "13812345678"
    assert Category.objects.filter(parent__isnull=True).count() == 12


def test_a_hotline_clerk_enters_the_case_for_the_caller(world, hallway):
    from gridgov.cases.services import case_report

    case = case_report(
        actor=world.secretary,
        channel="hotline",
        category=hallway,
        title="市民来电",
        area=world.grid_a,
        callback_phone="13900001111",
    ).case
    assert case.reporter_user is None and case.created_by == world.secretary
    assert case.callback_phone == "13900001111"


def test_resolving_with_after_photos_attaches_them(world, report, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.core.files import stored_file_create

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
        b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01"
        b"\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    photo = stored_file_create(
        upload=SimpleUploadedFile("after.png", png, content_type="image/png"),
        area=None,
        actor=world.worker_a,
    )
    case = dispatched(world, report)
    case = run(case, "claim", world.worker_a)
    case = run(case, "resolve", world.worker_a, result="已清理", photos=[photo])
    attachment = case.attachments.get()
    assert attachment.kind == "after" and attachment.event.action == "resolve"
    assert photo.content_type == "image/png"
    photo.refresh_from_db()
    assert photo.area == case.area


def test_a_reply_template_fires_as_the_public_update_on_its_state(world, report, hallway):
    from gridgov.cases.models import ReplyTemplate

    ReplyTemplate.objects.create(
        title="受理回复", text="您反映的问题已受理，我们将尽快处理。", fires_on="accepted"
    )
    ReplyTemplate.objects.create(
        title="别的类别",
        text="不该出现",
        fires_on="accepted",
        category=Category.objects.get(code="0401"),
    )
    case = run(report(), "accept", world.secretary)
    reply = case.events.get(action="reply")
    assert reply.visibility == "public" and reply.note == "您反映的问题已受理，我们将尽快处理。"
    assert not case.events.filter(note="不该出现").exists()


def test_open_and_overdue_cases_are_figures_of_the_map_and_area_pages(world, report, login):
    from gridgov.areas.map import FIGURES

    dispatched(world, report)
    report(title="新报")
    assert FIGURES["open_cases"].compute([world.grid_a, world.grid_b]) == {
        world.grid_a.pk: 2,
        world.grid_b.pk: 0,
    }
    data = login(world.secretary).get("/areas/map/data/", {"level": "grid", "figure": "open_cases"})
    values = {f["properties"]["code"]: f["properties"]["value"] for f in data.json()["features"]}
    assert (
        values == {} or values.get(world.grid_a.code) == 2
    )  # grids without polygons are not drawn


def test_the_timeline_keeps_each_deadline_and_whether_it_was_met(world, report):
    case = dispatched(world, report)
    dispatch = case.events.get(action="dispatch")
    assert dispatch.data["claim_due_at"] == case.claim_due_at.isoformat()
    case = run(case, "claim", world.worker_a)
    assert case.events.get(action="claim").data["on_time"] is True
