"""Importing exchange sheets (一张表采集): every bad row reported with its reason, modes, upserts
through the blind index, re-imports that change nothing, and the web flow with its progress."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter
from auditlog.models import LogEntry
from python_calamine import CalamineWorkbook

from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import id_number_check_character
from gridgov.registry.importing.kinds import KINDS
from gridgov.registry.importing.runner import ImportRefused, run_import
from gridgov.registry.importing.workbooks import write_template
from gridgov.registry.models import Courtyard, House, Resident, ResidentTag
from gridgov.registry.models_imports import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = [
    "姓名",
    "证件类型",
    "证件号码",
    "联系电话",
    "人口类型",
    "户籍地址",
    "现住址",
    "所属区域编码",
    "所属区域",
    "重点人群",
    "备注",
]
GRID_A = "110105001001001"
GRID_B = "110105001001002"
GRID_C = "110105001002001"


def id_number(body17: str) -> str:
    return body17 + id_number_check_character(body17)


def person(n: int) -> str:
    """A valid fictional ID number, born 1950-01-(n+1)."""
    return id_number(f"1101051950010{n + 1:1d}"[:14] + f"{n:03d}"[-3:])


def resident_row(
    name, number="", phone="", area=GRID_A, tags="", residence="户籍", path="", notes=""
):
    return [name, "", number, phone, residence, "", "东湖小区", area, path, tags, notes]


def workbook(path: Path, rows, headers=HEADERS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("居民")
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return path


def rejected_rows(path: Path) -> dict[int, tuple[str, str]]:
    """Row number → (columns, reasons) from the result workbook's first sheet."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = rows[0]
    at = header.index("原始行号")
    return {int(row[at]): (row[at + 1], row[at + 2]) for row in rows[1:]}


def resident_entries(resident):
    return LogEntry.objects.get_for_object(resident)


ZHANG = id_number("11010519491231002")
LI = id_number("11010519520315001")
WANG = id_number("11010519600701003")


def test_each_bad_row_is_reported_with_its_column(world, tmp_path):
    bad_checksum = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    rows = [
        resident_row("张秀英", ZHANG, "13812345678", tags="独居老人,残疾人"),  # row 2: good
        resident_row("坏校验", bad_checksum),  # 3
        resident_row("坏电话", LI, "12345"),  # 4
        resident_row("无区域", WANG, area="110105009009009"),  # 5
        resident_row("外格", id_number("11010519700101004"), area=GRID_C),  # 6: outside scope
        resident_row("重复", ZHANG),  # 7: same ID as row 2
        resident_row("", id_number("11010519800101005")),  # 8: missing name
        resident_row("怪标签", id_number("11010519800101013"), tags="独居老人,神秘人群"),  # 9
    ]
    source = workbook(tmp_path / "in.xlsx", rows)
    report = run_import(
        kind="residents", path=source, actor=world.secretary, result_path=tmp_path / "out.xlsx"
    )
    assert (report.processed, report.accepted, report.created, report.rejected) == (8, 1, 1, 7)
    rejected = rejected_rows(report.result_path)
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8, 9]
    assert rejected[3][0] == "证件号码"
    assert rejected[4][0] == "联系电话"
    assert rejected[5][0] == "所属区域编码" and "110105009009009" in rejected[5][1]
    assert rejected[6][0] == "所属区域编码" and GRID_C in rejected[6][1]
    assert rejected[7][0] == "证件号码" and "2" in rejected[7][1]
    assert rejected[8][0] == "姓名"
    assert rejected[9][0] == "重点人群" and "神秘人群" in rejected[9][1]
    # The original values come back, as text, for correction and re-import.
    sheet = CalamineWorkbook.from_path(str(report.result_path)).get_sheet_by_index(0).to_python()
    assert sheet[0][: len(HEADERS)] == HEADERS
    assert sheet[1][2] == bad_checksum
    zhang = Resident.objects.get()
    assert zhang.name == "张秀英" and zhang.phone == "13812345678" and zhang.sex == "female"
    assert set(zhang.tags.values_list("tag", flat=True)) == {"elderly_alone", "disabled"}


def test_area_outside_scope_is_rejected_for_a_grid_worker(world, tmp_path):
    source = workbook(
        tmp_path / "in.xlsx",
        [resident_row("甲格", ZHANG, area=GRID_A), resident_row("乙格", LI, area=GRID_B)],
    )
    report = run_import(
        kind="residents", path=source, actor=world.worker_a, result_path=tmp_path / "out.xlsx"
    )
    assert (report.created, report.rejected) == (1, 1)
    assert list(rejected_rows(report.result_path)) == [3]
    assert list(Resident.objects.values_list("name", flat=True)) == ["甲格"]


