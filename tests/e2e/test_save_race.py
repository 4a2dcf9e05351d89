"""Lưu pressed while the page's own autosave is on its way (issue 14): the page used to race itself and
show "someone else saved this section" with two identical texts. The autosave is slowed by a chosen
delay in the browser, so that it reaches the server just before, with or just after the form's POST;
every round must end saved, with no conflict shown and the text stored once.

The page's clock is Playwright's fake one: the test fires the 4-second autosave timer itself instead of
waiting for it, while the autosave's delay runs on the browser's real timer (kept before the fake one is
installed), so the race keeps its real widths."""

import re

import pytest
from django.urls import reverse

from reports.models import AuditEntry, SectionText
from tests.conftest import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each autosave request waits this long in the page before it is sent (ms): the window of the race
# moves with the server's speed, so several widths are tried.
DELAYS_MS = [20, 60, 120, 200, 300, 500, 800, 1200]

SLOW_AUTOSAVE = """
const realSetTimeout = window.setTimeout.bind(window);
window.__realTimer = String(window.setTimeout).includes("[native code]");
window.__autosaveDelay = 0;
window.__autosaveStarted = false;
const realFetch = window.fetch.bind(window);
window.fetch = async (url, options) => {
  const headers = (options && options.headers) || {};
  if (headers["X-Autosave"] === "1" && window.__autosaveDelay) {
    window.__autosaveStarted = true;
    await new Promise((resolve) => realSetTimeout(resolve, window.__autosaveDelay));
  }
  return realFetch(url, options);
};
"""


def test_save_pressed_while_the_autosave_is_on_its_way_is_no_conflict(live_server, page):
    world = build_world(sections=1)
    report = world.report_a
    page.add_init_script(SLOW_AUTOSAVE)
    page.clock.install()
    page.goto(live_server.url + "/")
    page.get_by_label("Tên đăng nhập").fill(world.drafter_a.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    url = live_server.url + reverse("reports:section_edit", args=[report.pk, "p1.II.1"])

    for round_number, delay in enumerate(DELAYS_MS, 1):
        page.goto(url)
        page.evaluate(f"window.__autosaveDelay = {delay}")
        editor = page.locator(".ProseMirror")
        # The browser's own spell-check is left on (it knows Vietnamese).
        assert editor.get_attribute("spellcheck") != "false"
        editor.click()
        page.keyboard.press("End")
        editor.press_sequentially(f" Lần {round_number}.")
        assert page.evaluate("window.__realTimer"), "the autosave's delay must run on the real timer"
        # The autosave starts (every 4 s, on the fake clock): press Lưu while it is on its way.
        page.clock.run_for(4_000)
        page.wait_for_function("() => window.__autosaveStarted", timeout=10_000)
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.wait_for_load_state("load")
        page.locator(".alert-success, .alert-info").filter(has_text="Đã lưu").first.wait_for()
        assert page.locator("#conflict").count() == 0, f"a conflict was shown (autosave delayed {delay} ms)"
        stored = SectionText.objects.get(report=report, node__key="p1.II.1")
        assert f"Lần {round_number}." in stored.content
    # Every round's text is stored, each once.
    assert all(stored.content.count(f"Lần {n}.") == 1 for n in range(1, len(DELAYS_MS) + 1))
    assert AuditEntry.objects.filter(report=report).exists()
    assert page.js_errors == []
