"""The demo's exports, byte for byte, against files written before the apps were rearranged.

A refactor that moves code must not move a single word, number or style on the page: every part of
each file is compared with the golden copy in ``golden/`` except the file timestamps (docProps/core.xml).
Time is frozen so that "today" in the header and the seed's dates are the same on every run.

After an intended change to what the documents show, rewrite the golden copies with
``UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/exports/test_golden.py`` and review the diff of the
pages (LibreOffice) before committing them."""

import datetime
import io
import os
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from exports.docx import build_consolidated_docx, build_outline_docx, build_report_docx
from exports.selectors import consolidated, outline_document, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from reports.models import Report

GOLDEN = Path(__file__).parent / "golden"
FROZEN = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
# What a file's timestamps live in; everything else must be equal.
TIMESTAMPS = {"docProps/core.xml"}


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist() if name not in TIMESTAMPS}


def _exports() -> dict[str, bytes]:
    # The 2018–2023 round (the demo has a 2025–2030 one beside it).
    reports = Report.objects.filter(round__code="GNK-2018-2023").select_related("round", "unit", "unit__parent")
    unit = reports.get(unit__code="CDCS-MHB")
    superior = reports.get(unit__code="CDKCN-BA")
    files = {
        "report-cdcs.docx": build_report_docx(report_document(unit)),
        "report-cdcs.xlsx": build_report_xlsx(report_document(unit)),
        "outline-cdcs.docx": build_outline_docx(outline_document(unit)),
        "report-superior.docx": build_report_docx(report_document(superior)),
        "consolidated-full.docx": build_consolidated_docx(consolidated(superior)),
        "consolidated-report.docx": build_consolidated_docx(consolidated(superior), part="report"),
        "consolidated-annex-drafts.docx": build_consolidated_docx(
            consolidated(superior, include_drafts=True), part="annex"
        ),
        "consolidated.xlsx": build_consolidated_xlsx(consolidated(superior)),
        "consolidated-drafts.xlsx": build_consolidated_xlsx(consolidated(superior, include_drafts=True)),
    }
    return files


@pytest.mark.engine_independent
@pytest.mark.django_db
def test_demo_exports_are_the_golden_ones():
    with time_machine.travel(FROZEN, tick=False):
        call_command("seed_demo", verbosity=0)
        files = _exports()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name, data in files.items():
            (GOLDEN / name).write_bytes(data)
        pytest.skip("golden copies rewritten")
    if os.environ.get("GOLDEN_DIFF_DIR"):  # to look at what differs: the files as made now
        for name, data in files.items():
            Path(os.environ["GOLDEN_DIFF_DIR"], name).write_bytes(data)
    for name, data in files.items():
        expected = _parts((GOLDEN / name).read_bytes())
        got = _parts(data)
        assert sorted(got) == sorted(expected), name
        different = [part for part in expected if got[part] != expected[part]]
        assert not different, f"{name}: {different} differ from the golden copy"
