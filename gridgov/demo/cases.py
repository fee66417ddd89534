"""Two years of demo cases for the demo street: about 50,000, in every state.

Writing 50,000 cases through ``workflow.transition`` one step at a time would take minutes, so
the demo writes the rows the workflow would have written — each case with a timeline that follows
the transition table (report → accept → dispatch → claim → resolve → verify → close → rate, with
returns, escalations, whistles, reopenings, merges, suspensions and overdue cases mixed in) — in
bulk through ``executemany``. The figures (KPIs) read these timelines like any other. Demo rows
are not in the audit log (nobody did them); everything done afterwards through the pages is.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from gridgov.cases import deadlines
from gridgov.cases.models import Case, CaseEvent, CaseSummons, Category
from gridgov.core.models import Department, Role, RoleAssignment
from gridgov.demo.loader import DemoContext, demo_step
from gridgov.registry.importing.sql import Statement

CASES = 50_000
DAYS = 730
# How often each subclass is reported, relative to the others (the rest weigh 1).
WEIGHTS = {
    "0101": 12,
    "0301": 10,
    "0302": 8,
    "0501": 7,
    "0502": 6,
    "0901": 7,
    "0102": 6,
    "0401": 5,
    "0601": 5,
    "0201": 4,
    "0105": 4,
    "0701": 3,
    "1101": 1,
    "1104": 1,
}
TITLES = {
    "0101": "楼道堆放杂物",
    "0102": "垃圾未及时清运",
    "0201": "路灯不亮",
    "0301": "占道停车堵塞通道",
    "0302": "电动车乱停",
    "0401": "电梯停运",
    "0501": "楼间高空飞线",
    "0502": "楼道内给电动车充电",
    "0601": "邻居装修噪音纠纷",
    "0701": "独居老人需要帮助",
    "0901": "夜间噪音扰民",
    "1101": "老人摔倒求助",
    "1104": "一键通呼叫",
}
ADDRESSES = ("和平路", "东湖路", "西苑街", "南桥巷", "北城大道", "滨江路", "新华街")


def _polygon_point(area: Any, rng: random.Random) -> tuple[float | None, float | None]:
    if not area.polygon:
        return None, None
    ring = area.polygon["coordinates"][0]
    return (
        round(rng.uniform(ring[0][0], ring[2][0]), 7),
        round(rng.uniform(ring[0][1], ring[2][1]), 7),
    )


class Timeline:
    """Builds one case's fields and events as the workflow would."""

    def __init__(self, case: dict[str, Any], category: Category) -> None:
        self.case = case
        self.category = category
        self.events: list[tuple[str, str, str, int | None, datetime.datetime, str, str, dict]] = []
        self.status = "reported"

    def step(
        self,
        action: str,
        to: str | None,
        actor: int | None,
        at: datetime.datetime,
        *,
        note: str = "",
        public: bool = False,
        data: dict | None = None,
    ) -> None:
        target = to or self.status
        self.events.append(
            (
                action,
                self.status if action != "report" else "",
                target,
                actor,
                at,
                "public" if public else "internal",
                note,
                data or {},
            )
        )
        self.status = target

    def deadlines(self, at: datetime.datetime) -> None:
        claim, resolve, working = deadlines.durations(self.category, self.case["urgency"])
        self.case["dispatched_at"] = at
        self.case["claim_due_at"] = deadlines.after(at, claim, working=working)
        self.case["resolve_due_at"] = deadlines.after(at, resolve, working=working)


