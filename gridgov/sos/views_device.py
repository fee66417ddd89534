"""The press endpoint of SOS devices: ``POST /sos/device/press/`` with the device's token in the
``X-Device-Token`` header, JSON in and out.

No session, no CSRF (a device is no browser), and no request-wide transaction: ``sos_press``
makes its own, so that a press is kept even when its case cannot be made.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt

from gridgov.sos.services import device_by_token, sos_press

TOKEN_HEADER = "HTTP_X_DEVICE_TOKEN"  # noqa: S105 (a header name) # nosec B105
MAX_BODY = 4096
# code → (HTTP status, message): the documented errors of the endpoint (docs/api.md).
ERRORS = {
    "method_not_allowed": (405, gettext_noop("Send the press with POST.")),
    "device_token_missing": (401, gettext_noop("The device token is missing.")),
    "device_token_invalid": (401, gettext_noop("The device token is not valid.")),
    "device_revoked": (
        403,
        gettext_noop("This device has been revoked. Ask your community for a new one."),
    ),
    "bad_request": (400, gettext_noop("The body is not a JSON object.")),
    "bad_press_id": (400, gettext_noop("press_id is a text of at most 64 characters.")),
}


def _error(code: str) -> JsonResponse:
    """A structured error with a stable code and the message in Chinese and in English."""
    status, message = ERRORS[code]
    with translation.override("zh-hans"):
        chinese = _(message)
    with translation.override("en"):
        english = _(message)
    return JsonResponse({"code": code, "message": chinese, "message_en": english}, status=status)


def _body(request: HttpRequest) -> dict[str, Any] | None:
    if not request.body:
        return {}
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@transaction.non_atomic_requests
def press(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error("method_not_allowed")
        response["Allow"] = "POST"
        return response
    token = (request.META.get(TOKEN_HEADER) or "").strip()
    if not token:
        return _error("device_token_missing")
    device = device_by_token(token)
    if device is None:
        return _error("device_token_invalid")
    if not device.active:
        return _error("device_revoked")
    body = _body(request)
    if body is None:
        return _error("bad_request")
    client_id = body.get("press_id") or ""
    if not isinstance(client_id, str) or len(client_id) > 64:
        return _error("bad_press_id")
    pressed = sos_press(device=device, client_id=client_id)
    case = pressed.case
    status = 200 if pressed.repeated else (201 if case is not None else 202)
    return JsonResponse(
        {
            "press": str(pressed.press.uid),
            "received_at": pressed.press.received_at.isoformat(),
            "case": case.number if case is not None else None,
            "case_status": case.status if case is not None else None,
            "linked": pressed.linked,
            "repeated": pressed.repeated,
        },
        status=status,
    )
