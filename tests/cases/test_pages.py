"""The workbench pages of the case loop: the case page and its action forms, the report form, the
to-do list, the dispatch console, the department desk, the list with its export and navigation.

Every refused action asserts that nothing changed; the list pins its query count."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gridgov.cases.models import Case, CaseAttachment, CaseEvent, CaseStatus, ReplyTemplate
from gridgov.cases.workflow import allowed_actions, transition
from gridgov.core.models import StoredFile

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def client_for(login):
    """A signed-in client that reads the English pages (messages are asserted in English)."""

    def make_client(user):
        client = login(user)
        client.cookies["gridgov_language"] = "en"
        return client

    return make_client


def run(case, action, actor, **payload):
    return transition(case=case, action=action, actor=actor, **payload)


def dispatched(world, report, **fields):
    case = run(report(**fields), "accept", world.secretary)
    return run(case, "dispatch", world.secretary)


def page_actions(response) -> list[str]:
    return re.findall(
        r'class="case-action[^"]*" data-action="([a-z_]+)"', response.content.decode()
    )


def data_cases(response) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<(?:tr|li)[^>]* data-case="(\d+)"', response.content.decode())
    ]


def assert_unchanged(case: Case) -> None:
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version) == (case.status, case.version)
    assert CaseEvent.objects.filter(case=case).count() == case.events.count()


def act(client, case, action, version=None, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    data[f"{action}-expected_version"] = case.version if version is None else version
    return client.post(f"/cases/{case.pk}/act/{action}/", data)


# The case page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "officer", "secretary", "worker_a", "handler"])
def test_the_case_page_offers_exactly_the_allowed_actions(world, report, client_for, persona):
    case = dispatched(world, report)
    run(case, "whistle", world.officer, lead=world.department)
    case = Case.objects.get(pk=case.pk)
    user = getattr(world, persona)
    response = client_for(user).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    expected = [spec.action for spec in allowed_actions(case, user)]
    assert page_actions(response) == expected
    if persona == "handler":
        assert "claim" in expected and "dispatch" not in expected
    if persona == "worker_a":
        # The case left the grid's queue for the department: nothing but nothing to do here.
        assert "claim" not in expected and "accept" not in expected


def test_a_new_report_offers_intake_to_the_dispatcher_only(world, report, client_for):
    case = report()
    secretary = page_actions(client_for(world.secretary).get(f"/cases/{case.pk}/"))
    worker = page_actions(client_for(world.worker_a).get(f"/cases/{case.pk}/"))
    assert {"accept", "reject", "merge", "note"} <= set(secretary)
    assert "claim" not in secretary
    assert worker == ["note"]


def test_the_case_page_shows_facts_timeline_and_masked_phone(world, report, client_for):
    case = report(callback_phone="13812345678", address="东湖路1号")
    case = run(case, "accept", world.secretary)
    run(case, "note", world.secretary, note="电话联系了居民")
    body = client_for(world.secretary).get(f"/cases/{case.pk}/").content.decode()
    assert case.number in body and "东湖路1号" in body and "东湖第一网格" in body
    assert "138****5678" in body and "13812345678" not in body
    assert body.count('class="timeline-entry') == 3
    assert "电话联系了居民" in body and "data-internal" in body
    assert 'data-light="none"' in body  # not dispatched: no deadline yet


def test_claim_through_the_page(world, report, client_for):
    case = dispatched(world, report)
    client = client_for(world.worker_a)
    response = act(client, case, "claim")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert (case.status, case.assignee_user) == (CaseStatus.CLAIMED, world.worker_a)
    page = client.get(f"/cases/{case.pk}/")
    assert "resolve" in page_actions(page)
    assert "was recorded" in page.content.decode()


def test_dispatch_to_a_department_through_the_page(world, report, client_for):
    case = run(report(), "accept", world.secretary)
    response = act(client_for(world.officer), case, "dispatch", department=world.department.pk)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignee_department == world.department
    assert case.summons.filter(active=True, department=world.department).exists()


def test_a_refused_action_shows_the_reason_and_changes_nothing(world, report, client_for):
    case = report()
    response = act(client_for(world.secretary), case, "reject", text="")
    assert response.status_code == 400
    assert "This is required for this action." in response.content.decode()
    assert_unchanged(case)


def test_a_failed_verification_needs_its_reason(world, report, client_for):
    case = dispatched(world, report)
    case = run(case, "claim", world.worker_a)
    case = run(case, "resolve", world.worker_a, result="已清理")
    response = act(client_for(world.secretary), case, "verify", passed="no", text="")
    assert response.status_code == 400
    assert "Say what is not fixed." in response.content.decode()
    assert_unchanged(case)


def test_an_action_the_user_may_not_take_is_forbidden(world, report, client_for):
    case = report()
    response = act(client_for(world.worker_a), case, "accept")
    assert response.status_code == 403
    assert_unchanged(case)


def test_an_unknown_action_is_not_found(world, report, client_for):
    case = report()
    assert act(client_for(world.secretary), case, "teleport").status_code == 404


def test_a_stale_page_gets_the_message_and_changes_nothing(world, report, client_for):
    case = report()
    seen = case.version
    case = run(case, "accept", world.officer)  # somebody else acts first
    response = act(client_for(world.secretary), case, "dispatch", version=seen)
    assert response.status_code == 400
    assert "Somebody else changed this case" in response.content.decode()
    assert_unchanged(case)
    # The re-rendered form carries the current version: posting it again works.
    assert f'value="{case.version}"' in response.content.decode()


def test_the_reply_template_fills_the_note(world, report, client_for, hallway, lift):
    case = run(report(), "accept", world.secretary)
    mine = ReplyTemplate.objects.create(title="已联系", text="已电话联系反映人。", category=hallway)
    ReplyTemplate.objects.create(title="电梯模板", text="电梯公司已到场。", category=lift)
    ReplyTemplate.objects.create(title="停用模板", text="x", active=False)
    page = client_for(world.secretary).get(f"/cases/{case.pk}/").content.decode()
    assert "已联系" in page and "电梯模板" not in page and "停用模板" not in page
    response = act(client_for(world.secretary), case, "note", text="", reply_template=mine.pk)
    assert response.status_code == 302
    assert case.events.last().note == "已电话联系反映人。"


def test_whistle_and_merge_through_the_page(world, report, client_for, police):
    case = dispatched(world, report)
    officer = client_for(world.officer)
    response = act(
        officer, case, "whistle", lead=world.department.pk, assisting=[police.pk], text="联合处置"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.whistled and case.summons.filter(active=True).count() == 2
    duplicate = report(title="同一处杂物")
    response = act(officer, duplicate, "merge", into=case.number)
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, case)


# The report form -------------------------------------------------------------------------------


def test_a_grid_worker_reports_a_case_with_a_photo(world, hallway, client_for):
    client = client_for(world.worker_a)
    form = client.get("/cases/new/").content.decode()
    assert 'value="patrol"' in form and 'value="hotline"' not in form
    response = client.post(
        "/cases/new/",
        {
            "channel": "patrol",
            "category": hallway.pk,
            "title": "楼道堆放纸箱",
            "urgency": "normal",
            "area": world.grid_a.pk,
            "crs": "wgs84",
            "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        },
    )
    case = Case.objects.get(title="楼道堆放纸箱")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.channel, case.area, case.reporter_user) == ("patrol", world.grid_a, world.worker_a)
    photo = CaseAttachment.objects.get(case=case)
    assert photo.kind == "before" and photo.file.area == world.grid_a
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/files/{photo.file_id}/" in page


def test_a_non_image_photo_is_refused_and_nothing_is_created(world, hallway, client_for):
    response = client_for(world.worker_a).post(
        "/cases/new/",
        {
            "channel": "patrol",
            "category": hallway.pk,
            "title": "楼道堆放纸箱",
            "urgency": "normal",
            "area": world.grid_a.pk,
            "crs": "wgs84",
            "photos": [SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", "image/jpeg")],
        },
    )
    assert response.status_code == 400
    assert "photo.jpg is not a photo" in response.content.decode()
    assert not Case.objects.exists() and not StoredFile.objects.exists()


def test_an_oversize_photo_is_refused(world, hallway, client_for, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 32
    response = client_for(world.worker_a).post(
        "/cases/new/",
        {
            "channel": "patrol",
            "category": hallway.pk,
            "title": "楼道堆放纸箱",
            "urgency": "normal",
            "area": world.grid_a.pk,
            "crs": "wgs84",
            "photos": [SimpleUploadedFile("big.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert not Case.objects.exists() and not StoredFile.objects.exists()


def test_the_hotline_is_offered_to_the_case_desk(world, hallway, client_for):
    client = client_for(world.secretary)
    assert 'value="hotline"' in client.get("/cases/new/").content.decode()
    response = client.post(
        "/cases/new/",
        {
            "channel": "hotline",
            "category": hallway.pk,
            "title": "来电反映楼道杂物",
            "urgency": "normal",
            "area": world.grid_b.pk,
            "crs": "wgs84",
            "reporter_name": "王女士",
            "callback_phone": "13900001111",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.reporter_name, case.callback_phone) == (
        "hotline",
        "王女士",
        "13900001111",
    )


def test_the_report_needs_a_place(world, hallway, client_for):
    response = client_for(world.worker_a).post(
        "/cases/new/",
        {
            "channel": "patrol",
            "category": hallway.pk,
            "title": "x",
            "urgency": "normal",
            "callback_phone": "13812345678",
        },
    )
    assert response.status_code == 400
    assert "Choose the area, or give the location." in response.content.decode()
    assert "13812345678" not in response.content.decode()  # a refused form echoes no phone
    assert not Case.objects.exists()


# My to-do --------------------------------------------------------------------------------------


def test_the_todo_is_sorted_by_the_nearest_deadline(world, report, lift, client_for):
    """Lift cases run on calendar time, so the deadlines follow the dispatch times exactly."""
    now = timezone.now()

    def dispatched_at(hours_ago, **payload):
        case = run(report(category=lift), "accept", world.secretary)
        return run(
            case,
            "dispatch",
            world.secretary,
            at=now - datetime.timedelta(hours=hours_ago),
            **payload,
        )

    later = dispatched_at(0.2, area=world.grid_a)
    soonest = dispatched_at(0.9, area=world.grid_a)
    middle = dispatched_at(0.5, user=world.worker_a)
    claimed = run(dispatched_at(0.95, area=world.grid_a), "claim", world.worker_a)
    other = dispatched_at(0.99, area=world.grid_b)  # worker B's queue
    response = client_for(world.worker_a).get("/cases/todo/")
    assert response.status_code == 200
    order = data_cases(response)
    # The claimed case is due to be resolved in a day; the others are due to be claimed in an hour.
    assert order == [soonest.pk, middle.pk, later.pk, claimed.pk]
    assert other.pk not in order
    body = response.content.decode()
    assert body.count("data-claim") == 3


def test_a_quick_claim_returns_to_the_todo(world, report, client_for):
    case = dispatched(world, report)
    client = client_for(world.worker_a)
    response = client.post(
        f"/cases/{case.pk}/act/claim/",
        {"claim-expected_version": case.version, "next": "/cases/todo/"},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/todo/"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED
    # An address of another site is never followed.
    other = dispatched(world, report)
    response = client.post(
        f"/cases/{other.pk}/act/claim/",
        {"claim-expected_version": other.version, "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/cases/{other.pk}/"


# Dispatch console ------------------------------------------------------------------------------


def test_the_console_lists_new_and_returned_cases_with_the_suggestion(world, report, client_for):
    new = report()
    returned = dispatched(world, report, title="退回的案件")
    returned = run(returned, "return", world.worker_a, reason="不是本网格")
    busy = dispatched(world, report, title="已派遣")
    response = client_for(world.secretary).get("/cases/dispatch/")
    assert response.status_code == 200
    assert set(data_cases(response)) == {new.pk, returned.pk}
    assert busy.pk not in data_cases(response)
    assert "东湖第一网格" in response.content.decode()  # 楼道杂物 goes to the grid's queue


def test_bulk_accept_and_dispatch_reports_each_failure(world, report, client_for):
    first, second, stale = report(), report(title="第二件"), report(title="过时的")
    seen = stale.version
    run(stale, "note", world.officer, note="有人先动了")
    client = client_for(world.secretary)
    response = client.post(
        "/cases/dispatch/",
        {
            "operation": "dispatch",
            "cases": [first.pk, second.pk, stale.pk],
            f"version-{first.pk}": first.version,
            f"version-{second.pk}": second.version,
            f"version-{stale.pk}": seen,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "2 case(s) accepted and dispatched." in body
    assert stale.number in body and "Somebody else changed this case" in body
    for case in (first, second):
        case.refresh_from_db()
        assert (case.status, case.assignee_area) == (CaseStatus.DISPATCHED, world.grid_a)
    stale.refresh_from_db()
    assert stale.status == CaseStatus.REPORTED  # neither accepted nor dispatched


def test_bulk_reject_needs_a_reason(world, report, client_for):
    case = report()
    client = client_for(world.secretary)
    response = client.post("/cases/dispatch/", {"operation": "reject", "cases": [case.pk]})
    assert response.status_code == 400
    assert "Give the reason for rejecting" in response.content.decode()
    assert_unchanged(case)
    response = client.post(
        "/cases/dispatch/", {"operation": "reject", "cases": [case.pk], "reason": "重复反映"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.events.last().note == "重复反映"


def test_the_console_is_for_dispatchers(world, client_for):
    assert client_for(world.worker_a).get("/cases/dispatch/").status_code == 403
    assert client_for(world.handler).get("/cases/dispatch/").status_code == 403


# Department desk -------------------------------------------------------------------------------


def test_the_desk_claims_and_reports_a_part_done(world, report, client_for, police):
    from tests.factories import UserFactory, assign

    case = dispatched(world, report)
    case = run(case, "whistle", world.officer, lead=world.department, assisting=[police])
    officer_of_police = UserFactory(username="police_handler")
    assign(officer_of_police, "department_handler", department=police)
    client = client_for(officer_of_police)
    desk = client.get("/cases/desk/")
    assert data_cases(desk) == [case.pk]
    assert "data-claim" in desk.content.decode()
    response = client.post(
        f"/cases/{case.pk}/act/claim/",
        {"claim-expected_version": case.version, "next": "/cases/desk/"},
    )
    assert response["Location"] == "/cases/desk/"
    case.refresh_from_db()
    desk = client.get("/cases/desk/").content.decode()
    assert "data-assist-done" in desk
    response = client.post(
        f"/cases/{case.pk}/act/assist_done/",
        {
            "assist_done-expected_version": case.version,
            "assist_done-text": "已出警劝离",
            "next": "/cases/desk/",
        },
    )
    assert response.status_code == 302
    summons = case.summons.get(department=police, active=True)
    assert summons.done_at is not None and summons.done_note == "已出警劝离"


def test_the_desk_is_for_department_handlers(world, client_for):
    assert client_for(world.secretary).get("/cases/desk/").status_code == 403


# List and export -------------------------------------------------------------------------------


def test_the_list_filters(world, report, lift, client_for):
    hallway_case = report(address="东湖路1号")
    lift_case = report(category=lift, title="电梯困人", area=world.grid_b)
    supervised = run(dispatched(world, report, title="督办件"), "supervise", world.officer)
    client = client_for(world.secretary)

    def listed(**params):
        response = client.get("/cases/", params)
        assert response.status_code == 200
        return set(data_cases(response))

    assert listed() == {hallway_case.pk, lift_case.pk, supervised.pk}
    assert listed(category=lift.pk) == {lift_case.pk}
    assert listed(category=lift.parent_id) == {lift_case.pk}  # a class takes its subclasses
    assert listed(area=world.grid_b.pk) == {lift_case.pk}
    assert listed(status="dispatched") == {supervised.pk}
    assert listed(supervised="on") == {supervised.pk}
    assert listed(q="东湖路") == {hallway_case.pk}
    assert listed(q=lift_case.number) == {lift_case.pk}
    today = timezone.localdate().isoformat()
    assert len(listed(reported_from=today, reported_to=today)) == 3
    assert listed(reported_to="2000-01-01") == set()
    assert listed(overdue="on") == set()


def test_the_overdue_filter(world, report, lift, client_for):
    late = run(report(category=lift), "accept", world.secretary)
    late = run(late, "dispatch", world.secretary, at=timezone.now() - datetime.timedelta(days=3))
    dispatched(world, report)  # on time
    response = client_for(world.secretary).get("/cases/", {"overdue": "on"})
    assert data_cases(response) == [late.pk]
    assert 'data-light="red"' in response.content.decode()


def _list_queries(client) -> int:
    client.get("/cases/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/").status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_page(
    world, report, client_for, django_assert_max_num_queries
):
    client = client_for(world.secretary)
    for number in range(3):
        dispatched(world, report, title=f"案件{number}")
    few = _list_queries(client)
    for number in range(3, 55):
        report(title=f"案件{number}", area=world.grid_b)
    assert _list_queries(client) == few
    with django_assert_max_num_queries(14):
        response = client.get("/cases/")
    assert len(response.context["page"].object_list) == 50


def test_case_page_query_count_does_not_grow_with_the_timeline(
    world, report, client_for, django_assert_max_num_queries
):
    case = dispatched(world, report)
    client = client_for(world.secretary)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/cases/{case.pk}/")
    for number in range(20):
        case = run(
            case, "note", world.worker_a if number % 2 else world.secretary, note=str(number)
        )
    with django_assert_max_num_queries(len(before)):
        assert client.get(f"/cases/{case.pk}/").status_code == 200


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_export_follows_the_filters_and_masks_phones(world, report, lift, client_for):
    report(callback_phone="13812345678", title="楼道")
    report(category=lift, title="电梯", callback_phone="13900001111")
    response = client_for(world.secretary).get("/cases/export.xlsx", {"category": lift.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(response)
    assert rows[0][0] == "Case number"
    assert [row[1] for row in rows[1:]] == ["电梯"]
    assert "139****1111" in rows[1] and "13900001111" not in str(rows)


# Navigation ------------------------------------------------------------------------------------


def test_the_cases_module_in_the_navigation(world, client_for):
    def entries(user):
        body = client_for(user).get("/cases/todo/").content.decode()
        return set(re.findall(r'data-url-name="(cases:[a-z]+)"', body))

    assert entries(world.secretary) == {
        "cases:todo",
        "cases:dispatch",
        "cases:list",
        "cases:new",
        "cases:kpis",
    }
    assert entries(world.worker_a) == {"cases:todo", "cases:list", "cases:new", "cases:kpis"}
    assert entries(world.handler) == {"cases:todo", "cases:desk", "cases:list"}
