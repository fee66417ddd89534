"""An adapter for an HTTP SMS gateway, in the shape most Chinese gateways (and the internal
bridges in front of 阿里云 / 腾讯云 SMS) accept: a JSON POST naming the account, the phone, a
template id approved in advance with its signature (短信签名), and the template's parameters.

Settings: ``GRIDGOV_SMS_GATEWAY = {"url": ..., "account": ..., "key": ..., "sign_name": ...,
"templates": {"case_accepted": "SMS_123", ...}, "success_codes": ["0", "OK"]}``. The key is never
sent: the body is signed with HMAC-SHA256 under it (``X-Gridgov-Signature``) and carries a
timestamp and nonce, so a captured request cannot be replayed later with other content.

A gateway with another shape: subclass ``SmsGatewayBackend``, override ``build_request`` and
``check_response``, and name the subclass by dotted path in GRIDGOV_NOTIFY_BACKENDS["sms"].
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.conf import settings

from gridgov.notifications.backends.base import (
    Backend,
    DeliveryFailed,
    OutgoingMessage,
    json_body,
    post_json,
)
from gridgov.notifications.backends.webhook import SIGNATURE_HEADER, signature

TIMEOUT_SECONDS = 10
DEFAULT_SUCCESS_CODES = ("0", "OK", "200")


class SmsGatewayBackend(Backend):
    name = "sms"

    def __init__(self) -> None:
        self.config: dict[str, Any] = getattr(settings, "GRIDGOV_SMS_GATEWAY", None) or {}

    def send(self, message: OutgoingMessage) -> None:
        for key in ("url", "account", "key"):
            if not self.config.get(key):
                raise DeliveryFailed(f"GRIDGOV_SMS_GATEWAY has no {key!r}", permanent=True)
        if not message.phone:
            raise DeliveryFailed("a text message needs a phone", permanent=True)
        template_id = (self.config.get("templates") or {}).get(message.template)
        if not template_id:
            raise DeliveryFailed(
                f"GRIDGOV_SMS_GATEWAY has no template id for {message.template!r}", permanent=True
            )
        body, headers = self.build_request(message, template_id)
        _status, answer = post_json(
            self.config["url"], body, headers=headers, timeout=TIMEOUT_SECONDS
        )
        self.check_response(answer)

    def build_request(self, message: OutgoingMessage, template_id: str) -> tuple[bytes, dict]:
        data = {
            "account": self.config["account"],
            "phone": message.phone,
            "sign_name": self.config.get("sign_name", ""),
            "template_id": template_id,
            # Gateways want every parameter as a string.
            "params": {key: str(value) for key, value in message.params.items()},
            "out_id": message.delivery_uid,  # lets the gateway drop a repeated attempt
            "timestamp": int(time.time()),
            "nonce": secrets.token_hex(8),
        }
        body = json_body(data)
        return body, {SIGNATURE_HEADER: signature(self.config["key"], body)}

    def check_response(self, answer: bytes) -> None:
        """A 2xx answer may still refuse the message: ``{"code": "...", "message": "..."}``."""
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            raise DeliveryFailed("the gateway's answer is not JSON") from None
        if not isinstance(data, dict) or "code" not in data:
            return  # a gateway that answers only with the HTTP status
        success = {str(code) for code in self.config.get("success_codes", DEFAULT_SUCCESS_CODES)}
        if str(data["code"]) not in success:
            # Busy or rate-limited gateways answer this way too: retried, within the limit.
            raise DeliveryFailed(f"the gateway refused the message: code {data['code']}")
