"""The frame of every page (menu, style sheets, scripts) links where the site is, whether it is served at
the root or under a prefix on the same process (its addresses are worked out once per prefix)."""

import re

import pytest
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix

from tests.conftest import build_world

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    return set(re.findall(r'(?:href|src|action)="([^"]+)"', html))


@pytest.fixture(params=["", "/baocao"])
def prefix(request):
    # As WSGIHandler does for a site served under a prefix (the test client leaves it at "/").
    set_script_prefix(request.param + "/")
    yield request.param
    set_script_prefix("/")


def test_the_frame_links_to_the_sites_own_pages_and_files(client, prefix):
    world = build_world()
    client.force_login(world.admin)
    # The path the test client asks for is the one after the prefix (it sends no SCRIPT_NAME).
    url = reverse("reports:report_detail", args=[world.report_a.pk]).removeprefix(prefix)
    response = client.get(url)
    assert response.status_code == 200 and response.context["report"] == world.report_a
    links = _links(response.content.decode())
    for expected in (
        "/",
        "/huong-dan/",
        "/bao-cao/",
        "/bao-cao/thong-bao/",
        "/quan-tri/",
        "/doi-mat-khau/",
        "/dang-xuat/",
    ):
        assert any(link == prefix + expected for link in links), (prefix + expected, sorted(links))
    # The files as {% static %} names them (the storage's own address: the prefix is the proxy's business).
    assert {static("css/site.css"), static("js/site.js"), static("favicon.svg")} <= links, sorted(links)
