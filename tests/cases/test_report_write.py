"""A report written as production writes it: outside any transaction of the caller, with its
follow-up left in the outbox. On PostgreSQL the case, its number, timeline entry and follower are
one statement (``services._write_numbered``); these tests hold on both engines."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from gridgov.cases.models import Case, CaseEvent, CaseFollower, CaseNumberCounter, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy

AT = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outbox(settings):
    settings.GRIDGOV_FOLLOW_UPS_INLINE = False


@pytest.fixture
def hallway():
    load_default_taxonomy(Category)
    return Category.objects.get(code="0101")


def _report(world, hallway, **extra):
    return case_report(
        actor=world.resident,
        channel="resident",
        category=hallway,
        title=extra.pop("title", "楼道杂物"),
        area=world.grid_a,
        at=AT,
        **extra,
    )


def test_a_report_writes_the_case_its_timeline_entry_and_follower_numbered(world, hallway, outbox):
    assert not connection.in_atomic_block
    reported = _report(world, hallway, client_key="k-1", address=" 和平路 1 号 ")
    case = Case.objects.get()
    assert reported.created and reported.case.pk == case.pk
    assert case.number == reported.case.number == "20261204000001"
    assert case.address == "和平路 1 号" and case.status == "reported"
    event = CaseEvent.objects.get()
    assert (event.case_id, event.action, event.to_status) == (case.pk, "report", "reported")
    assert event.follow_up["after"]["status"] == "reported"  # waits for the relay
    assert reported.case.events.get().pk == event.pk
    follower = CaseFollower.objects.get()
    assert (follower.case_id, follower.user_id) == (case.pk, world.resident.pk)
    assert _report(world, hallway, client_key="k-2").case.number == "20261204000002"


def test_a_repeated_key_gives_the_same_case_and_takes_no_number(world, hallway, outbox):
    first = _report(world, hallway, client_key="k-1").case
    again = _report(world, hallway, client_key="k-1")
    assert not again.created and again.case.pk == first.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert CaseNumberCounter.objects.get(day="20261204").last == 1
    assert _report(world, hallway, client_key="k-2").case.number == "20261204000002"


def test_too_long_a_name_or_address_is_refused_before_anything_is_written(world, hallway, outbox):
    with pytest.raises(ValidationError) as refused:
        _report(world, hallway, address="路" * 201, reporter_name="名" * 65)
    assert set(refused.value.message_dict) == {"address", "reporter_name"}
    assert not Case.objects.exists() and not CaseNumberCounter.objects.exists()


@pytest.fixture
def failing_follower_insert():
    """A trigger that refuses the report's last row, the follower (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION gridgov_test_refuse() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER gridgov_test_refuse BEFORE INSERT ON cases_casefollower "
            "FOR EACH ROW EXECUTE FUNCTION gridgov_test_refuse()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER gridgov_test_refuse ON cases_casefollower")
        cursor.execute("DROP FUNCTION gridgov_test_refuse()")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
def test_a_write_that_fails_on_its_last_row_leaves_nothing(
    world, hallway, outbox, failing_follower_insert
):
    # The day's counter row exists; an anonymous report has no follower.
    _report(world, hallway, client_key="k-0", anonymous=True, callback_phone="13812345678")
    with pytest.raises(DatabaseError, match="refused by the test"):
        _report(world, hallway, client_key="k-1")
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert not Case.objects.filter(client_key="k-1").exists()
    assert CaseNumberCounter.objects.get(day="20261204").last == 1
