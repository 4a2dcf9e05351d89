"""An office screen (1,366 px wide): the navigation bar's links apart, the admin's unit list a tree."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.engine_independent, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _log_in(page, live_server, username, password):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bao-cao/**")


def test_log_out_stands_apart_from_the_user_guide(wide, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    _log_in(wide, live_server, "quantri", "quantri-demo-2026")
    logout = wide.get_by_role("button", name="Đăng xuất").bounding_box()
    guide = wide.get_by_role("link", name="Hướng dẫn sử dụng").bounding_box()
    wide.screenshot(path="/tmp/navbar-1366.png", clip={"x": 0, "y": 0, "width": 1366, "height": 80})
    # One line, the guide after "Đăng xuất" with a clear gap between them.
    assert abs(logout["y"] - guide["y"]) < 10 and logout["height"] < 40
    assert guide["x"] - (logout["x"] + logout["width"]) >= 12


def test_the_admins_unit_list_is_a_tree_that_folds(wide, live_server):
    """The issue's 47 units were 7,700 px tall, a name per word: now a row a line, the tree indented,
    and "Theo cấp" folds it to the unions above the CĐCS."""
    from devtools.scale import build_scale
    from outline.models import OutlineVersion
    from units.models import Unit

    call_command("seed_demo", stdout=io.StringIO())
    build_scale(units=40, seed=3, version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023"), code_prefix="AD")
    get_user_model().objects.create_superuser("it", "it@example.org", "mat-khau-it-2026")
    _log_in(wide, live_server, "it", "mat-khau-it-2026")
    wide.goto(live_server.url + reverse("admin:units_unit_changelist"))
    rows = wide.locator("#result_list tbody tr")
    total = Unit.objects.count()
    assert rows.count() == total > 47
    names = wide.locator("#result_list .unit-tree").evaluate_all(
        "spans => spans.map(s => s.getBoundingClientRect().height)"
    )
    rows_tall = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    # A name on one line as a rule, two at most; a row three lines at most (a long kind).
    assert len(names) == total and max(names) < 40 and max(rows_tall) < 70
    assert sorted(names)[total // 2] < 20 and sorted(rows_tall)[total // 2] < 40
    # Every column beside the filters, none cut off or scrolled out of sight.
    table = wide.locator("#result_list").evaluate("e => e.getBoundingClientRect().width")
    assert table <= wide.locator("#changelist .results").evaluate("e => e.clientWidth")
    tall = wide.evaluate("document.documentElement.scrollHeight")
    wide.screenshot(path="/tmp/admin-units-1366.png", full_page=True)
    assert tall < 55 * total  # the issue: 7,700 px for 47 units
    # Indented by depth: a CĐCS under its union, under the province.
    pad = {
        code: wide.locator("#result_list tr", has_text=code)
        .locator(".unit-tree")
        .evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
        for code in ("LDLD-BA", "CDKCN-BA", "CDCS-MHB")
    }
    assert pad["LDLD-BA"] < pad["CDKCN-BA"] < pad["CDCS-MHB"]
    # Folded to two levels: the provinces and their unions, no CĐCS.
    wide.get_by_role("link", name="Đến cấp 2").click()
    wide.wait_for_url("**cap=2**")
    assert rows.count() == Unit.objects.filter(is_grassroots=False).count()
    assert wide.locator("#result_list", has_text="CDCS-MHB").count() == 0
