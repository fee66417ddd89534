"""Authentication backend: the model backend, less demo accounts in the production profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class GridgovModelBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if settings.PRODUCTION and getattr(user, "is_demo", False):
            return False  # a fixed demo password must never open a production system
        return super().user_can_authenticate(user)
