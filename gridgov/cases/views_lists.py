"""The workbench lists of the case loop: search and export, my to-do, the dispatch console and the
department desk. Every list comes from ``gridgov.cases.selectors`` (scoped); every change goes
through ``workflow.transition``, one case at a time.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.cases import deadlines, selectors
from gridgov.cases.export import XLSX_CONTENT_TYPE, write_cases
from gridgov.cases.forms import CaseFilterForm
from gridgov.cases.models import Case, CaseStatus, SummonsRole
from gridgov.cases.views import case_staff_required
from gridgov.cases.workflow import transition
from gridgov.core.scoping import scope_of

PAGE_SIZE = 50
BULK_LIMIT = 200


def _with_lights(cases: Any) -> list[Case]:
    now = timezone.now()
    rows = list(cases)
    for case in rows:
        case.light = deadlines.light(case, now)
    return rows


# Search and list -------------------------------------------------------------------------------


@case_staff_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, user=request.user)
    cases = selectors.case_list(request.user, form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_lights(page.object_list)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "export_query": request.GET.urlencode(),
        },
    )


@case_staff_required
@require_GET
def case_export(request: HttpRequest) -> FileResponse:
    """The filtered list as a workbook: only visible cases, callback phones masked."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    cases = selectors.case_list(request.user, form.filters())
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="gridgov-cases-")
    os.close(handle)
    write_cases(cases, path)
    stream = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the bytes until the response is sent (POSIX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=_("cases-%(stamp)s.xlsx") % {"stamp": stamp},
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# My to-do --------------------------------------------------------------------------------------


def _needs_claim(case: Case) -> bool:
    """Whether a claim button belongs on the row: a queue's case not yet claimed, or a summons
    of the user's department not yet reported in."""
    summonses = getattr(case, "my_summons", [])
    if summonses:
        return any(s.claimed_at is None for s in summonses)
    return case.status == CaseStatus.DISPATCHED


@case_staff_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.todo_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_lights(page.object_list)
    for case in rows:
        case.needs_claim = _needs_claim(case)
    page.object_list = rows
    return render(request, "cases/todo.html", {"page": page})


# Dispatch console ------------------------------------------------------------------------------


def _dispatcher_required(request: HttpRequest) -> None:
    if not selectors.is_dispatcher_somewhere(request.user):
        raise PermissionDenied


def _selected_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("cases")[:BULK_LIMIT]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


def _expected(request: HttpRequest, case_id: int) -> int | None:
    try:
        return int(request.POST.get(f"version-{case_id}", ""))
    except ValueError:
        return None


def _reason_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this with this case.")


def _bulk(request: HttpRequest, operation: str, reason: str) -> tuple[int, list[str]]:
    """Apply the operation to each selected case, one at a time, each in its own transaction:
    one case's refusal leaves the others done. Returns (done, reasons of the failures)."""
    queue = selectors.dispatch_queue(request.user)
    done, failures = 0, []
    for case_id in _selected_ids(request):
        case = queue.filter(pk=case_id).first()
        if case is None:
            failures.append(_("A selected case is no longer waiting for dispatch."))
            continue
        try:
            with transaction.atomic():
                expected = _expected(request, case.pk)
                if operation == "reject":
                    transition(
                        case=case,
                        action="reject",
                        actor=request.user,
                        expected_version=expected,
                        reason=reason,
                    )
                else:
                    if case.status == CaseStatus.REPORTED:
                        case = transition(
                            case=case,
                            action="accept",
                            actor=request.user,
                            expected_version=expected,
                        )
                        expected = case.version
                    transition(
                        case=case, action="dispatch", actor=request.user, expected_version=expected
                    )
        except (ValidationError, PermissionDenied) as error:
            failures.append(
                _("%(number)s: %(reason)s") % {"number": case.number, "reason": _reason_text(error)}
            )
        else:
            done += 1
    return done, failures


@case_staff_required
@require_http_methods(["GET", "POST"])
def dispatch_console(request: HttpRequest) -> HttpResponse:
    _dispatcher_required(request)
    error = ""
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        reason = (request.POST.get("reason") or "").strip()
        if operation not in ("dispatch", "reject"):
            error = _("Choose what to do with the selected cases.")
        elif not _selected_ids(request):
            error = _("Select at least one case.")
        elif operation == "reject" and not reason:
            error = _("Give the reason for rejecting the selected cases.")
        else:
            done, failures = _bulk(request, operation, reason)
            if done:
                message = (
                    _("%(count)d case(s) rejected.")
                    if operation == "reject"
                    else _("%(count)d case(s) accepted and dispatched.")
                )
                messages.success(request, message % {"count": done})
            for failure in failures:
                messages.error(request, failure)
            return redirect("cases:dispatch")
    page = Paginator(selectors.dispatch_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _with_lights(page.object_list)
    suggested = selectors.suggestions(rows)
    for case in rows:
        case.suggestion = suggested.get(case.pk)
    page.object_list = rows
    return render(
        request,
        "cases/dispatch.html",
        {"page": page, "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


# Department desk -------------------------------------------------------------------------------


@case_staff_required
@require_GET
def department_desk(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).department_ids:
        raise PermissionDenied
    finished = request.GET.get("finished") == "1"
    page = Paginator(
        selectors.desk_for(request.user, include_finished=finished), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = _with_lights(page.object_list)
    for case in rows:
        for summons in case.my_summons:
            summons.may_claim = case.is_open and summons.claimed_at is None
            summons.may_report_done = (
                case.is_open
                and summons.role == SummonsRole.ASSIST
                and summons.claimed_at is not None
                and summons.done_at is None
            )
    page.object_list = rows
    return render(
        request,
        "cases/desk.html",
        {"page": page, "finished": finished, "now": timezone.now()},
    )
