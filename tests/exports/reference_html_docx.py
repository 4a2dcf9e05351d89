"""The element-building converter exports.html_docx had until issue 11 (kept as the reference the
string converter must match byte for byte: tests/exports/test_html_xml.py).

Section texts (the editor's allow-listed HTML) as WordprocessingML, built straight into lxml
elements: python-docx's add_paragraph rescans the body on every call (quadratic on large
documents), so the builders append elements and attach them to the body once."""

import copy
import re
from html.parser import HTMLParser

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from core.richtext import MAX_COLSPAN, MAX_ROWSPAN

FONT = "Times New Roman"
BODY_PT = 14
# Tags of the allow-list and what becomes of them; a test holds this equal to the allow-list.
HANDLED_TAGS = frozenset(
    {"p", "br", "strong", "em", "u", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"}
)
TWIPS_PER_CM = 567
# Merged rows cost one Word cell per row they cover: at most this many in one section text, so a
# few bytes of rowspans cannot make a document of millions of cells (beyond it, cells are not merged).
ROWSPAN_BUDGET = 20_000
# Word nests tables, but moving a table into its parent's cell copies it whole: thousands of levels
# took minutes. Tables deeper than this are written as their cells' paragraphs, in the cell above.
MAX_TABLE_DEPTH = 5
_ASCII_NUMBER = re.compile(r"[0-9]{1,9}")


def _number(value, default: int, limit: int) -> int:
    """A span or list start as the cleaning leaves it; "²".isdigit() is true, yet int("²") fails."""
    return min(int(value), limit) if value and _ASCII_NUMBER.fullmatch(value) else default


def el(tag, attrs=None, parent=None, text=None):
    """A WordprocessingML element ("w:p") with w:-prefixed attributes."""
    node = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        node.set(qn(key), str(value))
    if text is not None:
        node.text = text
    if parent is not None:
        parent.append(node)
    return node


_RUN_PROPS: dict[tuple, object] = {}
_PARA_PROPS: dict[tuple, object] = {}


def run_props(*, bold=False, italic=False, underline=False, size=BODY_PT):
    # Building these few elements is most of the cost of a run: build each style once, then copy.
    key = (bold, italic, underline, size)
    if key not in _RUN_PROPS:
        _RUN_PROPS[key] = _make_run_props(bold=bold, italic=italic, underline=underline, size=size)
    return copy.deepcopy(_RUN_PROPS[key])


def _make_run_props(*, bold, italic, underline, size):
    rpr = el("w:rPr")
    el("w:rFonts", {"w:ascii": FONT, "w:hAnsi": FONT, "w:cs": FONT, "w:eastAsia": FONT}, rpr)
    if bold:
        el("w:b", parent=rpr)
        el("w:bCs", parent=rpr)
    if italic:
        el("w:i", parent=rpr)
        el("w:iCs", parent=rpr)
    if underline:
        el("w:u", {"w:val": "single"}, rpr)
    el("w:color", {"w:val": "000000"}, rpr)
    el("w:sz", {"w:val": int(size * 2)}, rpr)
    el("w:szCs", {"w:val": int(size * 2)}, rpr)
    return rpr


def run(text, **style):
    r = el("w:r")
    r.append(run_props(**style))
    t = el("w:t", parent=r, text=text)
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def paragraph(
    runs=(),
    *,
    align="both",
    first_line_cm=1.27,
    left_cm=0.0,
    hanging_cm=0.0,
    before_pt=0,
    after_pt=6,
    line=1.15,
    keep_next=False,
    border_bottom=False,
    right_cm=0.0,
):
    """A paragraph: justified, first-line indent, 6 pt after, 1.15 lines unless told otherwise."""
    key = (align, first_line_cm, left_cm, hanging_cm, before_pt, after_pt, line, keep_next, border_bottom, right_cm)
    if key not in _PARA_PROPS:
        _PARA_PROPS[key] = _make_para_props(*key)
    p = el("w:p")
    p.append(copy.deepcopy(_PARA_PROPS[key]))
    for r in runs:
        p.append(r)
    return p


def _make_para_props(
    align, first_line_cm, left_cm, hanging_cm, before_pt, after_pt, line, keep_next, border_bottom, right_cm
):
    ppr = el("w:pPr")
    if keep_next:
        el("w:keepNext", parent=ppr)
    if border_bottom:
        borders = el("w:pBdr", parent=ppr)
        el("w:bottom", {"w:val": "single", "w:sz": 6, "w:space": 1, "w:color": "000000"}, borders)
    el(
        "w:spacing",
        {
            "w:before": int(before_pt * 20),
            "w:after": int(after_pt * 20),
            "w:line": int(line * 240),
            "w:lineRule": "auto",
        },
        ppr,
    )
    indent = {"w:left": int(left_cm * TWIPS_PER_CM), "w:right": int(right_cm * TWIPS_PER_CM)}
    if hanging_cm:
        indent["w:hanging"] = int(hanging_cm * TWIPS_PER_CM)
    else:
        indent["w:firstLine"] = int(first_line_cm * TWIPS_PER_CM)
    el("w:ind", indent, ppr)
    el("w:jc", {"w:val": align}, ppr)
    return ppr


def text_paragraph(text, *, bold=False, italic=False, size=BODY_PT, **layout):
    return paragraph([run(text, bold=bold, italic=italic, size=size)], **layout)


class _Converter(HTMLParser):
    """Walks the cleaned HTML and emits paragraphs and tables for the document body."""

    def __init__(self, size):
        super().__init__(convert_charrefs=True)
        self.size = size
        self.out = []
        self.marks = {"b": 0, "i": 0, "u": 0}
        self.lists = []  # [kind, counter]
        self.current = None  # the open paragraph
        self.tables = []  # stack of table builders
        self.cell = None
        self.rowspan_budget = [ROWSPAN_BUDGET]
        self.flattened = 0  # tables open beyond MAX_TABLE_DEPTH

    # Paragraph handling ------------------------------------------------------------------
    def _target(self):
        return self.cell["paras"] if self.cell is not None else self.out

    def _open(self, prefix=None):
        self._close()
        if self.cell is not None:
            p = paragraph(align="left", first_line_cm=0, after_pt=0, line=1.0)
        elif self.lists:
            depth = len(self.lists)
            p = paragraph(left_cm=0.75 * depth + 0.5, hanging_cm=0.6)
        else:
            p = paragraph()
        if prefix:
            p.append(run(prefix, size=self.size))
        self.current = p
        self._target().append(p)

    def _close(self):
        self.current = None

    def _text(self, data):
        if self.current is None:
            if not data.strip():
                return
            self._open()
        self.current.append(
            run(
                data,
                bold=self.marks["b"] > 0 or (self.cell is not None and self.cell["header"]),
                italic=self.marks["i"] > 0,
                underline=self.marks["u"] > 0,
                size=self.size,
            )
        )

    # Parser events -----------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p":
            if not (self.lists and self.current is not None and self.current.get("li")):
                self._open()
        elif tag == "br":
            if self.current is None:
                self._open()
            r = el("w:r", parent=self.current)
            el("w:br", parent=r)
        elif tag == "strong":
            self.marks["b"] += 1
        elif tag == "em":
            self.marks["i"] += 1
        elif tag == "u":
            self.marks["u"] += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag, max(_number(attrs.get("start"), 1, 10**9) - 1, 0)])
            self._close()
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self._open("- " if kind[0] == "ul" else f"{kind[1]}. ")
            self.current.set("li", "1")
        elif self.flattened and tag in ("table", "tr", "td", "th"):
            if tag == "table":
                self.flattened += 1
            self._close()
        elif tag == "table" and len(self.tables) >= MAX_TABLE_DEPTH:
            self.flattened = 1
            self._close()
        elif tag == "table":
            self._close()
            self.tables.append({"rows": [], "cell_stack": self.cell})
            self.cell = None
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = {
                "paras": [],
                "header": tag == "th",
                "colspan": max(_number(attrs.get("colspan"), 1, MAX_COLSPAN), 1),
                "rowspan": max(_number(attrs.get("rowspan"), 1, MAX_ROWSPAN), 1),
            }
            if not self.tables[-1]["rows"]:
                self.tables[-1]["rows"].append([])
            self.tables[-1]["rows"][-1].append(self.cell)
            self._close()

    def handle_endtag(self, tag):
        if tag == "p":
            if not (self.lists and self.current is not None and self.current.get("li")):
                self._close()
        elif tag == "strong":
            self.marks["b"] = max(0, self.marks["b"] - 1)
        elif tag == "em":
            self.marks["i"] = max(0, self.marks["i"] - 1)
        elif tag == "u":
            self.marks["u"] = max(0, self.marks["u"] - 1)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._close()
        elif tag == "li":
            if self.current is not None:
                self.current.attrib.pop("li", None)
            self._close()
        elif self.flattened and tag in ("table", "tr", "td", "th"):
            if tag == "table":
                self.flattened -= 1
            self._close()
        elif tag in ("td", "th"):
            self._close()
            self.cell = None
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            self.cell = table["cell_stack"]
            self._target().append(build_table(table["rows"], self.size, self.rowspan_budget))
            self._close()

    def handle_data(self, data):
        self._text(data)


