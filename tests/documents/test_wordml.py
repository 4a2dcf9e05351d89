"""Runs and paragraphs written as strings are the bytes lxml writes for the same elements: the parts written
in bulk (section texts, status tables) and the parts built as elements (headings, header blocks) agree."""

import itertools

import pytest

from documents.wordml import paragraph, paragraph_xml, run, run_xml, xml_of


@pytest.mark.parametrize(
    ("bold", "italic", "underline", "size"),
    list(itertools.product([False, True], [False, True], [False, True], [14, 13, 10])),
)
def test_a_run_as_a_string_is_the_element_s_bytes(bold, italic, underline, size):
    text = "Đoàn viên & <người lao động>\r\n\xa0 "
    style = {"bold": bold, "italic": italic, "underline": underline, "size": size}
    assert run_xml(text, **style) == xml_of(run(text, **style))


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"align": "left", "first_line_cm": 0, "after_pt": 0, "line": 1.0},
        {"align": "both", "left_cm": 1.25, "hanging_cm": 0.6},
        {"align": "center", "first_line_cm": 0, "before_pt": 12, "keep_next": True},
        {"align": "center", "first_line_cm": 0, "border_bottom": True, "left_cm": 2.3, "right_cm": 2.3, "line": 0.4},
    ],
)
def test_a_paragraph_as_a_string_is_the_element_s_bytes(layout):
    runs = [("Báo cáo ", {}), ("giữa nhiệm kỳ", {"bold": True})]
    element = paragraph([run(text, **style) for text, style in runs], **layout)
    assert paragraph_xml([run_xml(text, **style) for text, style in runs], **layout) == xml_of(element)
