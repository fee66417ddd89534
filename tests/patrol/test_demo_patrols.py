"""The demo's patrols: weeks of rounds with route points for the demo grid workers."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client

from gridgov.demo.loader import load_demo
from gridgov.patrol.models import Patrol, PatrolCase, PatrolPoint

pytestmark = pytest.mark.django_db


def test_demo_grid_workers_have_weeks_of_patrols_and_the_phone_pages_work(settings):
    load_demo(scale=0.05)
    patrols = Patrol.objects.filter(worker__username="wangge001")
    assert patrols.count() >= 15
    assert not Patrol.objects.filter(ended_at__isnull=True).exists()
    assert PatrolPoint.objects.filter(patrol__in=patrols).count() > 15 * 40
    assert patrols.aggregate(total=Sum("distance_m"))["total"] > 10_000
    for link in PatrolCase.objects.select_related("patrol", "case"):
        assert link.patrol.started_at <= link.case.reported_at <= link.patrol.ended_at
        assert link.case.reporter_user_id == link.patrol.worker_id
    # A refresh keeps them rather than adding more.
    before = Patrol.objects.count()
    load_demo(scale=0.05)
    assert Patrol.objects.count() == before

    client = Client()
    client.post(
        "/accounts/login/",
        {"username": "wangge001", "password": settings.GRIDGOV_DEMO_PASSWORD},
    )
    assert client.get("/w/").status_code == 200
    assert client.get("/w/patrol/").status_code == 200
    jiedao = Client()
    jiedao.post(
        "/accounts/login/", {"username": "jiedao", "password": settings.GRIDGOV_DEMO_PASSWORD}
    )
    assert jiedao.get("/patrols/").status_code == 200
