"""Adversarial structure (Hypothesis): whatever the shape of a text or a workbook, what passes the
cheap limits stays within them once parsed, and what does not is refused before any parsing.

A text is built from runs of one token repeated (opening, closing, stray closing, self-closing,
formatting elements with distinct attributes that defeat the parser's "Noah's ark" clause, tables
without their rows, comments, raw-text elements). The parse tree is measured by cleaning with
every fuzzed tag allowed, so that what html5ever built is what comes out. The CPU time of the
worst shapes is in `make bench`, not here.
"""

import hashlib
import io
import os
import re
import threading
import time
import zipfile
from html.parser import HTMLParser

import docx
import nh3
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import richtext
from core.workbook import WorkbookRefused
from outline.reading import MAX_CHARS, MAX_LINES, OutlineFileRefused, read_outline_file
from reports.xlsx import (
    MAX_PART_BYTES,
    MAX_SHEETS,
    MAX_STYLE_ENTRIES,
    UploadRefused,
    check_workbook_limits,
    read_upload,
)
from tests.units.factories import UserFactory
from units.imports import COLUMNS, import_plan

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


# --- Outline Word files and the units list --------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
FORMATS = ["decimal", "upperRoman", "lowerRoman", "upperLetter", "lowerLetter", "bullet", "none", "ordinal"]


def _blank_docx() -> dict[str, bytes]:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return parts(buffer.getvalue())


BLANK_DOCX = _blank_docx()


def noise(n: int) -> str:
    """A few letters that differ from one ``n`` to the next, so that a file of many alike elements
    stays under the unpacking ratio, as a hostile file would."""
    return hashlib.blake2b(str(n).encode(), digest_size=6).hexdigest()


