"""Revealing one personal identifier in full (htmx fragment or JSON). Thin: the rules live in
``gridgov.core.personal_data``; this view only reads the parameters and picks the answer's format."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridgov.core.audit import client_address
from gridgov.core.personal_data import personal_data_reveal, revealable_object_or_404


@never_cache
@login_required
@require_POST
def reveal(request: HttpRequest) -> HttpResponse:
    """POST ``model`` (``app_label.model``), ``pk`` and ``field``: 404 outside the actor's scope or
    the allow-list, 403 without ``core.reveal_personal_data``; nothing is logged on refusal."""
    model_label = request.POST.get("model", "")
    pk = request.POST.get("pk", "")
    field_name = request.POST.get("field", "")
    instance = revealable_object_or_404(
        model_label=model_label, pk=pk, field_name=field_name, actor=request.user
    )
    value = personal_data_reveal(
        instance=instance,
        field_name=field_name,
        actor=request.user,
        remote_addr=client_address(request),
    )
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "model": instance._meta.label_lower,
                "pk": str(instance.pk),
                "field": field_name,
                "value": value,
                "logged": True,
            }
        )
    return render(request, "core/_revealed.html", {"value": value, "field": field_name})