@demo_step("cases", order=70)
def load_cases(context: DemoContext) -> None:
    if Case.objects.filter(number__startswith="D").exists():
        return  # the demo cases exist: a refresh keeps them (and whatever was done to them)
    rng = random.Random(context.rng.random())  # noqa: S311
    total = max(200, int(CASES * context.scale))
    now = timezone.now()
    categories = list(Category.objects.filter(parent__isnull=False, active=True))
    weights = [WEIGHTS.get(c.code, 1) for c in categories]
    areas = context.areas
    grids = sorted((a for a in areas.values() if a.level == "grid"), key=lambda a: a.code)
    micro_by_grid: dict[str, list] = defaultdict(list)
    for area in areas.values():
        if area.level == "micro_grid":
            micro_by_grid[area.code[:15]].append(area)
    roles: dict[tuple[str, str], int] = {}
    for user_id, role, code in RoleAssignment.objects.filter(
        area__isnull=False, active=True
    ).values_list("user_id", "role", "area__code"):
        roles.setdefault((role, code), user_id)
    handlers: dict[int, int] = dict(
        RoleAssignment.objects.filter(role=Role.DEPARTMENT_HANDLER, active=True).values_list(
            "department_id", "user_id"
        )
    )
    street = next(a for a in areas.values() if a.level == "street")
    departments = list(Department.objects.filter(area=street, active=True))
    by_kind = {d.kind: d for d in departments}
    officer = roles.get((Role.STREET_OFFICER, street.code))
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    sequence: dict[str, int] = defaultdict(int)
    cases: list[Case] = []
    timelines: list[Timeline] = []
    summons_rows: list[CaseSummons] = []

    def keep(case: dict[str, Any], line: Timeline) -> None:
        cases.append(case)
        timelines.append(line)

    for index in range(total):
        category = rng.choices(categories, weights)[0]
        reported = now - datetime.timedelta(
            days=DAYS * (rng.random() ** 0.9), minutes=rng.randint(0, 1440)
        )
        grid = rng.choice(grids)
        place = rng.choice(micro_by_grid.get(grid.code) or [grid])
        lon, lat = _polygon_point(place, rng)
        community_code, grid_code = grid.code[:12], grid.code
        secretary = roles.get((Role.COMMUNITY_SECRETARY, community_code))
        worker = roles.get((Role.GRID_WORKER, grid_code))
        channel = rng.choices(("resident", "patrol", "hotline", "sos", "api"), (45, 30, 20, 2, 3))[
            0
        ]
        if category.code in ("1101", "1104"):
            channel = "sos" if category.code == "1104" else channel
        urgency = (
            "emergency"
            if category.code.startswith("11")
            else rng.choices(("normal", "urgent"), (9, 1))[0]
        )
        day = timezone.localtime(reported).strftime("%Y%m%d")
        sequence[day] += 1
        case = {
            "id": first_id + index,
            "number": f"D{day}{sequence[day]:05d}",
            "channel": channel,
            "category": category,
            "title": TITLES.get(category.code, category.name),
            "description": f"{place.name}附近：{TITLES.get(category.code, category.name)}。",
            "urgency": urgency,
            "lon": lon,
            "lat": lat,
            "address": f"{rng.choice(ADDRESSES)}{rng.randint(1, 300)}号",
            "area": place,
            "reporter_user_id": worker if channel == "patrol" else None,
            "anonymous": channel != "patrol",
            "callback_phone": ""
            if channel == "patrol"
            else f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            "reported_at": reported,
            "public": not category.sensitive and rng.random() < 0.5,
            "created_by_id": worker if channel == "patrol" else secretary,
        }
        line = Timeline(case, category)
        line.step(
            "report",
            "reported",
            case["created_by_id"],
            reported,
            public=True,
            data={"channel": channel},
        )
        age = (now - reported).total_seconds() / 86400
        t = reported + datetime.timedelta(minutes=rng.randint(5, 240))
        if t > now or (age < 3 and rng.random() < 0.25):
            # New reports wait for the dispatch console.
            keep(case, line)
            continue
        if rng.random() < 0.03:
            line.step("reject", "rejected", secretary, t, note="不属于本辖区职责范围", public=True)
            case["closed_at"] = t
            keep(case, line)
            continue
        line.step("accept", "accepted", secretary, t, public=True)
        if age < 3 and rng.random() < 0.15:
            keep(case, line)  # accepted, waiting to be dispatched
            continue
        if rng.random() < 0.02 and index > 10:
            target = first_id + rng.randint(max(0, index - 200), index - 1)
            line.step(
                "merge",
                "merged",
                secretary,
                t + datetime.timedelta(minutes=3),
                public=True,
                data={"into": target},
            )
            case["merged_into_id"], case["closed_at"] = target, t
            keep(case, line)
            continue
        # Dispatch: to the category's level, a department for department matters.
        t += datetime.timedelta(minutes=rng.randint(2, 60))
        level = category.handling_level
        department = (
            by_kind.get(category.default_department_kind) if level == "department" else None
        )
        queue = {"grid": grid, "community": areas[community_code], "street": street}.get(level)
        if level == "department" and department is None:
            level, queue = "street", street
        if rng.random() < 0.05 and level != "department":
            line.deadlines(t)
            line.step("dispatch", "dispatched", secretary, t, data={"level": level})
            t += datetime.timedelta(hours=rng.randint(1, 20))
            line.step("return", "accepted", worker, t, note="不属于本网格，请重新派遣")
            t += datetime.timedelta(minutes=rng.randint(10, 120))
            level, queue = "community", areas[community_code]
        line.deadlines(t)
        case.update(handling_level=level, assignee_area=queue, assignee_department=department)
        line.step("dispatch", "dispatched", secretary, t, data={"level": level})
        handler_user = (
            handlers.get(department.pk)
            if department
            else (worker if level == "grid" else secretary if level == "community" else officer)
        )
        lead_summons = None
        if department is not None:
            lead_summons = CaseSummons(
                case_id=case["id"],
                department=department,
                role="lead",
                summoned_at=t,
                claim_due_at=case["claim_due_at"],
            )
            summons_rows.append(lead_summons)
        if level == "grid" and rng.random() < 0.05:
            t += datetime.timedelta(hours=rng.randint(1, 6))
            case.update(
                handling_level="community", assignee_area=areas[community_code], escalation_level=1
            )
            line.deadlines(t)
            line.step("escalate", "dispatched", worker, t, note="需要社区协调")
            handler_user = secretary
        if (
            level in ("street", "community")
            and rng.random() < 0.06
            and len(departments) >= 3
            and age > 2
        ):
            lead, *assisting = rng.sample(departments, 3)
            t += datetime.timedelta(hours=rng.randint(1, 8))
            line.deadlines(t)
            case["claim_due_at"] = t + datetime.timedelta(minutes=30)
            case.update(
                handling_level="department",
                assignee_area=None,
                assignee_department=lead,
                whistled=True,
            )
            line.step(
                "whistle",
                "dispatched",
                officer,
                t,
                data={"lead": lead.pk, "assisting": [d.pk for d in assisting]},
            )
            for dept, role in [(lead, "lead")] + [(d, "assist") for d in assisting]:
                claimed = t + datetime.timedelta(minutes=rng.randint(5, 40))
                summons_rows.append(
                    CaseSummons(
                        case_id=case["id"],
                        department=dept,
                        role=role,
                        summoned_at=t,
                        claim_due_at=t + datetime.timedelta(minutes=30),
                        claimed_at=claimed,
                        claimed_by_id=handlers.get(dept.pk),
                        done_at=claimed + datetime.timedelta(hours=rng.randint(2, 30))
                        if role == "assist"
                        else None,
                    )
                )
            handler_user = handlers.get(lead.pk)
            if lead_summons is not None:
                lead_summons.active = False
        if rng.random() < 0.03:
            case["supervised"] = True
            line.step("supervise", None, officer, t + datetime.timedelta(minutes=30))
        # Claim: mostly on time; a few late; the newest cases may still wait.
        claim_window = (case["claim_due_at"] - t).total_seconds()
        late = rng.random() < 0.08
        claim_at = t + datetime.timedelta(
            seconds=claim_window * (rng.uniform(1.1, 3) if late else rng.uniform(0.05, 0.9))
        )
        if claim_at > now:
            keep(case, line)
            continue
        case["claimed_at"] = claim_at
        if lead_summons is not None and not case.get("whistled"):
            lead_summons.claimed_at, lead_summons.claimed_by_id = claim_at, handler_user
        case["assignee_user_id"] = (
            handler_user if department is None and not case.get("whistled") else None
        )
        line.step(
            "claim",
            "claimed",
            handler_user,
            claim_at,
            data={"on_time": claim_at <= case["claim_due_at"]},
        )
        resolve_window = (case["resolve_due_at"] - claim_at).total_seconds()
        if rng.random() < 0.01 and age > 5:
            paused = datetime.timedelta(days=rng.randint(1, 10))
            line.step(
                "suspend",
                "suspended",
                secretary,
                claim_at + datetime.timedelta(hours=2),
                note="等待业主配合",
            )
            case["suspended_at"], case["suspended_from"] = (
                claim_at + datetime.timedelta(hours=2),
                "claimed",
            )
            resume = claim_at + datetime.timedelta(hours=2) + paused
            if resume > now:
                keep(case, line)
                continue
            line.step(
                "resume",
                "claimed",
                secretary,
                resume,
                data={"paused_seconds": int(paused.total_seconds())},
            )
            case["suspended_at"], case["suspended_from"] = None, ""
            case["resolve_due_at"] += paused
            claim_at = resume
        overdue = rng.random() < 0.07
        resolve_at = claim_at + datetime.timedelta(
            seconds=max(
                600,
                resolve_window * (rng.uniform(1.05, 2.5) if overdue else rng.uniform(0.1, 0.95)),
            )
        )
        if resolve_at > now:
            if case["resolve_due_at"] < now:
                case["overdue_notified_at"] = case["resolve_due_at"]
            keep(case, line)
            continue
        reopens = 0
        while True:
            case.update(
                resolved_at=resolve_at,
                resolved_by_id=handler_user,
                result="已处置完毕，现场已恢复。",
            )
            line.step(
                "resolve",
                "resolved",
                handler_user,
                resolve_at,
                note=case["result"],
                public=True,
                data={"on_time": resolve_at <= case["resolve_due_at"]},
            )
            verify_at = resolve_at + datetime.timedelta(hours=rng.randint(1, 30))
            if verify_at > now:
                break
            if reopens == 0 and rng.random() < 0.03:
                reopens += 1
                line.step(
                    "verify",
                    "claimed",
                    secretary,
                    verify_at,
                    note="现场复核未整改到位",
                    data={"passed": False},
                )
                resolve_at = verify_at + datetime.timedelta(hours=rng.randint(2, 48))
                if resolve_at > now:
                    break
                continue
            line.step("verify", "verified", secretary, verify_at, data={"passed": True})
            close_at = verify_at + datetime.timedelta(minutes=rng.randint(10, 600))
            if close_at > now:
                break
            case["closed_at"] = close_at
            line.step("close", "closed", secretary, close_at, public=True)
            if rng.random() < 0.7 and close_at + datetime.timedelta(days=1) < now:
                rating = rng.choices((5, 4, 3, 2, 1), (60, 25, 8, 4, 3))[0]
                rate_at = close_at + datetime.timedelta(hours=rng.randint(2, 72))
                case["rating"] = rating
                if rating <= 2 and reopens == 0:
                    reopens += 1
                    line.step(
                        "rate", "claimed", None, rate_at, data={"rating": rating, "on_behalf": True}
                    )
                    case["closed_at"] = None
                    resolve_at = rate_at + datetime.timedelta(hours=rng.randint(4, 72))
                    if resolve_at > now:
                        break
                    continue
                line.step(
                    "rate", "rated", None, rate_at, data={"rating": rating, "on_behalf": True}
                )
            break
        case["reopen_count"] = reopens
        keep(case, line)

    _write(cases, timelines, summons_rows)


