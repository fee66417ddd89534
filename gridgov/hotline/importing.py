"""The 12345 transfer sheet (市民热线转办工单) as a kind of the registry's import pipeline: the same
header matching, per-row reasons, result workbook, modes (apply the valid rows, all or nothing,
check only) and downloadable template. Each row is one case through ``hotline_case_create``; the
work-order number is its client key, so importing the same sheet again adds nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.cases.models import Case, Category, Urgency
from gridgov.core.identifiers import validate_phone
from gridgov.hotline.permissions import is_operator
from gridgov.hotline.services import ORDER_MAX, hotline_case_create, order_key
from gridgov.registry.importing.columns import ChoiceMap, Column, normalise_text, parse_date
from gridgov.registry.importing.kinds.base import ImportContext, Outcome, Row
from gridgov.registry.importing.kinds.orm import OrmKind

URGENCIES = ChoiceMap(
    {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急", Urgency.EMERGENCY: "特急"},
    {"普通": Urgency.NORMAL, "加急": Urgency.URGENT, "特别紧急": Urgency.EMERGENCY},
    Urgency.choices,
)

COLUMNS = (
    Column(
        "order_number",
        "工单编号",
        gettext_lazy("The hotline's work-order number; the same number is never filed twice."),
        required=True,
        text_format=True,
        width=20,
        aliases=("工单号", "受理编号"),
    ),
    Column(
        "called_at",
        "来电时间",
        gettext_lazy("When the citizen called, e.g. 2026-03-01 09:30."),
        required=True,
        width=18,
        aliases=("受理时间",),
    ),
    Column(
        "phone",
        "来电号码",
        gettext_lazy("The caller's number, to call back; stored encrypted."),
        required=True,
        text_format=True,
        aliases=("联系电话", "诉求人电话"),
    ),
    Column("caller", "诉求人", gettext_lazy("The caller's name."), aliases=("来电人", "姓名")),
    Column(
        "category",
        "问题分类",
        gettext_lazy("A subcategory of the case taxonomy: its name (楼道杂物) or code (0101)."),
        required=True,
        aliases=("诉求类型", "诉求分类"),
    ),
    Column(
        "content",
        "诉求内容",
        gettext_lazy("What the caller reports."),
        required=True,
        width=50,
        aliases=("反映内容", "工单内容"),
    ),
    Column("address", "事发地址", gettext_lazy("Where it happens."), width=30, aliases=("地址",)),
    Column(
        "area",
        "所属区域",
        gettext_lazy(
            "The grid, community or street (code or name); blank: your own area's dispatch queue."
        ),
        width=20,
    ),
    Column(
        "urgency",
        "紧急程度",
        gettext_lazy("How urgent; blank means ordinary."),
        choices=URGENCIES,
    ),
    Column("unit", "承办单位", gettext_lazy("The unit the hotline assigned it to."), width=20),
    Column(
        "due",
        "办理时限",
        gettext_lazy("The hotline's deadline (a date), kept with the case."),
        width=14,
    ),
)

_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$"
)


def parse_datetime(text: str) -> datetime.datetime:
    """``2026-03-01 09:30``, ``2026/3/1 9:30:00``, ``2026年3月1日 9时30分``; ValueError otherwise."""
    match = _DATETIME.match(normalise_text(text))
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    moment = datetime.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (made aware next)
    return timezone.make_aware(moment, timezone.get_default_timezone())


class HotlineOrders(OrmKind):
    name = "hotline"
    label = gettext_lazy("12345 hotline transfers")
    sheet_name = "12345工单"
    columns = COLUMNS
    model = Case
    exportable = False
    error_columns = {
        "callback_phone": "phone",
        "category": "category",
        "description": "content",
        "title": "content",
        "area": "area",
        "location": "area",
        "order_number": "order_number",
    }
    default_error_column = "order_number"

    def check_actor(self, actor: Any) -> str | None:
        if not is_operator(actor):
            return _("You do not take hotline cases.")
        return None

    def _category(self, text: str, context: ImportContext) -> Category | None:
        categories = context.cache.get("categories")
        if categories is None:
            categories = {}
            for category in Category.objects.filter(
                active=True, parent__isnull=False
            ).select_related("parent"):
                for key in (
                    category.code,
                    category.name,
                    f"{category.parent.name}/{category.name}",
                ):
                    categories[normalise_text(key)] = category
            context.cache["categories"] = categories
        return categories.get(normalise_text(text).replace("／", "/"))

    def parse(self, row: Row, context: ImportContext) -> None:
        values = row.values
        order_number = values.get("order_number", "")
        if not order_number:
            row.fail("order_number", _("The work-order number is required."))
        elif len(order_number) > ORDER_MAX:
            row.fail("order_number", _("Longer than %(n)d characters.") % {"n": ORDER_MAX})
        called_at = None
        if not values.get("called_at"):
            row.fail("called_at", _("The time of the call is required."))
        else:
            try:
                called_at = parse_datetime(values["called_at"])
                if called_at > timezone.now() + datetime.timedelta(minutes=5):
                    row.fail("called_at", _("The time of the call is in the future."))
            except ValueError:
                row.fail(
                    "called_at",
                    _("“%(value)s” is not a date and time such as 2026-03-01 09:30.")
                    % {"value": values["called_at"]},
                )
        phone = ""
        if not values.get("phone"):
            row.fail("phone", _("The caller's number is required."))
        else:
            try:
                phone = validate_phone(values["phone"])
            except ValidationError as error:
                row.fail("phone", error.messages[0])
        category = None
        if not values.get("category"):
            row.fail("category", _("The category is required."))
        else:
            category = self._category(values["category"], context)
            if category is None:
                row.fail(
                    "category",
                    _(
                        "“%(value)s” is not a category: give a subcategory's name or code, e.g. 楼道杂物 or 0101."
                    )
                    % {"value": values["category"]},
                )
        content = values.get("content", "")
        if not content:
            row.fail("content", _("The content of the call is required."))
        urgency = self.choice(row, "urgency", Urgency.NORMAL)
        area = None
        if values.get("area"):
            text = values["area"]
            found = context.areas.resolve(
                text if text.isdigit() else "", "" if text.isdigit() else text
            )
            if found.error:
                row.fail("area", found.error)
            area = found.area
        due = ""
        if values.get("due"):
            try:
                due = parse_date(values["due"]).isoformat()
            except ValueError:
                row.fail(
                    "due",
                    _("“%(value)s” is not a date such as 2026-03-05.") % {"value": values["due"]},
                )
        if row.errors:
            return
        notes = []
        if values.get("unit"):
            notes.append(_("Hotline assigned to: %(unit)s") % {"unit": values["unit"]})
        if due:
            notes.append(_("Hotline deadline: %(date)s") % {"date": due})
        notes.append(_("12345 work order %(number)s") % {"number": order_number})
        row.data = {
            "order_number": order_number,
            "called_at": called_at,
            "caller_phone": phone,
            "caller_name": values.get("caller", "")[:64],
            "category": category,
            "description": content,
            "address": values.get("address", "")[:200],
            "area": area,
            "urgency": urgency,
            "notes": "；".join(notes),
        }
        self.duplicate(row, context, ("hotline", order_number), "order_number")

    def upsert(self, row: Row, context: ImportContext) -> Outcome:
        data = row.data
        if Case.objects.filter(client_key=order_key(data["order_number"])).exists():
            return Outcome.UNCHANGED  # filed before: the same order is never a second case
        if not context.write:
            return Outcome.CREATED
        reported = hotline_case_create(
            actor=context.actor,
            category=data["category"],
            description=data["description"],
            caller_phone=data["caller_phone"],
            caller_name=data["caller_name"],
            area=data["area"],
            order_number=data["order_number"],
            urgency=data["urgency"],
            address=data["address"],
            called_at=data["called_at"],
            notes=data["notes"],
        )
        return Outcome.CREATED if reported.created else Outcome.UNCHANGED

    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        return iter(())
