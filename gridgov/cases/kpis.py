"""The figures (KPIs) of the case loop, computed from the timeline, never typed in.

Pure functions over querysets of cases: the caller scopes them (``Case.objects.visible_to(user)``,
an area subtree, a department…) and names a period ``[period_start, period_end)``. Each call runs
one aggregate query (a GROUP BY over the candidate cases, with a few correlated look-ups into the
timeline per case), whatever the number of cases or groups.

Every figure belongs to a cohort fixed by one moment of the case, so that months add up and a
case is never counted twice in one month:

- reports: cases reported in the period (``reported_at``);
- dispatched: cases first handed off by the desk in the period (the first timeline entry going
  from "accepted" to "dispatched": a dispatch, or a whistle straight from the desk);
- due: cases whose deadline to resolve falls in the period (up to ``as_of`` for the month that
  is still running), less those suspended now (their clock stands still) and merged duplicates;
- rated: cases whose last rating was given in the period;
- resolved: cases whose (last) resolution is in the period (times to resolve, handling levels).

Figures look at the cohort as the timeline stands when they are computed (a case of last month
resolved this morning counts as resolved for last month). A rate whose denominator is zero has no
value: it shows "—", never 0 %. ``DEFINITIONS`` documents each figure (docs/kpis.md says the same).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Case as When_,
)
from django.db.models import (
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.cases.models import Case, CaseEvent, CaseStatus, HandlingLevel

S = CaseStatus
DEFAULT_WEIGHTS = {"response_rate": 30, "resolution_rate": 35, "satisfaction_rate": 35}
CLOSED = (S.CLOSED.value, S.RATED.value)
NOT_DUE = (S.SUSPENDED.value, S.MERGED.value)
LEVELS = tuple(HandlingLevel.values)  # grid, community, street, department
DASH = "—"


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """numerator / denominator; no value (shown "—") when the denominator is zero."""

    numerator: int
    denominator: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(100 * self.value, 1)

    def __str__(self) -> str:
        return DASH if self.percent is None else f"{self.percent:.1f}%"


@dataclass(frozen=True)
class Hours:
    """An average duration in hours over ``count`` cases; no value without cases."""

    total_seconds: float
    count: int

    @property
    def value(self) -> float | None:
        return round(self.total_seconds / self.count / 3600, 2) if self.count else None

    def __str__(self) -> str:
        return DASH if self.value is None else f"{self.value:.1f}"


@dataclass(frozen=True)
class Score:
    """The weighted composite (0–100) of the rates named in the weights that have a value."""

    value: float | None
    weights: tuple[tuple[str, float], ...] = ()

    def __str__(self) -> str:
        return DASH if self.value is None else f"{self.value:.1f}"


Figure = Rate | Hours | Score


# --- definitions (data: the pages, the reports and docs/kpis.md show them beside each figure) ----


@dataclass(frozen=True)
class Definition:
    key: str
    term: str  # the field's own (Chinese) name, as in GLOSSARY.md
    label: str | Promise
    numerator: str | Promise
    denominator: str | Promise
    kind: str = "rate"  # rate | hours | score | share
    higher_is_better: bool = True


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "response_rate",
            "响应率",
            _("Response rate"),
            _("cases whose first claim met the claim deadline then in force"),
            _("cases dispatched in the period"),
        ),
        Definition(
            "resolution_rate",
            "解决率",
            _("Resolution rate"),
            _("of those, cases resolved"),
            _("cases dispatched in the period"),
        ),
        Definition(
            "reporter_resolution_rate",
            "解决率（群众评价）",
            _("Resolution rate as judged by reporters"),
            _("ratings of 3 to 5"),
            _("cases rated in the period"),
        ),
        Definition(
            "satisfaction_rate",
            "满意率",
            _("Satisfaction rate"),
            _("ratings of 4 or 5"),
            _("cases rated in the period"),
        ),
        Definition(
            "filing_rate",
            "立案率",
            _("Filing rate"),
            _("valid reports accepted"),
            _("reports in the period less merged duplicates"),
        ),
        Definition(
            "dispatch_accuracy",
            "派遣准确率",
            _("Dispatch accuracy"),
            _("cases never returned by an assignee"),
            _("cases dispatched in the period"),
        ),
        Definition(
            "on_time_resolution_rate",
            "按期处置率",
            _("On-time resolution rate"),
            _("cases resolved by their deadline"),
            _("cases due in the period, less suspended ones"),
        ),
        Definition(
            "close_rate",
            "结案率",
            _("Close rate"),
            _("cases closed"),
            _("cases due in the period, less suspended ones"),
        ),
        Definition(
            "on_time_close_rate",
            "按期结案率",
            _("On-time close rate"),
            _("cases closed by their deadline"),
            _("cases due in the period, less suspended ones"),
        ),
        Definition(
            "reopen_rate",
            "返工率",
            _("Rework rate"),
            _("cases reopened at least once"),
            _("cases due in the period, less suspended ones"),
            higher_is_better=False,
        ),
        Definition(
            "extension_rate",
            "延期率",
            _("Extension rate"),
            _("cases with an approved extension"),
            _("cases dispatched in the period"),
            higher_is_better=False,
        ),
        Definition(
            "claim_hours",
            "平均响应时长",
            _("Average time to claim (hours)"),
            _("from the first dispatch to the first claim"),
            _("cases dispatched in the period and claimed"),
            kind="hours",
            higher_is_better=False,
        ),
        Definition(
            "resolve_hours",
            "平均处置时长",
            _("Average time to resolve (hours)"),
            _("from the first dispatch to the resolution"),
            _("cases resolved in the period"),
            kind="hours",
            higher_is_better=False,
        ),
        Definition(
            "close_hours",
            "平均结案时长",
            _("Average time to close (hours)"),
            _("from the first dispatch to closing"),
            _("cases closed in the period"),
            kind="hours",
            higher_is_better=False,
        ),
        Definition(
            "composite_score",
            "综合得分",
            _("Composite score"),
            _("weighted mean of the response, resolution and satisfaction rates, × 100"),
            _("the weights of the rates that have a value (setting GRIDGOV_KPI_WEIGHTS)"),
            kind="score",
        ),
        Definition(
            "grid_share",
            "网格办结占比",
            _("Settled in the grid"),
            _("cases resolved at grid level"),
            _("cases resolved in the period"),
            kind="share",
        ),
        Definition(
            "community_share",
            "社区办结占比",
            _("Settled in the community"),
            _("cases resolved at community level"),
            _("cases resolved in the period"),
            kind="share",
        ),
        Definition(
            "street_share",
            "街道办结占比",
            _("Settled by the street"),
            _("cases resolved at street level"),
            _("cases resolved in the period"),
            kind="share",
        ),
        Definition(
            "department_share",
            "部门办结占比",
            _("Settled by departments"),
            _("cases resolved by a department"),
            _("cases resolved in the period"),
            kind="share",
        ),
    )
}
# The figures of a ranking table (赛马), in the order the pages and reports show them.
RANKING_KEYS = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_close_rate",
    "reopen_rate",
    "composite_score",
)


def weights() -> dict[str, float]:
    """Weights of the composite score: setting ``GRIDGOV_KPI_WEIGHTS`` (rate key → weight)."""
    configured = getattr(settings, "GRIDGOV_KPI_WEIGHTS", None) or DEFAULT_WEIGHTS
    unknown = set(configured) - {k for k, d in DEFINITIONS.items() if d.kind == "rate"}
    if unknown:
        raise ValueError(f"GRIDGOV_KPI_WEIGHTS names figures that are not rates: {unknown}")
    return {key: float(value) for key, value in configured.items() if float(value) > 0}


def composite(figures: dict[str, Any], chosen: dict[str, float] | None = None) -> Score:
    """Σ weight × rate / Σ weight over the weighted rates that have a value, × 100."""
    chosen = weights() if chosen is None else chosen
    present = [(k, w) for k, w in chosen.items() if figures[k].value is not None]
    total = sum(w for _k, w in present)
    if not total:
        return Score(None, tuple(chosen.items()))
    value = 100 * sum(w * figures[k].value for k, w in present) / total
    return Score(round(value, 2), tuple(chosen.items()))


# --- counting ----------------------------------------------------------------------------------

COUNTS = (
    "reported",
    "merged",
    "filed",
    "dispatched",
    "responded",
    "accurate",
    "resolved",
    "extended",
    "rated",
    "rated_resolved",
    "satisfied",
    "due",
    "on_time_resolved",
    "closed",
    "closed_on_time",
    "reopened",
    "claimed",
    "claim_seconds",
    "resolved_in_period",
    "resolve_seconds",
    "closed_in_period",
    "close_seconds",
    *(f"level_{level}" for level in LEVELS),
)


def figures_from_counts(counts: dict[str, float]) -> dict[str, Figure]:
    """The figures from the counts of one group (see ``COUNTS``)."""
    c = {name: counts.get(name) or 0 for name in COUNTS}
    valid = c["reported"] - c["merged"]
    figures: dict[str, Figure] = {
        "response_rate": Rate(c["responded"], c["dispatched"]),
        "resolution_rate": Rate(c["resolved"], c["dispatched"]),
        "reporter_resolution_rate": Rate(c["rated_resolved"], c["rated"]),
        "satisfaction_rate": Rate(c["satisfied"], c["rated"]),
        "filing_rate": Rate(c["filed"], valid),
        "dispatch_accuracy": Rate(c["accurate"], c["dispatched"]),
        "on_time_resolution_rate": Rate(c["on_time_resolved"], c["due"]),
        "close_rate": Rate(c["closed"], c["due"]),
        "on_time_close_rate": Rate(c["closed_on_time"], c["due"]),
        "reopen_rate": Rate(c["reopened"], c["due"]),
        "extension_rate": Rate(c["extended"], c["dispatched"]),
        "claim_hours": Hours(float(c["claim_seconds"]), c["claimed"]),
        "resolve_hours": Hours(float(c["resolve_seconds"]), c["resolved_in_period"]),
        "close_hours": Hours(float(c["close_seconds"]), c["closed_in_period"]),
    }
    for level in LEVELS:
        figures[f"{level}_share"] = Rate(c[f"level_{level}"], c["resolved_in_period"])
    figures["composite_score"] = composite(figures)
    return figures


def _events() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=OuterRef("pk")).order_by()


def _first(events: QuerySet[CaseEvent]) -> Subquery:
    return Subquery(events.order_by("at", "id").values("at")[:1])


def _level_at_resolution() -> Subquery:
    """The handling level of the last hand-off (dispatch, escalate, whistle) before the case's
    (last) resolution, read from the timeline entries' details."""
    level = When_(
        When(action="whistle", then=Value(HandlingLevel.DEPARTMENT.value)),
        When(action="escalate", then=KeyTextTransform("level", KeyTransform("to", "data"))),
        default=KeyTextTransform("level", KeyTransform("assignee", "data")),
        output_field=CharField(),
    )
    return Subquery(
        _events()
        .filter(
            Q(action__in=("dispatch", "escalate", "whistle"))
            | Q(action="recategorize", data__has_key="assignee"),  # re-routed
            at__lte=OuterRef("resolved_at"),
        )
        .order_by("-at", "-id")
        .annotate(level=level)
        .values("level")[:1]
    )


