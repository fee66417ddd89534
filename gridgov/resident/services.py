"""What residents do on the phone pages, as service functions the views (and later the API) call.

- ``resident_report``: store the photos, then ``cases.services.case_report`` (channel resident),
  all in one transaction; refused input removes the stored bytes again and creates nothing.
- ``case_me_too``: follow an open case instead of reporting it again, adding a note and photos.
- ``case_reopen_by_reporter`` / ``case_rate_by_reporter``: the workflow's ``reopen`` and ``rate``
  transitions, with the reopening window that applies to reporters.
- ``fixed_check_answer``: the answer to "is it fixed?"; "no" reopens the case.

Status changes go only through ``workflow.transition``; timeline lines that change no status (a
"me too") are written here with their audit record, like the workflow's own replies.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.geo import CRS
from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseFollower,
    CaseStatus,
    Category,
    Channel,
    EventVisibility,
)
from gridgov.cases.services import Reported, case_report
from gridgov.cases.workflow import transition
from gridgov.core.files import stored_file_create
from gridgov.core.identifiers import validate_phone
from gridgov.core.models import StoredFile
from gridgov.resident import conf
from gridgov.resident.models import FixedCheck

REOPENABLE = (CaseStatus.CLOSED, CaseStatus.RATED)


def _store_photos(
    uploads: Iterable[UploadedFile], actor: Any, area: Any = None
) -> list[StoredFile]:
    return [stored_file_create(upload=upload, area=area, actor=actor) for upload in uploads]


def _forget_bytes(photos: list[StoredFile]) -> None:
    for photo in photos:  # the rows roll back with the transaction; their bytes go here
        if photo.file.name:
            photo.file.storage.delete(photo.file.name)


def resident_report(
    *,
    actor: Any,
    category: Category,
    title: str,
    description: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: str = CRS.WGS84,
    address: str = "",
    callback_phone: str = "",
    client_key: str | None = None,
    photos: Iterable[UploadedFile] = (),
    public: bool = True,
) -> Reported:
    """A resident's report (signed in, or anonymous with a callback phone)."""
    if client_key:
        existing = Case.objects.filter(client_key=client_key).first()
        if existing is not None:
            return Reported(existing, created=False)  # a double tap or a resent form
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            stored = _store_photos(photos, actor)
            reported = case_report(
                actor=actor,
                channel=Channel.RESIDENT,
                category=category,
                title=title,
                description=description,
                lon=lon,
                lat=lat,
                crs=crs,
                address=address,
                anonymous=not getattr(actor, "is_authenticated", False),
                callback_phone=callback_phone,
                client_key=client_key,
                photos=stored,
                # The reporter agreed that the community may see the problem (never who reported
                # it); sensitive categories and moderated cases stay off the public list anyway.
                public=public,
            )
    except BaseException:
        _forget_bytes(stored)
        raise
    return reported


def _audit(case: Case, action: str, actor: Any, **changes: Any) -> None:
    LogEntry.objects.log_create(
        case,
        action=LogEntry.Action.UPDATE,
        changes={"action": ["", action], **{k: ["", str(v)] for k, v in changes.items()}},
        actor=actor if getattr(actor, "pk", None) else None,
        force_log=True,
    )


def case_me_too(
    *,
    case: Case,
    actor: Any,
    note: str = "",
    photos: Iterable[UploadedFile] = (),
    phone: str = "",
) -> CaseFollower:
    """ "Me too": follow an open case of somebody else's instead of reporting it again.

    The resident (or, not signed in, their phone) follows the case and is told what its reporter
    is told; their note and photos join its timeline as a public line. Following twice adds the
    note without a second follower.
    """
    signed_in = getattr(actor, "is_authenticated", False)
    number = ""
    if not signed_in:
        try:
            number = validate_phone(phone or "")
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from error
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": [_("Keep the note under 1,000 characters.")]})
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            fresh = Case.objects.select_for_update().get(pk=case.pk)
            if not fresh.is_open or fresh.hidden:
                raise ValidationError(
                    _("This case is no longer open. Report the problem as a new case.")
                )
            # Stored as the uploader's first (a resident has no area of their own), then filed
            # under the case's area so that whoever may see the case may see them.
            stored = _store_photos(photos, actor)
            StoredFile.objects.filter(pk__in=[p.pk for p in stored]).update(area=fresh.area)
            follower = None
            if signed_in:
                follower = CaseFollower.objects.filter(case=fresh, user=actor).first()
            if follower is None:
                follower = CaseFollower.objects.create(
                    case=fresh, user=actor if signed_in else None, phone=number
                )
            event = CaseEvent.objects.create(
                case=fresh,
                action="me_too",
                from_status=fresh.status,
                to_status=fresh.status,
                actor=actor if signed_in else None,
                visibility=EventVisibility.PUBLIC,
                note=note,
                data={"photos": len(stored)} if stored else {},
            )
            for photo in stored:
                CaseAttachment.objects.create(
                    case=fresh, event=event, file=photo, kind=AttachmentKind.BEFORE
                )
            _audit(fresh, "me_too", actor, photos=len(stored))
    except BaseException:
        _forget_bytes(stored)
        raise
    return follower


def reopen_deadline(case: Case) -> datetime.datetime | None:
    """Until when the reporter may reopen the case (None when it was never closed)."""
    if case.closed_at is None:
        return None
    return case.closed_at + conf.reopen_window()


def may_reopen(case: Case, user: Any, now: datetime.datetime | None = None) -> bool:
    deadline = reopen_deadline(case)
    return (
        case.status in REOPENABLE
        and case.reporter_user_id is not None
        and case.reporter_user_id == getattr(user, "pk", None)
        and deadline is not None
        and (now or timezone.now()) <= deadline
    )


def case_reopen_by_reporter(
    *, case: Case, actor: Any, reason: str, now: datetime.datetime | None = None
) -> Case:
    """The reporter says the problem is back or was never fixed, within the reopening window."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": [_("Say what is still wrong.")]})
    if case.status in REOPENABLE and not may_reopen(case, actor, now):
        raise WorkflowError(
            _("Cases can be reopened up to %(days)d days after closing. Please report it again.")
            % {"days": conf.reopen_window().days}
        )
    return transition(case=case, action="reopen", actor=actor, reason=reason, at=now)


def case_rate_by_reporter(*, case: Case, actor: Any, rating: Any, comment: str = "") -> Case:
    """The reporter's rating (1–5) with a comment; 1–2 sends the case back (the workflow's rule)."""
    return transition(
        case=case, action="rate", actor=actor, rating=rating, comment=(comment or "").strip()
    )


def fixed_check_answer(
    *, check: FixedCheck, actor: Any, fixed: bool, note: str = "", now: Any = None
) -> FixedCheck:
    """The reporter answers "is it fixed?". "No" reopens the case (whatever the window: we asked)."""
    now = now or timezone.now()
    with transaction.atomic():
        answered = FixedCheck.objects.filter(pk=check.pk, answered_at__isnull=True).update(
            answered_at=now, fixed=fixed, answered_by=actor
        )
        if not answered:
            raise WorkflowError(_("This question has already been answered."))
        case = Case.objects.get(pk=check.case_id)
        if not fixed and case.status in REOPENABLE:
            transition(
                case=case,
                action="reopen",
                actor=actor,
                reason=(note or "").strip() or _("The reporter says the problem is not fixed."),
                at=now,
            )
        else:
            _audit(case, "fixed_check", actor, fixed=fixed)
    check.refresh_from_db()
    return check
