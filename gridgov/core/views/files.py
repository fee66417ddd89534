"""Downloads of stored files: through the scoping function, never from a public path."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from gridgov.core.models import StoredFile
from gridgov.core.scoping import get_visible_or_404


@login_required
@require_GET
def download(request: HttpRequest, file_id: str) -> FileResponse:
    stored = get_visible_or_404(StoredFile.objects.all(), request.user, pk=file_id)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=not stored.content_type.startswith("image/"),
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
