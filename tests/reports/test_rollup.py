from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import totals
from reports.models import IndicatorValue, Report, ReportStatus
from reports.selectors import rollup
from reports.services import round_open
from tests.indicators.factories import make_catalogue
from tests.reports.factories import RoundFactory
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db
D = Decimal


def put(report, indicator, column, value):
    IndicatorValue.objects.create(report=report, indicator=indicator, column=column, value=D(value))


def three_levels():
    province = UnitFactory(is_grassroots=False, name="LĐLĐ tỉnh")
    north = UnitFactory(is_grassroots=False, parent=province, name="Công đoàn KCN Bắc")
    south = UnitFactory(is_grassroots=False, parent=province, name="Công đoàn KCN Nam")
    units = {
        "big": UnitFactory(parent=north, name="Công đoàn cơ sở Lớn"),
        "small": UnitFactory(parent=north, name="Công đoàn cơ sở Nhỏ"),
        "south": UnitFactory(parent=south, name="Công đoàn cơ sở Phía Nam"),
        "late": UnitFactory(parent=south, name="Công đoàn cơ sở Ánh Chậm"),
    }
    round_ = RoundFactory(organising_unit=province)
    round_open(round=round_)
    reports = {k: Report.objects.get(round=round_, unit=u) for k, u in units.items()}
    for key in ("big", "small", "south"):
        Report.objects.filter(pk=reports[key].pk).update(status=ReportStatus.SUBMITTED)
    Report.objects.filter(pk=reports["late"].pk).update(status=ReportStatus.DRAFTING)
    return province, north, south, round_, reports


def test_three_level_rollup_sums_and_ratio_of_sums():
    province, north, south, round_, reports = three_levels()
    cat = make_catalogue(round_.outline_version)
    # Big: 900 members of 1000 workers (90%); small: 1 of 10 (10%); south: 50 of 100 (50%).
    for key, workers, members in (("big", 1000, 900), ("small", 10, 1), ("south", 100, 50), ("late", 7, 7)):
        put(reports[key], cat["CNVCLD"], "2020", workers)
        put(reports[key], cat["DV"], "2020", members)
        put(reports[key], cat["THU_NHAP"], "2020", "7.5")

    result = rollup(round=round_, unit=province)
    rows = {r.indicator.code: r for r in result.rows}
    assert rows["CNVCLD"].value("2020") == D(1110)
    assert rows["DV"].value("2020") == D(951)
    # Ratio of sums 951/1110 = 85,68%, not the average of 90%, 10% and 50% (50%).
    assert round(rows["TL_DV"].value("2020"), 2) == D("85.68")
    assert rows["TL_DV"].value("2020") != (D(90) + D(10) + D(50)) / 3
    # An average income cannot be added up: left blank.
    assert rows["THU_NHAP"].value("2020") is None
    assert [r.unit.name for r in result.included] == [
        "Công đoàn cơ sở Lớn",
        "Công đoàn cơ sở Nhỏ",
        "Công đoàn cơ sở Phía Nam",
    ]
    assert [r.unit.name for r in result.excluded] == ["Công đoàn cơ sở Ánh Chậm"]

    north_rows = {r.indicator.code: r for r in rollup(round=round_, unit=north).rows}
    assert north_rows["CNVCLD"].value("2020") == D(1010)
    assert round(north_rows["TL_DV"].value("2020"), 2) == D("89.21")

    # Counting drafts as well brings the late unit in.
    with_drafts = rollup(round=round_, unit=south, statuses=[ReportStatus.SUBMITTED, ReportStatus.DRAFTING])
    assert {r.indicator.code: r for r in with_drafts.rows}["CNVCLD"].value("2020") == D(107)
    assert list(with_drafts.excluded) == [] and with_drafts.not_counted == 0


def _rollup_queries(n_units):
    top = UnitFactory(is_grassroots=False)
    middle = UnitFactory(is_grassroots=False, parent=top)
    for _ in range(n_units):
        UnitFactory(parent=middle)
    round_ = RoundFactory(organising_unit=top)
    round_open(round=round_)
    cat = make_catalogue(round_.outline_version)
    Report.objects.filter(round=round_).update(status=ReportStatus.SUBMITTED)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=cat["CNVCLD"], column="2020", value=D(10))
        for r in Report.objects.filter(round=round_)
    )
    totals.rebuild(round_)  # figures loaded in bulk, as build_scale and seed_demo do
    with CaptureQueriesContext(connection) as ctx:
        result = rollup(round=round_, unit=top)
        assert result.rows[0].value("2020") == D(10 * n_units)
    return len(ctx.captured_queries)


def test_rollup_query_count_is_the_same_for_10_and_200_units():
    assert _rollup_queries(10) == _rollup_queries(200) == 4


