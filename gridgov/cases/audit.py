"""The audit entry of a new case, written as part of its report's follow-up.

The report's transaction puts what the entry says into the follow-up outbox (it commits with the
case, so it cannot be lost); the relay builds a batch's entries (``report_audit_entries``) and
writes them with one INSERT (``GRIDGOV_FOLLOW_UPS_INLINE``: at once, in the report's
transaction). Auditlog's own entry for a
new row would diff every column, decrypting and masking as it goes, on every report; this one
holds what identifies the case, as that entry would have shown it, with the request's actor,
address and correlation id and the moment of the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from gridgov.cases.models import Case


def report_audit(case: Case, *, at: datetime.datetime) -> dict[str, Any]:
    """What the new case's audit entry will say (plain JSON, for the outbox); the number is
    read when the entry is written, as PostgreSQL numbers the case last."""
    context = auditlog_value.get({})
    return {
        "changes": {
            "channel": ["", case.channel],
            "category": ["", case.category.code],
            "area": ["", case.area.code],
            "urgency": ["", case.urgency],
            "title": ["", case.title],
            "status": ["", case.status],
            "callback_phone": ["", "******" if case.callback_phone else ""],
        },
        "actor_id": case.created_by_id,
        "actor_email": getattr(case.created_by, "email", None) if case.created_by_id else None,
        "remote_addr": context.get("remote_addr"),
        "remote_port": context.get("remote_port"),
        "cid": get_cid(),
        "at": at.isoformat(),
    }


def report_audit_entries(
    items: Iterable[tuple[int, dict[str, Any]]], cases: dict[int, Case] | None = None
) -> list[LogEntry]:
    """The unsaved audit entries of these new cases (their numbers read now: a case is numbered
    before its report commits, and its follow-up is seen only after)."""
    items = list(items)
    if not items:
        return []
    cases = dict(cases or {})
    missing = [case_id for case_id, _audit in items if case_id not in cases]
    if missing:
        cases.update(Case.objects.only("number", "title").in_bulk(missing))
    content_type = ContentType.objects.get_for_model(Case)
    entries = []
    for case_id, audit in items:
        case = cases[case_id]
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(case_id),
                object_id=case_id,
                object_repr=str(case),
                serialized_data=None,
                cid=audit["cid"],
                action=LogEntry.Action.CREATE,
                changes={"number": ["", case.number], **audit["changes"]},
                actor_id=audit["actor_id"],
                actor_email=audit["actor_email"],
                remote_addr=audit["remote_addr"],
                remote_port=audit["remote_port"],
                timestamp=datetime.datetime.fromisoformat(audit["at"]),
            )
        )
    return entries
