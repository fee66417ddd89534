"""Request-wide safety: idle sessions end, forced password changes and second-factor enrolment,
a clear 503 when the DB is down."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from gridgov.core import otp
from gridgov.core.passwords import password_change_due
from gridgov.core.views.errors import (
    _wants_json,
    database_unavailable,
    is_database_unavailable,
    json_error,
)

logger = logging.getLogger(__name__)

__all__ = [
    "DatabaseUnavailableMiddleware",
    "IdleSessionMiddleware",
    "PasswordChangeRequiredMiddleware",
    "password_change_due",
]

SESSION_LAST_SEEN = "gridgov_last_seen"
SESSION_STARTED = "gridgov_session_started"
# Why the last session ended ("idle" or "expired"); the login page turns it into a message.
# (These middlewares run before MessageMiddleware, so they cannot add a message themselves.)
SESSION_SIGNED_OUT_REASON = "gridgov_signed_out_reason"
# Set once this session was found to owe no second factor, so the check costs no query afterwards.
# A role given during a session therefore applies from the next sign-in.
SESSION_SECOND_FACTOR_CHECKED = "gridgov_second_factor_checked"
# Writing the session on every request costs a database write; once a minute is precise enough.
_TOUCH_EVERY_SECONDS = 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    # An htmx request would swap the target page into a fragment; tell htmx to load it whole.
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponse(status=302)
    response["Location"] = url
    return response


def _login_url(request: HttpRequest) -> str:
    next_url = request.get_full_path() if request.method == "GET" else request.path
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


class IdleSessionMiddleware:
    """Ends a session that saw no request for GRIDGOV_IDLE_TIMEOUT_MINUTES, or that is older than
    SESSION_COOKIE_AGE (Django renews the cookie on every save, so it alone never ends a busy one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = self._expired(request, now)
            if reason:
                return self._sign_out(request, reason)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            # A page polling by itself (the inbox badge) is not the person being active.
            background = request.headers.get("X-Gridgov-Background") == "1"
            if not background and (last_seen is None or now - last_seen > _TOUCH_EVERY_SECONDS):
                request.session[SESSION_LAST_SEEN] = now
            request.session.setdefault(SESSION_STARTED, now)
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest, now: float) -> str | None:
        last_seen = request.session.get(SESSION_LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.GRIDGOV_IDLE_TIMEOUT_MINUTES * 60:
            return "idle"
        started = request.session.get(SESSION_STARTED)
        if started is not None and now - started > settings.SESSION_COOKIE_AGE:
            return "expired"
        return None

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)  # flushes the session: nothing of the old one survives
        if _wants_json(request):
            return json_error(
                401,
                "session_expired",
                gettext_lazy("Your session has expired. Please sign in again."),
            )
        request.session[SESSION_SIGNED_OUT_REASON] = reason
        return _redirect(request, _login_url(request))


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in user to the step they owe before any other page: first a new password
    (set by an administrator, or older than the policy allows), then, for roles listed in
    GRIDGOV_REQUIRE_2FA_ROLES, enrolment of an authenticator app.

    A session that was opened without the second step although the account has a device (which
    our login view never does) is ended.
    """

    password_exempt = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/password/")
    second_factor_exempt = (*password_exempt, "/accounts/2fa/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if not request.path.startswith(self.password_exempt) and password_change_due(user):
            return self._owed(
                request,
                "password_change_required",
                gettext_lazy("You must change your password before continuing."),
                reverse("core:password_change"),
            )
        if not request.path.startswith(self.second_factor_exempt):
            answer = self._second_factor(request, user)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _second_factor(self, request: HttpRequest, user: object) -> HttpResponse | None:
        if request.session.get(SESSION_SECOND_FACTOR_CHECKED) or _is_verified(user):
            return None
        if otp.confirmed_device(user) is not None:
            logger.warning("session without its second factor ended for user %s", user.pk)  # type: ignore[attr-defined]
            logout(request)
            request.session[SESSION_SIGNED_OUT_REASON] = "second_factor"
            return self._owed(
                request,
                "second_factor_missing",
                gettext_lazy(
                    "Please sign in again with your password and a code from your authenticator app."
                ),
                reverse(settings.LOGIN_URL),
                status=401,
            )
        if otp.second_factor_required(user):
            return self._owed(
                request,
                "second_factor_required",
                gettext_lazy(
                    "Your role requires two-factor sign-in. Set up an authenticator app first."
                ),
                f"{reverse('core:two_factor')}?{urlencode({'next': request.get_full_path()})}",
            )
        request.session[SESSION_SECOND_FACTOR_CHECKED] = True
        return None

    @staticmethod
    def _owed(
        request: HttpRequest, code: str, message: Any, url: str, status: int = 403
    ) -> HttpResponse:
        if _wants_json(request):
            return json_error(status, code, message)
        # The page we send the user to explains why, so no message is needed (and none could be
        # added: MessageMiddleware runs after this one).
        return _redirect(request, url)


def _is_verified(user: object) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class DatabaseUnavailableMiddleware:
    """A database that is briefly down answers 503 with a clear message instead of a crash page.

    An outage seen by a view comes here through ``process_exception``; one seen by an inner
    middleware (loading the session or the user) reaches Django's 500 handler, which answers the
    same 503 (``errors.server_error``). ``__call__`` is the last net for anything else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            return self._unavailable(request, error)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, error: Exception) -> HttpResponse:
        logger.error("database unavailable: %s", error.__class__.__name__)
        return database_unavailable(request)


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
    English browser would show English to staff who never asked for it. The UI speaks Chinese by
    default; English is one click away and then sticks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
