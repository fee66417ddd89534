"""POSTs each message as JSON to GRIDGOV_WEBHOOK_URL, signed with GRIDGOV_WEBHOOK_SECRET.

Headers: ``X-Gridgov-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` and
``X-Gridgov-Delivery: <uid>`` (the same for every attempt of one delivery, so a receiver can
drop repeats). A receiver checks the signature over the exact bytes it received before parsing.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from gridgov.notifications.backends.base import (
    Backend,
    DeliveryFailed,
    OutgoingMessage,
    json_body,
    post_json,
)

TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-Gridgov-Signature"
DELIVERY_HEADER = "X-Gridgov-Delivery"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookBackend(Backend):
    name = "webhook"

    def send(self, message: OutgoingMessage) -> None:
        url = getattr(settings, "GRIDGOV_WEBHOOK_URL", "") or ""
        secret = getattr(settings, "GRIDGOV_WEBHOOK_SECRET", "") or ""
        if not url or not secret:
            # Unsigned posts would let anyone who learns the address forge notifications.
            raise DeliveryFailed(
                "GRIDGOV_WEBHOOK_URL and GRIDGOV_WEBHOOK_SECRET must both be set", permanent=True
            )
        data = {
            "delivery": message.delivery_uid,
            "channel": message.channel,
            "kind": message.kind,
            "template": message.template,
            "params": message.params,
        }
        if message.phone:
            # Only when text messages are routed through the webhook (an internal SMS bridge).
            data["phone"] = message.phone
        body = json_body(data)
        post_json(
            url,
            body,
            headers={
                SIGNATURE_HEADER: signature(secret, body),
                DELIVERY_HEADER: message.delivery_uid,
            },
            timeout=TIMEOUT_SECONDS,
        )
