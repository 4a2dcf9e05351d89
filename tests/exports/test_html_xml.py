"""The Word export writes section texts as strings (exports.html_docx.html_to_xml): byte for byte what the
element converter it replaced wrote (tests/exports/reference_html_docx.py), for any text the editor can
produce, so the files did not change when the annex became four times faster (issue 11)."""

import pytest
from docx.oxml.ns import nsmap
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from core.richtext import clean_section_html
from documents.html_docx import html_to_elements, html_to_xml
from tests.exports import reference_html_docx as reference

W_DECLARATION = f' xmlns:w="{nsmap["w"]}"'
TEXT = st.text(alphabet="aăâbcđeêoôơuưyÁÀẢÃẠớờởỡợ &<>\"'\n\t\r\xa0;#0123456789", min_size=1, max_size=12)


def _serialised(elements) -> list[str]:
    return [etree.tostring(e, encoding="unicode").replace(W_DECLARATION, "") for e in elements]


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


inline = st.deferred(
    lambda: st.one_of(
        TEXT.map(_escaped),
        st.just("<br>"),
        st.builds(
            lambda tag, inner: f"<{tag}>{''.join(inner)}</{tag}>",
            st.sampled_from(["strong", "em", "u"]),
            st.lists(inline, max_size=3),
        ),
    )
)


def _cell(tag, span, inner):
    return f"<{tag}{span}>{''.join(inner)}</{tag}>"


block = st.deferred(
    lambda: st.one_of(
        st.lists(inline, max_size=4).map(lambda parts: f"<p>{''.join(parts)}</p>"),
        st.builds(
            lambda tag, start, items: f"<{tag}{start}>{''.join(f'<li>{i}</li>' for i in items)}</{tag}>",
            st.sampled_from(["ul", "ol"]),
            st.sampled_from(["", ' start="3"', ' start="0"', ' start="x"']),
            st.lists(st.one_of(block, inline), min_size=1, max_size=3),
        ),
        st.lists(
            st.lists(
                st.builds(
                    _cell,
                    st.sampled_from(["td", "th"]),
                    st.sampled_from(["", ' colspan="2"', ' rowspan="2"', ' colspan="3" rowspan="2"']),
                    st.lists(st.one_of(block, inline), max_size=2),
                ),
                min_size=1,
                max_size=3,
            ),
            min_size=1,
            max_size=3,
        ).map(lambda rows: "<table>" + "".join(f"<tr>{''.join(r)}</tr>" for r in rows) + "</table>"),
    )
)


@pytest.mark.parametrize("size", [14, 13])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(block, inline), max_size=6))
def test_strings_are_what_the_element_converter_wrote(size, parts):
    text = clean_section_html("".join(parts))
    expected = _serialised(reference.html_to_elements(text, size=size))
    assert html_to_xml(text, size=size) == expected
    assert _serialised(html_to_elements(text, size=size)) == expected


def test_a_text_lxml_would_refuse_is_refused_the_same_way():
    with pytest.raises(ValueError, match="XML compatible"):
        html_to_xml("<p>a\x01b</p>")


@pytest.mark.parametrize("depth", [4, 5, 6, 9])
def test_tables_nested_past_the_limit_are_flattened_alike(depth):
    """Past MAX_TABLE_DEPTH a table's cells become paragraphs of the cell above: the branch generated
    texts rarely reach, written out here."""
    inner = "<p>Lõi</p>"
    for level in range(depth):
        row = f'<tr><td rowspan="2">Ô {level}</td><td>{inner}</td></tr>'
        inner = f"<table><tbody>{row}<tr><td>Dưới</td></tr></tbody></table>"
    text = clean_section_html(f"<p>Trước</p>{inner}<p>Sau</p>")
    expected = _serialised(reference.html_to_elements(text))
    assert html_to_xml(text) == expected
    assert _serialised(html_to_elements(text)) == expected
