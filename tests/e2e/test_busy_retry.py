"""Issue 23, finding 9, in the browser: while SQLite's write lock is held past the writers' wait, the
editor's autosave is answered 503; the page says so in Vietnamese, keeps the text, and saves it by itself
once the lock is free (Retry-After), with nothing typed again."""

import pytest
from django.db import connection
from django.urls import reverse

from reports.models import SectionText
from tests.conftest import build_world
from tests.e2e.helpers import log_in
from tests.hardening.helpers import lock_wait, write_lock_held

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_autosave_tries_again_after_the_server_was_busy(live_server, page):
    if connection.vendor != "sqlite":
        pytest.skip("the write lock is SQLite's")
    world = build_world(sections=1)
    log_in(page, live_server, world.drafter_a)
    page.goto(live_server.url + reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"]))
    status = page.locator("#autosave-status")
    with lock_wait(seconds=0.2):
        with write_lock_held():
            editor = page.locator(".ProseMirror")
            editor.click()
            editor.press_sequentially("Viết lúc máy chủ bận.")
            # The autosave (every 4 s) is refused with 503: said in Vietnamese, nothing stored.
            page.wait_for_function(
                "() => document.getElementById('autosave-status').textContent.includes('Máy chủ đang bận')",
                timeout=10_000,
            )
            assert not SectionText.objects.filter(report=world.report_a).exists()
        # The lock is free: the page sends the same text again by itself after Retry-After (5 s).
        page.wait_for_function(
            "() => document.getElementById('autosave-status').textContent.includes('Đã lưu lúc')",
            timeout=15_000,
        )
    assert "thử lại" not in status.text_content()
    assert "Viết lúc máy chủ bận." in SectionText.objects.get(report=world.report_a).content
    assert [e for e in page.js_errors if "503" not in e] == []
