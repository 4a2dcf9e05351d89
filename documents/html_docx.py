"""Section texts (the editor's allow-listed HTML, core.richtext) as WordprocessingML: paragraphs with
bold, italic and underlined runs, numbered and bulleted lists, bordered tables with merged cells.
Written as strings (documents.wordml), in one pass over the text."""

import html
import re

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from core.richtext import MAX_COLSPAN, MAX_ROWSPAN

from .page import BODY_PT
from .wordml import _para_props_xml, run_xml

# Tags of the allow-list and what becomes of them; a test holds this equal to the allow-list.
HANDLED_TAGS = frozenset(
    {"p", "br", "strong", "em", "u", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"}
)
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


_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*?)?)(/?)>|([^<]+|<)")
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'=<>`]+)))?')


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
