"""Dump, restore into an emptied database, the same exports: the documented backup works."""

import io
import zipfile

import pytest
from django.core.management import call_command

from exports.docx import build_report_docx
from exports.selectors import report_document
from exports.xlsx import build_report_xlsx
from reports import review
from reports.models import Report
from reports.services import appendix_save, report_submit

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def _content(data: bytes, part: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(part).decode()


@pytest.mark.django_db(transaction=True)
def test_dump_restore_gives_the_same_exports(filled, world, tmp_path):
    report, cat = filled
    appendix_save(
        report=report,
        cells={},
        notes={cat["CNVCLD"].pk: (None, "Sáp nhập thêm một xưởng")},
        base_version=report.appendix.version,
        actor=world.drafter_a,
    )
    report_submit(report=report, actor=world.drafter_a)
    review.comment_add(report=report, anchor="section:p1.II.1", body="Góp ý", visibility="unit", actor=world.reviewer)
    report = Report.objects.get(pk=report.pk)
    before_docx = _content(build_report_docx(report_document(report)), "word/document.xml")
    before_xlsx = _content(build_report_xlsx(report_document(report)), "xl/worksheets/sheet1.xml")

    dump = tmp_path / "backup.json"
    call_command("dumpdata", exclude=EXCLUDE, output=str(dump), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert not Report.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)

    restored = Report.objects.get(pk=report.pk)
    assert restored.status == "submitted" and restored.comments.count() == 1
    assert _content(build_report_docx(report_document(restored)), "word/document.xml") == before_docx
    assert _content(build_report_xlsx(report_document(restored)), "xl/worksheets/sheet1.xml") == before_xlsx
