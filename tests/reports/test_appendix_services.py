from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from outline.models import OutlineNode
from reports.models import IndicatorNote, IndicatorValue, ReportStatus
from reports.selectors import report_appendix
from reports.services import AppendixConflict, ReportLocked, appendix_save, report_submit, section_save
from tests.indicators.factories import make_catalogue

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat(world):
    return make_catalogue(world.round.outline_version)


def stored(report):
    return {(v.indicator.code, v.column): v.value for v in IndicatorValue.objects.filter(report=report)}


def test_saves_valid_cells_and_refuses_each_bad_one(world, cat):
    report = world.report_a
    result = appendix_save(
        report=report,
        cells={
            (cat["CNVCLD"].pk, "2020"): "1.250",
            (cat["NU"].pk, "2020"): "1.300",  # more women than workers
            (cat["DV"].pk, "2020"): "1.100,0",
            (cat["DV"].pk, "2019"): "-5",
            (cat["DV"].pk, "2018"): "mười",
            (cat["DV_MOI"].pk, "2018"): "12.5",
            (cat["TL_HOC"].pk, "2020"): "101",
            (cat["TL_DV"].pk, "2020"): "99",  # computed: ignored
        },
        notes={cat["DV"].pk: ("Số liệu đến 30/11", None)},
        base_version=0,
        actor=world.drafter_a,
    )
    assert stored(report) == {("CNVCLD", "2020"): D(1250), ("DV", "2020"): D(1100)}
    messages = {(k[0], k[1]): m for k, m in result.errors.items()}
    assert "Lớn hơn" in messages[(cat["NU"].pk, "2020")]
    assert "âm" in messages[(cat["DV"].pk, "2019")]
    assert "không phải là số" in messages[(cat["DV"].pk, "2018")]
    assert "số nguyên" in messages[(cat["DV_MOI"].pk, "2018")]
    assert "100" in messages[(cat["TL_HOC"].pk, "2020")]
    assert result.version == 1
    assert IndicatorNote.objects.get(report=report, indicator=cat["DV"]).note == "Số liệu đến 30/11"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFTING


def test_shrinking_a_whole_below_its_part_is_refused_on_the_whole(world, cat):
    report = world.report_a
    appendix_save(
        report=report,
        cells={(cat["CNVCLD"].pk, "2020"): "100", (cat["NU"].pk, "2020"): "80"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    result = appendix_save(
        report=report,
        cells={(cat["CNVCLD"].pk, "2020"): "50"},
        notes={},
        base_version=1,
        actor=world.drafter_a,
    )
    assert "Nhỏ hơn" in result.errors[(cat["CNVCLD"].pk, "2020")]
    assert stored(report)[("CNVCLD", "2020")] == D(100)


def test_clearing_a_cell_deletes_it(world, cat):
    report = world.report_a
    appendix_save(
        report=report,
        cells={(cat["CNVCLD"].pk, "2020"): "100"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    appendix_save(
        report=report, cells={(cat["CNVCLD"].pk, "2020"): ""}, notes={}, base_version=1, actor=world.drafter_a
    )
    assert stored(report) == {}


def test_stale_version_is_refused(world, cat):
    report = world.report_a
    appendix_save(
        report=report,
        cells={(cat["CNVCLD"].pk, "2020"): "100"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    with pytest.raises(AppendixConflict):
        appendix_save(
            report=report,
            cells={(cat["CNVCLD"].pk, "2020"): "200"},
            notes={},
            base_version=0,
            actor=world.drafter_a,
        )
    assert stored(report) == {("CNVCLD", "2020"): D(100)}


def test_warnings_block_submission_until_explained(world, cat):
    report = world.report_a
    for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
        section_save(report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content="<p>Đủ</p>")
    appendix_save(
        report=report,
        cells={(cat["CNVCLD"].pk, "start"): "100", (cat["CNVCLD"].pk, "2018"): "300"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    assert report_appendix(report).unexplained_warnings()
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, actor=world.drafter_a)
    assert "giải trình" in " ".join(exc.value.messages)
    appendix_save(
        report=report,
        cells={},
        notes={cat["CNVCLD"].pk: (None, "Sáp nhập thêm một xưởng")},
        base_version=1,
        actor=world.drafter_a,
    )
    assert report_submit(report=report, actor=world.drafter_a).number == 1
    with pytest.raises(ReportLocked):
        appendix_save(
            report=report,
            cells={(cat["CNVCLD"].pk, "2019"): "1"},
            notes={},
            base_version=2,
            actor=world.drafter_a,
        )
