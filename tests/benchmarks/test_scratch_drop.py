"""A benchmark's scratch database is dropped even when PostgreSQL still holds the sessions of the
server the benchmark just stopped (they end a moment after its processes)."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from gridgov.benchmarks import _drop


class Creation:
    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.calls = 0

    def destroy_test_db(self, old_name, verbosity, keepdb):
        self.calls += 1
        if self.failures:
            raise OperationalError(self.failures.pop(0))


class Connection:
    def __init__(self, failures: list[str]) -> None:
        self.creation = Creation(failures)


BUSY = 'database "test_gridgov" is being accessed by other users'


def test_the_drop_is_tried_again_while_the_stopped_servers_sessions_last():
    connection = Connection([BUSY, BUSY])
    _drop(connection, "gridgov")
    assert connection.creation.calls == 3


def test_another_failure_of_the_drop_is_raised_at_once():
    connection = Connection(["permission denied to drop database"])
    with pytest.raises(OperationalError, match="permission denied"):
        _drop(connection, "gridgov")
    assert connection.creation.calls == 1