def outline_docx(*, levels, nums=1, paragraphs, styles=0) -> bytes:
    """python-docx's blank document with its numbering and body replaced. ``levels``: the
    [(ilvl, format, start, level text)] of one list, which ``nums`` numbering ids point at;
    ``paragraphs``: [(text, numId, ilvl)], a numId of None for a paragraph of a style the document
    lacks; ``styles``: that many more paragraph styles."""
    lvl = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, fmt, start, text in levels
    )
    numbering = (
        f'<w:numbering {W}><w:abstractNum w:abstractNumId="0">{lvl}</w:abstractNum>'
        + "".join(f'<w:num w:numId="{n + 1}"><w:abstractNumId w:val="0"/></w:num>' for n in range(nums))
        + "</w:numbering>"
    )
    body = "".join(
        (
            f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
            if num is not None
            else '<w:p><w:pPr><w:pStyle w:val="Missing"/></w:pPr>'
        )
        + f"<w:r><w:t>{text} {noise(n)}</w:t></w:r></w:p>"
        for n, (text, num, ilvl) in enumerate(paragraphs)
    )
    contents = dict(BLANK_DOCX)
    contents["word/numbering.xml"] = numbering.encode()
    contents["word/document.xml"] = f"<w:document {W}><w:body>{body}</w:body></w:document>".encode()
    if styles:
        extra = "".join(
            f'<w:style w:type="paragraph" w:styleId="{noise(n)}"><w:name w:val="{noise(-n)}"/></w:style>'
            for n in range(styles)
        )
        contents["word/styles.xml"] = contents["word/styles.xml"].replace(
            b"</w:styles>", extra.encode() + b"</w:styles>"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body_bytes in contents.items():
            archive.writestr(name, body_bytes)
    return out.getvalue()


def within(seconds, function, *args):
    """What ``function(*args)`` returns or raises, or AssertionError if it still runs after
    ``seconds`` (it then goes on in a daemon thread, which the test run ends)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], time.monotonic() - started


OUTLINE_TAIL = [("PHẦN THỨ NHẤT", 0, 0), ("TÌNH HÌNH", 1, 0), ("Bối cảnh", 1, 1)]


def test_a_roman_list_starting_at_999999999_is_refused_at_once():
    data = outline_docx(
        levels=[("0", "upperRoman", 999_999_999, "%1."), ("1", "decimal", 1, "%2.")], paragraphs=OUTLINE_TAIL
    )
    assert len(data) < 40_000
    with pytest.raises(OutlineFileRefused) as refused:
        within(5, read_outline_file, "de-cuong.docx", data)
    assert "quá lớn" in refused.value.message


@pytest.mark.parametrize(
    "shape",
    [
        # Every numbering id sharing one list of many levels: a table of ids × levels.
        {"levels": [(str(i), "decimal", 1, "%1.") for i in range(1_500)], "nums": 1_500, "paragraphs": OUTLINE_TAIL},
        # A level text repeated on every line: the text of the file many times over.
        {
            "levels": [("0", "decimal", 1, "".join(noise(n) for n in range(2_000)) + "%1")],
            "paragraphs": [("x", 1, 0)] * 1_900,
        },
        # Styles the reader looks each paragraph's style up in.
        {"levels": [("0", "decimal", 1, "%1.")], "paragraphs": [("x", None, 0)] * 1_900, "styles": 40_000},
        # A start with thousands of digits.
        {"levels": [("0", "decimal", "9" * 5_000, "%1.")], "paragraphs": OUTLINE_TAIL},
    ],
    ids=["ids-times-levels", "long-level-text", "many-styles", "long-start"],
)
def test_the_known_worst_outline_shapes_are_read_or_refused_in_words_at_once(shape):
    data = outline_docx(**shape)
    try:
        text, _seconds = within(5, read_outline_file, "de-cuong.docx", data)
    except OutlineFileRefused as refused:
        assert refused.message and not refused.message.isascii()
    else:
        assert len(text) <= MAX_CHARS and text.count("\n") <= MAX_LINES


numbering_start = st.one_of(st.integers(0, 60), st.integers(0, 2**31), st.text("0123456789", min_size=1, max_size=30))


@settings(FUZZ, max_examples=30)
@given(
    levels=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 8), st.integers(0, 10**9)).map(str),
            st.sampled_from(FORMATS),
            numbering_start,
            st.sampled_from(["%1.", "%1.%2.", "", "%3", "(%1)", "%1" * 300]),
        ),
        min_size=1,
        max_size=12,
    ),
    nums=st.integers(1, 400),
    lines=st.integers(1, MAX_LINES + 5),
    ilvl=st.integers(0, 12),
)
def test_what_passes_the_outline_limits_stays_within_them(levels, nums, lines, ilvl):
    paragraphs = [("Mục", 1 + n % nums, n % (ilvl + 1)) for n in range(lines)]
    data = outline_docx(levels=levels, nums=nums, paragraphs=paragraphs)
    started = time.process_time()
    try:
        text = read_outline_file("de-cuong.docx", data)
    except OutlineFileRefused as refused:
        assert refused.message and not refused.message.isascii()
    else:
        assert len(text) <= MAX_CHARS and text.count("\n") <= MAX_LINES
    assert time.process_time() - started < 3


def units_list(far_row: int) -> bytes:
    """The units-import template's header, one unit, and one more row ``far_row`` rows down (past
    Excel's last row too: openpyxl reads what the file says)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([str(label) for _key, label in COLUMNS])
    ws.append(["CS-1", "Công đoàn cơ sở Một", "CĐCS", "", "Có", "V"])
    ws.append(["CS-2", "Công đoàn cơ sở Hai", "CĐCS", "", "Có", "V"])
    buffer = io.BytesIO()
    wb.save(buffer)
    contents = parts(buffer.getvalue())
    sheet = contents["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb"<dimension [^>]*/>", b"", sheet)
    contents["xl/worksheets/sheet1.xml"] = re.sub(rb'(r="[A-Z]*)3"', lambda m: m[1] + b'%d"' % far_row, sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in contents.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.django_db
def test_a_units_list_with_a_row_far_below_is_refused_in_words_at_once():
    with pytest.raises(WorkbookRefused) as refused:
        within(5, import_plan, units_list(10**12))
    assert "dòng" in refused.value.message


@pytest.mark.django_db
def test_the_outline_page_refuses_a_list_numbered_past_any_outline_in_words(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = outline_docx(levels=[("0", "upperRoman", 5_000, "%1.")], paragraphs=OUTLINE_TAIL)
    response = client.post(reverse("outline:outline_upload"), {"file": SimpleUploadedFile("de-cuong.docx", data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "5.000" in page and "quá lớn" in page and "data-writable" not in page


def with_shared_strings(data: bytes, count: int) -> bytes:
    """The workbook with a table of ``count`` shared strings, each different (under the unpacking
    ratio), that no cell uses: the reader builds them all when it opens the file."""
    contents = parts(data)
    contents["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<si><t>%s</t></si>" % noise(n).encode() for n in range(count))
        + b"</sst>"
    )
    types = contents["[Content_Types].xml"]
    if b"sharedStrings" not in types:
        contents["[Content_Types].xml"] = types.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in contents.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.django_db
def test_a_units_list_with_far_more_texts_than_cells_is_refused_in_words_at_once():
    # 500,000 strings in a 2.3 MB file: seconds of work (and memory) before any row is read.
    data = with_shared_strings(units_list(4), 500_000)
    with pytest.raises(WorkbookRefused) as refused:
        within(5, import_plan, data)
    assert "quá nhiều" in refused.value.message
