"""Who is calling: an API token (``Authorization: Bearer gg_…``) for other systems, or the signed-in
session for the pages' own scripts (with Django's CSRF check on unsafe methods).

A request that sends a token is judged by the token alone: an unknown or revoked token is a 401,
never a fall-back to the session. Once the caller is known, the audit log's actor is set to them
(the audit middleware ran before the API knew who it was) and, for a machine client without the
language cookie, ``Accept-Language`` chooses the language of the messages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import trans_real
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from gridgov.api.errors import ApiError
from gridgov.api.tokens import user_for_key

INVALID_TOKEN = _("This API token is unknown or has been revoked.")
CSRF_FAILED = _(
    "The CSRF token is missing or wrong. Send the X-CSRFToken header with the page's token."
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _set_actor(request: HttpRequest, user: Any) -> None:
    request.user = user
    try:
        from auditlog.context import auditlog_value

        auditlog_value.get()["actor"] = user
    except LookupError:  # no audit context (a test calling the API without the middleware)
        pass


def _choose_language(request: HttpRequest) -> None:
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return  # the user's own choice, applied by ChosenLanguageMiddleware
    header = request.headers.get("Accept-Language", "")
    if not header:
        return
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in trans_real.parse_accept_lang_header(header):
        code = code.lower()
        if code.startswith("zh"):
            code = "zh-hans"
        elif "-" in code and code not in supported:
            code = code.split("-", 1)[0]
        if code in supported:
            translation.activate(code)
            request.LANGUAGE_CODE = code
            return


class TokenAuth(HttpBearer):
    """An API token of ``gridgov token create``."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header:
            return None
        scheme, _space, key = header.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(401, "invalid_token", INVALID_TOKEN)
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_key(token)
        if user is None:
            raise ApiError(401, "invalid_token", INVALID_TOKEN)
        _set_actor(request, user)
        _choose_language(request)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in session; unsafe methods must carry the CSRF token (``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check comes after we know there is a session (below): a request with neither
        # token nor session is "not signed in" (401), not "form expired" (403).
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", CSRF_FAILED)
        _set_actor(request, user)
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
