"""The resident's home and "my reports": status, the public timeline, photos, rating, reopening
and the "is it fixed?" question."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.cases.errors import ConcurrentChange, WorkflowError
from gridgov.cases.models import CaseAttachment, CaseStatus
from gridgov.resident import selectors, services
from gridgov.resident.forms import FixedForm, RateForm, ReopenForm
from gridgov.resident.models import FixedCheck
from gridgov.resident.views_common import photo_response, resident_login_required


def _open_questions(user) -> list[FixedCheck]:
    return list(
        FixedCheck.objects.filter(
            answered_at__isnull=True, case__in=selectors.my_cases(user).values("pk")
        )
        .filter(case__reporter_user=user)
        .select_related("case")
        .order_by("-asked_at")
    )


def home(request: HttpRequest) -> HttpResponse:
    context = {"questions": [], "recent": []}
    if request.user.is_authenticated:
        context["questions"] = _open_questions(request.user)
        context["recent"] = list(selectors.my_cases(request.user).order_by("-reported_at")[:3])
    return render(request, "resident/home.html", context)


@resident_login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.my_cases(request.user).order_by("-reported_at", "-id")[:100])
    return render(request, "resident/mine.html", {"cases": cases})


def _my_case(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.my_cases(request.user), pk=pk)


def _case_page(request, case, *, rate_form=None, reopen_form=None, error="", status=200):
    user = request.user
    is_reporter = case.reporter_user_id == user.pk
    question = (
        FixedCheck.objects.filter(case=case, answered_at__isnull=True).order_by("-asked_at").first()
        if is_reporter
        else None
    )
    return render(
        request,
        "resident/case.html",
        {
            "case": case,
            "timeline": selectors.resident_timeline(case),
            "photos": list(selectors.resident_photos(case)),
            "is_reporter": is_reporter,
            "may_rate": is_reporter and case.status == CaseStatus.CLOSED,
            "may_reopen": services.may_reopen(case, user),
            "reopen_until": services.reopen_deadline(case),
            "rate_form": rate_form or RateForm(),
            "reopen_form": reopen_form or ReopenForm(),
            "question": question,
            "fixed_form": FixedForm(),
            "error": error,
        },
        status=status,
    )


@resident_login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _my_case(request, pk))


def _refused(error: Exception) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


@resident_login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = _my_case(request, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _case_page(
            request, case, rate_form=form, error=_("Choose from 1 to 5 stars."), status=400
        )
    try:
        services.case_rate_by_reporter(
            case=case,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except (WorkflowError, ConcurrentChange, PermissionDenied) as error:
        return _case_page(request, case, rate_form=form, error=_refused(error), status=400)
    if form.cleaned_data["rating"] <= 2:
        messages.info(
            request, _("Sorry it was not handled well. The case goes back to be handled again.")
        )
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("resident:case", pk=case.pk)


@resident_login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _my_case(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _case_page(
            request, case, reopen_form=form, error=_("Say what is still wrong."), status=400
        )
    try:
        services.case_reopen_by_reporter(
            case=case, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (WorkflowError, ConcurrentChange, PermissionDenied) as error:
        return _case_page(request, case, reopen_form=form, error=_refused(error), status=400)
    messages.success(request, _("The case was reopened and goes back to be handled again."))
    return redirect("resident:case", pk=case.pk)


@resident_login_required
@require_POST
def fixed(request: HttpRequest, pk: int) -> HttpResponse:
    case = _my_case(request, pk)
    if case.reporter_user_id != request.user.pk:
        raise Http404
    check = (
        FixedCheck.objects.filter(case=case, answered_at__isnull=True).order_by("-asked_at").first()
    )
    form = FixedForm(request.POST)
    if check is None or not form.is_valid():
        return _case_page(
            request, case, error=_("This question has already been answered."), status=400
        )
    try:
        services.fixed_check_answer(
            check=check,
            actor=request.user,
            fixed=form.cleaned_data["fixed"],
            note=form.cleaned_data["note"],
        )
    except (WorkflowError, ConcurrentChange, PermissionDenied, ValidationError) as error:
        return _case_page(request, case, error=_refused(error), status=400)
    if form.cleaned_data["fixed"]:
        messages.success(request, _("Thank you for telling us."))
    else:
        messages.info(
            request, _("Thank you. The case was reopened and goes back to be handled again.")
        )
    return redirect("resident:case", pk=case.pk)


@resident_login_required
@require_GET
def photo(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A photo of one of my cases (before or after), unless moderation redacted it."""
    attachment = get_object_or_404(
        CaseAttachment.objects.select_related("file").filter(
            case__in=selectors.my_cases(request.user).values("pk"), redacted=False
        ),
        pk=attachment_id,
    )
    return photo_response(attachment, public=False)
