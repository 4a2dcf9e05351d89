"""Finding 1: nested HTML is refused by cheap limits (size, depth, elements) before any cleaning,
and the cleaning runs outside the report's lock."""

import pytest
from django.core.exceptions import ValidationError

from core import richtext
from reports.models import SectionText
from tests.hardening.helpers import section_url

pytestmark = pytest.mark.django_db


def autosave(client, url, **data):
    return client.post(url, {"version": 0, **data}, HTTP_X_AUTOSAVE="1")


def test_deep_nesting_in_the_text_is_refused_with_a_vietnamese_reason(client, world):
    client.force_login(world.drafter_a)
    response = autosave(client, section_url(world.report_a), content="<ul><li>" * 3000 + "x")
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.json()["error"]
    assert not SectionText.objects.filter(report=world.report_a).exists()


def test_deep_nesting_in_the_base_text_is_refused_too(client, world):
    client.force_login(world.drafter_a)
    response = autosave(
        client, section_url(world.report_a), content="<p>Bình thường</p>", base_content="<ul><li>" * 3000
    )
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.json()["error"]
    assert not SectionText.objects.filter(report=world.report_a).exists()


def test_a_long_form_post_keeps_what_was_typed_and_says_why(client, world):
    client.force_login(world.drafter_a)
    limit = getattr(richtext, "MAX_INPUT_CHARS", 600_000)
    typed = "<p>" + "Đoàn viên tham gia đầy đủ. " * (limit // 20) + "</p>"
    response = client.post(section_url(world.report_a), {"version": 0, "content": typed[: limit + 50]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "quá dài" in page
    assert "Đoàn viên tham gia đầy đủ." in page  # the box still holds the text
    assert not SectionText.objects.filter(report=world.report_a).exists()


def test_an_ordinary_nested_list_and_table_still_save(client, world):
    client.force_login(world.drafter_a)
    nested = "<ul><li><p>Cấp 1</p>" * 8 + "</li></ul>" * 8
    table = "<table><tbody><tr><td><ul><li><p>Ô</p></li></ul></td></tr></tbody></table>"
    response = autosave(client, section_url(world.report_a), content=nested + table)
    assert response.status_code == 200, response.content
    stored = SectionText.objects.get(report=world.report_a).content
    assert stored.count("<ul>") == 9 and "<table>" in stored


SHAPES = {
    "lists": lambda r: "<ul><li>" * (r.MAX_DEPTH + 1),
    "divs": lambda r: "<div>" * (r.MAX_DEPTH + 1),
    # Stray closing tags do not close anything: they must not hide the depth.
    "stray-closers": lambda r: "<div></span>" * (r.MAX_DEPTH + 1),
    "inline": lambda r: "<b><i>" * (r.MAX_DEPTH // 2 + 1),
    "many-elements": lambda r: "<p>x</p>" * (r.MAX_ELEMENTS + 1),
    "size": lambda r: "x" * (r.MAX_INPUT_CHARS + 1),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_limits_refuse_before_cleaning(shape):
    text = SHAPES[shape](richtext)
    with pytest.raises(ValidationError):
        richtext.check_html_limits(text)
    with pytest.raises(ValidationError):
        richtext.clean_section_html(text)


def test_the_limits_let_the_editors_own_output_through():
    text = "<p>Báo cáo</p><ol><li><p>Một</p><ul><li><p>Hai <strong>đậm</strong></p></li></ul></li></ol><p>a<br>b</p>"
    richtext.check_html_limits(text)
    assert richtext.clean_section_html(text) == text
