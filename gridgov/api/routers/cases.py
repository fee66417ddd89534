"""Cases: report (idempotent), list with filters, read with the timeline the caller may see, add
photos. Workflow actions are in ``case_actions``. Creation goes through ``case_report`` only."""

from __future__ import annotations

import datetime
import re
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import Field, field_validator

from gridgov.api.answers import answer
from gridgov.api.errors import ApiError, invalid
from gridgov.api.lookups import field_error, visible_area
from gridgov.api.paging import Paging, page
from gridgov.api.schemas import (
    MAX_ID,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CasePage,
    ErrorOut,
    PhotoOut,
)
from gridgov.api.serializers import case_detail_out, case_out, photo_out
from gridgov.areas.models import Area
from gridgov.cases.forms import MAX_PHOTOS
from gridgov.cases.guards import is_staff_in_scope
from gridgov.cases.lookups import category_by_code
from gridgov.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseStatus,
    Category,
    Channel,
)
from gridgov.cases.selectors import CaseFilters
from gridgov.cases.selectors import case_list as case_selector
from gridgov.cases.services import case_report
from gridgov.cases.views import CASE_PAGE_RELATED
from gridgov.core.files import INLINE_TYPES, sniff_content_type, stored_file_create
from gridgov.core.models import Role, StoredFile
from gridgov.core.scoping import get_visible_or_404, scope_of

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ID = Path(..., ge=1, le=MAX_ID)
IDEMPOTENCY_KEY = Header(None, alias="Idempotency-Key", max_length=40)
PHOTOS = File(...)
KIND = Form(AttachmentKind.OTHER)

UNKNOWN_CATEGORY = _("No category with this code.")
MAY_NOT_REPORT = _("Your account may not report cases.")
BAD_KEY = _("An idempotency key is 1 to 40 visible ASCII characters.")
TWO_KEYS = _("The Idempotency-Key header and client_key differ.")
UNKNOWN_CHANNEL = _("Choose a channel you may report through.")
NOT_A_PHOTO = _("%(name)s is not a photo (JPEG, PNG, GIF or WebP).")
TOO_MANY_PHOTOS = _("At most %(count)d photos at once.")
NO_PHOTO = _("Send at least one photo.")
MAY_NOT_ADD_PHOTOS = _("Only staff of the case's areas and its reporter add photos.")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_KEY = re.compile(r"^[\x21-\x7e]{1,40}$")
STAFF_CHANNELS = frozenset({Channel.API, Channel.HOTLINE, Channel.PATROL, Channel.RESIDENT})


def _key(header: str | None, field: str | None) -> str | None:
    if header and field and header != field:
        raise field_error("client_key", TWO_KEYS)
    key = header or field
    if key is None:
        return None
    if not _KEY.match(key):
        raise field_error("client_key", BAD_KEY)
    return key


def _reporter_kind(user: Any) -> str:
    """ "staff" (an area or everything), "resident" (reports their own), or "" (may not report)."""
    scope = scope_of(user)
    if scope.everything or scope.area_codes:
        return "staff"
    if Role.RESIDENT in scope.roles:
        return "resident"
    return ""


