"""Reads of the case loop: the scoped lists behind the workbench pages.

Every function starts from ``Case.objects.visible_to(user)``: a case outside the user's scope is
never listed, counted, exported or offered, whatever the filters say.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.cases import routing
from gridgov.cases.guards import AREA_HANDLER_ROLES, DISPATCHER_ROLES
from gridgov.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    CaseSummons,
    Category,
)
from gridgov.core.models import RoleAssignment
from gridgov.core.scoping import scope_of

# What the assignee works on: claim it, then resolve it (a resolved case waits on a checker).
WORK_STATUSES = (CaseStatus.DISPATCHED, CaseStatus.CLAIMED)


def _list_related(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related(
        "category",
        "category__parent",
        "area",
        "assignee_user",
        "assignee_area",
        "assignee_department",
    )


def due_expression() -> Any:
    """The deadline that matters now (as ``deadlines.light`` reads it): to claim, then to resolve."""
    return models.Case(
        When(claimed_at__isnull=True, then=Coalesce("claim_due_at", "resolve_due_at")),
        default=F("resolve_due_at"),
    )


# Search and list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    category: Category | None = None
    area: Area | None = None
    channel: str = ""
    overdue: bool = False
    supervised: bool = False
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    query: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the deployment's zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def case_list(user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases the user may see, filtered; newest first. Related rows are joined, not fetched per
    row, so the page's query count does not grow with its size."""
    filters = filters or CaseFilters()
    cases = _list_related(Case.objects.visible_to(user))
    if filters.status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    if filters.category is not None:
        if filters.category.is_class:
            cases = cases.filter(
                Q(category=filters.category) | Q(category__parent=filters.category)
            )
        else:
            cases = cases.filter(category=filters.category)
    if filters.area is not None:
        cases = cases.filter(area__code__startswith=filters.area.code)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, resolve_due_at__lt=timezone.now())
    if filters.supervised:
        cases = cases.filter(supervised=True)
    if filters.reported_from is not None:
        cases = cases.filter(reported_at__gte=_start_of(filters.reported_from))
    if filters.reported_to is not None:
        day_after = filters.reported_to + datetime.timedelta(days=1)
        cases = cases.filter(reported_at__lt=_start_of(day_after))
    query = (filters.query or "").strip()
    if query:
        cases = cases.filter(
            Q(number__startswith=query) | Q(title__contains=query) | Q(address__contains=query)
        )
    return cases.order_by("-reported_at", "-id")


# My to-do --------------------------------------------------------------------------------------


def _handler_area_ids(user: Any) -> list[int]:
    """Areas whose queue the user works (the same rule as ``guards.is_assignee``)."""
    return list(
        RoleAssignment.objects.filter(
            user=user, active=True, area__isnull=False, role__in=AREA_HANDLER_ROLES
        ).values_list("area_id", flat=True)
    )


def todo_for(user: Any) -> QuerySet[Case]:
    """Open work where the user is the assignee: the person, a handler of an area queue they
    work, or a handler of a department with an active summons. Nearest deadline first."""
    scope = scope_of(user)
    mine = Q(assignee_user_id=user.pk)
    area_ids = _handler_area_ids(user)
    if area_ids:
        mine |= Q(assignee_user__isnull=True, assignee_area_id__in=area_ids)
    if scope.department_ids:
        mine |= Q(
            assignee_user__isnull=True,
            summons__active=True,
            summons__done_at__isnull=True,  # an assisting department's part done is off its list
            summons__department_id__in=scope.department_ids,
        )
    cases = (
        _list_related(Case.objects.visible_to(user))
        .filter(mine, status__in=WORK_STATUSES)
        .distinct()
        .annotate(due=due_expression())
        .order_by(F("due").asc(nulls_last=True), "reported_at", "id")
    )
    return cases.prefetch_related(_my_summons(scope.department_ids))


def _my_summons(department_ids: tuple[int, ...]) -> Prefetch:
    return Prefetch(
        "summons",
        queryset=CaseSummons.objects.filter(
            active=True, department_id__in=department_ids
        ).select_related("department"),
        to_attr="my_summons",
    )


# Dispatch console ------------------------------------------------------------------------------


def dispatcher_area_codes(user: Any) -> tuple[str, ...] | None:
    """Codes of the areas where the user holds a dispatching role; None means every area."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return tuple(
        sorted(
            set(
                RoleAssignment.objects.filter(
                    user=user, active=True, area__isnull=False, role__in=DISPATCHER_ROLES
                ).values_list("area__code", flat=True)
            )
        )
    )


def is_dispatcher_somewhere(user: Any) -> bool:
    codes = dispatcher_area_codes(user)
    return codes is None or bool(codes)


def dispatch_queue(user: Any) -> QuerySet[Case]:
    """New reports and returned cases (accepted, with nobody assigned) in the areas the user
    dispatches for; emergencies first, then oldest first."""
    cases = Case.objects.visible_to(user).filter(
        Q(status=CaseStatus.REPORTED)
        | Q(
            status=CaseStatus.ACCEPTED,
            assignee_user__isnull=True,
            assignee_area__isnull=True,
            assignee_department__isnull=True,
        )
    )
    codes = dispatcher_area_codes(user)
    if codes is not None:
        if not codes:
            return cases.none()
        within = Q()
        for code in codes:
            within |= Q(area__code__startswith=code)
        cases = cases.filter(within)
    urgency_rank = models.Case(
        When(urgency="emergency", then=0), When(urgency="urgent", then=1), default=2
    )
    return (
        _list_related(cases)
        .annotate(urgency_rank=urgency_rank)
        .order_by("urgency_rank", "reported_at", "id")
    )


def suggestions(cases: list[Case]) -> dict[int, routing.Assignee | None]:
    """The suggested assignee of each case; cases of the same place and category share the
    answer (a page of a busy street holds many such), so the look-ups stay few."""
    found: dict[tuple[int, int, bool], routing.Assignee | None] = {}
    result: dict[int, routing.Assignee | None] = {}
    for case in cases:
        key = (case.area_id, case.category_id, case.outside_grids)
        if key not in found:
            found[key] = routing.suggest(case)
        result[case.pk] = found[key]
    return result


# Department desk -------------------------------------------------------------------------------


def desk_for(user: Any, *, include_finished: bool = False) -> QuerySet[Case]:
    """Cases dispatched or whistled to the user's departments (an active summons), each with the
    departments' own summonses as ``my_summons``; nearest report-in deadline first."""
    scope = scope_of(user)
    if not scope.department_ids:
        return Case.objects.none()
    cases = Case.objects.visible_to(user).filter(
        summons__active=True, summons__department_id__in=scope.department_ids
    )
    if not include_finished:
        cases = cases.filter(status__in=OPEN_STATUSES)
    return (
        _list_related(cases)
        .distinct()
        .annotate(due=due_expression())
        .order_by(F("due").asc(nulls_last=True), "reported_at", "id")
        .prefetch_related(_my_summons(scope.department_ids))
    )
