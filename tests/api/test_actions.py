"""Every workflow action through POST /cases/{id}/actions/{action}, and its refusals: 409 on a
concurrent change or an action the state does not allow, 403 for an actor who may not, 404 out of
scope, 422 for a missing or wrong payload; each refusal changes nothing."""

from __future__ import annotations

import pytest

from gridgov.cases.forms_actions import ACTION_FORMS
from gridgov.cases.models import Case, CaseEvent, CaseStatus, CaseSummons
from gridgov.cases.workflow import TRANSITIONS
from gridgov.core.models import Department, DepartmentKind, Role
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


def act(client, case_id: int, action: str, **body):
    version = Case.objects.get(pk=case_id).version
    return client.post(
        f"/api/v1/cases/{case_id}/actions/{action}", {"expected_version": version, **body}
    )


def ok(response, status: str | None = None):
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    if status:
        assert body["status"] == status
    return body


def unchanged(case_id: int, before: tuple[str, int, int]) -> bool:
    case = Case.objects.get(pk=case_id)
    return (case.status, case.version, case.events.count()) == before


def snapshot(case_id: int) -> tuple[str, int, int]:
    case = Case.objects.get(pk=case_id)
    return case.status, case.version, case.events.count()


@pytest.fixture
def clients(world, api):
    return {
        name: api(getattr(world, name))
        for name in ("admin", "officer", "secretary", "worker_a", "worker_b", "handler", "resident")
    }


def test_the_closed_loop_through_the_api(world, clients, report):
    case = report()
    ok(act(clients["secretary"], case.pk, "accept"), "accepted")
    body = ok(act(clients["secretary"], case.pk, "dispatch", area=world.grid_a.code), "dispatched")
    assert body["assignee"]["area"]["code"] == world.grid_a.code
    actions = [
        a["action"] for a in clients["worker_a"].get(f"/api/v1/cases/{case.pk}/actions").json()
    ]
    assert "claim" in actions
    ok(act(clients["worker_a"], case.pk, "claim"), "claimed")
    ok(act(clients["worker_a"], case.pk, "request_extension", duration="3", reason="等物业"))
    ok(act(clients["secretary"], case.pk, "decide_extension", approve=True))
    ok(act(clients["worker_a"], case.pk, "resolve", result="已清理"), "resolved")
    ok(act(clients["secretary"], case.pk, "verify", passed=False, reason="还有杂物"), "claimed")
    ok(act(clients["worker_a"], case.pk, "resolve", result="已彻底清理"), "resolved")
    ok(act(clients["secretary"], case.pk, "verify", passed=True), "verified")
    ok(act(clients["secretary"], case.pk, "close"), "closed")
    body = ok(act(clients["resident"], case.pk, "rate", rating=5, comment="很及时"), "rated")
    assert body["rating"] == 5
    ok(act(clients["resident"], case.pk, "reopen", reason="又堆上了"), "dispatched")
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "report", "accept", "dispatch", "claim", "request_extension", "decide_extension",
        "resolve", "verify", "resolve", "verify", "close", "rate", "reopen",
    ]  # fmt: skip


def test_reject_merge_note_and_recategorize(world, clients, report):
    secretary = clients["secretary"]
    rejected = report(title="不属于我们")
    ok(act(secretary, rejected.pk, "reject", reason="属于物业管理"), "rejected")
    survivor, duplicate = report(title="路灯不亮"), report(title="路灯坏了")
    body = ok(act(secretary, duplicate.pk, "merge", into=survivor.number), "merged")
    assert body["merged_into_id"] == survivor.pk
    note = ok(act(secretary, survivor.pk, "note", note="已电话联系", public=True))
    assert note["timeline"][-1]["internal"] is False
    body = ok(act(secretary, survivor.pk, "recategorize", category="0401"))
    assert body["category"]["code"] == "0401"


def test_escalate_whistle_assist_and_department_claims(world, api, clients, report):
    police = Department.objects.create(name="派出所", kind=DepartmentKind.POLICE, area=world.street)
    case = report()
    secretary, officer = clients["secretary"], clients["officer"]
    ok(act(secretary, case.pk, "accept"))
    ok(act(secretary, case.pk, "dispatch"))
    ok(act(clients["worker_a"], case.pk, "escalate", reason="需要社区协调"), "dispatched")
    assert Case.objects.get(pk=case.pk).escalation_level == 1
    body = ok(
        act(officer, case.pk, "whistle", lead=world.department.pk, assisting=[police.pk]),
        "dispatched",
    )
    assert body["whistled"] is True and body["assignee"]["department_id"] == world.department.pk
    ok(act(clients["handler"], case.pk, "claim"), "claimed")
    helper = UserFactory(username="police_handler")
    assign(helper, Role.DEPARTMENT_HANDLER, department=police)
    police_handler = api(helper)
    waiting = act(clients["handler"], case.pk, "resolve", result="已处理")
    assert waiting.status_code == 422  # the assisting department has not reported its part
    ok(act(police_handler, case.pk, "claim"))
    ok(act(police_handler, case.pk, "assist_done", reason="已协助"))
    assert CaseSummons.objects.get(case=case, department=police).done_at is not None
    ok(act(clients["handler"], case.pk, "resolve", result="已处理"), "resolved")