def test_rollup_page_is_cached_until_a_figure_or_status_below_changes(client, world):
    """The roll-up page is kept while nothing below changes and shows a new figure at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.services import appendix_save, report_submit
    from tests.indicators.factories import make_catalogue
    from tests.reports.test_review import write_all

    cat = make_catalogue(world.round.outline_version)
    write_all(world, world.report_a, world.drafter_a)
    appendix_save(
        report=world.report_a, cells={(cat["DV"].pk, "2020"): "1.234"}, notes={}, base_version=0, actor=world.drafter_a
    )
    report_submit(report=world.report_a, actor=world.drafter_a)
    client.force_login(world.reviewer)
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert "1.234" in html
    with CaptureQueriesContext(connection) as again:
        assert "1.234" in client.get(url).content.decode()
    assert len(again) < len(first)
    # A corrected figure (after a return) shows straight away.
    from reports import review

    review.report_return(report=world.report_a, note="Sửa", items=[], due=None, actor=world.reviewer)
    world.report_a.refresh_from_db()
    appendix_save(
        report=world.report_a, cells={(cat["DV"].pk, "2020"): "1.500"}, notes={}, base_version=1, actor=world.drafter_a
    )
    report_submit(report=world.report_a, actor=world.drafter_a)
    html = client.get(url).content.decode()
    assert "1.500" in html and "1.234" not in html


def _grid_page_queries(client, sections: int) -> tuple[int, int]:
    """Queries of the roll-up page (nothing cached) and of a unit's appendix page, with one indicator
    under each of ``sections`` outline sections."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from indicators.models import Indicator, Kind, Rollup
    from outline.models import OutlineNode
    from tests.conftest import build_world

    world = build_world(sections=sections)
    nodes = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")
    for position, node in enumerate(nodes[:sections], start=1):
        Indicator.objects.create(
            outline_version=world.round.outline_version,
            code=f"I{position}",
            name=f"Chỉ tiêu {position}",
            unit_of_measure="người",
            kind=Kind.COUNT,
            rollup=Rollup.SUM,
            node=node,
            position=position,
        )
    counts = []
    for user, url in [
        (world.reviewer, reverse("reports:rollup", args=[world.round.code, world.superior.code])),
        (world.drafter_a, reverse("reports:appendix_edit", args=[world.report_a.pk])),
    ]:
        client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert f"Chỉ tiêu {sections}" in response.content.decode()
        counts.append(len(ctx.captured_queries))
    return tuple(counts)


def test_grid_pages_query_count_does_not_grow_with_sections(client):
    """Each group of the appendix is headed by its section with its parent's numeral: joined with the
    catalogue, not read once per section."""
    assert _grid_page_queries(client, 2) == _grid_page_queries(client, 8)


def test_a_drafts_autosave_keeps_the_rollup_page_cached(client, world):
    """A roll-up of submitted reports does not change when a draft is saved, so its page stays cached;
    a submission below changes it at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.services import appendix_save, report_submit, section_save
    from tests.indicators.factories import make_catalogue
    from tests.reports.test_review import write_all

    cat = make_catalogue(world.round.outline_version)
    write_all(world, world.report_a, world.drafter_a)
    appendix_save(
        report=world.report_a, cells={(cat["DV"].pk, "2020"): "1.234"}, notes={}, base_version=0, actor=world.drafter_a
    )
    report_submit(report=world.report_a, actor=world.drafter_a)
    # Unit B has begun its draft (a status the page lists among the units not counted).
    node = world.round.outline_version.nodes.filter(is_writable=True).first()
    section_save(
        report=world.report_b, node=node, base_version=0, is_done=False, actor=world.drafter_b, content="<p>Nháp</p>"
    )
    client.force_login(world.reviewer)
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    with CaptureQueriesContext(connection) as miss:
        assert "1.234" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as hit:
        client.get(url)
    # Its drafter goes on writing and typing (autosaves of a draft, not counted): still a hit.
    section_save(
        report=world.report_b, node=node, base_version=1, is_done=False, actor=world.drafter_b, content="<p>Nháp 2</p>"
    )
    appendix_save(
        report=world.report_b, cells={(cat["DV"].pk, "2020"): "99"}, notes={}, base_version=0, actor=world.drafter_b
    )
    with CaptureQueriesContext(connection) as after_draft:
        html = client.get(url).content.decode()
    assert len(after_draft) == len(hit) < len(miss)
    assert "1.234" in html
    # Its submission counts it: the page is made again and adds its figure.
    write_all(world, world.report_b, world.drafter_b)
    report_submit(report=world.report_b, actor=world.drafter_b)
    with CaptureQueriesContext(connection) as after_submit:
        html = client.get(url).content.decode()
    assert len(after_submit) > len(hit)
    assert "1.333" in html
