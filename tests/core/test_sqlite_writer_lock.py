"""SQLite writers queue on a file lock (gridgov/core/sqlite): the next writer goes as soon as the
last one ends, and no way of ending a transaction leaves the lock behind."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from gridgov.core.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's writer lock")


def _lock_is_free() -> bool:
    descriptor = os.open(f"{connection.settings_dict['NAME']}-writer.lock", os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


def test_a_second_writer_waits_for_the_first_then_goes_at_once():
    started = threading.Event()
    timings: dict[str, float] = {}

    def second_writer() -> None:
        other = connections.create_connection("default")
        try:
            started.set()
            begun = time.monotonic()
            with _atomic(other):
                timings["began"] = time.monotonic()
                other.cursor().execute("UPDATE core_user SET full_name = 'B' WHERE username = 'a'")
            timings["waited"] = timings["began"] - begun
        finally:
            other.close()

    User.objects.create_user("a", full_name="A")
    with transaction.atomic():
        User.objects.filter(username="a").update(full_name="first")
        thread = threading.Thread(target=second_writer)
        thread.start()
        started.wait(5)
        time.sleep(0.4)
        assert "began" not in timings  # still waiting: one writer at a time
        released = time.monotonic()
    thread.join(10)
    assert timings["waited"] >= 0.3
    # It went soon after the release (a loaded machine may delay the wake-up a little).
    assert timings["began"] - released < 0.25
    assert User.objects.get(username="a").full_name == "B"


class _atomic:  # noqa: N801 (a context manager on a connection outside the handler)
    """``transaction.atomic`` for a connection made with ``create_connection``."""

    def __init__(self, other) -> None:
        self.other = other

    def __enter__(self) -> None:
        self.other.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, kind, value, trace) -> None:
        if kind is None:
            self.other.commit()
        else:
            self.other.rollback()
        self.other.set_autocommit(True)


def test_commit_rollback_and_errors_release_the_lock():
    with transaction.atomic():
        User.objects.create_user("b")
        assert not _lock_is_free()
    assert _lock_is_free()
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user("c")
        raise RuntimeError
    assert _lock_is_free()
    assert not User.objects.filter(username="c").exists()


def test_the_deploy_check_still_sees_sqlite_behind_our_backend(settings):
    from gridgov.core.checks import check_production_profile

    assert settings.DATABASES["default"]["ENGINE"] == "gridgov.core.sqlite"
    settings.PRODUCTION, settings.DEBUG = True, False
    assert "gridgov.W002" in {problem.id for problem in check_production_profile(None)}
