"""An office screen (1,366 px wide): the navigation bar's links apart, the admin's unit list a tree."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


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
