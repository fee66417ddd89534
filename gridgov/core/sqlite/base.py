"""SQLite as Django's own backend, with writers queued on an operating-system file lock.

SQLite lets one writer at a time hold its database; a second one (``BEGIN IMMEDIATE``, see
settings.py) waits in SQLite's busy handler, which polls with growing sleeps (1, 2, 5, 10 … 100
ms). Several gunicorn workers reporting cases at once then leave the database idle while each
sleeps: the intake load test showed p99 latencies over a second at a few dozen cases a second.
Here a writer first takes an exclusive ``flock`` on ``<database>-writer.lock`` and only then
begins; it releases it when the transaction ends. The kernel wakes the next waiter as soon as the
lock is free. The lock is taken exactly where SQLite's would be, so nothing can wait that did not
wait before; autocommit writes outside a transaction still queue in SQLite's busy handler.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

# After this long without the file lock, begin anyway and let SQLite's own busy timeout decide.
LOCK_WAIT_SECONDS = 20.0
# SQLite copies the write-ahead log back into the database (a checkpoint, with an fsync) inside
# the commit that passes ``wal_autocheckpoint`` pages: while holding the writers' lock, so every
# queued report waited for it (2 % of commits took 5 ms). Each connection instead runs a passive
# checkpoint after every CHECKPOINT_EVERY commits, once the lock is released; the automatic one
# (settings.py: 4,000 pages) remains for writes that never pass through here.
CHECKPOINT_EVERY = 64


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: int | None = None
    _writer_locked = False
    _commits = 0

    def _writer_lock_file(self) -> int | None:
        if self.transaction_mode != "IMMEDIATE" or self.is_in_memory_db():
            return None
        if self._writer_lock is None:
            path = f"{self.settings_dict['NAME']}-writer.lock"
            self._writer_lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._writer_lock

    def _lock_writer(self) -> None:
        descriptor = self._writer_lock_file()
        if descriptor is None or self._writer_locked:
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Blocking in flock() itself would wait without a bound; short polls keep one.
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            pause = 0.0001
            while True:
                time.sleep(pause)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        return
                    pause = min(pause * 2, 0.001)
        self._writer_locked = True

    def _unlock_writer(self) -> None:
        if self._writer_locked and self._writer_lock is not None:
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)
        self._writer_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self._lock_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._unlock_writer()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._unlock_writer()
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0 and self.connection is not None:
                self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:  # the next one catches up; SQLite's own remains
            logger.warning("checkpoint skipped: %s", error)

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._unlock_writer()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._unlock_writer()
            if self._writer_lock is not None:
                os.close(self._writer_lock)
                self._writer_lock = None
