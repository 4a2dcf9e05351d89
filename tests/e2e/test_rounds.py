"""The round form in a browser: changing the term redraws the data-year boxes at once (the script is an
enhancement: tests/reports/test_rounds.py checks the page without it)."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reports.models import Round
from reports.tasks import run_round_open
from tests.conftest import build_world
from tests.e2e.test_accessibility import axe_source, log_in, serious
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


def test_the_year_boxes_follow_the_term(live_server, page):
    world = build_world(sections=1)
    log_in(page, live_server, world.admin)
    page.goto(live_server.url + reverse("reports:round_create"))
    page.locator("#id_code").fill("GNK-2025-2030")
    page.locator("#id_name").fill("Giữa nhiệm kỳ 2025–2030")
    page.locator("#id_outline_version").select_option(str(world.round.outline_version_id))
    page.locator("#id_organising_unit").select_option(str(world.province.pk))
    page.locator("#id_term_start_year").fill("2025")
    page.locator("#id_term_end_year").fill("2030")
    page.locator("#id_term_end_year").blur()
    boxes = page.locator("input[name=data_years]")
    assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == [str(y) for y in range(2025, 2031)]
    page.get_by_label("2026", exact=True).check()
    page.get_by_label("2027", exact=True).check()
    page.locator("#id_cutoff_date").fill("30/06/2027")
    page.locator("#id_deadline").fill("15/08/2027")
    page.get_by_label("Hội nghị đại biểu").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**{reverse('reports:round_edit', args=['GNK-2025-2030'])}")
    round_ = Round.objects.get(code="GNK-2025-2030")
    # 2025 was ticked in the initial term (2023–2028) and is still in the new one: it stays ticked.
    assert round_.data_years == [2025, 2026, 2027]
    assert round_.event_wording == "Hội nghị đại biểu"
    assert page.js_errors == []


def test_opening_a_round_follows_its_job_until_it_is_done(live_server, page):
    """Mở đợt answers at once with the job's page; the page follows the job and shows what was done
    when the worker finishes it, by itself; no serious accessibility violation on either state."""
    world = build_world(sections=1)
    round_ = RoundFactory(organising_unit=world.province, outline_version=make_outline(1), name="Đợt cả tỉnh")
    log_in(page, live_server, world.admin)
    page.goto(live_server.url + reverse("reports:round_open", args=[round_.code]))
    page.get_by_role("button", name="Mở đợt", exact=True).click()
    page.wait_for_url("**/viec-nen/*/")
    assert page.get_by_text("Đang chờ tiến trình nền").is_visible()
    assert serious(page, axe_source()) == []
    # The worker does the job meanwhile (as `db_worker` would).
    task = DBTaskResult.objects.get(task_path="reports.tasks.run_round_open")
    run_round_open.call(**task.args_kwargs["kwargs"])
    page.get_by_text("Đã mở đợt báo cáo “Đợt cả tỉnh”: tạo 6 báo cáo.").wait_for(timeout=10_000)
    assert page.get_by_text("Đã xong").is_visible()
    assert serious(page, axe_source()) == []
    assert page.js_errors == []
