"""Accessibility as a test (issue 14): axe-core (npm, never served to users) run in Chromium on every main
page, at 1366 and at 390 px, for the role that uses it: no serious or critical violation. And the forms an
officer fills in most work with the keyboard alone."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reports.models import Report
from reports.services import report_submit
from tests.conftest import build_world
from tests.e2e.conftest import _missing
from tests.e2e.helpers import log_in
from tests.reports.test_review import write_all
from tests.units.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [1366, 390]


def axe_source() -> str:
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE} (make test installs it with npm)")
    return AXE.read_text()


def serious(page, source) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each."""
    page.evaluate(source)  # through the DevTools protocol: the page's Content-Security-Policy still holds
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_have_no_serious_accessibility_violation(live_server, browser, width):
    source = axe_source()
    world = build_world(sections=3)
    write_all(world, world.report_b, world.drafter_b)
    report_submit(report=world.report_b, actor=world.drafter_b)
    a, b = world.report_a.pk, world.report_b.pk
    own = Report.objects.get(round=world.round, unit=world.superior).pk
    superior_writer = MembershipFactory(unit=world.superior, role="drafter").user
    pages = {
        None: [("log-in", reverse("login")), ("guide", reverse("guide"))],
        world.drafter_a: [
            ("reports", reverse("reports:report_list")),
            ("report", reverse("reports:report_detail", args=[a])),
            ("section", reverse("reports:section_edit", args=[a, "p1.II.1"])),
            ("appendix", reverse("reports:appendix_edit", args=[a])),
            ("submit", reverse("reports:report_submit", args=[a])),
            ("document details", reverse("reports:document_info", args=[a])),
            ("Word import", reverse("reports:draft_import", args=[a])),
            ("history", reverse("reports:report_history", args=[a])),
            ("print preview", reverse("exports:report_print", args=[a])),
            ("notifications", reverse("reports:notification_list")),
        ],
        world.reviewer: [
            ("dashboard", reverse("reports:dashboard", args=[world.round.code])),
            ("reading", reverse("reports:report_read", args=[b])),
            ("return", reverse("reports:report_return", args=[b])),
            ("roll-up", reverse("reports:rollup", args=[world.round.code, world.superior.code])),
        ],
        superior_writer: [
            # The synthesis panel: the submitted unit's text to quote, the units' figures counted.
            ("superior's section", reverse("reports:section_edit", args=[own, "p1.II.1"]) + "?don_vi=1"),
        ],
        world.admin: [
            ("rounds", reverse("reports:round_list")),
            ("new round", reverse("reports:round_create")),
            ("round", reverse("reports:round_edit", args=[world.round.code])),
            ("opening a round", reverse("reports:round_open", args=[world.round.code])),
        ],
    }
    problems = []
    for user, paths in pages.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
        page = context.new_page()
        if user is not None:
            log_in(page, live_server, user)
        for name, path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            problems += [f"{name} at {width} px: {line}" for line in serious(page, source)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_logging_in_and_returning_a_report_with_the_keyboard_alone(live_server, page):
    world = build_world(sections=2)
    write_all(world, world.report_a, world.drafter_a)
    report_submit(report=world.report_a, actor=world.drafter_a)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type(world.reviewer.username)
    page.keyboard.press("Tab")
    page.keyboard.type("mat-khau-thu")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bao-cao/"))

    page.goto(live_server.url + reverse("reports:report_return", args=[world.report_a.pk]))
    page.locator("input[type=checkbox]").first.focus()
    page.keyboard.press("Space")  # tick the first section
    page.keyboard.press("Tab")
    page.keyboard.type("Bổ sung số liệu đoàn viên")
    note = page.get_by_label(re.compile("Nhận xét chung"))
    while not note.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.type("Cần bổ sung")
    while not page.evaluate("() => document.activeElement.type === 'submit'"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/doc/$"))
    assert "Đã trả lại báo cáo cho đơn vị kèm lý do." in page.content()
    world.report_a.refresh_from_db()
    assert world.report_a.status == "returned"


def test_writing_a_section_and_typing_figures_with_the_keyboard_alone(live_server, page):
    from reports.models import IndicatorValue, SectionText
    from tests.indicators.factories import make_catalogue

    world = build_world(sections=2)
    cat = make_catalogue(world.round.outline_version)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type(world.drafter_a.username)
    page.keyboard.press("Tab")
    page.keyboard.type("mat-khau-thu")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bao-cao/"))

    page.goto(live_server.url + reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"]))
    page.locator(".ProseMirror").focus()
    page.keyboard.type("Viết bằng bàn phím.")
    while not page.evaluate("() => document.activeElement.value === 'stay'"):
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Viết bằng bàn phím." in SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content

    page.goto(live_server.url + reverse("reports:appendix_edit", args=[world.report_a.pk]))
    cell = page.locator(
        f'input[name$="-{cat["CNVCLD"].pk}-2020"], input[name*="{cat["CNVCLD"].pk}"][name$="2020"]'
    ).first
    cell.focus()
    page.keyboard.type("1.234")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a cell sends the grid, as in any form
    value = IndicatorValue.objects.get(report=world.report_a, indicator=cat["CNVCLD"], column="2020").value
    assert value == 1234
