"""gridgov.core.compiled: the hot statements, compiled once, must behave as the ORM's own."""

from __future__ import annotations

import datetime

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from gridgov.api.models import ApiToken
from gridgov.api.tokens import token_create, token_revoke, user_for_key
from gridgov.areas.models import Area
from gridgov.cases.models import Case, CaseEvent, CaseStatus, Category
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.core.compiled import CompiledQuery, NewRow, insert, insert_many, insert_together
from gridgov.core.models import RoleAssignment

pytestmark = pytest.mark.django_db

BY_CODE = CompiledQuery(lambda p: Area.objects.filter(code=p("code")).order_by("pk"))
ROLES = CompiledQuery(
    lambda p: (
        RoleAssignment.objects.filter(user=p("user", int), active=True)
        .order_by("pk")
        .values_list("role", "area__code")
    )
)


def test_a_compiled_query_gives_what_the_orm_gives_for_each_value(world):
    for area in (world.grid_a, world.grid_b, world.street):
        found = BY_CODE.instances(code=area.code)
        assert [row.pk for row in found] == [area.pk]
        assert found[0].name == area.name and found[0].parent_id == area.parent_id
    assert BY_CODE.first(code="nothing") is None
    for user in (world.worker_a, world.officer, world.resident):
        expected = list(
            RoleAssignment.objects.filter(user=user, active=True)
            .order_by("pk")
            .values_list("role", "area__code")
        )
        assert ROLES.rows(user=user.pk) == expected and expected


def test_it_is_compiled_once_per_connection(world):
    BY_CODE.instances(code=world.grid_a.code)
    prepared = connections["default"].__dict__["_gridgov_compiled"][BY_CODE._key]
    BY_CODE.instances(code=world.grid_b.code)
    assert connections["default"].__dict__["_gridgov_compiled"][BY_CODE._key] is prepared


def test_related_objects_and_converted_values_load_as_the_orm_loads_them(world):
    token, key = token_create(user=world.worker_a)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    assert (
        user_for_key(key) == world.worker_a
    )  # a select_related user, through the compiled look-up
    orm = ApiToken.objects.select_related("user").get(pk=token.pk)
    compiled = CompiledQuery(
        lambda p: ApiToken.objects.select_related("user").filter(key_hash=p("key_hash"))
    ).first(key_hash=orm.key_hash)
    assert isinstance(compiled.last_used_at, datetime.datetime)
    assert compiled.last_used_at == orm.last_used_at and compiled.user.pk == orm.user.pk
    token_revoke(token=token)
    assert user_for_key(key) is None  # revoked at once: nothing is cached between requests


def test_a_parameter_that_a_lookup_would_change_is_refused(world):
    with pytest.raises(ValueError, match="plain equality"):
        CompiledQuery(lambda p: Area.objects.filter(code__startswith=p("code"))).instances(
            code="1101"
        )
    with pytest.raises(TypeError, match="str or an int"):
        CompiledQuery(lambda p: Area.objects.filter(name=p("at", datetime.datetime))).instances(
            at=timezone.now()
        )


def _new_case(world, number: str, now) -> Case:
    """A hotline case with plain, encrypted, related and defaulted columns, not yet written."""
    return Case(
        number=number,
        channel="hotline",
        category=Category.objects.filter(parent__isnull=False, active=True).first(),
        title="楼道堆物",
        area=world.grid_a,
        reporter_name="王",
        callback_phone="13812345678",
        status=CaseStatus.REPORTED,
        reported_at=now,
        lon=120.1,
        lat=30.2,
        supervised=True,
        reopen_count=2,
    )


def _assert_same_columns(first: Case, second: Case) -> None:
    """Both rows hold the same values, but for their own id, uid, number, phone ciphertext
    (bound to its row) and update time."""
    skip = {"id", "uid", "number", "callback_phone", "callback_phone_index", "updated_at"}
    names = [f.attname for f in Case._meta.concrete_fields if f.attname not in skip]
    rows = Case.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values(*names)
    assert rows[0] == rows[1]


def test_insert_writes_the_row_save_writes_and_sends_the_signals(world):
    load_default_taxonomy(Category)
    now = timezone.now()
    saved = _new_case(world, "20260101000001", now)
    saved.save()
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append(created)

    post_save.connect(listener, sender=Case, dispatch_uid="test-compiled")
    try:
        inserted = insert(_new_case(world, "20260101000002", now))
    finally:
        post_save.disconnect(sender=Case, dispatch_uid="test-compiled")
    assert heard == [True] and inserted.pk and not inserted._state.adding

    _assert_same_columns(saved, inserted)
    # encrypted as save() encrypts (bound to its own row), blind index as save() writes it
    fresh = Case.objects.get(pk=inserted.pk)
    assert fresh.callback_phone == "13812345678"
    assert fresh.callback_phone_index == Case.objects.get(pk=saved.pk).callback_phone_index


def test_insert_takes_the_id_of_a_related_object_saved_after_it_was_assigned(world):
    load_default_taxonomy(Category)
    category = Category.objects.filter(parent__isnull=False, active=True).first()
    case = Case(
        number="20260101000003",
        channel="api",
        category=category,
        title="t",
        area=world.grid_a,
        status=CaseStatus.REPORTED,
        reporter_user=world.resident,
    )
    event = CaseEvent(case=case, action="report", to_status=CaseStatus.REPORTED)
    insert(case)
    insert(event)
    assert CaseEvent.objects.get(pk=event.pk).case_id == case.pk


