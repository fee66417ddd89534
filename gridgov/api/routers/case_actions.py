"""Workflow actions on a case: what the caller may do now, and doing it through
``workflow.transition`` (the only code that changes a case's state).

Refusals, each with nothing changed:
404 the case is outside the caller's scope · 403 the caller may not take this action on this case ·
409 ``conflict``: the case changed since ``expected_version`` · 409 ``illegal_transition``: the
action does not apply in the case's state · 422 ``invalid_input``: the payload is missing or wrong.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router

from gridgov.api.errors import ApiError, invalid
from gridgov.api.lookups import field_error
from gridgov.api.schemas import MAX_ID, ActionIn, ActionOut, CaseDetailOut, ErrorOut
from gridgov.api.serializers import case_detail_out
from gridgov.cases.errors import ConcurrentChange, WorkflowError
from gridgov.cases.forms_actions import ACTION_FORMS, action_form
from gridgov.cases.models import Case, CaseStatus
from gridgov.cases.views import CASE_PAGE_RELATED
from gridgov.cases.workflow import TRANSITIONS, allowed_actions, transition
from gridgov.core.scoping import get_visible_or_404

router = Router(tags=["case actions"])
ID = Path(..., ge=1, le=MAX_ID)
ACTION = Path(..., description="one of the workflow's actions")

# What people may do: every step with a form. Steps only the system takes (a deadline rule, an
# SOS button pressed again) are not offered.
Action = StrEnum(  # type: ignore[misc]
    "Action", {name: name for name in TRANSITIONS if name in ACTION_FORMS}
)

CONFLICT = _("Somebody else changed this case a moment ago. Reload it and try again.")
ILLEGAL = _("A case that is %(status)s cannot be handled with “%(action)s”.")
NOT_ALLOWED = _("You may not do this with this case.")
UNKNOWN_REFERENCE = _("Not one of the choices for this case.")

# Payload fields that name rows: (field of ActionIn, form field, lookup in the form's choices).
REFERENCES: dict[str, tuple[str, str]] = {
    "area": ("area", "code"),
    "department": ("department", "pk"),
    "user": ("user", "username"),
    "lead": ("lead", "pk"),
    "into": ("into", "number"),
    "category": ("category", "code"),
}


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related(*CASE_PAGE_RELATED), request.auth, pk=case_id
    )


@router.get(
    "/cases/{case_id}/actions",
    response={200: list[ActionOut], 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Actions the caller may take on the case now",
)
def action_list(request: HttpRequest, case_id: int = ID) -> list[dict[str, Any]]:
    case = _case(request, case_id)
    return [
        {"action": spec.action, "label": str(spec.label), "requires": list(spec.requires)}
        for spec in allowed_actions(case, request.auth)
    ]


def _payload(case: Case, user: Any, action: str, data: ActionIn) -> dict[str, Any]:
    """The workflow's keyword arguments; references are looked up among the choices the case
    page's form for this action offers this user (same scoping, same rules)."""
    payload: dict[str, Any] = {}
    for name in ("reason", "result", "comment", "duration"):
        value = getattr(data, name)
        if value not in (None, ""):
            payload[name] = value
    for name in ("rating", "passed", "approve"):
        if getattr(data, name) is not None:
            payload[name] = getattr(data, name)
    wanted = [name for name in REFERENCES if getattr(data, name) is not None]
    if wanted or data.assisting:
        form = action_form(action, case=case, user=user)
        for name in wanted:
            form_field, key = REFERENCES[name]
            field = form.fields.get(form_field)
            row = field.queryset.filter(**{key: getattr(data, name)}).first() if field else None
            if row is None:
                raise field_error(name, UNKNOWN_REFERENCE)
            payload[name] = row
        if data.assisting:
            field = form.fields.get("assisting")
            rows = list(field.queryset.filter(pk__in=data.assisting)) if field else []
            if len(rows) != len(set(data.assisting)):
                raise field_error("assisting", UNKNOWN_REFERENCE)
            payload["assisting"] = rows
    return payload


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={
        200: CaseDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Take a workflow action",
    description=(
        "The body carries what the action needs (see GET …/actions: `requires`) and the "
        "`expected_version` the caller saw. Answers the case as it now is."
    ),
)
def action_take(
    request: HttpRequest, data: ActionIn, case_id: int = ID, action: Action = ACTION
) -> dict[str, Any]:
    user = request.auth
    name = str(action.value)
    case = _case(request, case_id)
    payload = _payload(case, user, name, data)
    try:
        transition(
            case=case,
            action=name,
            actor=user,
            note=data.note,
            public=data.public,
            expected_version=data.expected_version,
            **payload,
        )
    except ConcurrentChange as error:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise ApiError(409, "conflict", CONFLICT, details={"version": current}) from error
    except PermissionDenied as error:
        raise ApiError(403, "action_not_allowed", NOT_ALLOWED, details={"action": name}) from error
    except WorkflowError as error:
        if hasattr(error, "error_dict"):
            raise invalid(error) from error
        fresh = _case(request, case_id)
        raise ApiError(
            409,
            "illegal_transition",
            ILLEGAL,
            params={"status": CaseStatus(fresh.status).label, "action": TRANSITIONS[name].label},
            details={
                "status": fresh.status,
                "action": name,
                "allowed": [spec.action for spec in allowed_actions(fresh, user)],
            },
        ) from error
    return case_detail_out(_case(request, case_id), user)
