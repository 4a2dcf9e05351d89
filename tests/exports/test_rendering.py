"""The documents as a union office prints them: LibreOffice lays out the demo report and the
consolidated report of a 300-unit province (its own part; the whole file of a union below it), and the
pages are checked: no page holding only its number, the signature block on one page, no table row split
across two pages.

pdftotext breaks Vietnamese words with stray spaces ("th ức"), so texts are compared without spaces.
"""

import os
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.core.management import call_command

from exports.docx import STATUS_WIDTHS, _appendix_widths, build_consolidated_docx, build_report_docx
from exports.selectors import consolidated, report_document
from indicators.selectors import catalogue
from reports.models import Report, Round

pytestmark = [pytest.mark.engine_independent, pytest.mark.django_db]


@pytest.fixture(scope="module")
def pdftotext():
    binary = shutil.which("pdftotext")
    if binary is None:
        reason = "pdftotext is not installed (Debian: apt-get install poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs it: {reason}")
        pytest.skip(reason)
    return binary


def squeeze(text: str) -> str:
    return "".join(text.split())


CM = 72 / 2.54  # points in a centimetre
LEFT_MARGIN_CM = 3.2


def render(data: bytes, tmp_path, soffice, pdftotext, name):
    """The document as LibreOffice prints it: each page's text without spaces, and each page's words
    with their positions (pdftotext -bbox)."""
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    pdf = soffice(source, "pdf")
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, timeout=300).stdout
    pages = text.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    boxes = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=300).stdout
    words = []
    for page in re.findall(r"<page[^>]*>(.*?)</page>", boxes.decode("utf-8"), re.S):
        words.append(
            [
                (float(x0), float(y0), float(x1), unescape(word))
                for x0, y0, x1, word in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page
                )
            ]
        )
    return [squeeze(page) for page in pages], words


def column(words_by_page, left_cm: float, width_cm: float) -> list[str]:
    """What each page holds in one table column, top to bottom, without spaces: a row split across
    two pages leaves its text in that column in two pieces, on two pages."""
    x0, x1 = left_cm * CM, (left_cm + width_cm) * CM
    out = []
    for words in words_by_page:
        inside = [w for w in words if x0 <= (w[0] + w[2]) / 2 <= x1]
        inside.sort(key=lambda w: (round(w[1] / 3), w[0]))
        out.append("".join(w[3] for w in inside).replace(" ", ""))
    return out


def name_cells(indicators, years) -> list[str]:
    """The appendix's name cells as printed: a flow's cell ends with "(lũy kế 2018–2020)"."""
    label = f"(lũy kế {years[0]}–{years[-1]})"
    return [i.name + (label if i.over_years == "sum" else "") for i in indicators]


def assert_printable(pages, report, tables):
    """``tables``: [(column texts per page, [texts that must each stand whole on one page])]."""
    numbers_only = [i + 1 for i, page in enumerate(pages) if not page.strip("0123456789")]
    assert not numbers_only, f"pages holding only their number: {numbers_only}"
    fields = report.print_fields
    closing = [page for page in pages if squeeze("Nơi nhận:") in page]
    assert len(closing) == 1
    block = [fields["signing_authority"], fields["signer_title"], fields["signer_name"], "- Lưu: VT.", "Nơi nhận:"]
    for line in block:
        assert squeeze(line or "") in closing[0], f"{line!r} is not on the page of “Nơi nhận:”"
    # Never a page of its own: the end of the text comes with it.
    rest = closing[0]
    for line in [*block, *fields["recipients"]]:
        rest = rest.replace(squeeze(f"- {line};" if line in fields["recipients"] else line or ""), "", 1)
    assert len(rest.strip("0123456789")) > 30, f"the signature block is alone on its page: {closing[0][:200]}"
    for columns, texts in tables:
        split = [text for text in texts if not any(squeeze(text) in page for page in columns)]
        assert not split, f"rows split across pages (or missing): {split[:5]}"


