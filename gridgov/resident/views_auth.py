"""Phone sign-in: the number, then the code from the text message.

The number is never echoed or put in a URL: the session keeps only the id of the stored code and
the masked number to show ("sent to 138****5678").
"""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from gridgov.core.auth import client_ip_address
from gridgov.core.masking import mask_phone
from gridgov.resident import conf, signin
from gridgov.resident.forms import CodeForm, PhoneForm

SESSION_PENDING = "gridgov_resident_code"
BACKEND = "gridgov.core.auth.GridgovModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("resident:home")


@never_cache
@sensitive_post_parameters("phone")
@require_http_methods(["GET", "POST"])
def login_phone(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next(request))
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                row, _code = signin.code_request(
                    phone=form.cleaned_data["phone"], address=client_ip_address(request)
                )
            except ValidationError as error:
                form.add_error("phone", error.messages)
            except signin.CodeRefused as refused:
                form.add_error("phone", refused.message)
                status = 429
            else:
                request.session[SESSION_PENDING] = {
                    "code": row.pk,
                    "to": mask_phone(signin.normalise_phone(form.cleaned_data["phone"])),
                    "next": _next(request),
                }
                return redirect("resident:login_code")
    return render(
        request,
        "resident/login_phone.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return redirect("resident:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = signin.code_verify(code_id=pending["code"], code=form.cleaned_data["code"])
            if result.outcome is signin.Check.ACCEPTED and result.user is not None:
                request.session.pop(SESSION_PENDING, None)
                login(request, result.user, backend=BACKEND)
                return HttpResponseRedirect(pending.get("next") or reverse("resident:home"))
            form.add_error("code", result.message())
            if result.outcome is signin.Check.TOO_MANY:
                status = 429
    minutes = int(conf.code_lifetime().total_seconds() // 60)
    return render(
        request,
        "resident/login_code.html",
        {"form": form, "sent_to": pending.get("to", ""), "minutes": minutes},
        status=status,
    )
