from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.forms import cell_name
from reports.models import IndicatorValue, Report, ReportStatus
from reports.services import round_open
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.reports.test_views import ROLES, login
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db
D = Decimal

READ = {
    "anonymous": 302,
    "drafter_a": 200,
    "drafter_b": 404,
    "reviewer": 200,
    "reviewer_elsewhere": 404,
    "admin": 200,
}
WRITE = {
    "anonymous": 302,
    "drafter_a": 302,
    "drafter_b": 404,
    "reviewer": 403,
    "reviewer_elsewhere": 404,
    "admin": 403,
}
UPLOAD_PAGE = {**WRITE, "drafter_a": 200}
ROLLUP = {
    "anonymous": 302,
    "drafter_a": 404,
    "drafter_b": 404,
    "reviewer": 200,
    "reviewer_elsewhere": 404,
    "admin": 200,
}
ROLLUP_INDEX = {
    "anonymous": 302,
    "drafter_a": 403,
    "drafter_b": 403,
    "reviewer": 200,
    "reviewer_elsewhere": 200,
    "admin": 200,
}


@pytest.fixture
def cat(world):
    return make_catalogue(world.round.outline_version)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, cat, role):
    login(client, world, role)
    report = world.report_a
    edit = reverse("reports:appendix_edit", args=[report.pk])
    assert client.get(edit).status_code == READ[role]
    response = client.post(edit, {"version": 0, cell_name(cat["CNVCLD"].pk, "2020"): "120"})
    assert response.status_code == WRITE[role]
    assert IndicatorValue.objects.filter(report=report).exists() == (role == "drafter_a")
    xlsx = client.get(reverse("reports:appendix_xlsx", args=[report.pk]))
    assert xlsx.status_code == READ[role]
    assert client.get(reverse("reports:appendix_upload", args=[report.pk])).status_code == UPLOAD_PAGE[role]
    rollup = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    assert client.get(rollup).status_code == ROLLUP[role]
    assert client.get(reverse("reports:rollup_index")).status_code == ROLLUP_INDEX[role]
    # Nobody reaches the roll-up of a branch they do not oversee.
    other = reverse("reports:rollup", args=[world.round.code, world.other_superior.code])
    assert client.get(other).status_code == (
        200 if role in ("admin", "reviewer_elsewhere") else 302 if role == "anonymous" else 404
    )


def test_grid_keeps_refused_text_and_shows_errors(client, world, cat):
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    response = client.post(
        url,
        {
            "version": 0,
            cell_name(cat["CNVCLD"].pk, "2020"): "1.000",
            cell_name(cat["NU"].pk, "2020"): "1.200",
            cell_name(cat["DV"].pk, "2019"): "chín trăm",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="chín trăm"' in html and "không phải là số" in html
    assert 'value="1.200"' in html and "Lớn hơn" in html
    assert "ô tô đỏ chưa được lưu" in html
    assert IndicatorValue.objects.get(report=world.report_a, indicator=cat["CNVCLD"]).value == D(1000)


def test_autosave_json_gives_computed_values_and_warnings(client, world, cat):
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    response = client.post(
        url,
        {
            "version": 0,
            cell_name(cat["CNVCLD"].pk, "start"): "1000",
            cell_name(cat["CNVCLD"].pk, "2020"): "1250",
            cell_name(cat["DV"].pk, "2020"): "1000",
            cell_name(cat["DV"].pk, "target"): "1.200",
            cell_name(cat["DV"].pk, "2019"): "abc",
        },
        headers={"X-Autosave": "1"},
    )
    data = response.json()
    assert data["version"] == 1
    assert data["values"][f"{cat['TL_DV'].pk}:2020"] == "80,0"
    assert data["values"][f"{cat['CNVCLD'].pk}:csp"] == "+25,0%"
    assert data["values"][f"{cat['DV'].pk}:pct"] == "83,3%"
    assert "không phải là số" in data["errors"][cell_name(cat["DV"].pk, "2019")]
    assert data["warnings"][str(cat["CNVCLD"].pk)] == []
    response = client.post(url, {"version": 0, cell_name(cat["CNVCLD"].pk, "2020"): "1"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409


def test_conflict_shows_both_versions(client, world, cat):
    from reports.services import appendix_save

    appendix_save(
        report=world.report_a,
        cells={(cat["CNVCLD"].pk, "2020"): "500"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    html = client.post(url, {"version": 0, cell_name(cat["CNVCLD"].pk, "2020"): "600"}).content.decode()
    assert 'value="600"' in html and "Đã lưu: 500" in html
    assert 'name="version" value="1"' in html
    assert IndicatorValue.objects.get(report=world.report_a).value == D(500)


def test_section_editor_offers_figure_sentences(client, world, cat):
    from reports.services import appendix_save

    appendix_save(
        report=world.report_a,
        cells={
            (cat["DV"].pk, "start"): "1000",
            (cat["DV"].pk, "2020"): "1250",
            (cat["DV"].pk, "target"): "1200",
            (cat["CNVCLD"].pk, "2020"): "2000",
        },
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])).content.decode()
    assert (
        "Năm 2020, tổng số đoàn viên công đoàn là 1.250 người, tăng 25% so với đầu nhiệm kỳ, "
        "đạt 104,2% chỉ tiêu Nghị quyết."
    ) in html
    assert "Chèn câu này" in html


def _page_queries(client, n_units, view):
    world = build_world(sections=3)
    cat = make_catalogue(world.round.outline_version)
    for _ in range(n_units):
        UnitFactory(parent=world.superior)
    round_open(round=world.round)
    Report.objects.filter(round=world.round).update(status=ReportStatus.SUBMITTED)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=cat[code], column=col, value=D(10))
        for r in Report.objects.filter(round=world.round)
        for code in ("CNVCLD", "DV")
        for col in ("start", "2020")
    )
    client.force_login(world.reviewer)
    url = {
        "rollup": reverse("reports:rollup", args=[world.round.code, world.superior.code]),
        "appendix": reverse("reports:appendix_edit", args=[world.report_a.pk]),
        "report": reverse("reports:report_detail", args=[world.report_a.pk]),
    }[view]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["rollup", "appendix", "report"])
def test_query_counts_do_not_grow_with_units(client, view):
    assert _page_queries(client, 10, view) == _page_queries(client, 200, view)


def test_rollup_page_shows_counts_and_charts(client, world, cat):
    for report, workers, members in ((world.report_a, 1000, 900), (world.report_b, 10, 1)):
        for column, factor in (("start", 1), ("2020", 1), ("target", 1)):
            IndicatorValue.objects.create(
                report=report, indicator=cat["CNVCLD"], column=column, value=D(workers * factor)
            )
            IndicatorValue.objects.create(report=report, indicator=cat["DV"], column=column, value=D(members * factor))
    Report.objects.filter(pk=world.report_a.pk).update(status=ReportStatus.SUBMITTED)
    client.force_login(world.reviewer)
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    html = client.get(url).content.decode()
    assert "Đã tính 1 / 2 CĐCS" in html
    assert "<svg" in html and "Tỷ lệ đạt chỉ tiêu Nghị quyết" in html
    assert world.unit_b.name in html  # listed as not counted
    html = client.get(url + "?status=submitted&status=drafting&status=not_started").content.decode()
    assert "Đã tính 1 / 2 CĐCS" in html  # not_started is not a status one can count
