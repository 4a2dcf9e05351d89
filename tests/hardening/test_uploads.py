"""Finding 5: an upload too large is refused while it streams in, before anything is written to
disk; a workbook is refused by what it would make the reader build, before it is parsed."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from reports import xlsx
from reports.models import IndicatorValue
from reports.xlsx import UploadRefused, build_template
from tests.indicators.factories import make_catalogue

pytestmark = pytest.mark.django_db


def upload(client, report, data, name="phu-luc.xlsx"):
    return client.post(
        reverse("reports:appendix_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def test_a_large_upload_is_refused_before_it_is_written_to_disk(client, world, tmp_path):
    client.force_login(world.drafter_a)
    nowhere = tmp_path / "does-not-exist"
    # Files over FILE_UPLOAD_MAX_MEMORY_SIZE are spooled into this folder, which does not exist:
    # spooling would raise (FileNotFoundError, which failed this test before the fix), so an answer
    # at all proves the file was refused before anything was written.
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(nowhere)):
        response = upload(client, world.report_a, b"\0" * (12 * 1024 * 1024))
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()


def with_styles(template: bytes, extra_xf: int) -> bytes:
    """The template with its styles part swollen by identical cell formats: tiny once zipped."""
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = data.decode()
                match = re.search(r'<cellXfs count="(\d+)">', text)
                count = int(match.group(1)) + extra_xf
                filler = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * extra_xf
                text = text.replace(match.group(0), f'<cellXfs count="{count}">' + filler)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_workbook_with_a_swollen_style_table_is_refused_before_reading(client, world):
    cat = make_catalogue(world.round.outline_version)
    from reports.selectors import report_appendix

    template = build_template(world.report_a, report_appendix(world.report_a).rows)
    bomb = with_styles(template, 60_000)
    assert len(bomb) < 400_000
    with pytest.raises(UploadRefused):
        xlsx.check_workbook_limits(bomb)
    client.force_login(world.drafter_a)
    response = upload(client, world.report_a, bomb)
    assert "định dạng" in response.content.decode()
    assert not IndicatorValue.objects.filter(report=world.report_a).exists()
    assert cat  # the catalogue exists: the refusal is about the file, not a missing indicator


def test_the_downloaded_template_passes_the_limits(world):
    make_catalogue(world.round.outline_version)
    from reports.selectors import report_appendix

    xlsx.check_workbook_limits(build_template(world.report_a, report_appendix(world.report_a).rows))
