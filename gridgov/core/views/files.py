"""Downloads of stored files: through the scoping function, never from a public path.

Anonymous users are sent to the login page; a file of another area answers 404, like a file that
does not exist. Only raster images are shown inline; everything else is an attachment, and the
answer is sandboxed so that an uploaded page or script can never run on our origin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from gridgov.core.files import INLINE_TYPES, OCTET_STREAM
from gridgov.core.models import StoredFile
from gridgov.core.scoping import get_visible_or_404


@login_required
@require_GET
def download(request: HttpRequest, file_id: str) -> FileResponse:
    stored = get_visible_or_404(StoredFile.objects.all(), request.user, pk=file_id)
    return file_response(stored)


def file_response(stored: StoredFile) -> FileResponse:
    """The answer carrying a stored file (the caller has checked that it may be seen); the REST
    API's download uses it too."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError) as error:  # the row outlived its bytes
        raise Http404 from error
    inline = stored.content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=stored.original_name,
        content_type=stored.content_type if inline else (stored.content_type or OCTET_STREAM),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
