import io
import os
import shutil
import subprocess

import pytest
from docx import Document

from outline.models import OutlineNode
from reports.models import Report
from reports.services import appendix_save, section_save
from tests.indicators.factories import make_catalogue

RICH = (
    "<p>Đoàn viên <strong>tăng mạnh</strong>, <em>nữ chiếm 78%</em>, <u>vượt chỉ tiêu</u>.</p>"
    "<ul><li><p>Thuận lợi: được quan tâm</p></li><li><p>Khó khăn: việc làm</p></li></ul>"
    "<ol><li><p>Bước một</p></li><li><p>Bước hai</p></li></ol>"
    "<table><tbody><tr><th>Năm</th><th>Số đoàn viên</th></tr><tr><td>2020</td><td>1.250</td></tr>"
    '<tr><td colspan="2">Ghi chú gộp ô</td></tr></tbody></table>'
    "<p>Dòng cuối<script>alert('x')</script></p>"
)


@pytest.fixture
def filled(world):
    """World's report A with every section written (one rich), figures, document details."""
    cat = make_catalogue(world.round.outline_version)
    report = world.report_a
    for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
        content = RICH if node.key == "p1.II.1" else f"<p>Nội dung của mục {node.number}.</p>"
        section_save(report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content=content)
    appendix_save(
        report=report,
        cells={
            (cat["CNVCLD"].pk, "start"): "1000",
            (cat["CNVCLD"].pk, "2020"): "2000",
            (cat["DV"].pk, "target"): "1.200",
            (cat["DV"].pk, "start"): "900",
            (cat["DV"].pk, "2020"): "1.250",
            (cat["DV_MOI"].pk, "2018"): "100",
            (cat["DV_MOI"].pk, "2019"): "120",
            (cat["DV_MOI"].pk, "2020"): "130",
            (cat["DV_MOI"].pk, "target"): "500",
        },
        notes={cat["DV"].pk: ('=HYPERLINK("http://x")', None)},
        base_version=0,
        actor=world.drafter_a,
    )
    Report.objects.filter(pk=report.pk).update(
        place="Bình An",
        doc_number="15/BC-CĐCS",
        signer_name="Nguyễn Thị Lan",
        recipients="LĐLĐ tỉnh Thử\nĐảng ủy Công ty",
    )
    report.refresh_from_db()
    return report, cat


def open_docx(data):
    return Document(io.BytesIO(data))


# LibreOffice keeps the values cached in a workbook unless told otherwise: the test profile says
# "always recalculate" for Excel and ODF files, so that a wrong formula fails a test even though the
# file carries the right value beside it.
_RECALC = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>'
)
RECALCULATE_ALWAYS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">\n'
    + _RECALC.format(name="OOXMLRecalcMode")
    + _RECALC.format(name="ODFRecalcMode")
    + "\n</oor:items>\n"
)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    """convert(path, target) -> the converted file, by LibreOffice headless with a fresh profile
    that recalculates every formula on load. Skips without LibreOffice, fails under CI."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        reason = (
            "LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs it: {reason}")
        pytest.skip(reason)
    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS, encoding="utf-8")

    def convert(path, target):
        out = path.parent / "out"
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return out / f"{path.stem}.{target.split(':')[0]}"

    return convert
