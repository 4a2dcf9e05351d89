"""A percentage's change shows once, in percentage points: the grid (and its live update) prints
"+11,1 điểm %" and not "+11,1" beside it; the Word appendix no longer heads "(%)" over a cell in points
(each cell says its unit); the Excel file leaves the own-unit change of such a row empty and heads the
change column "(% hoặc điểm %)"."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from exports.docx import build_report_docx
from exports.selectors import report_document
from exports.xlsx import build_report_xlsx
from reports.forms import cell_name
from tests.indicators.factories import make_catalogue

pytestmark = pytest.mark.django_db


def test_a_percentages_change_shows_once_in_points(client, world):
    cat = make_catalogue(world.round.outline_version)
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    pct, count = cat["TL_HOC"].pk, cat["CNVCLD"].pk
    cells = {
        cell_name(pct, "start"): "50",
        cell_name(pct, "2020"): "61,1",
        cell_name(count, "start"): "1000",
        cell_name(count, "2020"): "1250",
    }
    # The live update (appendix.js puts these texts in the grid's data-out elements).
    data = client.post(url, {"version": 0, **cells}, headers={"X-Autosave": "1"}).json()
    assert (data["values"][f"{pct}:cs"], data["values"][f"{pct}:csp"]) == ("", "+11,1 điểm\u00a0%")
    assert (data["values"][f"{count}:cs"], data["values"][f"{count}:csp"]) == ("+250", "+25,0%")

    page = client.get(url).content.decode()
    row = re.search(rf'<tr data-indicator="{pct}".*?</tr>', page, re.S).group(0)
    against_start = unescape(
        re.sub(r"<[^>]+>", "", re.search(r'<td[^>]*data-label="So với đầu nhiệm kỳ".*?</td>', row, re.S).group(0))
    )
    assert " ".join(against_start.split()) == "+11,1 điểm %"  # once, in points
    assert against_start.count("11,1") == 1

    world.report_a.refresh_from_db()
    document = Document(io.BytesIO(build_report_docx(report_document(world.report_a))))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT" and len(t.rows[0].cells) > 10)
    header = [c.text for c in table.rows[0].cells]
    column = header.index("So với đầu nhiệm kỳ")  # each cell says % or điểm %
    assert not [h for h in header if "(%)" in h and "So với" in h]
    by_name = {r.cells[1].text: r for r in table.rows[1:]}
    assert by_name[cat["TL_HOC"].name].cells[column].text == "+11,1 điểm\u00a0%"
    assert by_name[cat["CNVCLD"].name].cells[column].text == "+25,0%"

    sheet = load_workbook(io.BytesIO(build_report_xlsx(report_document(world.report_a))))["Phụ lục"]
    heading = [c.value for c in sheet[4]]
    excel_row = next(r for r in sheet.iter_rows(min_row=5) if r[1].value == "TL_HOC")
    assert excel_row[heading.index("So với đầu nhiệm kỳ")].value is None  # no "+11,1" beside the points
    assert excel_row[heading.index("So với đầu nhiệm kỳ (% hoặc điểm %)")].value.startswith("=")
