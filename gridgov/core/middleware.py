"""Request-wide safety: idle sessions end, forced password changes, a clear 503 when the DB is down."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SESSION_LAST_SEEN = "gridgov_last_seen"
# Writing the session on every request costs a database write; once a minute is precise enough.
_TOUCH_EVERY_SECONDS = 60


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(
        ("/api/", "/open311/")
    ) or "application/json" in request.headers.get("Accept", "")


class IdleSessionMiddleware:
    """Ends a session that saw no request for GRIDGOV_IDLE_TIMEOUT_MINUTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN)
            timeout = settings.GRIDGOV_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                if _wants_json(request):
                    return JsonResponse(
                        {
                            "code": "session_expired",
                            "message": _("Your session has expired. Please sign in again."),
                        },
                        status=401,
                    )
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
            if last_seen is None or now - last_seen > _TOUCH_EVERY_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def password_change_due(user: object) -> bool:
    if getattr(user, "must_change_password", False):
        return True
    max_age = settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS
    changed = getattr(user, "password_changed_at", None)
    if max_age and changed is not None:
        return timezone.now() - changed > datetime.timedelta(days=max_age)
    return False


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password to the change page before anything else."""

    exempt_prefixes = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/password/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and password_change_due(user)
        ):
            if _wants_json(request):
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": _("You must change your password before continuing."),
                    },
                    status=403,
                )
            messages.warning(request, _("Please choose a new password before you continue."))
            return redirect("core:password_change")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that is briefly down answers 503 with a clear message instead of a crash page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            return self._unavailable(request, error)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, error: DatabaseError) -> HttpResponse:
        logger.error("database unavailable: %s", error.__class__.__name__)
        message = _("The database is briefly unavailable. Nothing was saved; please try again.")
        if _wants_json(request):
            response: HttpResponse = JsonResponse(
                {"code": "database_unavailable", "message": message}, status=503
            )
        else:
            response = render(request, "errors/503.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response
