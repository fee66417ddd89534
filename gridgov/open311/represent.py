"""Our objects as GeoReport v2 entries (plain dicts; ``render`` writes them as XML or JSON).

No personal data leaves here: no reporter (name, phone, e-mail, account), no staff member (who
claimed, resolved or wrote an update), only organisations (the area or department responsible).
Descriptions and public updates are passed as given, except that ID and phone numbers in them are
masked, as in every log and export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridgov.cases.models import Case, CaseEvent, Category, EventVisibility
from gridgov.core.logging import redact
from gridgov.open311.mapping import open311_status, update_status
from gridgov.open311.models import ServiceAttribute
from gridgov.open311.params import w3c

DESCRIPTION_LIMIT = 4000  # the schema's maxLength
MediaUrl = Callable[[Any], str]


def service_entry(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.filing_condition or None,
        "metadata": bool(getattr(category, "has_attributes", False)),
        "type": "realtime",
        "keywords": None,
        "group": category.parent.name if category.parent_id else None,
    }


def definition_entry(category: Category, attributes: list[ServiceAttribute]) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [
                    {"key": str(item["key"]), "name": str(item["name"])}
                    for item in attribute.values or []
                ],
            }
            for attribute in attributes
        ],
    }


def _photo_url(photos: list[Any], media_url: MediaUrl) -> str | None:
    return media_url(photos[0].file_id) if photos else None


def _agency(case: Case) -> str | None:
    if case.assignee_department_id:
        return case.assignee_department.name
    if case.assignee_area_id:
        return case.assignee_area.name
    return case.area.name


def request_entry(case: Case, media_url: MediaUrl) -> dict[str, Any]:
    """A listed case. ``media_url`` turns a stored file's id into its public address."""
    text = case.description or case.title
    return {
        "service_request_id": case.number,
        "status": open311_status(case.status),
        "status_notes": str(case.get_status_display()),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": redact(text)[:DESCRIPTION_LIMIT],
        "agency_responsible": _agency(case),
        "service_notice": None,
        "requested_datetime": w3c(case.reported_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.resolve_due_at) if case.is_open else None,
        "address": redact(case.address) or None,
        "address_id": case.area.code,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": _photo_url(getattr(case, "public_photos", []), media_url),
    }


def created_entry(case: Case, token: str | None) -> dict[str, Any]:
    """The answer to a POST: the specification's fields (id, notice, account), plus the status
    and times, so that the answer is a valid request entry too; the token only when asked for."""
    entry: dict[str, Any] = {"service_request_id": case.number}
    if token:
        entry["token"] = token
    entry.update(
        {
            "service_notice": None,
            "account_id": None,
            "status": open311_status(case.status),
            "service_code": case.category.code,
            "service_name": case.category.name,
            "requested_datetime": w3c(case.reported_at),
        }
    )
    return entry


def update_entry(event: CaseEvent, media_url: MediaUrl) -> dict[str, Any]:
    """A timeline entry as mySociety's request update. An internal step says only its status."""
    status = event.to_status or event.case.status
    public_note = event.note if event.visibility == EventVisibility.PUBLIC else ""
    label = Case(status=status).get_status_display()
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": update_status(status),
        "external_status_code": status,
        "updated_datetime": w3c(event.at),
        "description": redact(public_note or str(label))[:DESCRIPTION_LIMIT],
        "media_url": _photo_url(getattr(event, "public_photos", []), media_url),
    }
