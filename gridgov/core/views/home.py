"""The console's home page: who I am, where I work, what I can open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.core.models import RoleAssignment


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = (
        RoleAssignment.objects.filter(user=request.user, active=True)
        .select_related("area", "department")
        .order_by("role")
    )
    return render(request, "core/home.html", {"assignments": assignments})