def test_insert_refuses_a_row_whose_related_object_is_unsaved(world):
    load_default_taxonomy(Category)
    case = Case(number="20260101000004", channel="api", title="t", area=world.grid_a)
    case.category = Category(code="x", name="unsaved")
    with pytest.raises(ValueError, match="unsaved related object 'category'"):
        insert(case)
    assert not Case.objects.exists()


@pytest.mark.skipif("connections['default'].vendor != 'postgresql'")
def test_insert_together_writes_the_rows_save_writes_in_one_statement(
    world, django_assert_num_queries
):
    load_default_taxonomy(Category)
    now = timezone.now()
    saved = _new_case(world, "20260101000001", now)
    saved.save()
    CaseEvent.objects.create(case=saved, action="report", to_status="reported", at=now, data={})
    case = _new_case(world, "", now)
    event = CaseEvent(case=case, action="report", to_status="reported", at=now, data={"a": 1})
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((sender.__name__, created))

    post_save.connect(listener, dispatch_uid="test-together")
    try:
        # (the case's audit entry is written by its follow-up, as the report does)
        with disable_auditlog(), django_assert_num_queries(1):
            given = insert_together(
                [
                    NewRow(case, sql={"number": "'20260101' || '000002'"}),
                    NewRow(event, sql={"case": "{row_0}"}),
                ]
            )
    finally:
        post_save.disconnect(dispatch_uid="test-together")
    assert given == [("20260101000002",), (case.pk,)]
    assert heard == [("Case", True), ("CaseEvent", True)]
    assert case.number == "20260101000002" and event.case_id == case.pk
    _assert_same_columns(saved, case)
    assert Case.objects.get(pk=case.pk).callback_phone == "13812345678"
    assert CaseEvent.objects.get(pk=event.pk).data == {"a": 1}


def _audit_entries(world, first_pk: int, at) -> list[LogEntry]:
    """Audit entries as the relay writes them: JSON, a related actor, an address, a time."""
    return [
        LogEntry(
            content_type=ContentType.objects.get_for_model(Case),
            object_pk=str(first_pk + n),
            object_id=first_pk + n,
            object_repr=f"案件 {n}",
            action=LogEntry.Action.CREATE,
            changes={"title": [None, f"楼道杂物 {n}"], "urgency": [None, "normal"]},
            changes_text="",
            actor=world.resident,
            remote_addr="10.0.0.7",
            timestamp=at,
            additional_data={"channel": "resident", "n": n},
        )
        for n in range(3)
    ]


def test_insert_many_writes_the_rows_bulk_create_writes_without_signals(
    world, django_assert_num_queries
):
    load_default_taxonomy(Category)
    case = _new_case(world, "20260101000001", timezone.now())
    case.save()
    LogEntry.objects.all().delete()
    at = timezone.now()
    LogEntry.objects.bulk_create(_audit_entries(world, 1000, at))
    heard = []

    def listener(sender, **kwargs):
        heard.append(sender)

    pre_save.connect(listener, sender=LogEntry, dispatch_uid="test-many")
    post_save.connect(listener, sender=LogEntry, dispatch_uid="test-many")
    entries = _audit_entries(world, 2000, at)
    try:
        with django_assert_num_queries(1):
            insert_many(entries)
    finally:
        pre_save.disconnect(sender=LogEntry, dispatch_uid="test-many")
        post_save.disconnect(sender=LogEntry, dispatch_uid="test-many")
    assert heard == []
    assert all(not entry._state.adding for entry in entries)
    names = [f.attname for f in LogEntry._meta.concrete_fields if f.name not in {"id"}]
    rows = list(LogEntry.objects.order_by("object_id").values(*names))
    assert len(rows) == 6
    for bulk, many in zip(rows[:3], rows[3:], strict=True):
        assert many["object_id"] == bulk["object_id"] + 1000
        assert many["object_pk"] == str(many["object_id"])
        same = {k: v for k, v in many.items() if k not in {"object_id", "object_pk"}}
        assert same == {k: v for k, v in bulk.items() if k not in {"object_id", "object_pk"}}
    assert rows[3]["changes"] == {"title": [None, "楼道杂物 0"], "urgency": [None, "normal"]}


def test_insert_many_refuses_rows_of_two_models_and_writes_nothing(world):
    load_default_taxonomy(Category)
    case = _new_case(world, "20260101000001", timezone.now())
    case.save()
    LogEntry.objects.all().delete()
    rows = [*_audit_entries(world, 1000, timezone.now()), CaseEvent(case=case, action="report")]
    with pytest.raises(ValueError, match="rows of one model"):
        insert_many(rows)
    assert not LogEntry.objects.exists()
    insert_many([])  # nothing to write: no statement, no error


def test_the_values_passed_as_they_are_are_what_djangos_fields_would_give():
    """``_prepared_values`` skips the field for None and for the plain values ``as_is`` keeps
    for this backend; every field class of ``_AS_IS`` still gives None back."""
    from django.db import connection, models

    from gridgov.core.compiled import _AS_IS, as_is

    samples = {str: ["", "楼道", "x" * 10], bool: [True, False], int: [0, -3, 2**40]}
    samples[float] = [0.0, 1.5, -2.25]
    kept = as_is(connection)
    assert {models.CharField, models.TextField, models.BooleanField} <= set(kept)
    for cls, kind in _AS_IS.items():
        field = cls(max_length=10) if cls is models.CharField else cls()
        assert field.get_db_prep_save(None, connection=connection) is None
        if cls not in kept:
            continue
        for value in samples[kind]:
            prepared = field.get_db_prep_save(value, connection=connection)
            assert prepared == value and type(prepared) is type(value), (cls, value)
