"""Errors of the REST API: one JSON shape for every refusal, with a stable code and the message in
both languages.

    {"code": "not_found", "message": "…in the request's language…",
     "message_zh": "…", "message_en": "…", "details": {…}}

Messages are lazy (``gettext_lazy``) so that each can be rendered in Chinese and in English. Reasons
that a domain service already translated (a field error of ``case_report`` or of a workflow
action) are listed in ``details.fields`` in the request's language; the top-level message then
says what kind of refusal it is, in both languages.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

LANGUAGES = {"message_zh": "zh-hans", "message_en": "en"}

NOT_FOUND = _("This object does not exist or is outside your areas.")
INVALID_INPUT = _("Some fields are not valid. Nothing was changed.")
NOT_AUTHENTICATED = _(
    "Sign in first: send an API token (Authorization: Bearer …) or use a signed-in session."
)
PERMISSION_DENIED = _("You do not have permission to do this.")
BAD_REQUEST = _("The request could not be understood.")
SERVER_ERROR = _("Something went wrong on our side. Nothing was saved.")
DATABASE_UNAVAILABLE = _(
    "The database is briefly unavailable. Nothing was saved; please try again."
)
THROTTLED = _("Too many requests. Please wait a moment and try again.")

# The code an HTTP status gets when nothing more precise is known.
STATUS_CODES = {
    400: ("bad_request", BAD_REQUEST),
    401: ("not_authenticated", NOT_AUTHENTICATED),
    403: ("permission_denied", PERMISSION_DENIED),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    422: ("invalid_input", INVALID_INPUT),
    429: ("throttled", THROTTLED),
}


def render(message: str | Promise, params: dict[str, Any] | None = None) -> str:
    """``message`` (lazy) with its parameters (lazy too: labels), in the active language."""
    text = str(message)
    if params:
        text = text % {key: str(value) for key, value in params.items()}
    return text


def messages(message: str | Promise, params: dict[str, Any] | None = None) -> dict[str, str]:
    """The message in the request's language, in Chinese and in English."""
    rendered = {"message": render(message, params)}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            rendered[key] = render(message, params)
    return rendered


class ApiError(Exception):
    """A refusal the API answers with ``status`` and the JSON error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | Promise,
        *,
        params: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.params, self.details = params, details or {}


def error_body(
    code: str,
    message: str | Promise,
    *,
    params: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {"code": code, **messages(message, params), "details": details or {}}


def error_response(
    status: int,
    code: str,
    message: str | Promise,
    *,
    params: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> HttpResponse:
    body = error_body(code, message, params=params, details=details)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="gridgov"'
    return response


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as ``{field: [reasons]}`` (``__all__`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {name: list(reasons) for name, reasons in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def invalid(error: DjangoValidationError) -> ApiError:
    return ApiError(422, "invalid_input", INVALID_INPUT, details={"fields": field_errors(error)})


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    # ninja's locations start with the source and, for a body, the parameter's name:
    # ("body", "payload", "title") → "title"; ("query", "limit") → "limit".
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    errors = []
    for item in exc.errors:
        location = item.get("loc", ())
        fields.setdefault(_field_name(location), []).append(str(item.get("msg", "")))
        errors.append(
            {
                "loc": [str(p) for p in location],
                "msg": str(item.get("msg", "")),
                "type": item.get("type", ""),
            }
        )
    return error_response(
        422, "invalid_input", INVALID_INPUT, details={"fields": fields, "errors": errors}
    )


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, params=exc.params, details=exc.details)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = STATUS_CODES.get(exc.status_code, ("bad_request", BAD_REQUEST))
    if isinstance(exc, Throttled):
        code, message = STATUS_CODES[429]
    details = {} if exc.status_code in STATUS_CODES else {"reason": str(exc.message)}
    if exc.status_code == 400:
        details = {"reason": str(exc.message)}  # e.g. "Cannot parse request body"
    return error_response(exc.status_code, code, message, details=details)


def _authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "not_authenticated", NOT_AUTHENTICATED)


def _authorization(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(403, "permission_denied", PERMISSION_DENIED)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", NOT_FOUND)


def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, "permission_denied", PERMISSION_DENIED)


def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _api_error(request, invalid(exc))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is briefly down: the same answer as DatabaseUnavailableMiddleware's.
        logger.error("database unavailable: %s", exc.__class__.__name__)
        response = error_response(503, "database_unavailable", DATABASE_UNAVAILABLE)
        response["Retry-After"] = "5"
        return response
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", SERVER_ERROR)


def install(api: NinjaAPI) -> None:
    """Every exception a request can end in becomes the JSON error shape."""
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(NinjaValidationError, _ninja_validation)
    api.add_exception_handler(AuthenticationError, _authentication)
    api.add_exception_handler(AuthorizationError, _authorization)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(DjangoValidationError, _django_validation)
    api.add_exception_handler(Exception, _unexpected)