def _home_area(user: Any) -> Area | None:
    """Where a resident lives (their role's area): their report lands there without a location."""
    codes = [code for role, code in scope_of(user).role_areas if role == Role.RESIDENT]
    return Area.objects.filter(code=codes[0]).first() if codes else None


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, **ERRORS},
    summary="Report a case",
    description=(
        "201 with the new case; 200 with the case an earlier request with the same idempotency "
        "key (the Idempotency-Key header or client_key) created."
    ),
)
def case_create(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> HttpResponse:
    user = request.auth
    kind = _reporter_kind(user)
    if not kind:
        raise ApiError(403, "permission_denied", MAY_NOT_REPORT)
    key = _key(idempotency_key, payload.client_key)
    channel = payload.channel or (Channel.API if kind == "staff" else Channel.RESIDENT)
    if channel not in (STAFF_CHANNELS if kind == "staff" else {Channel.RESIDENT}):
        raise field_error("channel", UNKNOWN_CHANNEL)
    category = category_by_code(payload.category)
    if category is None:
        raise field_error("category", UNKNOWN_CATEGORY)
    area = visible_area(user, payload.area) if kind == "staff" else None
    if kind == "resident" and (payload.lon is None or payload.lat is None):
        area = _home_area(user)
    try:
        reported = case_report(
            actor=user,
            channel=channel,
            category=category,
            title=payload.title,
            description=payload.description,
            urgency=payload.urgency,
            lon=payload.lon,
            lat=payload.lat,
            crs=payload.crs,
            area=area,
            address=payload.address,
            reporter_name=payload.reporter_name,
            anonymous=payload.anonymous,
            callback_phone=payload.callback_phone,
            # Keys are the client's own: two clients choosing the same key get two cases.
            client_key=f"u{user.pk}:{key}" if key else None,
        )
    except ValidationError as error:
        raise invalid(error) from error
    return answer(request, 201 if reported.created else 200, CaseOut, case_out(reported.case))


class CaseListFilters(Schema):
    status: CaseStatus | Literal["open"] | None = Field(None, description="a status, or open")
    category: str | None = Field(None, max_length=8, description="a class takes its subclasses")
    area: str | None = Field(None, max_length=24, description="area code: this subtree")
    channel: Channel | None = None
    overdue: bool = Field(False, description="open and past the deadline to resolve")
    supervised: bool = False
    updated_since: datetime.datetime | None = Field(None, description="changed at or after")
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    q: str = Field("", max_length=100, description="start of the number, part of title/address")
    order: Literal["-reported_at", "reported_at", "-updated_at", "updated_at"] = Field(
        "-reported_at", description="updated_at (oldest change first) suits syncing"
    )

    @field_validator("updated_since", "reported_from", "reported_to", mode="before")
    @classmethod
    def _iso_only(cls, value: Any) -> Any:
        # pydantic would also read a bare number as a Unix time; the schema promises ISO 8601.
        if value is not None and not (isinstance(value, str) and _ISO_DATE.match(value)):
            raise ValueError("expected an ISO 8601 date or date-time")
        return value

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        # A time without a zone is Beijing time, as people write it.
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="List cases")
def case_list(
    request: HttpRequest, filters: Query[CaseListFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth
    category = None
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        if category is None:
            raise field_error("category", UNKNOWN_CATEGORY)
    cases = case_selector(
        user,
        CaseFilters(
            status=filters.status or "",
            category=category,
            area=visible_area(user, filters.area),
            channel=filters.channel or "",
            overdue=filters.overdue,
            supervised=filters.supervised,
            reported_from=filters.reported_from,
            reported_to=filters.reported_to,
            query=filters.q,
        ),
    )
    if filters.updated_since is not None:
        cases = cases.filter(updated_at__gte=filters.updated_since)
    tie = "-id" if filters.order.startswith("-") else "id"
    return page(cases.order_by(filters.order, tie), paging, case_out)


def visible_case(request: HttpRequest, case_id: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related(*CASE_PAGE_RELATED), request.auth, pk=case_id
    )


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="One case")
def case_detail(request: HttpRequest, case_id: int = ID) -> dict[str, Any]:
    return case_detail_out(visible_case(request, case_id), request.auth)


@router.post(
    "/cases/{case_id}/photos",
    response={201: list[PhotoOut], **ERRORS},
    summary="Add photos to a case",
    description="multipart/form-data: one or more `photos` (JPEG, PNG, GIF or WebP) and a kind.",
)
def case_photos(
    request: HttpRequest,
    case_id: int = ID,
    photos: list[UploadedFile] = PHOTOS,
    kind: AttachmentKind = KIND,
) -> Status:
    user = request.auth
    case = visible_case(request, case_id)
    if not (case.reporter_user_id == user.pk or is_staff_in_scope(user, case)):
        raise ApiError(403, "permission_denied", MAY_NOT_ADD_PHOTOS)
    if not photos:
        raise field_error("photos", NO_PHOTO)
    if len(photos) > MAX_PHOTOS:
        raise field_error("photos", TOO_MANY_PHOTOS % {"count": MAX_PHOTOS})
    for upload in photos:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if sniff_content_type(head, upload.content_type or "") not in INLINE_TYPES:
            raise field_error("photos", NOT_A_PHOTO % {"name": upload.name})
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for upload in photos:
                # Filed under the case's area below: the reporter (a resident) has no area of
                # their own to file it under, and whoever may see the case may see its photos.
                stored.append(stored_file_create(upload=upload, area=None, actor=user))
            StoredFile.objects.filter(pk__in=[photo.pk for photo in stored]).update(area=case.area)
            for photo in stored:
                CaseAttachment.objects.create(case=case, file=photo, kind=kind)
    except ValidationError as error:
        _remove(stored)
        raise invalid(error) from error
    except BaseException:
        _remove(stored)
        raise
    return Status(201, [photo_out(photo, kind) for photo in stored])


def _remove(stored: list[StoredFile]) -> None:
    # The rows are rolled back with the transaction; their bytes are removed here.
    for photo in stored:
        if photo.file.name:
            photo.file.storage.delete(photo.file.name)
