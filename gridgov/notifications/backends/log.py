"""The default backend: one structured log line per message, nothing leaves the machine.

What a pilot without an SMS contract uses, and what a developer reads to find a sign-in code.
The phone is masked here (and again by the logging filter); secret parameters are masked unless
GRIDGOV_NOTIFY_LOG_SECRETS is on (by default only with DEBUG, i.e. on a developer's machine).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings

from gridgov.core.audit import FULL_MASK
from gridgov.core.logging import redact
from gridgov.core.masking import mask_phone
from gridgov.notifications.backends.base import Backend, OutgoingMessage

logger = logging.getLogger("gridgov.notifications")


class LogBackend(Backend):
    name = "log"

    def send(self, message: OutgoingMessage) -> None:
        show_secrets = getattr(settings, "GRIDGOV_NOTIFY_LOG_SECRETS", settings.DEBUG)
        params = {
            key: (FULL_MASK if key in message.secret_names and not show_secrets else value)
            for key, value in message.params.items()
        }
        text = message.text
        if not show_secrets:
            for key in message.secret_names:
                value = str(message.params.get(key, ""))
                if value:
                    text = text.replace(value, FULL_MASK)
        entry = {
            "delivery": message.delivery_uid,
            "channel": message.channel,
            "kind": message.kind,
            "template": message.template,
            "to": mask_phone(message.phone) if message.phone else "",
            "params": params,
            "text": text,
        }
        logger.info(
            "notification %s", redact(json.dumps(entry, ensure_ascii=False, sort_keys=True))
        )
