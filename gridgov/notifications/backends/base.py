"""What every backend receives and raises, and the one HTTP helper they share (urllib: no new
dependency, no redirects followed, a hard timeout)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class DeliveryFailed(Exception):  # noqa: N818 (the name says what happened to the delivery)
    """The backend could not deliver the message.

    ``permanent`` failures (a refused request, a missing template id) are not retried; the others
    (a timeout, a server error, a busy gateway) are retried with backoff up to the attempt limit.
    The message must not carry a phone number or any other personal identifier.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a backend sees it: plaintext, in memory only, for the time of one attempt."""

    delivery_uid: str  # also an idempotency key for receivers: an attempt may be repeated
    channel: str  # "sms" or "webhook"
    kind: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)  # with secret parameters unsealed
    secret_names: frozenset[str] = frozenset()  # which params must never be logged
    phone: str = ""  # the recipient's number, for text messages
    text: str = ""  # the message rendered in the site's language, for logs and plain gateways


class Backend:
    """Sends one message or raises ``DeliveryFailed``. Subclasses are built once per attempt
    with no arguments and read their settings themselves."""

    name = "base"

    def send(self, message: OutgoingMessage) -> None:
        raise NotImplementedError


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would lose its body or go somewhere unconfigured: treat it as a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post_json(
    url: str, body: bytes, *, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """POST ``body`` as JSON; returns (status, response body) for a 2xx answer.

    Raises ``DeliveryFailed``: permanent for a 4xx answer other than 408 and 429, retryable for
    everything else (5xx, redirects, timeouts, refused connections).
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryFailed("the configured address is not an http(s) URL", permanent=True)
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise DeliveryFailed(f"HTTP {status}", permanent=permanent) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"connection failed: {type(reason).__name__}") from None


def json_body(data: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the exact bytes that are signed are the bytes that are sent."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
