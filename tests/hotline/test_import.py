"""Importing a 12345 transfer sheet: each good row a hotline case, bad rows listed with their
reasons in the result workbook, the same sheet again adds nothing, scoped to the operator."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gridgov.cases.models import Case
from gridgov.hotline.importing import HotlineOrders
from gridgov.hotline.models import HotlineImport
from gridgov.registry.importing.runner import ImportRefused, run_import
from tests.hotline.conftest import HEADERS, order

pytestmark = pytest.mark.django_db


def upload(client, path, mode="apply_valid"):
    with path.open("rb") as handle:
        return client.post("/hotline/imports/", {"mode": mode, "file": handle})


def result_rows(client, record) -> list[tuple]:
    response = client.get(f"/hotline/imports/{record.pk}/result/")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))


def test_a_sheet_of_transfers_becomes_hotline_cases(world, taxonomy, login, sheet):
    client = login(world.secretary)
    path = sheet(
        [order("GD001"), order("GD002", 问题分类="0301", 所属区域="东湖第二网格", 诉求人="")]
    )
    response = upload(client, path)
    record = HotlineImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hotline/imports/{record.pk}/"
    assert (record.created, record.rejected, record.applied) == (2, 0, True)
    first = Case.objects.get(client_key="12345:GD001")
    assert first.channel == "hotline" and first.category.code == "0101"
    assert first.area == world.grid_a and first.callback_phone == "13812345678"
    assert first.reporter_name == "刘先生" and first.created_by == world.secretary
    assert first.reported_at.isoformat().startswith("2026-03-01T01:30")  # 09:30 in Shanghai
    assert "GD001" in first.description and "2026-03-05" in first.description
    second = Case.objects.get(client_key="12345:GD002")
    assert second.area == world.grid_b and second.category.code == "0301"
    assert b"data-created" in client.get(response["Location"]).content


def test_bad_rows_are_rejected_with_their_reasons_and_the_good_ones_filed(
    world, taxonomy, login, sheet
):
    client = login(world.secretary)
    path = sheet(
        [
            order("GD010"),
            order("GD011", 问题分类="外星人入侵"),
            order("GD012", 来电时间="三月一日上午"),
            order("GD013", 诉求内容=""),
            order("GD014", 来电号码="12"),
            order("GD015", 办理时限="下周"),
            order("GD010", 诉求内容="同一工单重复"),
        ]
    )
    upload(client, path)
    record = HotlineImport.objects.get()
    assert (record.created, record.rejected) == (1, 6)
    assert list(Case.objects.values_list("client_key", flat=True)) == ["12345:GD010"]
    rows = result_rows(client, record)
    reasons = {row[0]: row[-1] for row in rows}
    fields = {row[0]: row[-2] for row in rows}
    assert "外星人入侵" in reasons["GD011"] and fields["GD011"] == "问题分类"
    assert "三月一日上午" in reasons["GD012"] and fields["GD012"] == "来电时间"
    assert fields["GD013"] == "诉求内容"
    assert fields["GD014"] == "来电号码"
    assert fields["GD015"] == "办理时限"
    assert "GD010" in reasons and "2" in reasons["GD010"]  # same number as row 2


def test_all_or_nothing_files_nothing_when_a_row_is_bad(world, taxonomy, login, sheet):
    client = login(world.secretary)
    upload(client, sheet([order("GD020"), order("GD021", 问题分类="")]), mode="all_or_nothing")
    record = HotlineImport.objects.get()
    assert record.applied is False and record.rejected == 1
    assert Case.objects.count() == 0


def test_importing_the_same_sheet_again_files_nothing_new(world, taxonomy, login, sheet):
    client = login(world.secretary)
    path = sheet([order("GD030"), order("GD031")])
    upload(client, path)
    upload(client, path)
    first, again = HotlineImport.objects.order_by("id")
    assert first.created == 2 and (again.created, again.unchanged, again.rejected) == (0, 2, 0)
    assert Case.objects.count() == 2


def test_a_sheet_without_the_required_columns_is_refused_whole(world, taxonomy, login, sheet):
    client = login(world.secretary)
    path = sheet([["GD040", "内容"]], headers=["工单编号", "诉求内容"])
    response = upload(client, path)
    assert response.status_code == 400
    assert "来电时间" in response.content.decode()
    assert HotlineImport.objects.count() == 0 and Case.objects.count() == 0


def test_rows_outside_the_operators_areas_are_rejected(world, taxonomy, sheet):
    path = sheet([order("GD050", 所属区域="110105001002001"), order("GD051")])
    report = run_import(kind=HotlineOrders(), path=path, actor=world.secretary)
    assert (report.created, report.rejected) == (1, 1)
    assert not Case.objects.filter(client_key="12345:GD050").exists()
    with pytest.raises(ImportRefused):
        run_import(kind=HotlineOrders(), path=path, actor=world.worker_a)


def test_the_template_has_the_12345_headers_and_records_are_private(world, taxonomy, login, sheet):
    client = login(world.secretary)
    response = client.get("/hotline/imports/template/")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [cell.value.lstrip("*") for cell in workbook.worksheets[0][1]]
    assert headers[:6] == HEADERS[:6] and "承办单位" in headers and "办理时限" in headers
    upload(client, sheet([order("GD060")]))
    record = HotlineImport.objects.get()
    assert login(world.officer).get(f"/hotline/imports/{record.pk}/").status_code == 404
    assert login(world.officer).get(f"/hotline/imports/{record.pk}/result/").status_code == 404
