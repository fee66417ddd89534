"""Answers in both formats of GeoReport v2: XML (mandatory in the specification) and JSON.

One data structure (lists of dicts of strings, numbers, booleans, None and nested lists) is
written either way, so the two formats never drift apart. XML is built with the standard
library's ElementTree, which escapes text; characters XML 1.0 cannot carry at all (most control
characters) are dropped first, so the answer is always well-formed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (we only build XML here, never parse it) # nosec B405
from typing import Any

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of one item of each list the specification nests.
CHILD_TAGS = {
    "values": "value",
    "attributes": "attribute",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the specification's error format: 400, 403 or 404, never a 500."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        tag = CHILD_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, data: Any, item: str | None = None) -> bytes:
    """``data`` under ``<root>``: a list becomes one ``<item>`` per entry, a dict its fields."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(ET.SubElement(element, item or "item"), entry)
    else:
        _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(
    data: Any,
    fmt: str,
    *,
    root: str,
    item: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, data, item)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: Open311Error, fmt: str) -> HttpResponse:
    entries = [{"code": error.status, "description": error.description}]
    return respond(
        entries, fmt if fmt in FORMATS else "xml", root="errors", item="error", status=error.status
    )