def test_area_by_name_path(world, tmp_path):
    source = workbook(
        tmp_path / "in.xlsx",
        [
            resident_row("路径", ZHANG, area="", path="和平街道/东湖社区/东湖第二网格"),
            resident_row("名称", LI, area="", path="东湖第一网格"),
        ],
    )
    report = run_import(kind="residents", path=source, actor=world.secretary)
    assert report.created == 2
    assert dict(Resident.objects.values_list("name", "area__code")) == {
        "路径": GRID_B,
        "名称": GRID_A,
    }


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(world, tmp_path):
    source = workbook(
        tmp_path / "in.xlsx",
        [
            resident_row("好人", ZHANG),
            resident_row("好人二", LI),
            resident_row("坏电话", WANG, "1"),
        ],
    )
    report = run_import(
        kind="residents",
        path=source,
        actor=world.secretary,
        all_or_nothing=True,
        result_path=tmp_path / "out.xlsx",
    )
    assert (report.accepted, report.rejected, report.applied) == (2, 1, False)
    assert list(rejected_rows(report.result_path)) == [4]
    assert not Resident.objects.exists()
    assert not LogEntry.objects.filter(cid__startswith="import").exists()


def test_all_or_nothing_writes_everything_when_all_rows_are_good(world, tmp_path):
    source = workbook(
        tmp_path / "in.xlsx", [resident_row("好人", ZHANG), resident_row("好人二", LI)]
    )
    report = run_import(kind="residents", path=source, actor=world.secretary, all_or_nothing=True)
    assert (report.created, report.applied) == (2, True)
    assert Resident.objects.count() == 2


def test_dry_run_writes_nothing(world, tmp_path):
    source = workbook(tmp_path / "in.xlsx", [resident_row("好人", ZHANG)])
    report = run_import(kind="residents", path=source, actor=world.secretary, dry_run=True)
    assert (report.accepted, report.created, report.applied) == (1, 1, False)
    assert not Resident.objects.exists()


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    rows = [
        resident_row("张秀英", ZHANG, "13812345678", tags="独居老人"),
        resident_row("无证件", "", area=GRID_B),
    ]
    source = workbook(tmp_path / "in.xlsx", rows)
    first = run_import(kind="residents", path=source, actor=world.secretary)
    assert first.created == 2
    before = (
        list(Resident.objects.order_by("id").values_list("id", "id_number", "phone", "updated_at")),
        ResidentTag.objects.count(),
        LogEntry.objects.count(),
    )
    again = run_import(kind="residents", path=source, actor=world.secretary)
    assert (again.created, again.updated, again.unchanged, again.applied) == (0, 0, 2, False)
    after = (
        list(Resident.objects.order_by("id").values_list("id", "id_number", "phone", "updated_at")),
        ResidentTag.objects.count(),
        LogEntry.objects.count(),
    )
    assert after == before


def test_existing_resident_is_updated_through_the_blind_index(world, tmp_path):
    run_import(
        kind="residents",
        path=workbook(
            tmp_path / "a.xlsx", [resident_row("张秀英", ZHANG, "13812345678", tags="独居老人")]
        ),
        actor=world.secretary,
    )
    resident = Resident.objects.get()
    # The same person, the ID typed in lower case with spaces, a new phone, other tags, another grid.
    changed = resident_row(
        "张秀英", " " + ZHANG.lower() + " ", "139 0000 1111", area=GRID_B, tags="残疾人"
    )
    report = run_import(
        kind="residents",
        path=workbook(tmp_path / "b.xlsx", [changed]),
        actor=world.secretary,
    )
    assert (report.created, report.updated) == (0, 1)
    resident = Resident.objects.get()
    assert resident.phone == "13900001111"
    assert resident.phone_index == lookup_index(Resident, "phone", "13900001111")
    assert resident.id_number == ZHANG
    assert resident.area.code == GRID_B
    assert list(resident.tags.values_list("tag", flat=True)) == ["disabled"]
    entry = resident_entries(resident).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == world.secretary
    assert entry.changes["phone"] == ["******", "******"]
    assert entry.changes["tags"] == ["elderly_alone", "disabled"]
    assert "13900001111" not in str(entry.changes)


