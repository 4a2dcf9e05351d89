"""Section texts (the editor's allow-listed HTML) as WordprocessingML, built straight into lxml
elements: python-docx's add_paragraph rescans the body on every call (quadratic on large
documents), so the builders append elements and attach them to the body once."""

import copy
import functools
import html
import re

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from lxml import etree

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


# Section texts are written as strings, not elements: building, copying and serialising one lxml element
# per run was three quarters of a 10,000-unit annex (issue 11). The strings are the bytes lxml writes for
# the same elements (tests/exports/test_html_xml.py holds them equal to the element converter they replace).
_W_DECLARATION = f' xmlns:w="{nsmap["w"]}"'
# What lxml refuses in text (XML 1.0 characters): the same error, rather than a broken document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*?)?)(/?)>|([^<]+|<)")
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'=<>`]+)))?')


def _xml(element) -> str:
    return etree.tostring(element, encoding="unicode").replace(_W_DECLARATION, "")


@functools.cache
def _run_props_xml(bold, italic, underline, size) -> str:
    return _xml(_make_run_props(bold=bold, italic=italic, underline=underline, size=size))


@functools.cache
def _para_props_xml(key) -> str:
    return _xml(_make_para_props(*key))


def _escape(text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def run_xml(text, *, bold=False, italic=False, underline=False, size=BODY_PT) -> str:
    """``run(...)`` as the string lxml writes for it."""
    return f'<w:r>{_run_props_xml(bold, italic, underline, size)}<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'


def paragraph_xml(
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
) -> str:
    """``paragraph(...)`` as the string lxml writes for it; ``runs`` are strings (``run_xml``)."""
    key = (align, first_line_cm, left_cm, hanging_cm, before_pt, after_pt, line, keep_next, border_bottom, right_cm)
    return f"<w:p>{_para_props_xml(key)}{''.join(runs)}</w:p>"


def xml_of(element) -> str:
    """An element as the string the document holds it as (the root's namespace not repeated)."""
    return _xml(element)


_PLAIN = ("both", 1.27, 0.0, 0.0, 0, 6, 1.15, False, False, 0.0)
_IN_CELL = ("left", 0, 0.0, 0.0, 0, 0, 1.0, False, False, 0.0)


class _Paragraph:
    """An open paragraph: its properties and runs as strings, and whether it is a list item's."""

    __slots__ = ("li", "parts")

    def __init__(self, props: str):
        self.parts = ["<w:p>", props]
        self.li = False

    def xml(self) -> str:
        return "".join(self.parts) + "</w:p>"


def _item_xml(item) -> str:
    return item.xml() if isinstance(item, _Paragraph) else item


class _Converter:
    """Walks the cleaned HTML and writes paragraphs and tables for the document body, as strings."""

    def __init__(self, size):
        self.size = size
        self.out = []
        self.marks = {"b": 0, "i": 0, "u": 0}
        self.lists = []  # [kind, counter]
        self.current = None  # the open paragraph
        self.tables = []  # stack of table builders
        self.cell = None
        self.rowspan_budget = [ROWSPAN_BUDGET]
        self.flattened = 0  # tables open beyond MAX_TABLE_DEPTH

    def feed(self, text: str) -> None:
        for closing, tag, attributes, self_closing, data in _TOKEN.findall(text):
            if not tag:
                self._text(html.unescape(data))
            elif closing:
                self.handle_endtag(tag.lower())
            else:
                tag = tag.lower()
                self.handle_starttag(tag, _attributes(attributes))
                if self_closing:
                    self.handle_endtag(tag)

    # Paragraph handling ------------------------------------------------------------------
    def _target(self):
        return self.cell["paras"] if self.cell is not None else self.out

    def _open(self, prefix=None):
        self._close()
        if self.cell is not None:
            p = _Paragraph(_para_props_xml(_IN_CELL))
        elif self.lists:
            depth = len(self.lists)
            p = _Paragraph(_para_props_xml(("both", 1.27, 0.75 * depth + 0.5, 0.6, 0, 6, 1.15, False, False, 0.0)))
        else:
            p = _Paragraph(_para_props_xml(_PLAIN))
        if prefix:
            p.parts.append(run_xml(prefix, size=self.size))
        self.current = p
        self._target().append(p)

    def _close(self):
        self.current = None

    def _text(self, data):
        if self.current is None:
            if not data.strip():
                return
            self._open()
        self.current.parts.append(
            run_xml(
                data,
                bold=self.marks["b"] > 0 or (self.cell is not None and self.cell["header"]),
                italic=self.marks["i"] > 0,
                underline=self.marks["u"] > 0,
                size=self.size,
            )
        )

    # Tags --------------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag == "p":
            if not (self.lists and self.current is not None and self.current.li):
                self._open()
        elif tag == "br":
            if self.current is None:
                self._open()
            self.current.parts.append("<w:r><w:br/></w:r>")
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
            self.current.li = True
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
            if not (self.lists and self.current is not None and self.current.li):
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
                self.current.li = False
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
            self._target().append(build_table_xml(table["rows"], self.size, self.rowspan_budget))
            self._close()


def _attributes(text: str) -> dict[str, str]:
    """A start tag's attributes as HTMLParser gives them: names lowercased, values unescaped, the first
    of a repeated name kept last-wins as in a dict of its pairs."""
    found = {}
    for name, double, single, bare in _ATTRIBUTE.findall(text):
        found[name.lower()] = html.unescape(double or single or bare)
    return found


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


def build_table_xml(rows, size, budget=None) -> str:
    """A bordered Word table from parsed rows; colspan and rowspan become gridSpan and vMerge."""
    grid = _layout(rows, budget if budget is not None else [ROWSPAN_BUDGET])
    width = max([c + 1 for _r, c in grid] + [1])
    empty = f"<w:p>{_para_props_xml(_IN_CELL)}</w:p>"
    parts = [_TABLE_PROPS, "<w:tblGrid>", f'<w:gridCol w:w="{int(9000 / width)}"/>' * width, "</w:tblGrid>"]
    for r in range(len(rows)):
        parts.append("<w:tr>")
        c = 0
        while c < width:
            slot = grid.get((r, c))
            parts.append('<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/>')
            if slot is None:
                # A run of free slots is one empty cell: a short row in a wide table stays short.
                free = 1
                while c + free < width and (r, c + free) not in grid:
                    free += 1
                if free > 1:
                    parts.append(f'<w:gridSpan w:val="{free}"/>')
                parts.append(f"</w:tcPr>{empty}</w:tc>")
                c += free
                continue
            cell = slot["cell"]
            if cell["colspan"] > 1:
                parts.append(f'<w:gridSpan w:val="{cell["colspan"]}"/>')
            if cell["rowspan"] > 1:
                parts.append('<w:vMerge w:val="restart"/>' if slot["first_row"] else "<w:vMerge/>")
            parts.append("</w:tcPr>")
            paras = cell["paras"] if slot["first_row"] else []
            parts.extend(_item_xml(p) for p in paras) if paras else parts.append(empty)
            parts.append("</w:tc>")
            c += cell["colspan"]
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


_TABLE_PROPS = (
    '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + '</w:tblBorders><w:tblLayout w:type="autofit"/></w:tblPr>'
)


def html_to_xml(html_text: str, *, size=BODY_PT) -> list[str]:
    """The body elements (w:p, w:tbl) of one section text as WordprocessingML strings, one per element.
    The text is as stored: cleaned to the editor's allow-list when it was saved
    (core.richtext.clean_section_html), so only what the editor can produce arrives here."""
    converter = _Converter(size)
    converter.feed(html_text or "")
    return [_item_xml(item) for item in converter.out]


def html_to_elements(html_text: str, *, size=BODY_PT) -> list:
    """The same as lxml elements, for the parts of a document that are changed once built."""
    body = parse_xml(f"<w:body {nsdecls('w')}>{''.join(html_to_xml(html_text, size=size))}</w:body>")
    elements = list(body)
    for element in elements:
        body.remove(element)
    return elements
