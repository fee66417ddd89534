from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy

HEADERS = [
    "工单编号",
    "来电时间",
    "来电号码",
    "诉求人",
    "问题分类",
    "诉求内容",
    "事发地址",
    "所属区域",
    "承办单位",
    "办理时限",
]


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


@pytest.fixture
def sheet(tmp_path):
    """``sheet(rows, name=...)`` → an .xlsx in the 12345 layout (the header row first)."""

    def write(rows: list[list], name: str = "12345转办.xlsx", headers: list[str] = HEADERS) -> Path:
        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        worksheet.title = "12345工单"
        worksheet.append(headers)
        for row in rows:
            worksheet.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


def order(number: str, **overrides) -> list:
    """One good work order in grid A (东湖第一网格), overridable by header key."""
    values = {
        "工单编号": number,
        "来电时间": "2026-03-01 09:30",
        "来电号码": "13812345678",
        "诉求人": "刘先生",
        "问题分类": "楼道杂物",
        "诉求内容": "三单元楼道堆放纸箱，影响通行。",
        "事发地址": "东湖路8号",
        "所属区域": "110105001001001",
        "承办单位": "和平街道",
        "办理时限": "2026-03-05",
    }
    values.update(overrides)
    return [values[header] for header in HEADERS]
