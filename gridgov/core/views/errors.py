"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def json_error(status: int, code: str, message: str | Promise) -> JsonResponse:
    """The JSON error shape: the message in the request's language, and in Chinese and English
    (the REST API's own errors add ``details``; docs/api.md)."""
    body: dict[str, Any] = {"code": code, "message": str(message)}
    for key, language in (("message_zh", "zh-hans"), ("message_en", "en")):
        with translation.override(language):
            body[key] = str(message)
    body["details"] = {}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(
        ("/api/", "/open311/")
    ) or "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, status: int, code: str, message: str | Promise) -> HttpResponse:
    if _wants_json(request):
        return json_error(status, code, message)
    return render(
        request,
        "errors/error.html",
        {"status": status, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403, "permission_denied", _("You do not have permission to do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "not_found", _("This page does not exist or is not yours to see."))


def is_database_unavailable(error: BaseException | None) -> bool:
    """An error of reaching the database (down, unreachable, locked past the busy timeout), as
    opposed to a bug in a query (ProgrammingError, IntegrityError ...)."""
    return isinstance(error, OperationalError | InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with a clear message. Renders without touching the database: the page template stands
    alone (no user, session or messages), the JSON error needs nothing."""
    message = _("The database is briefly unavailable. Nothing was saved; please try again.")
    if _wants_json(request):
        response: HttpResponse = json_error(503, "database_unavailable", message)
    else:
        response = render(request, "errors/503.html", {"message": message}, status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django turns an exception raised in any middleware (the session, the user, the second
    # factor all read the database before a view runs) into this handler, inside its ``except``
    # block. A database outage seen there is the 503, not a 500 (nor a second crash rendering the
    # 500 page, which reads the user again).
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        logger.error("database unavailable: %s", error.__class__.__name__)
        return database_unavailable(request)
    return _answer(
        request, 500, "server_error", _("Something went wrong on our side. Nothing was saved.")
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _answer(
        request,
        403,
        "csrf_failed",
        _("Your form expired or came from another site. Reload the page and try again."),
    )
