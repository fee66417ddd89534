"""The demo's resident signs in with a known phone; the code shows in the log backend."""

from __future__ import annotations

import random

from gridgov.core.models import Role
from gridgov.demo.loader import DemoContext, DemoLogin
from gridgov.resident import signin
from gridgov.resident.demo import DEMO_RESIDENT_PHONE, load_resident
from tests.factories import UserFactory, assign


def test_the_demo_resident_signs_in_by_phone(world, resident_case):
    jumin = UserFactory(username="jumin01", full_name="居民甲", is_demo=True)
    assign(jumin, Role.RESIDENT, world.grid_a)
    context = DemoContext(rng=random.Random(1))
    context.logins.append(DemoLogin("jumin01", "居民", "东湖第一网格"))
    load_resident(context)
    load_resident(context)  # idempotent
    assert len(context.logins) == 1 and context.logins[0].where.count(DEMO_RESIDENT_PHONE) == 1
    row, code = signin.code_request(phone=DEMO_RESIDENT_PHONE, address="127.0.0.1")
    result = signin.code_verify(code_id=row.pk, code=code)
    assert result.outcome is signin.Check.ACCEPTED and result.user == jumin


def test_demo_accounts_cannot_sign_in_by_code_in_production(world, settings):
    import pytest

    jumin = UserFactory(username="jumin01", is_demo=True)
    assign(jumin, Role.RESIDENT, world.grid_a)
    load_resident(DemoContext(rng=random.Random(1)))
    settings.PRODUCTION = True
    with pytest.raises(signin.CodeRefused):
        signin.code_request(phone=DEMO_RESIDENT_PHONE, address="127.0.0.1")
