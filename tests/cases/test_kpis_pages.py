"""The figures page, the monthly assessment report (Excel, PDF) and ``gridgov kpis``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gridgov.cases.views_kpis import kpi_url
from tests.cases import test_kpis

pytestmark = pytest.mark.django_db

# The hand-computed month of test_kpis.py.
plain_clock = test_kpis.plain_clock
march = test_kpis.march


def test_the_page_shows_each_figure_with_its_definition_and_the_rankings(world, march, login):
    response = login(world.officer).get(kpi_url("kpis"), {"month": "2025-03"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-kpi-row="response_rate"' in page and "响应率" in page
    assert "5/7" in page or "(5/7)" in page  # the response rate's numerator and denominator
    assert world.community1.name in page and world.community2.name in page  # the ranking
    assert world.department.name in page
    assert kpi_url("kpis_report", street_id=world.street.pk, month="2025-03", fmt="xlsx") in page


def test_a_secretary_sees_only_the_figures_of_the_community(world, march, login):
    client = login(world.secretary)
    page = client.get(kpi_url("kpis"), {"month": "2025-03"}).content.decode()
    assert world.community1.name in page and world.grid_a.name in page
    assert world.community2.name not in page and world.grid_c.name not in page
    assert "(5/6)" in page  # the filing rate of community 1 alone
    # Another community's figures or the street's report do not exist for the secretary.
    assert client.get(kpi_url("kpis"), {"area": world.community2.code}).status_code == 404
    url = kpi_url("kpis_report", street_id=world.street.pk, month="2025-03", fmt="pdf")
    assert client.get(url).status_code == 404


def test_residents_have_no_figures_and_a_bad_month_is_not_found(world, login):
    assert login(world.resident).get(kpi_url("kpis")).status_code == 403
    assert login(world.officer).get(kpi_url("kpis"), {"month": "2025-13"}).status_code == 404


def test_an_empty_month_shows_dashes(world, login):
    page = login(world.officer).get(kpi_url("kpis"), {"month": "2024-01"}).content.decode()
    assert "—" in page and "0.0%" not in page


def test_the_report_as_excel_ranks_communities_grids_and_departments(world, march, login):
    from python_calamine import CalamineWorkbook

    url = kpi_url("kpis_report", street_id=world.street.pk, month="2025-03", fmt="xlsx")
    response = login(world.officer).get(url)
    assert response.status_code == 200
    assert "kpis-110105001-2025-03.xlsx" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert len(book.sheet_names) == 4
    summary = book.get_sheet_by_index(0).to_python()
    response_row = next(row for row in summary if row and row[0] == "响应率")
    assert response_row[2] == pytest.approx(5 / 7) and response_row[3:5] == [5, 7]
    communities = book.get_sheet_by_index(1).to_python()
    ranked = [row for row in communities[3:] if row[1]]
    assert [row[1] for row in ranked] == [world.community1.name, world.community2.name]
    assert ranked[0][0] == 1 and ranked[0][2] == 5
    grids = book.get_sheet_by_index(2).to_python()
    assert {row[1] for row in grids[3:]} == {
        world.grid_a.name,
        world.grid_b.name,
        world.grid_c.name,
    }
    departments = book.get_sheet_by_index(3).to_python()
    assert departments[3][1] == world.department.name


def test_the_report_as_pdf_embeds_the_cjk_font(world, march, login):
    url = kpi_url("kpis_report", street_id=world.street.pk, month="2025-03", fmt="pdf")
    response = login(world.officer).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"FontFile2" in response.content  # an embedded TrueType font (subset)


def test_the_command_prints_the_figures_and_writes_both_files(world, march, tmp_path):
    out = io.StringIO()
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    call_command(
        "kpis", world.street.code, "2025-03", "--xlsx", str(xlsx), "--pdf", str(pdf), stdout=out
    )
    text = out.getvalue()
    assert "响应率" in text and "(5/7)" in text and world.community2.name in text
    assert xlsx.read_bytes()[:2] == b"PK" and pdf.read_bytes()[:4] == b"%PDF"
    out = io.StringIO()
    call_command("kpis", world.street.code, "2025-03", "--user", "secretary", stdout=out)
    assert "(4/5)" in out.getvalue() and world.grid_c.name in out.getvalue()
