"""Moderation buttons on the staff case page: hide a case from the public, redact a photo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.cases.models import Case, CaseAttachment
from gridgov.core.scoping import get_visible_or_404
from gridgov.resident import moderation


@login_required
@require_POST
def case_hide(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.all(), request.user, pk=pk)
    hidden = request.POST.get("hidden", "1") == "1"
    moderation.case_hide(case=case, actor=request.user, hidden=hidden)
    messages.success(
        request,
        _("The case is hidden from the public list.")
        if hidden
        else _("The case is shown on the public list again."),
    )
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def photo_redact(request: HttpRequest, attachment_id: int) -> HttpResponse:
    # Through the scoping function: a photo of a case the user cannot see does not exist (404).
    attachment = (
        CaseAttachment.objects.filter(
            pk=attachment_id, case__in=Case.objects.visible_to(request.user).values("pk")
        )
        .select_related("case")
        .first()
    )
    if attachment is None:
        raise Http404
    redacted = request.POST.get("redacted", "1") == "1"
    moderation.attachment_redact(attachment=attachment, actor=request.user, redacted=redacted)
    messages.success(
        request,
        _("The photo is removed from the public and resident pages; the original is kept.")
        if redacted
        else _("The photo is shown again."),
    )
    return redirect("cases:detail", pk=attachment.case_id)
