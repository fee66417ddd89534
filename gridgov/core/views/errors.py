"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def json_error(status: int, code: str, message: str | Promise) -> JsonResponse:
    """The JSON error shape: the message in the request's language, and in Chinese and English
    (the REST API's own errors add ``details``; docs/api.md)."""
    body: dict[str, Any] = {"code": code, "message": str(message)}
    for key, language in (("message_zh", "zh-hans"), ("message_en", "en")):
        with translation.override(language):
            body[key] = str(message)
    body["details"] = {}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _answer(request: HttpRequest, status: int, code: str, message: str | Promise) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")) or "application/json" in request.headers.get(
        "Accept", ""
    ):
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


def server_error(request: HttpRequest) -> HttpResponse:
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
