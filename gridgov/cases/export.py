"""The case list as an Excel workbook (the field exchanges data in sheets).

Written by xlsxwriter in ``constant_memory`` mode: each row goes to a temporary file as it is
written, so a city's year of cases does not sit in memory. The rows are whatever scoped queryset
the caller passes (``selectors.case_list``); callback phones are masked, never written in full.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.cases.models import OPEN_STATUSES, Case

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _assignee(case: Case) -> str:
    if case.assignee_user_id:
        return case.assignee_user.display_name
    if case.assignee_department_id:
        return case.assignee_department.name
    if case.assignee_area_id:
        return case.assignee_area.name
    return ""


def _columns() -> list[tuple[str, int]]:
    return [
        (_("Case number"), 16),
        (_("Title"), 30),
        (_("Status"), 10),
        (_("Class"), 14),
        (_("Category"), 16),
        (_("Urgency"), 8),
        (_("Channel"), 12),
        (_("Area"), 18),
        (_("Address"), 30),
        (_("Outside every grid"), 8),
        (_("Reporter"), 12),
        (_("Callback phone"), 14),
        (_("Assignee"), 18),
        (_("Reported at"), 17),
        (_("Claim by"), 17),
        (_("Resolve by"), 17),
        (_("Resolved at"), 17),
        (_("Closed at"), 17),
        (_("Overdue"), 8),
        (_("Supervised"), 8),
        (_("Reopened"), 8),
        (_("Rating"), 6),
    ]


def case_row(case: Case, now: Any) -> list[Any]:
    yes, no = _("Yes"), _("No")
    phone_field = Case._meta.get_field("callback_phone")
    overdue = bool(
        case.status in OPEN_STATUSES and case.resolve_due_at and case.resolve_due_at < now
    )
    category = case.category
    reporter = case.reporter_name or (
        case.reporter_user.display_name if case.reporter_user_id and case.reporter_user else ""
    )
    return [
        case.number,
        case.title,
        case.get_status_display(),
        category.parent.name if category.parent_id else category.name,
        category.name,
        case.get_urgency_display(),
        case.get_channel_display(),
        case.area.name,
        case.address,
        yes if case.outside_grids else no,
        _("Anonymous") if case.anonymous and not reporter else reporter,
        phone_field.masked(case),  # type: ignore[attr-defined]
        _assignee(case),
        _local(case.reported_at),
        _local(case.claim_due_at),
        _local(case.resolve_due_at),
        _local(case.resolved_at),
        _local(case.closed_at),
        yes if overdue else no,
        yes if case.supervised else no,
        case.reopen_count,
        case.rating if case.rating is not None else "",
    ]


def write_cases(cases: Iterable[Case] | Any, path: str | Path) -> int:
    """Write the cases (a scoped queryset) to ``path``; returns the number of rows."""
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    header = workbook.add_format({"bold": True, "bg_color": "#E7EEF9", "border": 1})
    sheet = workbook.add_worksheet(_("Cases"))
    columns = _columns()
    for index, (_title, width) in enumerate(columns):
        sheet.set_column(index, index, width)
    sheet.write_row(0, 0, [title for title, _width in columns], header)
    sheet.freeze_panes(1, 0)
    now = timezone.now()
    if hasattr(cases, "select_related"):
        cases = cases.select_related("reporter_user").iterator(chunk_size=CHUNK)
    count = 0
    for count, case in enumerate(cases, start=1):
        sheet.write_row(count, 0, case_row(case, now))
    workbook.close()
    return count
