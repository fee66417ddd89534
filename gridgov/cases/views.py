"""The case page: everything about one case, its timeline, and a form for each action the user may
take on it now.

Thin: the case is fetched through ``get_visible_or_404`` (outside the user's scope it does not
exist: 404), the forms parse, ``workflow.transition`` decides and writes. A refused action
re-renders the page with the reason (400, nothing changed); an action the user may not take at all
answers 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gridgov.cases import deadlines
from gridgov.cases.errors import ConcurrentChange, WorkflowError
from gridgov.cases.forms_actions import ACTION_FORMS, ActionForm, action_form, reply_templates_for
from gridgov.cases.models import AttachmentKind, Case, CaseStatus, EventVisibility
from gridgov.cases.workflow import TRANSITIONS, allowed_actions, transition
from gridgov.core.models import STAFF_ROLES
from gridgov.core.scoping import get_visible_or_404, scope_of

# Timeline entries that are not transitions of the table.
EVENT_LABELS: dict[str, Any] = {
    "report": gettext_lazy("Reported"),
    "overdue": gettext_lazy("Overdue"),
    "auto_escalate": gettext_lazy("Escalated automatically"),
    "reply": gettext_lazy("Reply to the reporter"),
}
# The next step of the closed loop, drawn as a primary button.
PRIMARY_ACTIONS = ("accept", "dispatch", "claim", "resolve", "verify", "close", "rate")
CASE_PAGE_RELATED = (
    "category",
    "category__parent",
    "area",
    "reporter_user",
    "assignee_user",
    "assignee_area",
    "assignee_department",
    "merged_into",
)


def case_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and working in the staff console (residents follow their cases on the phone
    pages); which cases they see is decided by the scoping function, per case."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = scope_of(request.user)
        if not (scope.everything or scope.roles & STAFF_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


def action_label(action: str) -> str:
    spec = TRANSITIONS.get(action)
    if spec is not None:
        return str(spec.label)
    return str(EVENT_LABELS.get(action, action))


def _timeline(case: Case) -> list[dict[str, Any]]:
    rows = []
    for event in case.events.select_related("actor").order_by("at", "id"):
        rows.append(
            {
                "at": event.at,
                "actor": event.actor.display_name if event.actor else "",
                "action": event.action,
                "label": action_label(event.action),
                "from_status": status_label(event.from_status) if event.from_status else "",
                "to_status": status_label(event.to_status) if event.to_status else "",
                "changed": bool(event.from_status and event.from_status != event.to_status),
                "note": event.note,
                "internal": event.visibility == EventVisibility.INTERNAL,
            }
        )
    return rows


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    failed: ActionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case page; ``failed`` is the bound form of a refused action, shown with its reasons."""
    user = request.user
    templates = reply_templates_for(case)
    forms: list[ActionForm] = []
    for spec in allowed_actions(case, user):
        if failed is not None and failed.action == spec.action:
            forms.append(failed)
        else:
            forms.append(action_form(spec.action, case=case, user=user, reply_templates=templates))
    attachments = list(case.attachments.select_related("file").order_by("id"))
    merged_into = None
    if case.merged_into_id:
        merged_into = Case.objects.visible_to(user).filter(pk=case.merged_into_id).first()
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "light": deadlines.light(case, timezone.now()),
            "timeline": _timeline(case),
            "summonses": list(
                case.summons.filter(active=True)
                .select_related("department", "claimed_by")
                .order_by("-role", "summoned_at")  # "lead" before "assist"
            ),
            "photos_before": [a for a in attachments if a.kind == AttachmentKind.BEFORE],
            "photos_after": [a for a in attachments if a.kind == AttachmentKind.AFTER],
            "photos_other": [a for a in attachments if a.kind == AttachmentKind.OTHER],
            "action_forms": forms,
            "failed_action": failed.action if failed is not None else "",
            "action_error": error,
            "reply_templates": {str(t.pk): t.text for t in templates},
            "merged_into": merged_into,
            "primary_actions": PRIMARY_ACTIONS,
        },
        status=status,
    )


@case_staff_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.select_related(*CASE_PAGE_RELATED), request.user, pk=pk)
    return render_case_page(request, case)


def _put_errors(form: ActionForm, error: WorkflowError) -> None:
    """The workflow's reasons on the form: its payload names map onto the form's fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, reasons in error.message_dict.items():
        field = "text" if name == form.text_name and "text" in form.fields else name
        form.add_error(field if field in form.fields else None, reasons)


@case_staff_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    case = get_visible_or_404(Case.objects.select_related(*CASE_PAGE_RELATED), request.user, pk=pk)
    form = action_form(
        action,
        case=case,
        user=request.user,
        data=request.POST,
        reply_templates=reply_templates_for(case),
    )
    if not form.is_valid():
        message = _("Nothing was changed. Please correct the fields marked below.")
        return render_case_page(request, case, failed=form, error=message, status=400)
    try:
        transition(case=case, action=action, actor=request.user, **form.transition_kwargs())
    except ConcurrentChange as error:
        # The page was stale: show the case as it is now, keep what the user typed, and let
        # them post again against the current version.
        fresh = get_visible_or_404(
            Case.objects.select_related(*CASE_PAGE_RELATED), request.user, pk=pk
        )
        data = request.POST.copy()
        data[form.add_prefix("expected_version")] = str(fresh.version)
        retry = action_form(
            action,
            case=fresh,
            user=request.user,
            data=data,
            reply_templates=reply_templates_for(fresh),
        )
        retry.is_valid()
        retry.add_error(None, error)  # keeps this action's form open with the message
        return render_case_page(
            request, fresh, failed=retry, error=" ".join(error.messages), status=400
        )
    except WorkflowError as error:
        _put_errors(form, error)
        return render_case_page(
            request, case, failed=form, error=" ".join(error.messages), status=400
        )
    messages.success(
        request,
        _("“%(action)s” was recorded for case %(number)s.")
        % {
            "action": form.label,
            "number": case.number,
        },
    )
    target = _safe_next(request)
    return redirect(target) if target else redirect("cases:detail", pk=case.pk)
