"""Many reports at the same moment on a real server: each gets its own next number, none fails."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from gridgov.cases.models import Case

pytestmark = [pytest.mark.pg, pytest.mark.django_db(transaction=True)]


def test_concurrent_reports_take_consecutive_numbers(report):
    count = 8
    barrier = threading.Barrier(count)
    failures: list[str] = []

    def reporter(index: int) -> None:
        try:
            barrier.wait()
            for turn in range(5):
                with transaction.atomic():
                    report(title=f"楼道杂物 {index}-{turn}")
        except Exception as error:  # noqa: BLE001 (any failure is the finding)
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reporter, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    numbers = sorted(Case.objects.values_list("number", flat=True))
    # Before the day's counter row, eight at once read the same highest number and most of them
    # ran out of retries ("could not number the case after 5 attempts").
    assert [int(number[-6:]) for number in numbers] == list(range(1, count * 5 + 1))
