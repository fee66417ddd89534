"""The API against its own OpenAPI schema (schemathesis): generated requests, valid and invalid,
must never meet a 5xx, and answers must conform to the schema (status codes, content types, bodies).

Runs inside the normal test run with a bounded number of examples per operation, against the WSGI
application in-process (the test database, no server), as the administrator (sees everything) with
a small world of areas, residents, courtyards and cases so that ids and codes can hit real rows.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gridgov.api.main import api
from gridgov.api.tokens import token_create
from gridgov.cases.workflow import transition
from gridgov.registry.models import Courtyard, House, HouseUse

MAX_EXAMPLES = 8


def _load() -> schemathesis.schemas.BaseSchema:
    """The schema as /api/v1/openapi.json serves it, built when the module is collected (no
    database then, and schemathesis's lazy ``from_fixture`` loader does not run under pytest 9);
    the requests go to the WSGI application."""
    raw = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = WSGIHandler()
    loaded.location = "/api/v1/openapi.json"
    loaded.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return loaded


schema = _load()


@pytest.fixture
def bearer(db, world, taxonomy, report):
    """The administrator's token, and a few rows for generated ids and codes to meet."""
    House.objects.create(area=world.grid_a, address="东湖路1号", use=HouseUse.RENTED)
    Courtyard.objects.create(area=world.grid_a, code="Y1", name="甲院", address="甲路1号")
    case = report()
    transition(case=case, action="accept", actor=world.secretary)
    _token, key = token_create(user=world.admin, name="schemathesis")
    # The WSGI handler closes "old" connections around each request; inside the test's
    # transaction that would close the test database's connection (the test client does this too).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_and_never_fails(case, bearer):
    # Every check but "schema-valid data is accepted": the schema cannot say which codes and ids
    # exist or are in the caller's scope, so a well-formed request may rightly get a 422.
    case.call_and_validate(headers=bearer, excluded_checks=[positive_data_acceptance])