def _write(
    cases: list[dict[str, Any]], timelines: list[Timeline], summons_rows: list[CaseSummons]
) -> None:
    instances = []
    for case, line in zip(cases, timelines, strict=True):
        case["status"] = line.status
        if line.status not in ("suspended",):
            case.setdefault("suspended_from", "")
        instances.append(Case(**case))
    Statement(
        Case, ["id", *[f.name for f in Case._meta.concrete_fields if not f.primary_key]]
    ).write(instances)
    rows = []
    for case, line in zip(cases, timelines, strict=True):
        for action, from_status, to_status, actor, at, visibility, note, data in line.events:
            rows.append(
                (case["id"], action, from_status, to_status, actor, at, visibility, note, data)
            )
    ops = connection.ops
    quote = ops.quote_name
    sql = (
        f"INSERT INTO {quote(CaseEvent._meta.db_table)} "  # noqa: S608 (names from _meta) # nosec B608
        "(case_id, action, from_status, to_status, actor_id, at, visibility, note, data) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    if connection.vendor == "sqlite":
        # What Django's SQLite adapter stores (naive UTC text), without its per-value checks.
        def stamp(at: datetime.datetime) -> Any:
            return at.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    else:
        stamp = ops.adapt_datetimefield_value
    prepared = [
        (
            c,
            a,
            f,
            t,
            actor,
            stamp(at),
            v,
            n,
            json.dumps(d, ensure_ascii=False),
        )
        for c, a, f, t, actor, at, v, n, d in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 5000):
            cursor.executemany(sql, prepared[start : start + 5000])
    CaseSummons.objects.bulk_create(summons_rows, batch_size=2000)
    # Explicit ids were written: let the database's sequence carry on after them.
    with connection.cursor() as cursor:
        for statement in ops.sequence_reset_sql(no_style(), [Case, CaseEvent, CaseSummons]):
            cursor.execute(statement)