def _layout(rows, budget):
    """Place the cells on a grid as HTML does, bounded so the work stays proportional to the text:
    at most Word's 63 columns (the text of cells beyond goes into the last one), a rowspan stops
    at the last row and when ``budget`` (a one-item list, shared by the tables of a text) is spent,
    and a span stops where another cell already is (overlaps are a mistake in HTML too). Each grid
    slot is filled once."""
    grid: dict[tuple[int, int], dict] = {}
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in grid:
                c += 1
            if c >= MAX_COLSPAN:
                grid[(r, MAX_COLSPAN - 1)]["cell"]["paras"].extend(cell["paras"])
                continue
            across = 1
            while across < min(cell["colspan"], MAX_COLSPAN - c) and (r, c + across) not in grid:
                across += 1
            down = 1
            while down < min(cell["rowspan"], len(rows) - r, budget[0] + 1) and all(
                (r + down, c + k) not in grid for k in range(across)
            ):
                down += 1
            cell["colspan"], cell["rowspan"] = across, down
            budget[0] -= down - 1
            for dr in range(down):
                for dc in range(across):
                    grid[(r + dr, c + dc)] = {"cell": cell, "first_row": dr == 0, "first_col": dc == 0}
            c += across
    return grid


def build_table(rows, size, budget=None):
    """A bordered Word table from parsed rows; colspan and rowspan become gridSpan and vMerge."""
    grid = _layout(rows, budget if budget is not None else [ROWSPAN_BUDGET])
    width = max([c + 1 for _r, c in grid] + [1])
    n_rows = len(rows)
    tbl = el("w:tbl")
    tpr = el("w:tblPr", parent=tbl)
    el("w:tblW", {"w:w": 5000, "w:type": "pct"}, tpr)
    borders = el("w:tblBorders", parent=tpr)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el(f"w:{side}", {"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": "000000"}, borders)
    el("w:tblLayout", {"w:type": "autofit"}, tpr)
    tgrid = el("w:tblGrid", parent=tbl)
    for _ in range(width):
        el("w:gridCol", {"w:w": int(9000 / width)}, tgrid)
    for r in range(n_rows):
        tr = el("w:tr", parent=tbl)
        c = 0
        while c < width:
            slot = grid.get((r, c))
            tc = el("w:tc", parent=tr)
            tcpr = el("w:tcPr", parent=tc)
            el("w:tcW", {"w:w": 0, "w:type": "auto"}, tcpr)
            if slot is None:
                # A run of free slots is one empty cell: a short row in a wide table stays short.
                free = 1
                while c + free < width and (r, c + free) not in grid:
                    free += 1
                if free > 1:
                    el("w:gridSpan", {"w:val": free}, tcpr)
                tc.append(paragraph(align="left", first_line_cm=0, after_pt=0, line=1.0))
                c += free
                continue
            cell = slot["cell"]
            if cell["colspan"] > 1:
                el("w:gridSpan", {"w:val": cell["colspan"]}, tcpr)
            if cell["rowspan"] > 1:
                el("w:vMerge", {"w:val": "restart"} if slot["first_row"] else {}, tcpr)
            paras = cell["paras"] if slot["first_row"] else []
            for p in paras or [paragraph(align="left", first_line_cm=0, after_pt=0, line=1.0)]:
                tc.append(p if slot["first_row"] else copy.deepcopy(p))
            c += cell["colspan"]
    return tbl


def html_to_elements(html: str, *, size=BODY_PT) -> list:
    """Body elements (w:p, w:tbl) for one section text, as stored: cleaned to the editor's allow-list when
    it was saved (core.richtext.clean_section_html), so only what the editor can produce arrives here."""
    converter = _Converter(size)
    converter.feed(html or "")
    converter.close()
    for element in converter.out:
        for p in element.iter(qn("w:p")):
            p.attrib.pop("li", None)
    return converter.out