def _per_case(
    cases: QuerySet[Case],
    key: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    due_end: datetime.datetime,
) -> QuerySet[Case]:
    """One row per candidate case: its group key, clock columns and timeline facts."""
    touched = CaseEvent.objects.filter(at__gte=start, at__lt=end).values("case_id")
    candidates = cases.filter(
        Q(pk__in=touched) | Q(resolve_due_at__gte=start, resolve_due_at__lt=due_end)
    )
    resolved_here = Q(resolved_at__gte=start, resolved_at__lt=end)
    return candidates.order_by().values(
        k_key=key,
        k_status=F("status"),
        k_reported=F("reported_at"),
        k_resolved=F("resolved_at"),
        k_resolve_due=F("resolve_due_at"),
        k_closed=F("closed_at"),
        k_rating=F("rating"),
        k_reopened=F("reopen_count"),
        k_handoff=_first(_events().filter(from_status=S.ACCEPTED, to_status=S.DISPATCHED)),
        k_first_claim=_first(
            _events().filter(action="claim", from_status=S.DISPATCHED, to_status=S.CLAIMED)
        ),
        # The claim entry records whether it met the deadline in force at that hand-off, so a
        # late first claim stays late after a return, an escalation or a reopening.
        k_first_claim_on_time=Subquery(
            _events()
            .filter(action="claim", from_status=S.DISPATCHED, to_status=S.CLAIMED)
            .order_by("at", "id")
            .annotate(ok=When_(When(data__on_time=True, then=Value(1)), default=Value(0)))
            .values("ok")[:1]
        ),
        k_accepted=Exists(_events().filter(action="accept")),
        k_returned=Exists(_events().filter(action="return")),
        k_extended=Exists(_events().filter(action="decide_extension", data__approved=True)),
        k_rated_at=Subquery(
            _events().filter(action="rate").order_by("-at", "-id").values("at")[:1]
        ),
        k_level=When_(
            When(resolved_here, then=_level_at_resolution()),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def _seconds(vendor: str, later: str, earlier: str) -> str:
    if vendor == "sqlite":
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
    if vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    raise NotImplementedError(f"KPIs are computed on SQLite and PostgreSQL, not {vendor}")


def count_groups(
    cases: QuerySet[Case],
    key: Any,
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> dict[Any, dict[str, float]]:
    """group key → counts (``COUNTS``), in one aggregate query over the candidate cases."""
    if period_end <= period_start:
        raise ValueError("the period ends before it starts")
    as_of = as_of or timezone.now()
    due_end = max(period_start, min(period_end, as_of))
    inner = _per_case(cases, key, period_start, period_end, due_end)
    connection = connections[inner.db]
    inner_sql, inner_params = inner.query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    start, end, due_until = adapt(period_start), adapt(period_end), adapt(due_end)
    seconds = lambda later, earlier: _seconds(connection.vendor, later, earlier)  # noqa: E731

    params: list[Any] = []

    def between(column: str, low: Any, high: Any) -> str:
        params.extend([low, high])
        return f"(t.{column} >= %s AND t.{column} < %s)"

    def status_in(values: Iterable[str]) -> str:
        values = list(values)
        params.extend(values)
        return f"t.k_status IN ({', '.join(['%s'] * len(values))})"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def total(condition: str, value: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"

    # Each piece adds its parameters as it is built, so the pieces are built in SQL order.
    columns: list[tuple[str, Callable[[], str]]] = [
        ("reported", lambda: count(between("k_reported", start, end))),
        (
            "merged",
            lambda: count(f"{between('k_reported', start, end)} AND {status_in([S.MERGED])}"),
        ),
        (
            "filed",
            lambda: count(
                f"{between('k_reported', start, end)} AND NOT {status_in([S.MERGED])}"
                " AND t.k_accepted"
            ),
        ),
        ("dispatched", lambda: count(between("k_handoff", start, end))),
        (
            "responded",
            lambda: count(f"{between('k_handoff', start, end)} AND t.k_first_claim_on_time = 1"),
        ),
        ("accurate", lambda: count(f"{between('k_handoff', start, end)} AND NOT t.k_returned")),
        (
            "resolved",
            lambda: count(f"{between('k_handoff', start, end)} AND t.k_resolved IS NOT NULL"),
        ),
        ("extended", lambda: count(f"{between('k_handoff', start, end)} AND t.k_extended")),
        (
            "rated",
            lambda: count(f"{between('k_rated_at', start, end)} AND t.k_rating IS NOT NULL"),
        ),
        (
            "rated_resolved",
            lambda: count(f"{between('k_rated_at', start, end)} AND t.k_rating >= 3"),
        ),
        ("satisfied", lambda: count(f"{between('k_rated_at', start, end)} AND t.k_rating >= 4")),
        ("due", lambda: count(_due(between, status_in, start, due_until))),
        (
            "on_time_resolved",
            lambda: count(
                f"{_due(between, status_in, start, due_until)} AND t.k_resolved IS NOT NULL"
                " AND t.k_resolved <= t.k_resolve_due"
            ),
        ),
        (
            "closed",
            lambda: count(f"{_due(between, status_in, start, due_until)} AND {status_in(CLOSED)}"),
        ),
        (
            "closed_on_time",
            lambda: count(
                f"{_due(between, status_in, start, due_until)} AND {status_in(CLOSED)}"
                " AND t.k_closed <= t.k_resolve_due"
            ),
        ),
        (
            "reopened",
            lambda: count(f"{_due(between, status_in, start, due_until)} AND t.k_reopened > 0"),
        ),
        (
            "claimed",
            lambda: count(f"{between('k_handoff', start, end)} AND t.k_first_claim IS NOT NULL"),
        ),
        (
            "claim_seconds",
            lambda: total(
                f"{between('k_handoff', start, end)} AND t.k_first_claim IS NOT NULL",
                seconds("t.k_first_claim", "t.k_handoff"),
            ),
        ),
        (
            "resolved_in_period",
            lambda: count(f"{between('k_resolved', start, end)} AND t.k_handoff IS NOT NULL"),
        ),
        (
            "resolve_seconds",
            lambda: total(
                f"{between('k_resolved', start, end)} AND t.k_handoff IS NOT NULL",
                seconds("t.k_resolved", "t.k_handoff"),
            ),
        ),
        (
            "closed_in_period",
            lambda: count(
                f"{between('k_closed', start, end)} AND {status_in(CLOSED)}"
                " AND t.k_handoff IS NOT NULL"
            ),
        ),
        (
            "close_seconds",
            lambda: total(
                f"{between('k_closed', start, end)} AND {status_in(CLOSED)}"
                " AND t.k_handoff IS NOT NULL",
                seconds("t.k_closed", "t.k_handoff"),
            ),
        ),
    ]
    for level in LEVELS:
        columns.append(
            (
                f"level_{level}",
                lambda level=level: count(
                    f"{between('k_resolved', start, end)} AND t.k_handoff IS NOT NULL"
                    f" AND t.k_level = {_param(params, level)}"
                ),
            )
        )
    selected = ", ".join(f"{build()} AS {name}" for name, build in columns)
    sql = f"SELECT t.k_key, {selected} FROM ({inner_sql}) t GROUP BY t.k_key"  # noqa: S608 # nosec B608 # inner SQL compiled by the ORM, columns from fixed expressions
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])  # the SELECT list comes first
        names = [name for name, _build in columns]
        return {
            row[0]: {name: _number(value) for name, value in zip(names, row[1:], strict=True)}
            for row in cursor.fetchall()
        }


def _param(params: list[Any], value: Any) -> str:
    params.append(value)
    return "%s"


def _due(between: Callable[..., str], status_in: Callable[..., str], start: Any, end: Any) -> str:
    return f"{between('k_resolve_due', start, end)} AND NOT {status_in(NOT_DUE)}"


def _number(value: Any) -> float:
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value) if not isinstance(value, int) else value


# --- the public functions ------------------------------------------------------------------------


def kpis_for(
    cases: QuerySet[Case],
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> dict[str, Figure]:
    """All figures of these (already scoped) cases for the period: figure key → Rate/Hours/Score."""
    groups = count_groups(cases, Value(0), period_start, period_end, as_of=as_of)
    return figures_from_counts(next(iter(groups.values()), {}))


@dataclass
class Ranked:
    """One row of a ranking (赛马): the group, its figures, its place (1 = best)."""

    key: Any
    label: str
    figures: dict[str, Figure]
    rank: int | None = None
    obj: Any = field(default=None, repr=False)

    @property
    def cells(self) -> list[Figure]:
        """The figures of a ranking table, in ``RANKING_KEYS`` order (for templates)."""
        return [self.figures[key] for key in RANKING_KEYS]


def rank(rows: list[Ranked]) -> list[Ranked]:
    """Order by composite score (best first, groups without a score last); equal scores share."""

    def score(row: Ranked) -> float:
        value = row.figures["composite_score"].value
        return -1 if value is None else value

    rows.sort(key=lambda row: (-score(row), row.label))
    previous, place = None, 0
    for index, row in enumerate(rows, start=1):
        value = row.figures["composite_score"].value
        if value is None:
            row.rank = None
            continue
        if value != previous:
            place, previous = index, value
        row.rank = place
    return rows


def kpis_by_area(
    cases: QuerySet[Case],
    areas: Sequence[Any],
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> list[Ranked]:
    """Figures per area subtree (e.g. the children of a street), ranked. Areas without cases are
    listed with empty figures; cases outside every given area are left out."""
    areas = list(areas)
    if not areas:
        return []
    lengths = {len(area.code) for area in areas}
    if len(lengths) == 1:
        key: Any = Substr("area__code", 1, lengths.pop())
        by_key = {area.code: area for area in areas}
    else:
        # Mixed levels: the longest code first, so that a nested area wins over its parent.
        ordered = sorted(areas, key=lambda a: -len(a.code))
        key = When_(
            *(When(area__code__startswith=a.code, then=Value(a.code)) for a in ordered),
            default=Value(""),
            output_field=CharField(),
        )
        by_key = {area.code: area for area in areas}
    groups = count_groups(cases, key, period_start, period_end, as_of=as_of)
    return rank(
        [
            Ranked(area.code, area.name, figures_from_counts(groups.get(code, {})), obj=area)
            for code, area in by_key.items()
        ]
    )


def kpis_by_department(
    cases: QuerySet[Case],
    departments: Sequence[Any],
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> list[Ranked]:
    """Figures per lead department (the case's ``assignee_department``), ranked."""
    groups = count_groups(cases, F("assignee_department_id"), period_start, period_end, as_of=as_of)
    return rank(
        [
            Ranked(d.pk, d.name, figures_from_counts(groups.get(d.pk, {})), obj=d)
            for d in departments
        ]
    )


def kpis_by_worker(
    cases: QuerySet[Case],
    workers: Sequence[Any],
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    *,
    as_of: datetime.datetime | None = None,
) -> list[Ranked]:
    """Figures per person the case is assigned to (``assignee_user``), ranked."""
    groups = count_groups(cases, F("assignee_user_id"), period_start, period_end, as_of=as_of)
    return rank(
        [
            Ranked(
                w.pk,
                getattr(w, "display_name", None) or str(w),
                figures_from_counts(groups.get(w.pk, {})),
                obj=w,
            )
            for w in workers
        ]
    )


# --- periods -----------------------------------------------------------------------------------


def month_period(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """ "2026-03" → [1 March 00:00, 1 April 00:00) in the local time zone (Asia/Shanghai)."""
    try:
        year_text, month_text = month.split("-")
        year, number = int(year_text), int(month_text)
        first = datetime.date(year, number, 1)
    except (ValueError, AttributeError) as error:
        raise ValueError(f"not a month (YYYY-MM): {month!r}") from error
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(following, datetime.time.min, tzinfo=zone)
    return start, end


def current_month() -> str:
    return timezone.localdate().strftime("%Y-%m")
