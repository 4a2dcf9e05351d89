"""Adversarial structure (Hypothesis): whatever the shape of a text or a workbook, what passes the
cheap limits stays within them once parsed, and what does not is refused before any parsing.

A text is built from runs of one token repeated (opening, closing, stray closing, self-closing,
formatting elements with distinct attributes that defeat the parser's "Noah's ark" clause, tables
without their rows, comments, raw-text elements). The parse tree is measured by cleaning with
every fuzzed tag allowed, so that what html5ever built is what comes out. The CPU time of the
worst shapes is in `make bench`, not here.
"""

import io
import os
import zipfile
from html.parser import HTMLParser

import nh3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import richtext
from reports.xlsx import (
    MAX_PART_BYTES,
    MAX_SHEETS,
    MAX_STYLE_ENTRIES,
    UploadRefused,
    check_workbook_limits,
    read_upload,
)

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
TAGS = [
    "ul",
    "ol",
    "li",
    "p",
    "div",
    "span",
    "b",
    "i",
    "u",
    "s",
    "strong",
    "em",
    "a",
    "font",
    "table",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "svg",
    "g",
    "br",
    "hr",
]
ALL_TAGS = set(TAGS) - {"svg", "g"}  # nh3 refuses foreign elements in its allow-list

token = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"<{t}/>"),
    st.tuples(st.sampled_from(["b", "i", "u", "a", "font", "em"]), st.integers(0, 10_000)).map(
        lambda p: f'<{p[0]} id="{p[1]}">'
    ),
    st.sampled_from(["Đoàn viên", "x", " ", "<!-- <div> -->", "<script><div></script>", "&amp;", "<", ">", "<a"]),
    # Formatting elements with distinct attributes: the parser re-opens each after a block closes it.
    st.tuples(st.sampled_from(["b", "strong", "i", "a"]), st.integers(1, 60)).map(
        lambda p: "".join(f'<{p[0]} id="{i}">' for i in range(p[1]))
    ),
)
run = st.tuples(st.lists(token, min_size=1, max_size=4), st.integers(1, 25_000)).map(lambda r: "".join(r[0]) * r[1])
text = st.lists(run, min_size=1, max_size=8).map("".join)


class Shape(HTMLParser):
    """Depth and element count of well-formed HTML (the serialisation of a parse tree)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = self.elements = 0

    def handle_starttag(self, tag, attrs):
        self.elements += 1
        if tag not in ("br", "hr"):
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_startendtag(self, tag, attrs):
        self.elements += 1

    def handle_endtag(self, tag):
        self.depth -= 1


def parse_tree_shape(value: str) -> Shape:
    shape = Shape()
    shape.feed(nh3.clean(value, tags=ALL_TAGS, attributes={}, strip_comments=True))
    return shape


@FUZZ
@given(text)
def test_what_passes_the_html_limits_stays_within_them_once_parsed(value):
    try:
        richtext.check_html_limits(value)
    except richtext.HtmlTooComplex:
        return
    shape = parse_tree_shape(value)
    # The parser adds a tbody and a tr around a bare cell, and re-opens formatting elements
    # that a block closed: both stay within a small factor of what the scan counted.
    assert shape.deepest <= 3 * richtext.MAX_DEPTH, shape.deepest
    assert shape.elements <= 2 * richtext.MAX_ELEMENTS + 10, shape.elements
    assert richtext.clean_section_html(value) == richtext.sanitize_html(value)


def test_the_known_worst_shapes_are_refused_by_the_scan():
    reopened = "<p>" + "".join(f'<strong id="{i}">' for i in range(38)) + "</p>" + "<p>x</p>" * 19_900
    for value in (
        "<ul><li>" * 30_000,
        "<div/>" * 5_000,
        "<b></i>" * 5_000,
        "<td>" * 100_000,
        "<table><td>" * 30,
        "</p>" * 30_000,
        reopened,
    ):
        with pytest.raises(richtext.HtmlTooComplex):
            richtext.check_html_limits(value)


# --- Workbooks ------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


STYLE_FORMS = ['<xf numFmtId="{n}" fontId="0"/>', '<xf numFmtId="{n}"></xf>', "<xf/>", '<x:xf\nnumFmtId="{n}"/>']


def workbook(
    styles: int, sheets: int, rows: int, cols: int, nesting: int, strings: int, form: str, strings_name: str
) -> bytes:
    """A zip with the parts of a workbook, each as large or as deep as asked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
            + "".join(f'<sheet name="S{n}" sheetId="{n + 1}"/>' for n in range(sheets))
            + "</sheets></workbook>",
        )
        xfs = "".join(form.format(n=n % 150) for n in range(styles))
        archive.writestr("xl/styles.xml", f'<styleSheet><cellXfs count="{styles}">{xfs}</cellXfs></styleSheet>')
        archive.writestr(
            strings_name, "<sst>" + "".join(f"<si><t>Chuỗi {n}</t></si>" for n in range(strings)) + "</sst>"
        )
        row_xml = "".join(
            f'<row r="{r + 1}">' + "".join(f'<c r="A{r + 1}"><v>{c}</v></c>' for c in range(cols)) + "</row>"
            for r in range(rows)
        )
        deep = "<x>" * nesting + "</x>" * nesting
        for n in range(sheets):
            archive.writestr(
                f"xl/worksheets/sheet{n + 1}.xml", f"<worksheet><sheetData>{row_xml}</sheetData>{deep}</worksheet>"
            )
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {m.filename: archive.read(m) for m in archive.infolist()}


@FUZZ
@given(
    styles=st.integers(0, 3 * MAX_STYLE_ENTRIES),
    sheets=st.integers(1, MAX_SHEETS + 5),
    rows=st.integers(0, 300),
    cols=st.integers(0, 60),
    nesting=st.integers(0, 3000),
    strings=st.integers(0, 200_000),
    form=st.sampled_from(STYLE_FORMS),
    # openpyxl finds the shared strings through [Content_Types].xml: any name will do.
    strings_name=st.sampled_from(["xl/sharedStrings.xml", "xl/ss.dat"]),
)
@pytest.mark.django_db
def test_what_passes_the_workbook_limits_stays_within_them(
    world, styles, sheets, rows, cols, nesting, strings, form, strings_name
):
    data = workbook(styles, sheets, rows, cols, nesting, strings, form, strings_name)
    try:
        check_workbook_limits(data)
    except UploadRefused:
        return
    contents = parts(data)
    assert styles <= MAX_STYLE_ENTRIES
    assert sheets <= MAX_SHEETS
    assert all(len(body) <= MAX_PART_BYTES for body in contents.values())
    # Passing the limits, the reader then refuses it in words (it is not the template), never fails.
    with pytest.raises(UploadRefused):
        read_upload(data, report=world.report_a, indicators=[])
