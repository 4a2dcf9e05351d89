"""The round form in a browser: changing the term redraws the data-year boxes at once (the script is an
enhancement: tests/reports/test_rounds.py checks the page without it)."""

import pytest
from django.urls import reverse

from reports.models import Round
from tests.conftest import build_world
from tests.e2e.test_accessibility import log_in

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
