"""Case numbers: the day and its sequence, from the day's counter, above any number already
written another way (imports, seeds)."""

from __future__ import annotations

import datetime
import uuid

from gridgov.cases.models import Case, CaseNumberCounter

AT = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing


def test_numbers_follow_the_day_sequence(report):
    numbers = [report(title=f"第{i}件", at=AT).number for i in range(3)]
    assert numbers == ["20261204000001", "20261204000002", "20261204000003"]
    assert CaseNumberCounter.objects.get(day="20261204").last == 3


def test_the_counter_starts_above_and_steps_over_numbers_written_without_it(report):
    first = report(title="楼道杂物", at=AT)
    # A case written straight into the table (an import) after the counter was made.
    Case.objects.filter(pk=first.pk).update(number="20261204000001")
    clone = Case.objects.get(pk=first.pk)
    clone.pk, clone.uid, clone.number, clone.client_key = None, uuid.uuid4(), "20261204000002", None
    clone.save()
    # The counter says 1; number 2 is taken: the report steps over it instead of failing.
    assert report(title="第二件", at=AT).number == "20261204000003"
    assert report(title="第三件", at=AT).number == "20261204000004"