def test_resident_registered_outside_scope_is_not_updated(world, tmp_path):
    run_import(
        kind="residents",
        path=workbook(tmp_path / "a.xlsx", [resident_row("乙格居民", ZHANG, area=GRID_B)]),
        actor=world.admin,
    )
    report = run_import(
        kind="residents",
        path=workbook(tmp_path / "b.xlsx", [resident_row("冒名", ZHANG, area=GRID_A)]),
        actor=world.worker_a,
        result_path=tmp_path / "out.xlsx",
    )
    assert report.rejected == 1
    assert rejected_rows(report.result_path)[2][0] == "证件号码"
    assert Resident.objects.get().name == "乙格居民"


def test_created_rows_are_encrypted_and_audited(world, tmp_path):
    run_import(
        kind="residents",
        path=workbook(
            tmp_path / "a.xlsx", [resident_row("张秀英", ZHANG, "13812345678", tags="独居老人")]
        ),
        actor=world.secretary,
    )
    resident = Resident.objects.get()
    raw = Resident.objects.filter(pk=resident.pk).values_list("id_number", "phone").get()
    assert ZHANG not in raw and "13812345678" not in raw
    assert resident.id_number_index == lookup_index(Resident, "id_number", ZHANG)
    entry = resident_entries(resident).get(action=LogEntry.Action.CREATE)
    assert entry.actor == world.secretary
    assert entry.changes["id_number"] == ["******", "******"]
    assert entry.changes["tags"] == ["None", "elderly_alone"]
    assert entry.additional_data["source_row"] == 2


def test_missing_required_column_refuses_the_file(world, tmp_path):
    source = workbook(tmp_path / "in.xlsx", [["张三"]], headers=["名字"])
    with pytest.raises(ImportRefused):
        run_import(kind="residents", path=source, actor=world.secretary)


def test_a_resident_persona_may_not_import(world, tmp_path):
    source = workbook(tmp_path / "in.xlsx", [resident_row("张秀英", ZHANG)])
    with pytest.raises(ImportRefused):
        run_import(kind="residents", path=source, actor=world.resident)
    assert not Resident.objects.exists()


def test_templates_round_trip_their_own_headers(world, tmp_path):
    for kind in KINDS.values():
        path = write_template(kind, tmp_path / f"{kind.name}.xlsx")
        book = CalamineWorkbook.from_path(str(path))
        assert book.sheet_names == [kind.sheet_name, "填写说明"]
        assert len(book.get_sheet_by_index(1).to_python()) == len(kind.columns) + 1
    # A filled-in template imports (required headers are marked with *).
    path = tmp_path / "residents.xlsx"
    headers = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]
    assert headers[0] == "*姓名"
    values = {"*姓名": "张秀英", "证件号码": ZHANG, "所属区域编码": GRID_A, "重点人群": "独居老人"}
    source = workbook(
        tmp_path / "filled.xlsx", [[values.get(h, "") for h in headers]], headers=headers
    )
    assert run_import(kind="residents", path=source, actor=world.secretary).created == 1


