"""The demo data set: complete, idempotent, quick, and refused in production."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.models import Department, Role, RoleAssignment, User
from gridgov.demo.loader import load_demo
from gridgov.registry.models import Courtyard, House, Resident, ResidentTag

pytestmark = pytest.mark.django_db

# A twentieth of the residents: the same code paths, a fraction of the time.
SCALE = 0.05


def counts() -> tuple[int, ...]:
    return (
        Area.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Department.objects.count(),
        Resident.objects.count(),
        House.objects.count(),
        ResidentTag.objects.count(),
        Courtyard.objects.count(),
    )


def test_demo_street_has_six_communities_forty_grids_and_every_role():
    load_demo(scale=SCALE)
    assert Area.objects.filter(level="community").count() == 6
    assert Area.objects.filter(level="grid").count() == 40
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    for role in (
        Role.ADMIN,
        Role.STREET_OFFICER,
        Role.COMMUNITY_SECRETARY,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.DEPARTMENT_HANDLER,
        Role.RESIDENT,
    ):
        assert role in held, role
    for grid in Area.objects.filter(level="grid"):
        assert grid.code.startswith(grid.parent.code) and len(grid.code) == 15
        assert grid.polygon["type"] == "Polygon"
    assert Area.objects.filter(level="micro_grid").count() == 150
    assert Resident.objects.filter(house__isnull=False).count() == 1000  # plus courtyard tenants
    assert Resident.objects.filter(tags__tag="elderly_alone").exists()
    courtyards = Courtyard.objects.all()
    assert courtyards.count() == 15
    for courtyard in courtyards:
        assert courtyard.landlord is not None
        assert courtyard.inspections.exists()
        assert courtyard.next_inspection_due is not None
        assert courtyard.tenant_count == courtyard.tenancies.active_on(timezone.localdate()).count()


def test_second_run_refreshes_without_duplicating():
    load_demo(scale=SCALE)
    first = counts()
    User.objects.filter(username="shequ01").update(full_name="改过的名字")
    load_demo(scale=SCALE)
    assert counts() == first
    assert User.objects.get(username="shequ01").full_name != "改过的名字"


def test_demo_logins_work_with_the_demo_password():
    context = load_demo(scale=SCALE)
    for login in context.logins:
        client = Client()
        response = client.post(
            "/accounts/login/",
            {"username": login.username, "password": settings.GRIDGOV_DEMO_PASSWORD},
        )
        assert response.status_code == 302, login.username


def test_demo_is_refused_by_the_production_profile(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo", no_serve=True)
    assert not User.objects.filter(is_demo=True).exists()


def test_demo_accounts_cannot_sign_in_under_the_production_profile(settings):
    load_demo(scale=SCALE)
    settings.PRODUCTION = True
    response = Client().post(
        "/accounts/login/",
        {"username": "jiedao", "password": settings.GRIDGOV_DEMO_PASSWORD},
    )
    assert response.status_code == 200  # the form again, with an error, no session
    assert "_auth_user_id" not in response.client.session


def test_demo_cases_cover_every_state_and_their_timelines_follow_the_table():
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.cases.workflow import TRANSITIONS

    load_demo(scale=SCALE)
    cases = Case.objects.all()
    # The bulk demo cases (numbered D…); the SOS demo files a few more through the workflow.
    assert cases.filter(number__startswith="D").count() == 2500
    statuses = set(cases.values_list("status", flat=True))
    assert {"rated", "closed", "rejected", "merged", "claimed"} <= statuses
    assert cases.filter(whistled=True).exists() and cases.filter(reopen_count__gt=0).exists()
    # Every event is an action of the table taken from a state it allows (or the report).
    for action, from_status, to_status in CaseEvent.objects.values_list(
        "action", "from_status", "to_status"
    ).distinct():
        if action == "report":
            assert to_status == "reported"
            continue
        spec = TRANSITIONS[action]
        assert from_status in spec.sources, (action, from_status)
        assert to_status == (spec.target or to_status), (action, to_status)
    # Each case's last event leads to its status.
    for case in cases.order_by("?")[:200]:
        assert case.events.order_by("at", "id").last().to_status == case.status
