"""Moderating the public list: staff hide a case or redact a photo.

Nothing is deleted: a hidden case keeps all its data and stays in the staff's lists; a redacted
photo keeps its stored original for the record (staff still open it from the case page), and is
only left out of the public list and the resident pages. Each action writes an audit record and
an internal timeline line. Only staff with a dispatching role over the case may moderate.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gridgov.cases.guards import is_dispatcher
from gridgov.cases.models import Case, CaseAttachment, CaseEvent, EventVisibility
from gridgov.core.scoping import get_visible_or_404


def may_moderate(actor: Any, case: Case) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and is_dispatcher(actor, case)


def _check(actor: Any, case: Case) -> Case:
    # Out of scope is a 404 (the case does not exist for them); in scope but no right is a 403.
    visible = get_visible_or_404(Case.objects.select_related("area"), actor, pk=case.pk)
    if not may_moderate(actor, visible):
        raise PermissionDenied
    return visible


def _record(
    case: Case, actor: Any, action: str, field: str, before: Any, after: Any, **data: Any
) -> None:
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=case.status,
        to_status=case.status,
        actor=actor,
        visibility=EventVisibility.INTERNAL,
        data=data,
    )
    LogEntry.objects.log_create(
        case,
        action=LogEntry.Action.UPDATE,
        changes={
            "action": ["", action],
            field: [str(before), str(after)],
            **{k: ["", str(v)] for k, v in data.items()},
        },
        actor=actor,
        force_log=True,
    )


@transaction.atomic
def case_hide(*, case: Case, actor: Any, hidden: bool = True) -> Case:
    """Hide a case from the public list and the "me too" offers (or show it again)."""
    case = _check(actor, case)
    if Case.objects.filter(pk=case.pk).exclude(hidden=hidden).update(hidden=hidden):
        _record(case, actor, "hide" if hidden else "unhide", "hidden", not hidden, hidden)
    case.hidden = hidden
    return case


@transaction.atomic
def attachment_redact(
    *, attachment: CaseAttachment, actor: Any, redacted: bool = True
) -> CaseAttachment:
    """Take a photo off the public and resident pages (or put it back); the original is kept."""
    case = _check(actor, attachment.case)
    changed = (
        CaseAttachment.objects.filter(pk=attachment.pk, case=case)
        .exclude(redacted=redacted)
        .update(redacted=redacted)
    )
    if changed:
        _record(
            case,
            actor,
            "redact_photo" if redacted else "unredact_photo",
            "attachment_redacted",
            not redacted,
            redacted,
            attachment=attachment.pk,
        )
    attachment.redacted = redacted
    return attachment