def test_the_demo_report_prints_well(soffice, pdftotext, tmp_path):
    call_command("seed_demo", verbosity=0)
    report = Report.objects.select_related("round", "unit", "unit__parent").get(
        round__code="GNK-2018-2023", unit__code="CDCS-MHB"
    )
    pages, words = render(build_report_docx(report_document(report)), tmp_path, soffice, pdftotext, "bao-cao")
    indicators = catalogue(report.round.outline_version_id)
    name_column = column(words, LEFT_MARGIN_CM + 0.8, _appendix_widths(report.round.data_years)[1])
    assert_printable(pages, report, [(name_column, name_cells(indicators, report.round.data_years))])
    print(f"\nPAGES demo report {report.unit.code}: {len(pages)}")


def test_a_300_unit_consolidated_report_prints_well(soffice, pdftotext, tmp_path):
    """The province's own part (its text and closing block, the roll-up, the status table of 300 units),
    then the full file (both parts and the annex of what the units wrote) of one union below it with 50
    units: the province's full file is 1,100 pages of the same annex, which took two minutes to lay out."""
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--units", "300", "--seed", "7", verbosity=0)
    round_ = Round.objects.exclude(code__in=["GNK-2018-2023", "GNK-2025-2030"]).get()
    own = Report.objects.select_related("round", "unit").get(round=round_, unit=round_.organising_unit)
    indicators = catalogue(round_.outline_version_id)
    cells = name_cells(indicators, round_.data_years)
    name_left, name_width = LEFT_MARGIN_CM + 0.8, _appendix_widths(round_.data_years)[1]
    unit_left, unit_width = LEFT_MARGIN_CM + STATUS_WIDTHS[0], STATUS_WIDTHS[1]

    pages, words = render(
        build_consolidated_docx(consolidated(own), part="report"), tmp_path, soffice, pdftotext, "tinh"
    )
    units = Report.objects.filter(round=round_, unit__is_grassroots=True).values_list("unit__name", flat=True)
    assert len(units) == 300
    name_column, unit_column = column(words, name_left, name_width), column(words, unit_left, unit_width)
    assert_printable(pages, own, [(name_column, cells), (unit_column, list(units))])
    # A superior union's report speaks as one: "Đại hội Liên đoàn…", not "Đại hội CĐCS Liên đoàn…".
    assert squeeze(f"Đại hội {own.unit.name}") in pages[0] and squeeze(f"CĐCS {own.unit.name}") not in pages[0]
    print(f"\nPAGES consolidated report part, 300 units: {len(pages)}")

    below = Report.objects.select_related("round", "unit").get(round=round_, unit__code="SC-CT002")
    pages, words = render(build_consolidated_docx(consolidated(below)), tmp_path, soffice, pdftotext, "tong-hop")
    grassroots = Report.objects.filter(round=round_, unit__is_grassroots=True, unit__path__startswith=below.unit.path)
    units = grassroots.values_list("unit__name", flat=True)
    assert len(units) == 50
    name_column, unit_column = column(words, name_left, name_width), column(words, unit_left, unit_width)
    assert_printable(pages, below, [(name_column, cells), (unit_column, list(units))])
    assert squeeze(f"Đại hội {below.unit.name}") in pages[0] and squeeze(f"CĐCS {below.unit.name}") not in pages[0]
    submitted = grassroots.filter(status__in=["submitted", "approved"])
    drafts = grassroots.exclude(pk__in=submitted)
    assert submitted.count() >= 10 and drafts.count() >= 20
    # A unit that never submitted is in the status table, never among the texts.
    text = "".join(pages)
    assert all(text.count(squeeze(f"({report.unit.code})")) >= 1 for report in submitted)
    for report in drafts[:20]:
        assert text.count(squeeze(f"({report.unit.code})")) == 0, report.unit.code
    print(f"\nPAGES consolidated, 50 units ({submitted.count()} submitted or approved): {len(pages)}")
