"""``gridgov bench sos``: the SOS press endpoint against a no-op endpoint of the same stack.

In a scratch database with one street, the default taxonomy and ``presses`` residents living
alone (each with a device, a grid worker and two emergency contacts), times

- ours: ``POST /sos/device/press/`` with the device token, one press per resident, each through
  the whole middleware stack: token check, the press and its new case in one transaction
  (``case_report``, accept and dispatch as the system, timeline, audit), the contacts' texts and
  the deadline check queued;
- the limit: ``POST`` of the same body and header to a view that returns ``{}`` at once, through
  the same middleware, in the same process, on the same connection.

Requests go through Django's test client (the WSGI handler, in process): what is measured is our
code and the database, not a network. Ratio = ours ÷ limit in requests per second.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def _noop(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})


def _urlconf() -> list:
    from gridgov.urls import urlpatterns

    return [path("bench/noop/", _noop), *urlpatterns]


urlpatterns: list = []  # filled in by run(): this module is the benchmark's URL configuration


def run(*, presses: int = 300, progress: Any = print) -> dict[str, Any]:
    from django.db import transaction

    from gridgov.benchmarks import scratch_database

    # The no-op answers outside a transaction, like the press endpoint.
    globals()["_noop"] = transaction.non_atomic_requests(_noop)
    urlpatterns[:] = _urlconf()
    with scratch_database():
        return _run(count=presses, progress=progress)


def _world(count: int) -> list[str]:
    from gridgov.areas.models import Area
    from gridgov.cases.models import Category
    from gridgov.cases.taxonomy import load_default_taxonomy
    from gridgov.core.models import Role, RoleAssignment, User
    from gridgov.registry.models import EmergencyContact, Resident
    from gridgov.sos.services import device_create

    load_default_taxonomy(Category)
    district = Area.objects.create(level="district", code="990102", name="临江区")
    street = Area.objects.create(level="street", code="990102001", name="和平街道", parent=district)
    community = Area.objects.create(
        level="community", code="990102001001", name="东湖社区", parent=street
    )
    grids = []
    for index in range(1, 11):
        grid = Area.objects.create(
            level="grid", code=f"990102001001{index:03d}", name=f"网格{index}", parent=community
        )
        worker = User.objects.create_user(f"wangge{index:03d}", full_name=f"网格员{index}")
        RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, area=grid)
        grids.append(grid)
    tokens = []
    for index in range(count):
        resident = Resident.objects.create(
            area=grids[index % len(grids)],
            name=f"独居老人{index}",
            phone=f"139{index:08d}",
            address=f"和平路{index}号",
        )
        for relation, prefix in (("儿子", "137"), ("女儿", "138")):
            EmergencyContact.objects.create(
                resident=resident, name="家属", relation=relation, phone=f"{prefix}{index:08d}"
            )
        tokens.append(device_create(resident=resident)[1])
    return tokens


def _time(client: Any, url: str, tokens: list[str], body: str) -> list[float]:
    times = []
    for token in tokens:
        started = time.perf_counter()
        response = client.post(
            url, data=body, content_type="application/json", HTTP_X_DEVICE_TOKEN=token
        )
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 201), response.content[:300]
    return times


def _run(*, count: int, progress: Any) -> dict[str, Any]:
    from django.test import Client, override_settings

    from gridgov.benchmarks import machine
    from gridgov.cases.models import Case

    tokens = _world(count)
    body = json.dumps({})
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        client = Client()
        _time(client, "/bench/noop/", tokens[:20], body)  # warm both paths up
        limit = _time(client, "/bench/noop/", tokens, body)
        ours = _time(client, "/sos/device/press/", tokens, body)
    assert Case.objects.count() == count
    ours_rate, limit_rate = count / sum(ours), count / sum(limit)

    def ms(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)

    progress(f"ours: {ours_rate:,.1f} presses/s (median {ms(ours, 0.5)} ms)")
    progress(f"limit: {limit_rate:,.1f} requests/s (median {ms(limit, 0.5)} ms)")
    return {
        "name": "sos",
        "value": round(ours_rate, 1),
        "unit": "requests/s",
        "limit_name": "a no-op endpoint through the same middleware, same process",
        "limit_value": round(limit_rate, 1),
        "ratio": round(ours_rate / limit_rate, 3),
        "presses": count,
        "median_ms": ms(ours, 0.5),
        "p95_ms": ms(ours, 0.95),
        "max_ms": round(1000 * max(ours), 2),
        "limit_median_ms": ms(limit, 0.5),
        "mean_ms": round(1000 * statistics.fmean(ours), 2),
        "machine": machine(),
    }
