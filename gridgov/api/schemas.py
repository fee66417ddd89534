"""The shapes of the API's answers and requests (pydantic, through django-ninja): the OpenAPI
schema at /api/v1/openapi.json is generated from them."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

# Larger ids cannot exist (64-bit keys) and would overflow the database driver.
MAX_ID = 2**53
MAX_OFFSET = 10**9


class ErrorOut(Schema):
    code: str = Field(description="stable machine-readable code, e.g. not_found")
    message: str = Field(description="in the request's language (Chinese by default)")
    message_zh: str
    message_en: str
    details: dict[str, Any] = Field(default_factory=dict)


class Page(Schema):
    count: int = Field(description="all matching rows, not only this page")
    limit: int
    offset: int


# --- me ----------------------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    area_code: str | None = None
    department_id: int | None = None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[RoleOut]
    sees_everything: bool
    language: str


# --- areas -------------------------------------------------------------------------------------


class AreaRef(Schema):
    code: str
    name: str


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    grid_type: str
    retired: bool


class AreaCounts(Schema):
    households: int
    residents: int
    courtyards: int


class AreaDetailOut(AreaOut):
    ancestors: list[AreaRef]
    counts: AreaCounts
    polygon: dict[str, Any] | None = Field(None, description="GeoJSON geometry, WGS-84")


class AreaPage(Page):
    items: list[AreaOut]


# --- registry ----------------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    uid: uuid.UUID
    name: str
    area: AreaRef
    house_id: int | None
    document_type: str
    id_number_masked: str = Field(description="e.g. 110101********1234; never in full")
    phone_masked: str = Field(description="e.g. 138****5678; never in full")
    sex: str
    age: int | None
    residence_type: str
    address: str
    tags: list[str]
    moved_out_at: datetime.date | None


class EmergencyContactOut(Schema):
    name: str
    relation: str
    phone_masked: str


class ResidentDetailOut(ResidentOut):
    household_address: str
    guardian_id: int | None
    emergency_contacts: list[EmergencyContactOut]


class ResidentPage(Page):
    items: list[ResidentOut]


class HouseOut(Schema):
    id: int
    area: AreaRef
    address: str
    building: str
    unit: str
    room: str
    use: str
    use_label: str
    floor_area: float | None
    owner_name: str
    resident_count: int


class HousePage(Page):
    items: list[HouseOut]


class CourtyardOut(Schema):
    id: int
    code: str
    name: str
    address: str
    area: AreaRef
    lon: float | None
    lat: float | None
    rooms: int
    tenant_count: int
    star_rating: int | None
    risk_color: str = Field(description="the colour in force: red, orange, yellow or blue")
    risk_color_label: str
    risk_color_derived: str = Field(description="the colour the inspection rules give")
    risk_override_reason: str
    last_inspected_on: datetime.date | None
    next_inspection_due: datetime.date | None
    landlord_name: str
    landlord_phone_masked: str


class CourtyardPage(Page):
    items: list[CourtyardOut]


# --- categories --------------------------------------------------------------------------------


class DeadlinesOut(Schema):
    claim_within: datetime.timedelta = Field(description="ISO 8601 duration")
    resolve_within: datetime.timedelta
    resolve_within_urgent: datetime.timedelta
    working_time: bool = Field(description="deadlines count working time only")


class SubcategoryOut(Schema):
    id: int
    code: str
    name: str
    handling_level: str
    default_department_kind: str
    sensitive: bool
    active: bool
    deadlines: DeadlinesOut


class CategoryOut(SubcategoryOut):
    subcategories: list[SubcategoryOut]


# --- cases -------------------------------------------------------------------------------------


class CategoryRef(Schema):
    code: str
    name: str


class AssigneeOut(Schema):
    user: str | None = Field(None, description="display name of the person")
    area: AreaRef | None = None
    department_id: int | None = None
    department: str | None = None


class CaseOut(Schema):
    id: int
    uid: uuid.UUID
    number: str
    title: str
    status: str
    status_label: str
    category: CategoryRef
    area: AreaRef
    channel: str
    urgency: str
    address: str
    lon: float | None
    lat: float | None
    outside_grids: bool
    supervised: bool
    whistled: bool
    version: int = Field(description="send it back as expected_version with an action")
    light: str = Field(description="deadline colour: none, green, yellow, red")
    reported_at: datetime.datetime
    updated_at: datetime.datetime
    claim_due_at: datetime.datetime | None
    resolve_due_at: datetime.datetime | None
    assignee: AssigneeOut


class TimelineOut(Schema):
    at: datetime.datetime
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str | None = Field(None, description="shown to staff only")
    note: str
    internal: bool


class PhotoOut(Schema):
    id: uuid.UUID
    kind: str
    content_type: str
    size: int
    url: str = Field(description="download with the same credentials")


class CaseDetailOut(CaseOut):
    description: str
    anonymous: bool
    reporter_name: str
    callback_phone_masked: str
    result: str
    rating: int | None
    rating_comment: str
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    merged_into_id: int | None
    reopen_count: int
    escalation_level: int
    timeline: list[TimelineOut]
    photos: list[PhotoOut]
    allowed_actions: list[str]


class CasePage(Page):
    items: list[CaseOut]


class CaseIn(Schema):
    category: str = Field(description="code of an active subcategory, e.g. 0101", max_length=8)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    urgency: str = Field("normal", description="normal, urgent or emergency", max_length=16)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: str = Field("wgs84", description="wgs84 or gcj02 (what Chinese phone maps give)")
    area: str | None = Field(
        None, description="area code, when there is no location", max_length=24
    )
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=64)
    anonymous: bool = False
    callback_phone: str = Field("", max_length=32)
    channel: str | None = Field(None, description="api (default for staff), hotline, patrol…")
    client_key: str | None = Field(
        None,
        description="idempotency key (or the Idempotency-Key header): the same key, the same case",
        max_length=40,
    )


class ActionOut(Schema):
    action: str
    label: str
    requires: list[str]


class ActionIn(Schema):
    expected_version: int | None = Field(
        None, ge=0, le=MAX_ID, description="the version you saw; 409 when the case changed since"
    )
    note: str = Field("", max_length=2000)
    public: bool | None = Field(None, description="note: the reporter sees it")
    reason: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    comment: str = Field("", max_length=2000)
    rating: int | None = Field(None, description="rate: 1 to 5")
    passed: bool | None = Field(None, description="verify: fixed on site?")
    approve: bool | None = Field(None, description="decide_extension")
    duration: str | None = Field(
        None, max_length=32, description='request_extension: working days ("3") or ISO 8601'
    )
    area: str | None = Field(None, max_length=24, description="dispatch: area code of a queue")
    department: int | None = Field(None, ge=1, le=MAX_ID, description="dispatch: department id")
    user: str | None = Field(None, max_length=150, description="dispatch: username of a person")
    lead: int | None = Field(None, ge=1, le=MAX_ID, description="whistle: lead department id")
    assisting: list[int] = Field(default_factory=list, max_length=20)
    into: str | None = Field(None, max_length=20, description="merge: number of the open case")
    category: str | None = Field(None, max_length=8, description="recategorize: new code")


class KpiOut(Schema):
    key: str
    label: str
    kind: str
    value: float | None = Field(None, description="a share 0–1, hours, or a 0–100 score")
    numerator: int | None = None
    denominator: int | None = None
    count: int | None = None
    text: str


class KpisOut(Schema):
    area: AreaRef
    period_start: datetime.datetime
    period_end: datetime.datetime
    figures: list[KpiOut]