def test_return_suspend_resume_supervise(world, clients, report):
    case = report()
    secretary, officer = clients["secretary"], clients["officer"]
    ok(act(secretary, case.pk, "accept"))
    ok(act(secretary, case.pk, "dispatch", user="worker_a"))
    ok(act(clients["worker_a"], case.pk, "return", reason="不是本网格的事"), "accepted")
    ok(act(secretary, case.pk, "dispatch", department=world.department.pk), "dispatched")
    ok(act(secretary, case.pk, "suspend", reason="等待鉴定"), "suspended")
    ok(act(secretary, case.pk, "resume"), "dispatched")
    ok(act(officer, case.pk, "supervise"))
    assert clients["secretary"].get("/api/v1/cases", supervised=True).json()["count"] == 1
    ok(act(officer, case.pk, "unsupervise"))


def test_every_action_of_the_table_is_reachable(world, clients):
    schema = clients["admin"].client.get("/api/v1/openapi.json").json()
    path = schema["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    action = next(p for p in path["parameters"] if p["name"] == "action")
    enum = (
        action["schema"].get("enum")
        or schema["components"]["schemas"][action["schema"]["$ref"].rsplit("/", 1)[-1]]["enum"]
    )
    # Every step people take; the system-only ones (an SOS button pressed again) are not offered.
    assert set(enum) == set(ACTION_FORMS) and set(ACTION_FORMS) <= set(TRANSITIONS)
    assert "sos_pressed_again" in TRANSITIONS and "sos_pressed_again" not in enum


def test_stale_version_is_a_409_conflict(world, clients, report):
    case = report()
    secretary = clients["secretary"]
    ok(act(secretary, case.pk, "accept"))
    before = snapshot(case.pk)
    response = secretary.post(f"/api/v1/cases/{case.pk}/actions/dispatch", {"expected_version": 0})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["details"]["version"] == before[1]
    assert "刷新" in body["message_zh"] or "重新" in body["message_zh"]
    assert unchanged(case.pk, before)


def test_illegal_transition_is_a_409_with_the_reason(world, clients, report):
    case = report()
    before = snapshot(case.pk)
    response = act(clients["secretary"], case.pk, "close")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert body["details"]["status"] == "reported" and "accept" in body["details"]["allowed"]
    assert "已上报" in body["message_zh"] and "Reported" in body["message_en"]
    assert unchanged(case.pk, before)


def test_action_the_actor_may_not_take_is_403(world, clients, report):
    case = report()
    before = snapshot(case.pk)
    response = act(clients["worker_a"], case.pk, "accept")  # a grid worker does not dispatch
    assert response.status_code == 403 and response.json()["code"] == "action_not_allowed"
    response = act(clients["resident"], case.pk, "accept")
    assert response.status_code == 403
    assert unchanged(case.pk, before)


def test_out_of_scope_is_404_whatever_the_action(world, clients, report):
    case = report(area=world.grid_b)
    before = snapshot(case.pk)
    for action in ("accept", "note", "claim"):
        response = act(clients["worker_a"], case.pk, action, note="x")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert clients["handler"].get(f"/api/v1/cases/{case.pk}/actions").status_code == 404
    assert unchanged(case.pk, before)


def test_missing_or_wrong_payload_is_422_by_field(world, clients, report):
    case = report()
    secretary = clients["secretary"]
    before = snapshot(case.pk)
    response = act(secretary, case.pk, "reject")
    assert response.status_code == 422
    assert "reason" in response.json()["details"]["fields"]
    ok(act(secretary, case.pk, "accept"))
    before = snapshot(case.pk)
    for body, field in (
        ({"area": world.grid_c.code}, "area"),  # outside the secretary's community
        ({"department": 999999}, "department"),
        ({"user": "nobody"}, "user"),
        ({"into": "000"}, "into"),
    ):
        action = "merge" if field == "into" else "dispatch"
        response = act(secretary, case.pk, action, **body)
        assert response.status_code == 422, body
        assert field in response.json()["details"]["fields"]
    assert unchanged(case.pk, before)
    unknown = secretary.post(f"/api/v1/cases/{case.pk}/actions/fly", {})
    assert unknown.status_code == 422
    assert (
        secretary.post(f"/api/v1/cases/{case.pk}/actions/rate", {"rating": "five"}).status_code
        == 422
    )
    assert unchanged(case.pk, before)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
