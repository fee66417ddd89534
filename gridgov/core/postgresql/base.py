"""Django's PostgreSQL backend; the check of a kept connection and the schema editor differ.

The schema editor leaves out the ``LIKE`` index of exact-match columns (``schema.py``).

Connections live across requests (``CONN_MAX_AGE``), and with ``CONN_HEALTH_CHECKS`` Django checks
each one before a request's first query with a ``SELECT 1``: a round trip on every request that
touches the database, a tenth of a small report's statements. A connection the server has closed
(restarted, the backend terminated, an idle timeout, a proxy between them gone) has something to
read on its socket, the server's last message or the end of the stream; a healthy idle connection
has nothing. So the socket is polled without waiting first, and only a connection with something
to read gets Django's ``SELECT 1``. A server that vanished without closing (its host lost power)
shows nothing either way until TCP gives up, with or without the ``SELECT 1``. A connection the
server ends in the instant between the poll and the request's first query fails that request with
a 503, as one ended during a request does; the next request gets a new connection.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq

from gridgov.core.postgresql.schema import DatabaseSchemaEditor


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            poll = select.poll()
            poll.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            something = poll.poll(0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if something else True
