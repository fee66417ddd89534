"""mySociety's servicerequestupdates: FixMyStreet polls our updates (GET) and pushes its own
comments and reopenings (POST)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent, CaseStatus, EventVisibility
from gridgov.cases.workflow import transition
from gridgov.open311.models import ClientUpdate
from tests.open311.conftest import parse_xml, validate


def run(case, world, *steps):
    actors = {"secretary": world.secretary, "worker": world.worker_a}
    for action, actor, payload in steps:
        case = transition(case=case, action=action, actor=actors[actor], **payload)
    return case


FULL_LOOP = (
    ("accept", "secretary", {}),
    ("dispatch", "secretary", {}),
    ("claim", "worker", {}),
    ("note", "worker", {"note": "网格员甲内部备注：住户王五不配合"}),
    ("resolve", "worker", {"result": "已清理楼道杂物，联系电话13912345678"}),
    ("verify", "secretary", {"passed": True}),
    ("close", "secretary", {}),
)


def test_updates_list_status_changes_and_public_notes(o311, public_case):
    case = run(public_case(), o311.world, *FULL_LOOP)
    response = o311.get("servicerequestupdates")
    data = response.json()
    validate(data, "mysociety-updates.json")
    assert [u["external_status_code"] for u in data] == [
        "accepted",
        "dispatched",
        "claimed",
        "resolved",
        "verified",
        "closed",
    ]  # the report is the request itself; the internal note is not an update
    assert [u["status"] for u in data] == [
        "investigating",
        "action_scheduled",
        "in_progress",
        "in_progress",
        "fixed",
        "fixed",
    ]
    assert {u["service_request_id"] for u in data} == {case.number}
    resolved = data[3]
    assert (
        resolved["description"] == "已清理楼道杂物，联系电话139****5678"
    )  # public, identifiers masked
    dispatched = data[1]
    assert dispatched["description"] == "已派遣"  # an internal step says only its new status
    assert all(int(u["update_id"]) for u in data)

    root = parse_xml(o311.get("servicerequestupdates", "xml").content)
    assert root.tag == "service_requests_updates"
    updates = root.findall("request_update")
    assert [u.findtext("update_id") for u in updates] == [u["update_id"] for u in data]
    assert updates[-1].findtext("status") == "fixed"
    assert updates[-1].findtext("service_request_id") == case.number


def test_updates_of_unlisted_cases_are_not_shown(o311, public_case):
    run(public_case(public=False), o311.world, ("accept", "secretary", {}))
    run(public_case(hidden=True), o311.world, ("accept", "secretary", {}))
    run(public_case("0601", title="邻里纠纷"), o311.world, ("accept", "secretary", {}))
    assert o311.get("servicerequestupdates").json() == []


def test_updates_filters(o311, public_case):
    first = run(public_case(), o311.world, ("accept", "secretary", {}))
    second = run(public_case(), o311.world, ("accept", "secretary", {}))
    CaseEvent.objects.filter(case=first).update(at=timezone.now() - datetime.timedelta(days=2))
    data = o311.get("servicerequestupdates").json()
    assert [u["service_request_id"] for u in data] == [first.number, second.number]
    cut = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    now = timezone.now().isoformat()
    assert [
        u["service_request_id"]
        for u in o311.get("servicerequestupdates", start_date=cut, end_date=now).json()
    ] == [second.number]
    after = data[0]["update_id"]
    assert [
        u["update_id"] for u in o311.get("servicerequestupdates", after_update_id=after).json()
    ] == [data[1]["update_id"]]
    only = o311.get("servicerequestupdates", service_request_id=first.number).json()
    assert [u["service_request_id"] for u in only] == [first.number]
    paged = o311.get("servicerequestupdates", page_size=1, page=2)
    assert [u["update_id"] for u in paged.json()] == [data[1]["update_id"]]
    assert paged["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "soon"},
        {"start_date": "2026-03-02", "end_date": "2026-03-01"},
        {"after_update_id": "-1"},
    ],
)
def test_bad_update_filters_are_400(o311, params):
    for fmt in ("json", "xml"):
        response = o311.get("servicerequestupdates", fmt, **params)
        assert response.status_code == 400
    validate(o311.get("servicerequestupdates", **params).json(), "errors.json")


def test_a_pushed_comment_is_an_internal_note_kept_once(o311, public_case):
    case = public_case()
    params = {
        "service_request_id": case.number,
        "status": "OPEN",
        "description": "今天又多了两袋垃圾",
        "updated_datetime": "2026-03-01T08:00:00+08:00",
        "update_id": "fms-77",
        "email": "li@example.com",
        "first_name": "四",
        "last_name": "李",
        "media_url": "https://fms.example.org/photo/c/77.full.jpeg",
    }
    response = o311.post("servicerequestupdates", **params)
    assert response.status_code == 200
    (answer,) = response.json()
    event = CaseEvent.objects.get(pk=int(answer["update_id"]))
    assert event.case == case and event.action == "note"
    assert event.visibility == EventVisibility.INTERNAL
    assert "今天又多了两袋垃圾" in event.note and "fixmystreet" in event.note
    assert "77.full.jpeg" in event.note and "li@example.com" not in event.note
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED
    # A retry is the same update.
    again = o311.post("servicerequestupdates", **params)
    assert again.json()[0]["update_id"] == answer["update_id"]
    assert ClientUpdate.objects.count() == 1 and case.events.filter(action="note").count() == 1
    # It is not echoed back to the client that sent it.
    assert o311.get("servicerequestupdates").json() == []
    root = parse_xml(
        o311.post("servicerequestupdates", "xml", **{**params, "update_id": "fms-78"}).content
    )
    assert root.tag == "service_request_updates"
    assert root.find("request_update").findtext("update_id")


def test_open_on_a_closed_case_the_client_reported_reopens_it(o311):
    number = o311.report().json()[0]["service_request_id"]
    case = run(Case.objects.get(number=number), o311.world, *FULL_LOOP)
    assert case.status == CaseStatus.CLOSED
    response = o311.post(
        "servicerequestupdates",
        service_request_id=number,
        status="OPEN",
        description="还是没有清理干净",
        update_id="fms-1",
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1
    event = CaseEvent.objects.get(pk=int(response.json()[0]["update_id"]))
    assert event.action == "reopen" and "还是没有清理干净" in event.note


def test_open_on_someone_elses_closed_case_is_kept_as_a_comment(o311, public_case):
    case = run(public_case(), o311.world, *FULL_LOOP)
    response = o311.post(
        "servicerequestupdates", service_request_id=case.number, status="open", description="没修好"
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert CaseEvent.objects.get(pk=int(response.json()[0]["update_id"])).action == "note"


def test_closed_or_fixed_from_a_client_never_closes_our_case(o311, public_case):
    case = public_case()
    for status in ("CLOSED", "FIXED"):
        response = o311.post(
            "servicerequestupdates",
            service_request_id=case.number,
            status=status,
            description="好了",
        )
        assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED


def test_a_client_may_update_its_own_unpublished_request(o311):
    number = o311.report().json()[0]["service_request_id"]
    response = o311.post(
        "servicerequestupdates",
        service_request_id=number,
        status="open",
        description="补充：在二楼",
    )
    assert response.status_code == 200


BAD_UPDATES = [
    ("no api_key", 403, {"api_key": None}),
    ("a wrong api_key", 403, {"api_key": "o311_wrong"}),
    ("no request id", 400, {"service_request_id": ""}),
    ("an unknown request", 404, {"service_request_id": "20990101000001"}),
    ("no status", 400, {"status": ""}),
    ("an unknown status", 400, {"status": "MAYBE"}),
    ("no description", 400, {"description": ""}),
    ("a bad updated_datetime", 400, {"updated_datetime": "tuesday"}),
    ("a bad media_url", 400, {"media_url": "ftp://x"}),
    ("a wrong jurisdiction", 404, {"jurisdiction_id": "elsewhere"}),
]


@pytest.mark.parametrize(
    ("what", "status", "changes"), BAD_UPDATES, ids=[b[0] for b in BAD_UPDATES]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_updates_are_refused_and_change_nothing(o311, public_case, what, status, changes, fmt):
    case = public_case()
    params = {"service_request_id": case.number, "status": "open", "description": "补充", **changes}
    before = (CaseEvent.objects.count(), ClientUpdate.objects.count())
    response = o311.post("servicerequestupdates", fmt, **params)
    assert response.status_code == status
    if fmt == "json":
        validate(response.json(), "errors.json")
    else:
        assert parse_xml(response.content).find("error").findtext("code") == str(status)
    assert (CaseEvent.objects.count(), ClientUpdate.objects.count()) == before


def test_a_client_cannot_update_an_unpublished_case_it_did_not_send(o311, public_case):
    case = public_case(public=False)
    response = o311.post(
        "servicerequestupdates", service_request_id=case.number, status="open", description="补充"
    )
    assert response.status_code == 404


def test_a_refusal_from_the_case_loop_is_a_400_not_a_500(o311, public_case, monkeypatch):
    from gridgov.cases.errors import ConcurrentChange
    from gridgov.open311 import services

    def lost_the_race(**kwargs):
        raise ConcurrentChange("Somebody else changed this case a moment ago.")

    monkeypatch.setattr(services, "transition", lost_the_race)
    case = public_case()
    response = o311.post(
        "servicerequestupdates", service_request_id=case.number, status="open", description="补充"
    )
    assert response.status_code == 400
    validate(response.json(), "errors.json")
    assert ClientUpdate.objects.count() == 0
