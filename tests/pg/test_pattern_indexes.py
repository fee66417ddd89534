"""On PostgreSQL, a column only ever compared whole (a blind index, the client key, an event's
action) gets no ``varchar_pattern_ops`` index: every report would write it and no query reads it.
The case number keeps its own, since staff search numbers by their beginning."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.backends.postgresql import schema

from gridgov.cases.models import Case, CaseEvent, CaseFollower
from gridgov.cases.selectors import CaseFilters, case_list
from gridgov.core.postgresql.schema import drop_pattern_indexes

pytestmark = [pytest.mark.pg, pytest.mark.django_db]


def _pattern_indexes() -> set[tuple[str, str]]:
    """(table, column) of every index with a pattern operator class."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.attname
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
            JOIN pg_opclass o ON o.oid = ANY(i.indclass::oid[])
            WHERE o.opcname IN ('varchar_pattern_ops', 'text_pattern_ops')
            """
        )
        return set(cursor.fetchall())


def _exact_columns() -> set[tuple[str, str]]:
    return {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if getattr(field, "exact_match_only", False)
    }


def test_exact_match_columns_have_no_pattern_index_and_the_case_number_keeps_its_own():
    exact = _exact_columns()
    # Every blind index of a personal identifier, plus the two plain exact columns of a report.
    assert ("cases_case", "callback_phone_index") in exact
    assert ("cases_casefollower", "phone_index") in exact
    assert ("cases_case", "client_key") in exact
    assert ("cases_caseevent", "action") in exact
    assert ("registry_resident", "id_number_index") in exact
    assert ("core_user", "phone_index") in exact
    patterned = _pattern_indexes()
    assert not exact & patterned, exact & patterned
    assert ("cases_case", "number") in patterned
    # Their ordinary indexes are still there.
    with connection.cursor() as cursor:
        constraints = {
            table: connection.introspection.get_constraints(cursor, table)
            for table in {table for table, _column in exact}
        }
    plain = {
        (table, column)
        for table, column in exact
        if any(
            info["columns"] == [column] and (info["index"] or info["unique"])
            for info in constraints[table].values()
        )
    }
    assert plain == exact


def test_a_case_is_still_found_by_the_beginning_of_its_number(world, report):
    case = report(title="楼道杂物")
    report(title="另一件")
    found = list(case_list(world.officer, CaseFilters(query=case.number)))
    assert found == [case]


def test_the_migration_step_drops_the_indexes_an_older_database_has_and_puts_them_back():
    step = drop_pattern_indexes("cases")
    with connection.schema_editor() as editor:
        for model, name in (
            (Case, "client_key"),
            (CaseEvent, "action"),
            (CaseFollower, "phone_index"),
        ):
            field = model._meta.get_field(name)
            editor.execute(schema.DatabaseSchemaEditor._create_like_index_sql(editor, model, field))
    older = _pattern_indexes()
    assert {
        ("cases_case", "client_key"),
        ("cases_caseevent", "action"),
        ("cases_casefollower", "phone_index"),
    } <= older

    with connection.schema_editor() as editor:
        step.code(apps, editor)
    assert not _exact_columns() & _pattern_indexes()
    assert ("cases_case", "number") in _pattern_indexes()

    with connection.schema_editor() as editor:
        step.reverse_code(apps, editor)
    back = _pattern_indexes()
    assert ("cases_case", "callback_phone_index") in back
    assert ("cases_caseevent", "action") in back
    # Back as the migrated database has it (the test's transaction would undo it anyway).
    with connection.schema_editor() as editor:
        step.code(apps, editor)
    assert not _exact_columns() & _pattern_indexes()
