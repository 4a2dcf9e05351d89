"""What several browser tests do the same way."""

import re

from django.urls import reverse

PASSWORD = "mat-khau-thu"  # the factories' password


def log_in(page, live_server, user):
    """Log ``user`` in through the log-in page, as a person would, and wait for the reports page."""
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/bao-cao/"))
