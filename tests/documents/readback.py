"""A section text's Word elements read back with python-docx, as plain lists a test can compare."""

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.richtext import clean_section_html
from documents.html_docx import html_to_elements


def _layout(paragraph) -> str:
    """ "body", "cell", or "list N" (a list item's indent, N levels deep)."""
    fmt = paragraph.paragraph_format
    left = round(fmt.left_indent.cm, 2) if fmt.left_indent else 0.0
    if fmt.first_line_indent is not None and fmt.first_line_indent < 0:  # hanging: a list item
        assert round(-fmt.first_line_indent.cm, 2) == 0.6
        return f"list {round((left - 0.5) / 0.75)}"
    if fmt.alignment == 0 and not fmt.first_line_indent and fmt.space_after == 0 and fmt.line_spacing == 1.0:
        return "cell"
    assert round(fmt.first_line_indent.cm, 2) == 1.27 and fmt.space_after.pt == 6 and fmt.line_spacing == 1.15
    return "body"


def _run(run) -> str:
    """A run as its text with its marks: "**bold**", "*italic*", "_underlined_" (nested in that order)."""
    text = run.text
    if run.underline:
        text = f"_{text}_"
    if run.italic:
        text = f"*{text}*"
    if run.bold:
        text = f"**{text}**"
    return text


def describe(element, sizes: set | None = None):
    if element.tag == qn("w:p"):
        paragraph = Paragraph(element, None)
        for run in paragraph.runs:
            if run.text.strip() and sizes is not None:
                sizes.add((run.font.name, run.font.size.pt))
        return ["P", _layout(paragraph), [_run(r) for r in paragraph.runs]]
    table = Table(element, None)
    rows = []
    for tr in element.findall(qn("w:tr")):
        cells = []
        for tc in tr.findall(qn("w:tc")):
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            mark = ""
            if span is not None:
                mark += f"span {span.get(qn('w:val'))} "
            if merge is not None:
                mark += "merge " + (merge.get(qn("w:val")) or "continue") + " "
            cells.append([mark.strip(), *[describe(child, sizes) for child in tc if child.tag != qn("w:tcPr")]])
        rows.append(cells)
    return ["T", len(table.columns), rows]


def read_back(html: str, *, size: int = 14) -> tuple[list, set]:
    """The text cleaned as the editor's save cleans it, converted and read back with python-docx: the body's
    elements described, and the (font, size) pairs of every run with text."""
    sizes: set = set()
    return [describe(element, sizes) for element in html_to_elements(clean_section_html(html), size=size)], sizes
