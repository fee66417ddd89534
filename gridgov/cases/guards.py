"""Who may act on a case. Each guard takes the actor and the (locked, fresh) case.

Every guard starts from visibility: an actor who cannot see the case may do nothing with it, and
the views answer 404 before a guard is ever asked.
"""

from __future__ import annotations

from typing import Any

from gridgov.cases.models import Case, CaseSummons
from gridgov.core.models import Role, RoleAssignment
from gridgov.core.scoping import scope_of, visible_to

DISPATCHER_ROLES = frozenset(
    {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_SECRETARY, Role.GRID_LEADER}
)
SUPERIOR_ROLES = frozenset({Role.ADMIN, Role.STREET_OFFICER})
AREA_HANDLER_ROLES = frozenset(
    {Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_SECRETARY, Role.STREET_OFFICER}
)


def can_see(actor: Any, case: Case) -> bool:
    return visible_to(Case.objects.filter(pk=case.pk), actor).exists()


def _roles_covering(actor: Any, code: str) -> set[str]:
    """The actor's roles held at ``code`` or at one of its ancestors (no query: the scope)."""
    return scope_of(actor).roles_at(code)


def is_dispatcher(actor: Any, case: Case) -> bool:
    scope = scope_of(actor)
    if scope.everything:
        return True
    return bool(_roles_covering(actor, case.area.code) & DISPATCHER_ROLES)


def is_finder(actor: Any, case: Case) -> bool:
    """A grid worker (or leader) who found a grid-level matter on patrol in their own grid
    takes it on themselves ("小事不出网格"): they may accept it and have it dispatched to them,
    and to nobody else (``effects.dispatch``)."""
    from gridgov.areas.models import CODE_LENGTH, AreaLevel
    from gridgov.cases.models import Channel, HandlingLevel

    grid_length = CODE_LENGTH[AreaLevel.GRID]
    if (
        actor is None
        or case.channel != Channel.PATROL
        or case.reporter_user_id is None
        or case.reporter_user_id != actor.pk
        or case.outside_grids
        or case.category.handling_level != HandlingLevel.GRID
        or len(case.area.code) < grid_length
    ):
        return False
    return RoleAssignment.objects.filter(
        user=actor,
        active=True,
        role__in=(Role.GRID_WORKER, Role.GRID_LEADER),
        area__code=case.area.code[:grid_length],
    ).exists()


def is_dispatcher_or_finder(actor: Any, case: Case) -> bool:
    return is_dispatcher(actor, case) or is_finder(actor, case)


def is_superior(actor: Any, case: Case) -> bool:
    scope = scope_of(actor)
    if scope.everything:
        return True
    return Role.STREET_OFFICER in _roles_covering(actor, case.area.code)


def is_staff_in_scope(actor: Any, case: Case) -> bool:
    scope = scope_of(actor)
    if scope.everything:
        return True
    if Role.DEPARTMENT_HANDLER in scope.roles and own_summons(actor, case) is not None:
        return True
    return bool(_roles_covering(actor, case.area.code) - {Role.RESIDENT})


def own_summons(actor: Any, case: Case) -> CaseSummons | None:
    """The active summons of a department the actor works in, if any (lead first)."""
    departments = scope_of(actor).department_ids
    if not departments:
        return None
    return (
        case.summons.filter(active=True, department_id__in=departments)
        .order_by("role")  # "assist" < "lead": reversed below so the lead comes first
        .reverse()
        .first()
    )


def is_assignee(actor: Any, case: Case) -> bool:
    """The person, a handler of the area queue, or a handler of a summoned department."""
    if case.assignee_user_id is not None:
        return case.assignee_user_id == actor.pk
    if case.assignee_area_id is not None:
        rows = RoleAssignment.objects.filter(
            user=actor, active=True, area_id=case.assignee_area_id, role__in=AREA_HANDLER_ROLES
        )
        return rows.exists() or scope_of(actor).everything
    return own_summons(actor, case) is not None


def is_lead_handler(actor: Any, case: Case) -> bool:
    """Only the lead resolves a whistled case; otherwise the assignee."""
    if case.assignee_department_id is not None:
        summons = own_summons(actor, case)
        return summons is not None and summons.role == "lead"
    return is_assignee(actor, case)


def is_verifier(actor: Any, case: Case) -> bool:
    """Someone other than the handler who resolved it, with a dispatching role."""
    return actor.pk != case.resolved_by_id and is_dispatcher(actor, case)


def is_reporter_or_callback_clerk(actor: Any, case: Case) -> bool:
    """The reporter rates; staff who called the reporter back may record the rating for them."""
    return case.reporter_user_id == actor.pk or is_dispatcher(actor, case)