def test_houses_and_courtyards_import_and_reimport(world, tmp_path):
    houses = workbook(
        tmp_path / "houses.xlsx",
        [
            [GRID_A, "", "东湖小区1号楼1单元101", "1", "1", "101", "出租", "张三"],
            [GRID_A, "", "东湖小区1号楼1单元102", "1", "1", "102", "豪宅", ""],
        ],
        headers=["所属区域编码", "所属区域", "地址", "楼栋", "单元", "房号", "用途", "产权人"],
    )
    report = run_import(
        kind="houses", path=houses, actor=world.worker_a, result_path=tmp_path / "h.xlsx"
    )
    assert (report.created, report.rejected) == (1, 1)
    assert rejected_rows(report.result_path)[3][0] == "用途"
    assert House.objects.get().use == "rented"
    assert run_import(kind="houses", path=houses, actor=world.worker_a).unchanged == 1

    headers = [
        "院落编码",
        "名称",
        "地址",
        "所属区域编码",
        "房东姓名",
        "房东证件号码",
        "房东电话",
        "房间数",
        "经度",
        "纬度",
    ]
    courtyards = workbook(
        tmp_path / "courtyards.xlsx",
        [
            [
                "Y001",
                "东湖大院",
                "东湖路1号",
                GRID_A,
                "王房东",
                WANG,
                "13812345678",
                "12",
                "116.4",
                "39.9",
            ]
        ],
        headers=headers,
    )
    assert run_import(kind="courtyards", path=courtyards, actor=world.worker_a).created == 1
    courtyard = Courtyard.objects.select_related("landlord").get()
    assert courtyard.rooms == 12 and courtyard.landlord.id_number == WANG
    again = run_import(kind="courtyards", path=courtyards, actor=world.worker_a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_areas_import(world, tmp_path):
    source = workbook(
        tmp_path / "areas.xlsx",
        [
            ["110105001001003", "东湖第三网格", "网格", "110105001001", "综合网格"],
            ["11010500100100301", "东湖三号院", "微网格", "110105001001003", ""],
            ["110105001002002", "西苑第二网格", "网格", "110105001002", ""],
        ],
        headers=["区域编码", "名称", "层级", "上级编码", "网格类型"],
    )
    report = run_import(
        kind="areas", path=source, actor=world.secretary, result_path=tmp_path / "o.xlsx"
    )
    assert (report.created, report.rejected) == (2, 1)
    assert list(rejected_rows(report.result_path)) == [4]  # community 2 is not the secretary's


def test_five_thousand_rows_in_batches(world, tmp_path):
    rows = []
    for n in range(5000):
        body = f"110105{1940 + n % 60}{1 + n % 12:02d}{1 + n % 28:02d}{n // 1000:01d}{n % 100:02d}"
        rows.append(
            resident_row(f"居民{n}", id_number(body), f"138{n:08d}", area=(GRID_A, GRID_B)[n % 2])
        )
    source = workbook(tmp_path / "big.xlsx", rows)
    seen: list[int] = []
    report = run_import(
        kind="residents",
        path=source,
        actor=world.secretary,
        progress=lambda r: seen.append(r.processed),
        batch_size=1000,
    )
    assert (report.processed, report.created, report.rejected) == (5000, 5000, 0)
    assert seen[-5:] == [1000, 2000, 3000, 4000, 5000]
    assert Resident.objects.count() == 5000
    assert (
        LogEntry.objects.filter(cid__startswith="import", action=LogEntry.Action.CREATE).count()
        == 5000
    )


# --- the web flow ---------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings):
    # django-tasks drops its backends when TASKS changes (a setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_web_upload_runs_the_task_and_offers_the_result(
    world, login, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    client = login(world.secretary)
    page = client.get("/registry/imports/")
    assert page.status_code == 200
    template = client.get("/registry/imports/templates/residents/")
    assert template.status_code == 200
    source = workbook(
        tmp_path / "in.xlsx", [resident_row("张秀英", ZHANG), resident_row("坏", "123")]
    )
    with django_capture_on_commit_callbacks(execute=True), source.open("rb") as handle:
        response = client.post(
            "/registry/imports/",
            {"kind": "residents", "mode": "apply_valid", "file": handle},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/registry/imports/{job.pk}/"
    assert (job.status, job.processed, job.accepted, job.rejected, job.created) == (
        "done",
        2,
        1,
        1,
        1,
    )
    progress = client.get(f"/registry/imports/{job.pk}/progress/")
    assert b"<progress" in progress.content and b"hx-trigger" not in progress.content
    detail = client.get(f"/registry/imports/{job.pk}/")
    assert b"data-result" in detail.content
    result = client.get(f"/registry/imports/{job.pk}/result/")
    assert result.status_code == 200
    content = b"".join(result.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert [row[-3] for row in book.get_sheet_by_index(0).to_python()[1:]] == [3]
    # Nobody else downloads it, and another user does not even see the job.
    assert login(world.worker_a).get(f"/registry/imports/{job.pk}/result/").status_code == 404
    assert login(world.worker_a).get(f"/registry/imports/{job.pk}/").status_code == 404
    assert login(world.admin).get(f"/registry/imports/{job.pk}/result/").status_code == 200
    assert Resident.objects.get().name == "张秀英"


def test_a_running_job_polls_its_progress(world, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.core.files import stored_file_create

    stored = stored_file_create(
        upload=SimpleUploadedFile("in.xlsx", b"PK\x03\x04"), area=None, actor=world.secretary
    )
    job = ImportJob.objects.create(
        created_by=world.secretary,
        kind="residents",
        upload=stored,
        status="running",
        total=4000,
        processed=1000,
    )
    response = login(world.secretary).get(f"/registry/imports/{job.pk}/progress/")
    assert b'hx-trigger="every 1s"' in response.content
    assert b'value="1000" max="4000"' in response.content


def test_a_resident_persona_cannot_open_the_import_page(world, login):
    assert login(world.resident).get("/registry/imports/").status_code == 403
