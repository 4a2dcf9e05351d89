"""The documents as a union office prints them: LibreOffice lays out the demo report and the
consolidated report of a 300-unit province, and the pages are checked: no page holding only its
number, the signature block on one page, no table row split across two pages.

pdftotext breaks Vietnamese words with stray spaces ("th ức"), so texts are compared without spaces.
"""

import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

from exports.docx import build_consolidated_docx, build_report_docx
from indicators.selectors import catalogue
from outline.models import Report, Round

pytestmark = pytest.mark.django_db


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


def render(data: bytes, tmp_path, soffice, pdftotext, name) -> list[str]:
    """The pages of the document as LibreOffice prints it, each as text without spaces."""
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    pdf = soffice(source, "pdf")
    # The default reading order keeps a table column together, top to bottom: a row split across two
    # pages leaves its tallest cell (the name) in two pieces, on two pages.
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, timeout=300).stdout
    pages = text.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [squeeze(page) for page in pages]


def assert_printable(pages, report, names_in_tables):
    numbers_only = [i + 1 for i, page in enumerate(pages) if not page.strip("0123456789")]
    assert not numbers_only, f"pages holding only their number: {numbers_only}"
    fields = report.print_fields
    closing = [page for page in pages if squeeze("Nơi nhận:") in page]
    assert len(closing) == 1
    for line in (fields["signing_authority"], fields["signer_title"], fields["signer_name"], "- Lưu: VT."):
        assert squeeze(line or "") in closing[0], f"{line!r} is not on the page of “Nơi nhận:”"
    split = [name for name in names_in_tables if not any(squeeze(name) in page for page in pages)]
    assert not split, f"rows split across pages (or missing): {split[:5]}"


def test_the_demo_report_prints_well(soffice, pdftotext, tmp_path):
    call_command("seed_demo", verbosity=0)
    report = Report.objects.select_related("round", "unit", "unit__parent").get(unit__code="CDCS-MHB")
    pages = render(build_report_docx(report), tmp_path, soffice, pdftotext, "bao-cao")
    names = [i.name for i in catalogue(report.round.outline_version_id)]
    assert_printable(pages, report, names)
    print(f"\nPAGES demo report {report.unit.code}: {len(pages)}")


def test_a_300_unit_consolidated_report_prints_well(soffice, pdftotext, tmp_path):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--units", "300", "--seed", "7", verbosity=0)
    round_ = Round.objects.exclude(code="GNK-2018-2023").get()
    own = Report.objects.select_related("round", "unit").get(round=round_, unit=round_.organising_unit)
    pages = render(build_consolidated_docx(own), tmp_path, soffice, pdftotext, "tong-hop")
    units = Report.objects.filter(round=round_, unit__is_grassroots=True).values_list("unit__name", flat=True)
    names = [i.name for i in catalogue(round_.outline_version_id)] + list(units)
    assert_printable(pages, own, names)
    # A superior union's report speaks as one: "Đại hội Liên đoàn…", not "Đại hội CĐCS Liên đoàn…".
    assert squeeze(f"Đại hội {own.unit.name}") in pages[0] and squeeze(f"CĐCS {own.unit.name}") not in pages[0]
    submitted = Report.objects.filter(round=round_, unit__is_grassroots=True, status__in=["submitted", "approved"])
    drafts = Report.objects.filter(round=round_, unit__is_grassroots=True).exclude(pk__in=submitted)
    # A unit that never submitted is in the status table, never among the texts.
    text = "".join(pages)
    for report in drafts[:20]:
        assert text.count(squeeze(f"({report.unit.code})")) == 0, report.unit.code
    print(f"\nPAGES consolidated, 300 units ({submitted.count()} submitted or approved): {len(pages)}")
