"""Model rows → the dictionaries of ``schemas``: identifiers masked, labels in the request's
language, nothing a caller may not see (the timeline of a case is cut to what they may read)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.cases import deadlines
from gridgov.cases.guards import is_staff_in_scope
from gridgov.cases.models import Case, Category, EventVisibility
from gridgov.cases.views import action_label, status_label
from gridgov.cases.workflow import allowed_actions
from gridgov.core.masking import mask_phone
from gridgov.core.models import StoredFile
from gridgov.registry.models import Courtyard, House, Resident


def area_ref(area: Area | None) -> dict[str, str] | None:
    return {"code": area.code, "name": area.name} if area is not None else None


def area_out(area: Area) -> dict[str, Any]:
    return {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "level_label": str(area.get_level_display()),
        "parent_code": area.parent.code if area.parent_id else None,
        "grid_type": area.grid_type,
        "retired": area.retired_at is not None,
    }


def _age(birth: datetime.date | None) -> int | None:
    if birth is None:
        return None
    today = timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def resident_out(resident: Resident) -> dict[str, Any]:
    from gridgov.core.masking import mask_id_number

    return {
        "id": resident.pk,
        "uid": resident.uid,
        "name": resident.name,
        "area": area_ref(resident.area),
        "house_id": resident.house_id,
        "document_type": resident.document_type,
        "id_number_masked": mask_id_number(resident.id_number),
        "phone_masked": mask_phone(resident.phone),
        "sex": resident.sex,
        "age": _age(resident.birth_date),
        "residence_type": resident.residence_type,
        "address": resident.address,
        "tags": sorted(tag.tag for tag in resident.tags.all()),
        "moved_out_at": resident.moved_out_at,
    }


def resident_detail_out(resident: Resident) -> dict[str, Any]:
    return {
        **resident_out(resident),
        "household_address": resident.household_address,
        "guardian_id": resident.guardian_id,
        "emergency_contacts": [
            {"name": c.name, "relation": c.relation, "phone_masked": mask_phone(c.phone)}
            for c in resident.emergency_contacts.all()
        ],
    }


def house_out(house: House) -> dict[str, Any]:
    return {
        "id": house.pk,
        "area": area_ref(house.area),
        "address": house.address,
        "building": house.building,
        "unit": house.unit,
        "room": house.room,
        "use": house.use,
        "use_label": str(house.get_use_display()),
        "floor_area": float(house.floor_area) if house.floor_area is not None else None,
        "owner_name": house.owner_name,
        "resident_count": getattr(house, "resident_count", 0),
    }


def courtyard_out(courtyard: Courtyard) -> dict[str, Any]:
    from gridgov.registry.models import RiskColor

    color = courtyard.effective_risk_color
    landlord = courtyard.landlord
    return {
        "id": courtyard.pk,
        "code": courtyard.code,
        "name": courtyard.name,
        "address": courtyard.address,
        "area": area_ref(courtyard.area),
        "lon": courtyard.lon,
        "lat": courtyard.lat,
        "rooms": courtyard.rooms,
        "tenant_count": courtyard.tenant_count,
        "star_rating": courtyard.star_rating,
        "risk_color": color,
        "risk_color_label": str(RiskColor(color).label) if color in RiskColor.values else color,
        "risk_color_derived": courtyard.risk_color,
        "risk_override_reason": courtyard.risk_override_reason,
        "last_inspected_on": courtyard.last_inspected_on,
        "next_inspection_due": courtyard.next_inspection_due,
        "landlord_name": landlord.name if landlord else "",
        "landlord_phone_masked": mask_phone(landlord.phone) if landlord else "",
    }


def category_out(category: Category, subcategories: list[Category] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "handling_level": category.handling_level,
        "default_department_kind": category.default_department_kind,
        "sensitive": category.sensitive,
        "active": category.active,
        "deadlines": {
            "claim_within": category.claim_within,
            "resolve_within": category.resolve_within,
            "resolve_within_urgent": category.resolve_within_urgent,
            "working_time": category.working_time,
        },
    }
    if subcategories is not None:
        row["subcategories"] = [category_out(sub) for sub in subcategories]
    return row


def case_out(case: Case, now: datetime.datetime | None = None) -> dict[str, Any]:
    return {
        "id": case.pk,
        "uid": case.uid,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": status_label(case.status),
        "category": {"code": case.category.code, "name": case.category.name},
        "area": area_ref(case.area),
        "channel": case.channel,
        "urgency": case.urgency,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "outside_grids": case.outside_grids,
        "supervised": case.supervised,
        "whistled": case.whistled,
        "version": case.version,
        "light": str(deadlines.light(case, now or timezone.now())),
        "reported_at": case.reported_at,
        "updated_at": case.updated_at,
        "claim_due_at": case.claim_due_at,
        "resolve_due_at": case.resolve_due_at,
        "assignee": {
            "user": case.assignee_user.display_name if case.assignee_user_id else None,
            "area": area_ref(case.assignee_area) if case.assignee_area_id else None,
            "department_id": case.assignee_department_id,
            "department": case.assignee_department.name if case.assignee_department_id else None,
        },
    }


def photo_out(stored: StoredFile, kind: str) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "kind": kind,
        "content_type": stored.content_type,
        "size": stored.size,
        "url": reverse("api-v1:file_download", kwargs={"file_id": stored.pk}),
    }


def case_detail_out(case: Case, user: Any) -> dict[str, Any]:
    """The case as ``user`` may read it: staff in scope see the whole timeline with names; the
    reporter sees the public updates only, without staff names."""
    staff = is_staff_in_scope(user, case)
    events = case.events.select_related("actor").order_by("at", "id")
    if not staff:
        events = events.filter(visibility=EventVisibility.PUBLIC)
    timeline = [
        {
            "at": event.at,
            "action": event.action,
            "label": action_label(event.action),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor": (event.actor.display_name if event.actor else None) if staff else None,
            "note": event.note,
            "internal": event.visibility == EventVisibility.INTERNAL,
        }
        for event in events
    ]
    attachments = case.attachments.select_related("file").order_by("id")
    if not staff:
        attachments = attachments.filter(redacted=False)
    return {
        **case_out(case),
        "description": case.description,
        "anonymous": case.anonymous,
        "reporter_name": case.reporter_name if staff else "",
        "callback_phone_masked": mask_phone(case.callback_phone),
        "result": case.result,
        "rating": case.rating,
        "rating_comment": case.rating_comment,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "merged_into_id": case.merged_into_id,
        "reopen_count": case.reopen_count,
        "escalation_level": case.escalation_level,
        "timeline": timeline,
        "photos": [photo_out(a.file, a.kind) for a in attachments],
        "allowed_actions": [spec.action for spec in allowed_actions(case, user)],
    }
