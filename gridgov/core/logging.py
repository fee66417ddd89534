"""Structured logs (one JSON object a line) that never carry a plain ID number or phone."""

from __future__ import annotations

import json
import logging
import re

# An 18-character ID number, or an 11-digit mobile number (also written +86 138 1234 5678,
# 8613812345678 or 138-1234-5678), standing alone in a log line.
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
_MOBILE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9])[ -]?[0-9]{4}[ -]?([0-9]{4})(?![0-9])"
)
# A landline written with its area code: 010-12345678, 0755-1234567.
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3}-)[0-9]{3,4}([0-9]{4})(?![0-9])")
# Extra attributes our middleware puts on records; a path can carry a number in its query.
_EXTRA_TEXT_KEYS = ("path",)


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _MOBILE.sub(r"\1****\2", text)
    return _LANDLINE.sub(r"\1****\2", text)


class RedactPersonalData(logging.Filter):
    """Masks ID numbers and mobile numbers in every record, whatever code logged them: the
    message, the traceback (for every formatter, not only ours) and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: render the traceback once, redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key in _EXTRA_TEXT_KEYS:
            value = getattr(record, key, None)
            if isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("request_id", "user_id", "path", "status", "duration_ms"):
            if hasattr(record, key):
                value = getattr(record, key)
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_text or record.exc_info:
            entry["exception"] = redact(
                record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
            )
        return json.dumps(entry, ensure_ascii=False)
