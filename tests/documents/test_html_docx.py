"""Section texts into Word (documents.html_docx), read back with python-docx: fixed examples of everything
the editor's allow-list can produce, each with the paragraphs, runs, list numbers and table cells a reader
of the file sees. "body" is the house paragraph (justified, 1,27 cm first line, 6 pt after, 1.15 lines),
"cell" a table cell's, "list N" a list item N levels deep; "**b**", "*i*", "_u_" are a run's marks.

They replaced the byte-for-byte comparison with the element converter of before issue 11 (kept until
issue 21 as tests/exports/reference_html_docx.py): the golden files hold the bytes, these the meaning."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.richtext import allowed_tags, clean_section_html
from documents.html_docx import HANDLED_TAGS, html_to_elements, html_to_xml
from documents.wordml import xml_of
from tests.documents.readback import read_back


def test_the_converter_understands_exactly_the_editor_allow_list():
    assert allowed_tags() == HANDLED_TAGS


def P(layout, *runs):
    return ["P", layout, list(runs)]


def cell(mark, *content):
    return [mark, *content]


def T(columns, *rows):
    return ["T", columns, list(rows)]


EMPTY = P("cell")

EXAMPLES = {
    "marks, nested and escaped": (
        "<p>Một <strong>đậm <em>nghiêng</em></strong> và <u>gạch</u> &amp; &lt;b&gt;</p>",
        [P("body", "Một ", "**đậm **", "***nghiêng***", " và ", "_gạch_", " & <b>")],
    ),
    "all three marks on one run": (
        "<p><strong><em><u>cả ba</u></em></strong> rồi thường</p>",
        [P("body", "***_cả ba_***", " rồi thường")],
    ),
    "a line break inside a paragraph": ("<p>dòng 1<br>dòng 2</p>", [P("body", "dòng 1", "\n", "dòng 2")]),
    "text outside a paragraph opens one": ("chữ trần <strong>đậm</strong>", [P("body", "chữ trần ", "**đậm**")]),
    "spaces kept, blank text between blocks dropped": (
        "<p>a\xa0b  c\r\nd</p>\n  \n<p>e</p>",
        [P("body", "a\xa0b  c\nd"), P("body", "e")],
    ),
    "lists: bullets, numbers, a start, nesting, a paragraph in an item": (
        '<ul><li>a</li><li><p>b</p><ol start="3"><li>c</li><li>d</li></ol></li></ul>'
        '<ol start="0"><li>e</li><li>f</li></ol><ol start="x"><li>g</li></ol><p>sau</p>',
        [
            P("list 1", "- ", "a"),
            P("list 1", "- ", "b"),
            P("list 2", "3. ", "c"),
            P("list 2", "4. ", "d"),
            P("list 1", "1. ", "e"),
            P("list 1", "2. ", "f"),
            P("list 1", "1. ", "g"),
            P("body", "sau"),
        ],
    ),
    "marks inside list items": (
        "<ol><li><strong>đậm</strong> thường</li></ol>",
        [P("list 1", "1. ", "**đậm**", " thường")],
    ),
    "a table: header cells bold, colspan, rowspan, a short row": (
        '<table><tr><th>H1</th><th colspan="2">H2</th></tr><tr><td rowspan="2">A</td><td>B</td><td>C</td></tr>'
        "<tr><td>D</td></tr><tr><td>E</td></tr></table>",
        [
            T(
                3,
                [cell("", P("cell", "**H1**")), cell("span 2", P("cell", "**H2**"))],
                [cell("merge restart", P("cell", "A")), cell("", P("cell", "B")), cell("", P("cell", "C"))],
                [cell("merge continue", EMPTY), cell("", P("cell", "D")), cell("", EMPTY)],
                [cell("", P("cell", "E")), cell("span 2", EMPTY)],
            )
        ],
    ),
    "a rowspan stops at the last row": (
        '<table><tr><td rowspan="5">A</td><td>B</td></tr><tr><td>C</td></tr></table>',
        [
            T(
                2,
                [cell("merge restart", P("cell", "A")), cell("", P("cell", "B"))],
                [cell("merge continue", EMPTY), cell("", P("cell", "C"))],
            )
        ],
    ),
    "a span stops where another cell already is": (
        '<table><tr><td>A</td><td rowspan="2">B</td></tr><tr><td colspan="3">C</td><td>D</td></tr></table>',
        [
            T(
                3,
                [cell("", P("cell", "A")), cell("merge restart", P("cell", "B")), cell("", EMPTY)],
                [cell("", P("cell", "C")), cell("merge continue", EMPTY), cell("", P("cell", "D"))],
            )
        ],
    ),
    "paragraphs, marks and a list inside a cell; text around the table": (
        "<p>Trước</p><table><tr><td><p>x <em>y</em></p><p>z</p><ul><li>m</li></ul></td></tr></table><p>Sau</p>",
        [
            P("body", "Trước"),
            T(1, [cell("", P("cell", "x ", "*y*"), P("cell", "z"), P("cell", "- ", "m"))]),
            P("body", "Sau"),
        ],
    ),
    "a table in a cell": (
        "<table><tr><td><p>x</p><table><tr><td>y</td></tr></table></td><td>z</td></tr></table>",
        [T(2, [cell("", P("cell", "x"), T(1, [cell("", P("cell", "y"))])), cell("", P("cell", "z"))])],
    ),
    "nothing": ("", []),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_what_a_reader_of_the_file_sees(name):
    html, expected = EXAMPLES[name]
    body, fonts = read_back(html)
    assert body == expected
    assert fonts <= {("Times New Roman", 14.0)}


def test_the_size_asked_for_is_every_run_s():
    body, fonts = read_back("<p>a <strong>b</strong></p><ul><li>c</li></ul><table><tr><th>d</th></tr></table>", size=13)
    assert fonts == {("Times New Roman", 13.0)}
    assert body[0] == P("body", "a ", "**b**")


def test_a_row_wider_than_word_allows_puts_the_rest_in_its_last_cell():
    [table], _fonts = read_back("<table><tr>" + "".join(f"<td>{i}</td>" for i in range(65)) + "</tr></table>")
    row = table[2][0]
    assert table[1] == 63 and len(row) == 63
    assert row[0] == cell("", P("cell", "0"))
    assert row[-1] == cell("", P("cell", "62"), P("cell", "63"), P("cell", "64"))


def _nested(depth):
    inner = "<p>Lõi</p>"
    for level in range(depth):
        row = f'<tr><td rowspan="2">Ô {level}</td><td>{inner}</td></tr>'
        inner = f"<table><tbody>{row}<tr><td>Dưới</td></tr></tbody></table>"
    return f"<p>Trước</p>{inner}<p>Sau</p>"


def _depth(item) -> int:
    """How deep tables nest in a described element."""
    if item[0] != "T":
        return 0
    return 1 + max((_depth(c) for row in item[2] for cell_ in row for c in cell_[1:]), default=0)


@pytest.mark.parametrize("depth", [4, 5, 6, 9])
def test_tables_nested_past_the_limit_are_flattened_into_the_cell_above(depth):
    body, _fonts = read_back(_nested(depth))
    assert body[0] == P("body", "Trước") and body[-1] == P("body", "Sau") and len(body) == 3
    assert _depth(body[1]) == min(depth, 5)
    innermost = body[1]
    while (inside := [c for c in innermost[2][0][1][1:] if c[0] == "T"]) != []:
        innermost = inside[0]
    # The deepest table kept: its first row's second cell holds what the deeper ones held, as paragraphs.
    flattened = [P("cell", f"Ô {level}") for level in range(depth - 5 - 1, -1, -1)]
    assert innermost[2][0][0] == cell("merge restart", P("cell", f"Ô {max(depth - 5, 0)}"))
    if depth > 5:
        interleaved = innermost[2][0][1][1:]
        assert [p for p in interleaved if p[2] and p[2][0].startswith("Ô")] == flattened
        assert P("cell", "Lõi") in interleaved
    assert innermost[2][1] == [cell("merge continue", EMPTY), cell("", P("cell", "Dưới"))][:2]


def test_a_text_lxml_would_refuse_is_refused():
    with pytest.raises(ValueError, match="XML compatible"):
        html_to_xml("<p>a\x01b</p>")


def test_the_strings_are_the_elements_bytes():
    text = clean_section_html(
        EXAMPLES["a table: header cells bold, colspan, rowspan, a short row"][0] + "<p>a&amp;b</p>"
    )
    assert [xml_of(e) for e in html_to_elements(text)] == html_to_xml(text)


WORDS = st.text(alphabet="aăâđêôơư ÁÀẢÃẠ&<>\"'\xa0;0123456789", min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "li", "td", "strong", "em", "u"]), WORDS), min_size=1, max_size=6))
def test_every_character_typed_arrives_in_order(parts):
    """Whatever the tags, no text is lost, doubled or reordered."""
    html = ""
    for tag, words in parts:
        escaped = words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        html += {"li": f"<ul><li>{escaped}</li></ul>", "td": f"<table><tr><td>{escaped}</td></tr></table>"}.get(
            tag, f"<{tag}>{escaped}</{tag}>"
        )
    body, _fonts = read_back(html)

    def texts(item):
        if item[0] == "P":
            yield "".join(r.strip("*_") if r not in ("- ",) else "" for r in item[2])
        else:
            for row in item[2]:
                for cell_ in row:
                    for c in cell_[1:]:
                        yield from texts(c)

    expected = "".join(words for _tag, words in parts).replace(" ", "").replace("\xa0", "")
    got = "".join(t for item in body for t in texts(item)).replace(" ", "").replace("\xa0", "")
    assert got == expected
