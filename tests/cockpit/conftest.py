from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.cases.errors import WorkflowError
from gridgov.cases.models import Case, CaseStatus, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import TRANSITIONS, transition

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODES = ("0101", "0301", "0401", "0901", "0201")


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


def _payload(action, rng, world, case, categories, others):
    if action in ("reject", "return", "escalate", "suspend", "reopen"):
        return {"reason": "原因"}
    if action == "dispatch":
        if rng.random() < 0.25:
            return {"department": world.department}
        return {"area": rng.choice([world.grid_a, world.grid_b, world.grid_c, world.community1])}
    if action == "resolve":
        return {"result": "已处理"}
    if action == "verify":
        return {"passed": rng.random() < 0.8, "reason": "未处理好"}
    if action == "rate":
        return {"rating": rng.randint(1, 5)}
    if action == "whistle":
        return {"lead": world.department}
    if action == "merge":
        targets = [c for c in others if c.pk != case.pk]
        return {"into": rng.choice(targets)} if targets else None
    if action == "request_extension":
        return {"duration": "1", "reason": "等材料"}
    if action == "decide_extension":
        return {"approve": rng.random() < 0.6}
    if action == "recategorize":
        choices = [c for c in categories if c.pk != case.category_id]
        return {"category": rng.choice(choices)}
    if action == "note":
        return {"note": "备注"}
    return {}


# Actions a random walk prefers (the loop forward), so that most cases get far.
FORWARD = {
    "resume": 6,
    "decide_extension": 5,
    "unsupervise": 3,
    "accept": 6,
    "dispatch": 6,
    "claim": 6,
    "resolve": 5,
    "verify": 5,
    "close": 5,
    "rate": 4,
}


# Steps other apps add to the table for their own cases (an SOS button pressed again).
OTHER_APPS_ACTIONS = frozenset({"sos_pressed_again"})


def random_cases(world, rng: random.Random, count: int, start: datetime.datetime, span_days: int):
    """``count`` cases walked through random allowed transitions at random later moments."""
    categories = list(Category.objects.filter(code__in=CODES))
    cases: list[Case] = []
    for _index in range(count):
        moment = start + datetime.timedelta(minutes=rng.randint(0, span_days * 24 * 60))
        case = case_report(
            actor=world.worker_a,
            channel=rng.choice(["patrol", "resident", "hotline"]),
            category=rng.choice(categories),
            title="随机案件",
            area=rng.choice([world.grid_a, world.grid_b, world.grid_c]),
            callback_phone="13800138000",
            at=moment,
        ).case
        cases.append(case)
        for _step in range(rng.randint(0, 14)):
            allowed = [
                a
                for a, spec in TRANSITIONS.items()
                if case.status in spec.sources and a not in OTHER_APPS_ACTIONS
            ]
            if not allowed or case.status in (CaseStatus.MERGED, CaseStatus.REJECTED):
                break
            weights = [FORWARD.get(a, 1) for a in allowed]
            action = rng.choices(allowed, weights)[0]
            payload = _payload(action, rng, world, case, categories, cases)
            if payload is None:
                continue
            moment += datetime.timedelta(
                minutes=rng.choice([5, 40, 90, 60 * 5, 60 * 30, 60 * 24 * 4])
            )
            actor = None if action == "verify" else world.admin
            try:
                try:
                    case = transition(case=case, action=action, actor=actor, at=moment, **payload)
                except PermissionDenied:
                    case = transition(case=case, action=action, actor=None, at=moment, **payload)
            except (WorkflowError, ValidationError):
                case = Case.objects.get(pk=case.pk)
    return cases
