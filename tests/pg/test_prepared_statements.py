"""On PostgreSQL a statement a connection runs often is prepared there once (settings.py: server-side
binding, prepare_threshold), and a prepared report still numbers and writes its case."""

from __future__ import annotations

import pytest
from django.db import connection

from gridgov.cases.models import Case, CaseEvent

pytestmark = [pytest.mark.pg, pytest.mark.django_db]


def test_the_report_statement_is_prepared_after_five_runs_and_still_numbers(report):
    cases = [report(title=f"楼道杂物 {turn}") for turn in range(8)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("cases_casenumbercounter" in statement for statement in prepared), prepared
    numbers = [case.number for case in cases]
    assert [int(number[-6:]) for number in numbers] == list(range(1, 9))
    stored = dict(Case.objects.values_list("id", "number"))
    assert stored == {case.id: case.number for case in cases}
    assert CaseEvent.objects.filter(case__in=cases).count() == 8
