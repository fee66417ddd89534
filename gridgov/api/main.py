"""The REST API v1 (django-ninja), mounted at /api/v1/: OpenAPI at /api/v1/openapi.json, the docs
page at /api/v1/docs (Swagger UI from ninja's own static files: no CDN).

Routers are thin adapters (the design's "interfaces are adapters"): they translate JSON to the
domain's services and selectors, which hold the rules; every read goes through the scoping
function. docs/api.md describes the whole interface.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from gridgov.api import errors
from gridgov.api.auth import session_auth, token_auth
from gridgov.api.routers import areas, case_actions, cases, reference, registry

api = NinjaAPI(
    title="gridgov REST API",
    version="1",
    description=(
        "Grid-based grassroots governance: areas, residents (masked), houses, courtyards, "
        "cases and their workflow, categories and figures. Authenticate with an API token "
        "(`Authorization: Bearer …`, from `gridgov token create USERNAME`) or a signed-in "
        "session (unsafe methods need the `X-CSRFToken` header). Errors are JSON: "
        "`{code, message, message_zh, message_en, details}`. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=[token_auth, session_auth],
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
api.add_router("", reference.router)
api.add_router("", areas.router)
api.add_router("", registry.router)
api.add_router("", cases.router)
api.add_router("", case_actions.router)


def _structured_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a method a path does not take with a plain-text 405; ours is JSON too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            answer = errors.error_response(
                405,
                "method_not_allowed",
                errors.STATUS_CODES[405][1],
                details={"allowed": sorted(m.strip() for m in allowed.split(",") if m.strip())},
            )
            answer["Allow"] = allowed
            return answer
        return response

    wrapper.csrf_exempt = True  # type: ignore[attr-defined]  (as ninja's own views)
    return wrapper


# Paths whose views need no transaction around the whole request (ATOMIC_REQUESTS): the no-op
# ping, and /cases, whose report opens its own (``case_report``) and whose list only reads. On
# SQLite a request's transaction takes the one write lock at BEGIN: held around token checks,
# parsing, locating and the answer's serialisation it would serialise every report on them.
OWN_TRANSACTIONS = frozenset({"ping", "cases"})


def urls() -> tuple[list[Any], str, str]:
    """``api.urls`` with every view answering 405 in the error shape."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback = _structured_405(pattern.callback)
            if str(pattern.pattern) in OWN_TRANSACTIONS:
                pattern.callback = transaction.non_atomic_requests(pattern.callback)
    return patterns, app_name, namespace
