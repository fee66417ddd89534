"""After handling: the reporter rates 1–5 with a comment (1–2 reopens, the workflow's rule), may
reopen within the configured window, and is asked "is it fixed?" some days after closing (a
queued job and the sweep); "no" reopens the case."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import Case, CaseEvent, CaseStatus
from gridgov.notifications.models import Delivery, Notification
from gridgov.resident import jobs
from gridgov.resident.models import FixedCheck
from gridgov.resident.services import case_reopen_by_reporter
from tests.resident.conftest import move

DAY = datetime.timedelta(days=1)


def test_the_reporter_rates_a_closed_case(resident_case, world, resident_client):
    case = move(resident_case, world)
    page = resident_client.get(f"/m/mine/{case.pk}/").content.decode()
    assert "评价办理情况" in page
    response = resident_client.post(
        f"/m/mine/{case.pk}/rate/", {"rating": "5", "comment": "很及时"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RATED and case.rating == 5 and case.rating_comment == "很及时"
    assert "您的评价：5 / 5" in resident_client.get(f"/m/mine/{case.pk}/").content.decode()


def test_a_low_rating_sends_the_case_back(resident_case, world, resident_client):
    case = move(resident_case, world)
    resident_client.post(f"/m/mine/{case.pk}/rate/", {"rating": "1", "comment": "根本没清理"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLAIMED and case.rating == 1 and case.reopen_count == 1


def test_a_bad_rating_changes_nothing(resident_case, world, resident_client):
    case = move(resident_case, world)
    response = resident_client.post(f"/m/mine/{case.pk}/rate/", {"rating": "9"})
    assert response.status_code == 400 and "请选择 1 到 5 分" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.rating is None


def test_a_case_not_yet_closed_cannot_be_rated(resident_case, world, resident_client):
    case = move(resident_case, world, until="resolved")
    response = resident_client.post(f"/m/mine/{case.pk}/rate/", {"rating": "5"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.rating is None


def test_the_reporter_reopens_within_the_window(resident_case, world, resident_client):
    case = move(resident_case, world)
    assert "申请返工" in resident_client.get(f"/m/mine/{case.pk}/").content.decode()
    response = resident_client.post(f"/m/mine/{case.pk}/reopen/", {"reason": "纸箱又堆上了"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1
    assert CaseEvent.objects.filter(case=case, action="reopen", note="纸箱又堆上了").exists()


def test_after_the_window_the_case_cannot_be_reopened(resident_case, world, resident_client):
    case = move(resident_case, world, at=timezone.now() - 8 * DAY)
    page = resident_client.get(f"/m/mine/{case.pk}/").content.decode()
    assert "申请返工" not in page
    response = resident_client.post(f"/m/mine/{case.pk}/reopen/", {"reason": "又堆上了"})
    assert response.status_code == 400 and "结案 7 天后不能再申请返工" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.reopen_count == 0


def test_the_window_is_configurable(resident_case, world, settings, phone_resident):
    settings.GRIDGOV_RESIDENT_REOPEN_DAYS = 10
    case = move(resident_case, world, at=timezone.now() - 8 * DAY)
    case = case_reopen_by_reporter(case=case, actor=phone_resident, reason="又堆上了")
    assert case.status == CaseStatus.DISPATCHED


def test_nobody_else_reopens_through_the_resident_service(resident_case, world):
    case = move(resident_case, world)
    with pytest.raises(WorkflowError):
        case_reopen_by_reporter(case=case, actor=world.worker_a, reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_closing_queues_the_question_for_the_configured_day(
    resident_case, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = move(resident_case, world)
    queued = DBTaskResult.objects.filter(task_path__endswith="ask_if_fixed")
    assert [row.run_after for row in queued] == [case.closed_at + 3 * DAY]


def test_the_job_asks_once_on_the_page_in_the_inbox_and_by_text(
    resident_case, world, resident_client, django_capture_on_commit_callbacks
):
    case = move(resident_case, world, at=timezone.now() - 4 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.ask_if_fixed.call(case.pk) is True
        assert jobs.ask_if_fixed.call(case.pk) is False  # asked already
    assert FixedCheck.objects.filter(case=case).count() == 1
    assert Notification.objects.filter(
        recipient=case.reporter_user, title__contains="解决了吗"
    ).exists()
    assert Delivery.objects.filter(template="case_fixed_check", kind="case_feedback").count() == 1
    assert "问题解决了吗" in resident_client.get("/m/").content.decode()
    assert "data-fixed-question" in resident_client.get(f"/m/mine/{case.pk}/").content.decode()


def test_the_question_is_in_the_reporters_language_whatever_the_job_thread_has_active(
    resident_case, world, django_capture_on_commit_callbacks
):
    case = move(resident_case, world, at=timezone.now() - 4 * DAY)
    earlier = set(Notification.objects.values_list("pk", flat=True))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert jobs.ask_if_fixed.call(case.pk) is True
    [question] = Notification.objects.filter(recipient=case.reporter_user).exclude(pk__in=earlier)
    assert "解决了吗" in question.title and case.number in question.title


def test_the_question_is_not_asked_before_its_day(resident_case, world):
    case = move(resident_case, world, at=timezone.now() - 2 * DAY)
    assert jobs.ask_if_fixed.call(case.pk) is False
    assert jobs.fixed_check_sweep() == 0


def test_the_sweep_asks_what_the_jobs_missed(resident_case, world, settings):
    case = move(resident_case, world, at=timezone.now() - 2 * DAY)
    settings.GRIDGOV_RESIDENT_FIXED_CHECK_DAYS = 1
    call_command("sweep")
    assert FixedCheck.objects.filter(case=case).count() == 1
    assert jobs.fixed_check_sweep() == 0  # idempotent


def test_no_reopens_the_case(resident_case, world, resident_client):
    case = move(resident_case, world, at=timezone.now() - 30 * DAY)  # long past the window
    jobs.fixed_check_sweep()
    response = resident_client.post(
        f"/m/mine/{case.pk}/fixed/", {"fixed": "no", "note": "还是堆着"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1
    check = FixedCheck.objects.get(case=case)
    assert check.fixed is False and check.answered_at is not None
    assert CaseEvent.objects.filter(case=case, action="reopen", note="还是堆着").exists()
    # Answered once only.
    response = resident_client.post(f"/m/mine/{case.pk}/fixed/", {"fixed": "yes"})
    assert response.status_code == 400


def test_yes_keeps_the_case_closed(resident_case, world, resident_client):
    case = move(resident_case, world, at=timezone.now() - 4 * DAY)
    jobs.fixed_check_sweep()
    resident_client.post(f"/m/mine/{case.pk}/fixed/", {"fixed": "yes"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert FixedCheck.objects.get(case=case).fixed is True
    assert Case.objects.get(pk=case.pk).reopen_count == 0
