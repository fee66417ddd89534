"""The answer of a hot endpoint, rendered straight from the dict its serializer built.

ninja checks every answer against its schema: it wraps the dict in its attribute getter, lets
pydantic build the model field by field (the nested schemas too), dumps it again and renders that.
For a new case that is three models and some fifty attribute look-ups, about a twentieth of a
report's time in the API, spent re-checking a dict built by ``serializers.case_out`` a moment
before. The reporting endpoint answers with ``answer()`` instead: the API's own renderer (the same
JSON encoder and content type) on the dict as built.

So that nothing can drift unseen, with ``GRIDGOV_CHECK_ANSWERS`` (on in the test suite) the dict
is also checked against the schema and must render to the same JSON as ninja's way, or the
request fails.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Schema


class AnswerDrift(AssertionError):
    """The serializer's dict is not what the endpoint's schema says."""


def answer(
    request: HttpRequest, status: int, schema: type[Schema], data: dict[str, Any]
) -> HttpResponse:
    from gridgov.api.main import api

    response = api.create_response(request, data, status=status)
    if getattr(settings, "GRIDGOV_CHECK_ANSWERS", False):
        checked = schema.model_validate(data).model_dump()
        expected = api.renderer.render(request, checked, response_status=status)
        if json.loads(expected) != json.loads(response.content):
            raise AnswerDrift(f"{schema.__name__}: {response.content!r} != {expected!r}")
    return response
