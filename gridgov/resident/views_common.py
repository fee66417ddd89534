"""Helpers the resident views share: the sign-in requirement and serving a photo."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from gridgov.cases.models import CaseAttachment
from gridgov.core.files import INLINE_TYPES


def resident_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, else to the phone sign-in page (not the staff login) and back afterwards."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('resident:login')}?{urlencode({'next': request.path})}")
        return view(request, *args, **kwargs)

    return wrapper


def photo_response(attachment: CaseAttachment, *, public: bool) -> FileResponse:
    """A case photo, inline and sandboxed; only raster images are served at all."""
    stored = attachment.file
    if stored.content_type not in INLINE_TYPES:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=stored.content_type)
    # The public list may be cached briefly; a resident's own photos never.
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
