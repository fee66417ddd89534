"""Open311 GeoReport v2 endpoints under /open311/v2/: thin views over selectors and services.

Each answers in the format its address ends with (``.xml`` or ``.json``) and every refusal in the
specification's error format: 400 for bad input, 403 for a missing or bad api_key, 404 for
anything not found (jurisdiction, service, request, token).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gridgov.core.files import INLINE_TYPES
from gridgov.open311 import represent, selectors, services
from gridgov.open311.keys import key_authenticate
from gridgov.open311.mapping import statuses_for
from gridgov.open311.models import ApiKey, ClientRequest
from gridgov.open311.params import bad, comma_list, optional_datetime, optional_int
from gridgov.open311.render import Open311Error, error_response, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-03-01T00:00:00+08:00"  # when this interface last changed for clients
DEFAULT_WINDOW = datetime.timedelta(days=90)  # the specification's default for GET requests
MAX_PAGE_SIZE = 1000  # the specification's maximum number of requests in one answer


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _api_key(request: HttpRequest, *, required: bool) -> ApiKey | None:
    raw = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get(
        "api_key"
    )
    if not raw:
        if required:
            raise Open311Error(403, _("An api_key is required."))
        return None
    api_key = key_authenticate(raw)
    if api_key is None:
        raise Open311Error(403, _("The api_key is not valid or was revoked."))
    return api_key


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _params(request).get("jurisdiction_id") or request.GET.get("jurisdiction_id") or ""
    if given and given.strip() != settings.GRIDGOV_OPEN311_JURISDICTION:
        raise Open311Error(
            404, _("There is no jurisdiction %(id)s here.") % {"id": given.strip()[:64]}
        )


def _check_input(request: HttpRequest, path_values: dict[str, Any]) -> None:
    # A NUL character cannot be stored or compared by PostgreSQL: refuse it up front.
    values = [*path_values.values(), *request.GET.keys()]
    values += [v for key in request.GET for v in request.GET.getlist(key)]
    if request.method == "POST":
        values += [*request.POST.keys()]
        values += [v for key in request.POST for v in request.POST.getlist(key)]
    if any("\x00" in str(value) for value in values):
        raise Open311Error(400, _("The request contains a NUL character."))


def endpoint(*methods: str) -> Callable:
    """Format, method, jurisdiction and error handling around one Open311 view."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any):
            try:
                if request.method not in methods:
                    response = error_response(
                        Open311Error(
                            405,
                            _("This address does not take %(method)s.")
                            % {"method": request.method},
                        ),
                        fmt,
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                _check_input(request, kwargs)
                _check_jurisdiction(request)
                return view(request, fmt, *args, **kwargs)
            except Open311Error as error:
                return error_response(error, fmt)
            except PermissionDenied as error:
                return error_response(Open311Error(403, str(error) or _("Not allowed.")), fmt)
            except ValidationError as error:
                # A refusal from the case loop we did not foresee (a race lost, a rule added
                # later) is still the client's 400 with the loop's reason, never a 500.
                return error_response(Open311Error(400, " ".join(error.messages)), fmt)

        return wrapped

    return decorate


def _media_url(request: HttpRequest) -> Callable[[Any], str]:
    base = settings.GRIDGOV_PUBLIC_BASE_URL.rstrip("/") or request.build_absolute_uri("/")[:-1]
    return lambda file_id: base + reverse("open311:media", args=[file_id])


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": settings.GRIDGOV_OPEN311_CONTACT
        or _("Ask the street office that runs this gridgov for help."),
        "key_service": _(
            "An administrator creates a key for each client system: gridgov open311 key create NAME"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(data, fmt, root="discovery")


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _api_key(request, required=False)
    data = [represent.service_entry(category) for category in selectors.services()]
    return respond(data, fmt, root="services", item="service")


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _api_key(request, required=False)
    category = selectors.service(code)
    if category is None:
        raise Open311Error(
            404, _("There is no service with the code %(code)s.") % {"code": code[:16]}
        )
    data = represent.definition_entry(category, list(category.open311_attributes.all()))
    return respond(data, fmt, root="service_definition")


def _page(request: HttpRequest, total: int, page: int, size: int) -> dict[str, str]:
    headers = {"X-Total-Count": str(total)}
    if page * size < total:
        query = request.GET.copy()
        query["page"] = str(page + 1)
        query.pop("api_key", None)
        headers["Link"] = (
            f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
        )
    return headers


# No transaction around the whole request: a POST's ``services.request_create`` opens its own
# (on SQLite a request-wide one would hold the one write lock through parsing and the answer), and
# a GET only reads.
@transaction.non_atomic_requests
@endpoint("GET", "POST")
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    _api_key(request, required=False)
    params = request.GET
    cases = selectors.listed_cases()
    numbers = comma_list(params, "service_request_id")
    if numbers:
        # The specification: with ids, every other filter is ignored.
        cases = cases.filter(number__in=numbers[:MAX_PAGE_SIZE])
    else:
        cases = _filtered(cases, params)
    page = optional_int(params, "page", default=1, minimum=1, maximum=1_000_000)
    size = optional_int(params, "page_size", default=50, minimum=1, maximum=MAX_PAGE_SIZE)
    total = cases.count()
    chunk = cases.order_by("-reported_at", "-id")[(page - 1) * size : page * size]
    media_url = _media_url(request)
    data = [represent.request_entry(case, media_url) for case in chunk]
    return respond(
        data,
        fmt,
        root="service_requests",
        item="request",
        headers=_page(request, total, page, size),
    )


def _filtered(cases: Any, params: Any) -> Any:
    codes = comma_list(params, "service_code")
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = comma_list(params, "status")
    if statuses:
        if any(status not in ("open", "closed") for status in statuses):
            raise bad(_("status is open, closed, or both separated by a comma."))
        cases = cases.filter(status__in=[s for status in statuses for s in statuses_for(status)])
    start = optional_datetime(params, "start_date")
    end = optional_datetime(params, "end_date")
    after = optional_datetime(params, "updated_after")
    before = optional_datetime(params, "updated_before")
    if start and end and start > end:
        raise bad(_("start_date is after end_date."))
    if after and before and after > before:
        raise bad(_("updated_after is after updated_before."))
    if not any((start, end, after, before)):
        start = timezone.now() - DEFAULT_WINDOW
    if start:
        cases = cases.filter(reported_at__gte=start)
    if end:
        cases = cases.filter(reported_at__lte=end)
    if after:
        cases = cases.filter(updated_at__gt=after)
    if before:
        cases = cases.filter(updated_at__lt=before)
    return cases


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = _api_key(request, required=True)
    idempotency = request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key", "")
    result = services.request_create(
        api_key=api_key, params=request.POST, idempotency_key=idempotency
    )
    deferred = (request.POST.get("deferred") or "").lower() in ("1", "true", "yes")
    entry = represent.created_entry(result.request.case, result.request.token if deferred else None)
    return respond(
        [entry], fmt, root="service_requests", item="request", status=201 if result.created else 200
    )


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    _api_key(request, required=False)
    case = selectors.listed_cases().filter(number=request_id).first()
    if case is None:
        raise Open311Error(404, _("There is no service request %(id)s.") % {"id": request_id[:64]})
    data = [represent.request_entry(case, _media_url(request))]
    return respond(data, fmt, root="service_requests", item="request")


@endpoint("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _api_key(request, required=False)
    found = ClientRequest.objects.select_related("case").filter(token=token).first()
    if found is None:
        raise Open311Error(404, _("There is no token %(token)s.") % {"token": token[:64]})
    data = [{"service_request_id": found.case.number, "token": found.token}]
    return respond(data, fmt, root="service_requests", item="request")


@endpoint("GET", "POST")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        api_key = _api_key(request, required=True)
        event = services.update_create(api_key=api_key, params=request.POST)
        return respond(
            [{"update_id": str(event.pk)}],
            fmt,
            root="service_request_updates",
            item="request_update",
        )
    _api_key(request, required=False)
    params = request.GET
    events = selectors.updates()
    numbers = comma_list(params, "service_request_id")
    if numbers:
        events = events.filter(case__number__in=numbers[:MAX_PAGE_SIZE])
    start = optional_datetime(params, "start_date")
    end = optional_datetime(params, "end_date")
    if start and end and start > end:
        raise bad(_("start_date is after end_date."))
    after_id = optional_int(params, "after_update_id", default=0, minimum=0, maximum=2**62)
    if after_id:
        events = events.filter(pk__gt=after_id)
    if not any((start, end, after_id, numbers)):
        start = timezone.now() - DEFAULT_WINDOW
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lte=end)
    page = optional_int(params, "page", default=1, minimum=1, maximum=1_000_000)
    size = optional_int(params, "page_size", default=500, minimum=1, maximum=MAX_PAGE_SIZE)
    total = events.count()
    media_url = _media_url(request)
    data = [
        represent.update_entry(event, media_url)
        for event in events[(page - 1) * size : page * size]
    ]
    return respond(
        data,
        fmt,
        root="service_requests_updates",
        item="request_update",
        headers=_page(request, total, page, size),
    )


def media(request: HttpRequest, file_id: str) -> HttpResponse:
    """A photo of a listed case, for ``media_url``: public, and only while the case is."""
    stored = selectors.public_photo_file(str(file_id)) if request.method == "GET" else None
    if stored is None or stored.content_type not in INLINE_TYPES:
        return error_response(Open311Error(404, _("There is no such photo.")), "xml")
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError):
        return error_response(Open311Error(404, _("There is no such photo.")), "xml")
    response = FileResponse(handle, content_type=stored.content_type)
    # Public while the case is: a short cache, so that hiding or redacting takes effect soon.
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def root(request: HttpRequest) -> HttpResponse:
    return discovery(request, fmt="xml")


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return error_response(Open311Error(404, _("There is no such Open311 address.")), fmt)
