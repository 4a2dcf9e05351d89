"""The Word documents: one report in the official layout (Nghị định 30/2020/NĐ-CP, Phụ lục I), the
blank outline for offline drafting, and a superior union's consolidated report."""

import copy
import io
import itertools
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from core.text import vietnamese_sort_key
from outline.models import NodeKind, OutlineNode, blank_fill
from reports.models import ReportStatus
from reports.selectors import DEFAULT_ROLLUP_STATUSES

from .html_docx import (
    FONT,
    el,
    html_to_elements,
    html_to_xml,
    paragraph,
    paragraph_xml,
    run,
    run_xml,
    text_paragraph,
    xml_of,
)
from .selectors import Consolidated, ReportDocument, UnitReport

# A4, margins inside the ranges of the rules: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(22), "bottom": Mm(22), "left": Mm(32), "right": Mm(18)}
Progress = Callable[[int, int], None]
DOCUMENT_PART = "word/document.xml"
# The serialised body stays in memory up to this size, then goes to a temporary file.
BODY_SPOOL_BYTES = 16 * 2**20


def vietnamese_date(date, place: str) -> str:
    """ "Bình An, ngày 05 tháng 12 năm 2020": days under 10 and months 1 and 2 take a leading zero."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place or '……'}, ngày {date.day:02d} tháng {month} năm {date.year}"


class DocumentBuilder:
    """Writes the document's body as it is built, so that memory does not grow with the document.

    Every element but the last (which a section break or the closing block may still change) is
    serialised at once into a spooled file (in memory up to BODY_SPOOL_BYTES, then on disk) and
    dropped; ``save`` writes the package python-docx makes, with that body streamed into
    word/document.xml. The bytes are the ones python-docx would write for the whole tree."""

    def __init__(self):
        self.document = Document()
        self._setup_styles()
        self._setup_first_section()
        self.body = self.document.element.body
        self.final_sectpr = self.body[-1]
        self.body.remove(self.final_sectpr)
        self.elements = []  # the last element only: the rest is already in the spool
        self.orientation = "portrait"
        self._spool = tempfile.SpooledTemporaryFile(max_size=BODY_SPOOL_BYTES)  # noqa: SIM115 (closed by save)
        # A fragment serialised alone repeats the namespaces the document's root declares (on its first
        # tag, and on a copied sectPr's): dropped from the tags, where text can never be.
        self._tag_with_ns = re.compile(rb"<[^<>]* xmlns:[^<>]*>")
        root_ns = {prefix: uri for prefix, uri in self.document.element.nsmap.items() if prefix}
        self._root_ns = [f' xmlns:{p}="{u}"'.encode() for p, u in root_ns.items()]

    def _drop_root_ns(self, match) -> bytes:
        tag = match.group(0)
        for declaration in self._root_ns:
            tag = tag.replace(declaration, b"")
        return tag

    def _setup_styles(self):
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        normal.paragraph_format.space_after = Pt(6)
        # Headings in the body's font and colour (the template's are Calibri Light, blue).
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            style = self.document.styles[name]
            style.font.name = FONT
            style.font.size = Pt(14)
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
            # Each heading says itself whether it keeps with what follows (an empty section's does not).
            style.paragraph_format.keep_with_next = False
            fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
            if fonts is not None:
                for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    fonts.attrib.pop(qn(attr), None)
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    fonts.set(qn(attr), FONT)
        # The document's language is Vietnamese: spelling, hyphenation and screen readers use it.
        for rpr_holder in (
            rpr,
            self.document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"),
        ):
            if rpr_holder is None:
                continue
            lang = rpr_holder.find(qn("w:lang"))
            if lang is None:
                lang = el("w:lang", parent=rpr_holder)
            lang.set(qn("w:val"), "vi-VN")
            lang.set(qn("w:eastAsia"), "vi-VN")

    def set_properties(self, *, title: str, author: str):
        """The file's properties: the unit, the title and today, not python-docx's template of 2013."""
        now = timezone.now()
        props = self.document.core_properties
        props.title = title
        props.subject = title
        props.author = author
        props.last_modified_by = author
        props.language = "vi-VN"
        props.created = now
        props.modified = now
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        props.category = ""

    def _setup_first_section(self):
        section = self.document.sections[0]
        section.page_width, section.page_height = PAGE_W, PAGE_H
        section.orientation = WD_ORIENT.PORTRAIT
        for side, value in MARGINS.items():
            setattr(section, f"{side}_margin", value)
        section.header_distance = Mm(10)
        # Page numbers centred in the top margin, none on page 1.
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = 1
        field = el("w:fldSimple", {"w:instr": "PAGE"})
        field.append(run("1", size=13))
        header._p.append(field)
        section.first_page_header.is_linked_to_previous = False

    def add(self, *elements):
        for element in elements:
            self._flush()
            self.elements.append(element)

    def add_xml(self, fragments: list[str]):
        """Elements already written as WordprocessingML (exports.html_docx.html_to_xml): into the spool as they
        are, but the last, kept as an element like every last element (a break or block may change it)."""
        if not fragments:
            return
        self._flush()
        for fragment in fragments[:-1]:
            self._spool.write(fragment.encode())
        self.elements.append(fragments[-1])

    def _last(self):
        """The kept element, made an element if it was kept as a string (to change it)."""
        if not self.elements:
            return None
        if isinstance(self.elements[-1], str):
            self.elements[-1] = parse_xml(f"<w:body {nsdecls('w')}>{self.elements[-1]}</w:body>")[0]
        return self.elements[-1]

    def _flush(self):
        """Serialise the kept element into the spool, as it would be inside the document."""
        if not self.elements:
            return
        if isinstance(self.elements[-1], str):
            self._spool.write(self.elements.pop().encode())
            return
        # Serialised detached: attaching a large table to the body and detaching it again makes lxml
        # walk its namespaces for minutes; the declarations it then carries are the root's, dropped below.
        data = etree.tostring(self.elements.pop(), encoding="UTF-8")
        if b" xmlns:" in data:
            data = self._tag_with_ns.sub(self._drop_root_ns, data)
        self._spool.write(data)

    def section_break(self, orientation: str):
        """End the current section; the next one is portrait or landscape (a wide table).

        The break rides on the last paragraph when there is one: an empty paragraph of its own,
        falling just past a full page, printed a blank page before the appendix. After a table
        (Word needs a paragraph there) it is a paragraph one point high."""
        sectpr = copy.deepcopy(self.final_sectpr)
        self._orient(sectpr, self.orientation)
        last = self._last()
        if last is not None and last.tag == qn("w:p") and last.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None:
            ppr = last.find(qn("w:pPr"))
            if ppr is None:
                ppr = el("w:pPr")
                last.insert(0, ppr)
            ppr.append(sectpr)
        else:
            holder = el("w:p")
            ppr = el("w:pPr", parent=holder)
            el("w:spacing", {"w:before": 0, "w:after": 0, "w:line": 20, "w:lineRule": "exact"}, ppr)
            rpr = el("w:rPr", parent=ppr)
            el("w:sz", {"w:val": 2}, rpr)
            ppr.append(sectpr)
            self.add(holder)
        # Later sections use the same page-number header, and number their first page too.
        for ref in self.final_sectpr.findall(qn("w:headerReference")):
            self.final_sectpr.remove(ref)
        title = self.final_sectpr.find(qn("w:titlePg"))
        if title is not None:
            self.final_sectpr.remove(title)
        self.orientation = orientation

    def add_closing(self, block):
        """The closing block after the text, never on a page of its own: the last paragraph of the
        text and the space before the block keep with it."""
        last = self._last()
        if last is not None and last.tag == qn("w:p"):
            ppr = last.find(qn("w:pPr"))
            if ppr is None:
                ppr = el("w:pPr")
                last.insert(0, ppr)
            keep = ppr.find(qn("w:keepNext"))
            if keep is None:
                style = ppr.find(qn("w:pStyle"))
                keep = el("w:keepNext")
                if style is not None:
                    style.addnext(keep)
                else:
                    ppr.insert(0, keep)
            keep.attrib.pop(qn("w:val"), None)
        self.add(paragraph(keep_next=True), block)

    def page_break(self):
        p = el("w:p")
        r = el("w:r", parent=p)
        el("w:br", {"w:type": "page"}, r)
        self.add(p)

    @staticmethod
    def _orient(sectpr, orientation):
        size = sectpr.find(qn("w:pgSz"))
        w, h = int(PAGE_W.twips), int(PAGE_H.twips)
        if orientation == "landscape":
            size.set(qn("w:w"), str(h))
            size.set(qn("w:h"), str(w))
            size.set(qn("w:orient"), "landscape")
        else:
            size.set(qn("w:w"), str(w))
            size.set(qn("w:h"), str(h))
            size.attrib.pop(qn("w:orient"), None)

    def save(self) -> bytes:
        """The .docx: python-docx's package, its word/document.xml holding the streamed body."""
        self._orient(self.final_sectpr, self.orientation)
        self._flush()
        self.add(self.final_sectpr)
        self._flush()
        # The package with an empty body: everything but the body, exactly as python-docx writes it.
        self.body.append(el("w:p"))
        package = io.BytesIO()
        self.document.save(package)
        head, tail = re.split(rb"<w:p/>", self._part(package, DOCUMENT_PART), maxsplit=1)
        out = io.BytesIO()
        with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != DOCUMENT_PART:
                    target.writestr(info, source.read(info.filename))
                    continue
                body = zipfile.ZipInfo(DOCUMENT_PART, info.date_time)
                body.compress_type = zipfile.ZIP_DEFLATED
                with target.open(body, "w", force_zip64=True) as part:
                    part.write(head)
                    self._spool.seek(0)
                    shutil.copyfileobj(self._spool, part, 2**20)
                    part.write(tail)
        self._spool.close()
        return out.getvalue()

    @staticmethod
    def _part(package, name) -> bytes:
        with zipfile.ZipFile(package) as z:
            return z.read(name)


def _borderless_table(rows: list[list], widths_cm: list[float]):
    """A layout table without borders (header block, signature block): ``rows`` of cells, each a
    list of paragraphs. No row splits across two pages."""
    tbl = el("w:tbl")
    tpr = el("w:tblPr", parent=tbl)
    el("w:tblW", {"w:w": int(sum(widths_cm) * 567), "w:type": "dxa"}, tpr)
    borders = el("w:tblBorders", parent=tpr)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el(f"w:{side}", {"w:val": "nil"}, borders)
    el("w:tblLayout", {"w:type": "fixed"}, tpr)
    margins = el("w:tblCellMar", parent=tpr)
    for side in ("left", "right"):
        el(f"w:{side}", {"w:w": 0, "w:type": "dxa"}, margins)
    grid = el("w:tblGrid", parent=tbl)
    for width in widths_cm:
        el("w:gridCol", {"w:w": int(width * 567)}, grid)
    for cells in rows:
        tr = _table_row(tbl)
        for width, content in zip(widths_cm, cells, strict=True):
            tc = el("w:tc", parent=tr)
            tcpr = el("w:tcPr", parent=tc)
            el("w:tcW", {"w:w": int(width * 567), "w:type": "dxa"}, tcpr)
            for p in content or [paragraph()]:
                tc.append(p)
    return tbl


def _centered(text, *, bold=False, italic=False, size=13, after=0):
    return paragraph(
        [run(text, bold=bold, italic=italic, size=size)],
        align="center",
        first_line_cm=0,
        after_pt=after,
        line=1.0,
    )


def _rule(width_cm: float, column_cm: float):
    """The short rule under a heading line: an empty paragraph's bottom border, indented both sides."""
    side = max(0.0, (column_cm - width_cm) / 2)
    rule = paragraph(
        align="center", first_line_cm=0, after_pt=4, line=0.4, border_bottom=True, left_cm=side, right_cm=side
    )
    return rule


NATIONAL_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Word groups a name must not be broken inside, and the place name at its end (two syllables).
_KEEP_TOGETHER = (
    "CÔNG ĐOÀN",
    "LIÊN ĐOÀN",
    "LAO ĐỘNG",
    "KHU CÔNG NGHIỆP",
    "CÔNG NGHIỆP",
    "CÔNG TY",
    "CỔ PHẦN",
    "CƠ SỞ",
    "VIÊN CHỨC",
    "THÀNH PHỐ",
    "TRÁCH NHIỆM HỮU HẠN",
)
LEFT_CM, RIGHT_CM = 6.8, 9.2  # the portrait text width (16 cm), as the two header columns share it


def name_lines(name: str, max_chars: int) -> list[str]:
    """A unit's name in capitals, broken into lines of at most ``max_chars`` where it can be,
    never inside a word group ("CÔNG ĐOÀN", "KHU CÔNG NGHIỆP", the closing place name), with the
    lines as even as they can be."""
    words = name.upper().split()
    if len(" ".join(words)) <= max_chars or len(words) < 2:
        return [" ".join(words)]
    text = " ".join(words)
    protected = set()
    for group in _KEEP_TOGETHER:
        start = text.find(group)
        while start >= 0:
            for offset in range(start + 1, start + len(group)):
                protected.add(offset)
            start = text.find(group, start + 1)
    # The last two words are usually a place ("BÌNH AN"): kept together.
    protected.update(range(len(text) - len(words[-1]) - 1 - len(words[-2]), len(text)))
    cuts = [i for i, ch in enumerate(text) if ch == " " and i not in protected] or [
        i for i, ch in enumerate(text) if ch == " "
    ]

    def split(part: str, offset: int) -> list[str]:
        if len(part) <= max_chars:
            return [part]
        inside = [c - offset for c in cuts if offset < c < offset + len(part)]
        if not inside:
            return [part]
        best = min(inside, key=lambda c: max(c, len(part) - c - 1) + (0 if c <= max_chars else 100))
        return [*split(part[:best], offset), *split(part[best + 1 :], offset + best + 1)]

    return split(text, 0)


def _lines_paragraph(lines, *, bold=False, size=13, after=0):
    runs = []
    for n, line in enumerate(lines):
        if n:
            br = el("w:r")
            el("w:br", parent=br)
            runs.append(br)
        runs.append(run(line, bold=bold, size=size))
    return paragraph(runs, align="center", first_line_cm=0, after_pt=after, line=1.0)


def header_block(fields: dict, date) -> object:
    """Nghị định 30/2020, Phụ lục I: on the left the superior body, the issuing unit in bold with a
    short rule under it; on the right the national motto (or the round's own heading) with its rule;
    then, on one line, "Số: …/BC-…" on the left and the place and date in italics on the right.
    Names and number as printed on submission."""
    top_left = []
    if fields["superior"]:
        top_left.append(_lines_paragraph(name_lines(fields["superior"], 24), size=13))
    top_left.append(_lines_paragraph(name_lines(fields["unit"], 22), bold=True, size=13))
    top_left.append(_rule(2.2, LEFT_CM))
    heading = fields["heading"]
    if heading:
        top_right = [_centered(heading.upper(), bold=True, size=13)]
    else:
        top_right = [_centered(NATIONAL_MOTTO[0], bold=True, size=12), _centered(NATIONAL_MOTTO[1], bold=True, size=13)]
    top_right.append(_rule(4.2, RIGHT_CM))
    number = [_centered(_("No.: %(number)s") % {"number": fields["number"]}, size=13)]
    place = [_centered(vietnamese_date(date, fields["place"]), italic=True, size=13)]
    return _borderless_table([[top_left, top_right], [number, place]], [LEFT_CM, RIGHT_CM])


def closing_block(fields: dict):
    """ "Nơi nhận:" and its list on the left, ending "- Lưu: VT, …"; on the right the signing
    authority ("TM. BAN CHẤP HÀNH", "KT. CHỦ TỊCH"…), the position, room to sign, the name. One row
    that never splits across pages."""
    left = [
        paragraph(
            [run(_("Recipients:"), bold=True, italic=True, size=12)],
            align="left",
            first_line_cm=0,
            after_pt=0,
            line=1.0,
        )
    ]
    for line in fields["recipients"]:
        left.append(text_paragraph(f"- {line};", size=11, align="left", first_line_cm=0, after_pt=0, line=1.0))
    left.append(
        text_paragraph(
            _("- Filed: %(filed)s.") % {"filed": (fields["filed"] or "VT").rstrip(".")},
            size=11,
            align="left",
            first_line_cm=0,
            after_pt=0,
            line=1.0,
        )
    )
    right = []
    if fields["signing_authority"]:
        right.append(_centered(fields["signing_authority"].upper(), bold=True, size=13))
    right.append(_centered((fields["signer_title"] or _("CHAIR")).upper(), bold=True, size=13, after=66))
    right.append(_centered(fields["signer_name"] or "", bold=True, size=14))
    return _borderless_table([[left, right]], [LEFT_CM, RIGHT_CM])


def heading_elements(node: OutlineNode, fill: str, *, followed=True) -> list:
    """The outline's headings as it numbers and words them, blanks filled from the unit and round.
    A heading is kept with what follows it, unless nothing does (an empty section): a run of empty
    headings kept together would push itself onto the next page."""
    text = node.heading_filled(fill)
    # In Word's heading styles, so that the navigation pane and a table of contents show them.
    if node.kind == NodeKind.PART:
        return [_styled(_centered(text, bold=True, size=14, after=0), "Heading1")]
    if node.kind == NodeKind.PART_HEADING:
        return [_centered(text, bold=True, size=14, after=6)]
    if node.kind == NodeKind.SECTION:
        return [_styled(text_paragraph(text, bold=True, keep_next=followed, before_pt=6), "Heading2")]
    if node.kind == NodeKind.ITEM:
        return [_styled(text_paragraph(text, bold=True, keep_next=followed), "Heading3")]
    return []


def _title(builder, nodes, fill):
    builder.add(
        paragraph(
            [run(_("REPORT"), bold=True, size=14)],
            align="center",
            first_line_cm=0,
            before_pt=12,
            after_pt=0,
            line=1.0,
        )
    )
    summary = next((n for n in nodes if n.kind == NodeKind.SUMMARY), None)
    if summary:
        builder.add(
            paragraph(
                [run(summary.text_filled(fill), bold=True, size=14)],
                align="center",
                first_line_cm=0,
                after_pt=0,
                line=1.0,
            )
        )
    builder.add(_rule(3.0, 16.0), paragraph(after_pt=6, line=1.0))


def _body(builder, nodes, fill, texts: dict[str, str], *, guidance=False):
    for node in nodes:
        if node.kind in (NodeKind.TITLE, NodeKind.SUMMARY):
            continue
        if node.kind in (NodeKind.NOTE, NodeKind.CLOSING, NodeKind.GUIDANCE):
            if guidance:
                # The outline's own bullet ("- ") stays, as the seed writes it.
                text = node.text_filled(fill)
                if node.kind == NodeKind.GUIDANCE and node.raw.lstrip().startswith("- "):
                    text = f"- {text}"
                builder.add(text_paragraph(text, italic=True, size=13))
            continue
        body = html_to_elements(texts.get(node.key, "")) if node.is_writable and not guidance else []
        builder.add(*heading_elements(node, fill, followed=bool(body) or guidance or not node.is_writable))
        builder.add(*body)


# Landscape A4 less the side margins: the appendix table fills exactly this width.
LANDSCAPE_TEXT_CM = (297 - 32 - 18) / 10
# After a slash a line may break (Word and LibreOffice disagree on "/" otherwise): "triệu
# đồng/người/tháng" wraps between its words, never inside one.
_SLASH_BREAK = "/\u200b"


def _appendix_widths(years) -> list[float]:
    """No., indicator, unit, the typed columns, the result, three percentages: the indicator's name
    takes what the figures leave of the landscape text width."""
    # At 10 pt a figure of 1.234.567 needs 1,6 cm, a change of "+253,3%" 1,6 cm, a share "253,3%" 1,4 cm.
    typed = [1.65] * (len(years) + 3)
    fixed = [0.8, None, 2.0, *typed, 1.75, 1.5, 1.6, 1.6]
    name = LANDSCAPE_TEXT_CM - sum(w for w in fixed if w is not None)
    return [name if w is None else w for w in fixed]


def _ruled_table(widths_cm: list[float], *, cell_margin_mm: float | None = None):
    """An empty bordered table of fixed column widths (the appendix, the status table)."""
    tbl = el("w:tbl")
    tpr = el("w:tblPr", parent=tbl)
    el("w:tblW", {"w:w": int(sum(widths_cm) * 567), "w:type": "dxa"}, tpr)
    borders = el("w:tblBorders", parent=tpr)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el(f"w:{side}", {"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": "000000"}, borders)
    el("w:tblLayout", {"w:type": "fixed"}, tpr)
    if cell_margin_mm is not None:
        margins = el("w:tblCellMar", parent=tpr)
        for side in ("left", "right"):
            el(f"w:{side}", {"w:w": int(cell_margin_mm * 56.7), "w:type": "dxa"}, margins)
    grid = el("w:tblGrid", parent=tbl)
    for width in widths_cm:
        el("w:gridCol", {"w:w": int(width * 567)}, grid)
    return tbl


def _table_row(tbl, *, header=False):
    """A row that never splits across pages; a header row repeats on every page."""
    tr = el("w:tr", parent=tbl)
    trpr = el("w:trPr", parent=tr)
    el("w:cantSplit", parent=trpr)
    if header:
        el("w:tblHeader", parent=trpr)
    return tr


def _appendix_table(rows, *, size=10):
    """The appendix as a real Word table filling the landscape text width; its header row repeats
    on every page and no row splits across two. Figures as the page shows them."""
    years = rows[0].years if rows else []
    labels = [
        _("No."),
        _("Indicator"),
        _("Unit"),
        _("Resolution target"),
        _("Start of term"),
        *[str(y) for y in years],
        _("Previous term"),
        _("Mid-term result"),
        _("Share of target (%)"),
        _("Against start of term (%)"),
        _("Against previous term (%)"),
    ]
    widths = _appendix_widths(years)
    tbl = _ruled_table(widths, cell_margin_mm=1.0)  # narrow cell margins: figures keep their width

    def add_row(values, *, header=False):
        tr = _table_row(tbl, header=header)
        for index, value in enumerate(values):
            tc = el("w:tc", parent=tr)
            tcpr = el("w:tcPr", parent=tc)
            el("w:tcW", {"w:w": int(widths[index] * 567), "w:type": "dxa"}, tcpr)
            align = "center" if header or index in (0, 2) else ("left" if index == 1 else "right")
            lines = value if isinstance(value, list) else [(value, header, False)]
            runs = []
            for n, (text, bold, italic) in enumerate(lines):
                if n:
                    runs.append(el("w:r", parent=None))
                    el("w:br", parent=runs[-1])
                runs.append(run(text, bold=bold, italic=italic, size=size))
            tc.append(paragraph(runs, align=align, first_line_cm=0, after_pt=0, line=1.0))

    add_row(labels, header=True)
    for number, row in enumerate(rows, 1):
        cmp = row.comparisons
        name = [(row.indicator.name, False, False)]
        if row.is_cumulative:
            name.append((f"({row.result_label})", False, True))
        add_row(
            [
                str(number),
                name,
                row.indicator.unit_of_measure.replace("/", _SLASH_BREAK),
                *[row.shown(row.value(c)) for c in row.columns],
                row.shown_result,
                cmp["pct"],
                cmp["csp"],
                cmp["cpp"],
            ]
        )
    return tbl


def _appendix_notes(rows) -> list:
    """The notes and the explanations (giải trình) of unusual figures, numbered as the table."""
    out = []
    for number, row in enumerate(rows, 1):
        parts = []
        if row.note:
            parts.append(row.note)
        if row.explanation:
            parts.append(_("Explanation: %(text)s") % {"text": row.explanation})
        if parts:
            out.append(
                paragraph(
                    [run(f"{number}. {row.indicator.name}: ", bold=True, size=11), run(" ".join(parts), size=11)],
                    align="both",
                    first_line_cm=0,
                    after_pt=2,
                    line=1.0,
                )
            )
    if out:
        heading = paragraph(
            [run(_("Notes and explanations"), bold=True, italic=True, size=12)],
            align="left",
            first_line_cm=0,
            before_pt=6,
            after_pt=2,
            line=1.0,
            keep_next=True,
        )
        out.insert(0, heading)
    return out


def _appendix(builder, rows, title_suffix: str):
    builder.section_break("landscape")
    for text, bold, italic, size, after in (
        (_("APPENDIX"), True, False, 14, 0),
        (_("RESULTS ON THE TARGETS"), True, False, 14, 0),
        (title_suffix, False, True, 13, 6),
    ):
        builder.add(
            paragraph(
                [run(text, bold=bold, italic=italic, size=size)],
                align="center",
                first_line_cm=0,
                after_pt=after,
                line=1.0,
                keep_next=True,
            )
        )
    builder.add(_appendix_table(rows))
    builder.add(*_appendix_notes(rows))


def _document_title(nodes, fill) -> str:
    """ "Báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội …": the file's title."""
    summary = next((n for n in nodes if n.kind == NodeKind.SUMMARY), None)
    text = summary.text_filled(fill) if summary else ""
    return f"{_('Report')}: {text}".strip(": ")


def build_report_docx(doc: ReportDocument) -> bytes:
    """One unit's report (exports.selectors.report_document): header block, BÁO CÁO and its summary
    line, the outline's headings with the unit's texts, the closing block, then the appendix in a
    landscape section."""
    fields, nodes = doc.fields, doc.nodes
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    builder.set_properties(title=_document_title(nodes, fill), author=fields["unit"])
    builder.add(header_block(fields, doc.date))
    _title(builder, nodes, fill)
    _body(builder, nodes, fill, doc.texts)
    builder.add_closing(closing_block(fields))
    if doc.rows:
        _appendix(builder, doc.rows, _("(Attached to the report of %(unit)s)") % {"unit": fields["unit"]})
    return builder.save()


def build_outline_docx(doc: ReportDocument) -> bytes:
    """The outline as a blank document for offline drafting (exports.selectors.outline_document): every
    heading, the guidance in italics, the appendix to fill in by hand."""
    fields, nodes = doc.fields, doc.nodes
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    builder.set_properties(title=_document_title(nodes, fill), author=fields["unit"])
    builder.add(header_block(fields, doc.date))
    _title(builder, nodes, fill)
    _body(builder, nodes, fill, {}, guidance=True)
    builder.add_closing(closing_block(fields))
    if doc.rows:
        _appendix(builder, doc.rows, _("(To fill in: the figures of %(unit)s)") % {"unit": fields["unit"]})
    return builder.save()


CONSOLIDATED_PARTS = ("full", "report", "annex")


def _status_words(unit_report: UnitReport) -> str:
    """ "Đã nộp 05/12/2020", "Đã duyệt 10/12/2020", "Bị trả lại", "Đang soạn", "Chưa bắt đầu"."""
    label = unit_report.status_label
    if unit_report.status == ReportStatus.APPROVED and unit_report.approved_at:
        return f"{label} {timezone.localtime(unit_report.approved_at):%d/%m/%Y}"
    if unit_report.status == ReportStatus.SUBMITTED and unit_report.submitted_at:
        return f"{label} {timezone.localtime(unit_report.submitted_at):%d/%m/%Y}"
    return label


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}" if moment else ""


# No., unit, code, status, submitted, approved (cm), at 10 pt: a code "CDCS-CKDA" needs 2,8 cm,
# "Chưa bắt đầu" 2,6 cm, a date "01/12/2026" 2,2 cm.
STATUS_WIDTHS = [1.0, 4.8, 2.9, 2.7, 2.3, 2.3]


def _status_table(unit_reports: list[UnitReport], *, size=10) -> str:
    """Every unit below and where its report stands, under the superior union it belongs to. Written as
    a string (a province's thousands of rows cost seconds as elements); the bytes of the elements."""
    widths = STATUS_WIDTHS
    labels = [_("No."), pgettext("organisation", "Unit"), _("Code"), _("Status"), _("Submitted"), _("Approved")]
    parts = [xml_of(_ruled_table(widths)).removesuffix("</w:tbl>")]

    def add_row(values, *, header=False, group=False):
        parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else _ROW_START)
        spans = [len(widths)] if group else [1] * len(values)
        for index, (value, span) in enumerate(zip(values, spans, strict=True)):
            width = sum(widths) if group else widths[index]
            span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(width * 567)}" w:type="dxa"/>{span_xml}</w:tcPr>')
            parts.append(
                paragraph_xml(
                    [run_xml(value, bold=header or group, italic=group, size=size)],
                    align="left" if group or index == 1 else "center",
                    first_line_cm=0,
                    after_pt=0,
                    line=1.0,
                )
            )
            parts.append("</w:tc>")
        parts.append("</w:tr>")

    add_row(labels, header=True)
    group = object()
    for number, unit_report in enumerate(unit_reports, 1):
        parent = unit_report.superior
        if parent != group:
            group = parent
            add_row([parent or "—"], group=True)
        add_row(
            [
                str(number),
                unit_report.name,
                unit_report.code.replace("-", "\u2011"),  # a code never breaks at its hyphen
                unit_report.status_label,
                _when(unit_report.submitted_at) if unit_report.status != ReportStatus.NOT_STARTED else "",
                _when(unit_report.approved_at) if unit_report.status == ReportStatus.APPROVED else "",
            ]
        )
    parts.append("</w:tbl>")
    return "".join(parts)


_ROW_START = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"


def _styled(p, style_id: str):
    """Give a paragraph a Word style (Heading 1–3): the navigation pane and a table of contents see it."""
    p.find(qn("w:pPr")).insert(0, el("w:pStyle", {"w:val": style_id}))
    return p


def _annex(builder, data: Consolidated, nodes, fill, progress, with_status_table):
    """What every unit below wrote, grouped by the outline's headings with their full numbering
    (PHẦN THỨ NHẤT / II. / 3.) in Word heading styles; each unit by name, code and status, drafts
    marked "BẢN NHÁP – chưa nộp". Its cover says whose texts it holds, and lists every unit."""
    unit_reports, include_drafts = data.units, data.include_drafts
    counted = data.counted
    submitted = [r for r in counted if r.status in DEFAULT_ROLLUP_STATUSES]
    builder.add(
        _styled(
            paragraph(
                [run(_("ANNEX: WHAT THE UNITS WROTE"), bold=True, size=14)],
                align="center",
                first_line_cm=0,
                after_pt=6,
                line=1.0,
            ),
            "Heading1",
        )
    )
    builder.add(_centered(fill, italic=True, size=13, after=6))
    rule = _(
        "This annex holds what the %(counted)s of %(total)s grassroots unions whose report was submitted or "
        "approved wrote; the figures of the appendix count the same reports. Reports not submitted are not included."
    ) % {"counted": len(submitted), "total": len(unit_reports)}
    if include_drafts:
        rule = _(
            "This annex holds what the %(counted)s of %(total)s grassroots unions whose report was submitted or "
            "approved wrote, and the drafts of %(drafts)s more, each marked “BẢN NHÁP – chưa nộp”; the figures of the "
            "appendix count the same reports."
        ) % {"counted": len(submitted), "total": len(unit_reports), "drafts": len(counted) - len(submitted)}
    builder.add(text_paragraph(rule, size=13))
    if with_status_table:
        builder.add(text_paragraph(_("Where each unit's report stands:"), bold=True, size=13, keep_next=True))
        builder.add_xml([_status_table(unit_reports)])
        builder.add(paragraph(after_pt=6))
    else:
        builder.add(text_paragraph(_("Where each unit's report stands is in the table before this annex."), size=13))

    by_pk = {n.pk: n for n in nodes}
    writable = [n for n in nodes if n.is_writable]
    position = {n.key: i for i, n in enumerate(writable)}
    order = {r.pk: i for i, r in enumerate(sorted(counted, key=lambda r: vietnamese_sort_key(r.name)))}
    reports_by_pk = {r.pk: r for r in counted}
    # The texts come in the outline's order (exports.selectors): one section's texts at a time are held,
    # sorted by unit, written and dropped.
    groups = itertools.groupby(data.texts, key=lambda text: text[0])
    group = next(groups, None)
    total = len(writable) + 1
    done = 0
    shown = set()
    styles = {NodeKind.PART: "Heading1", NodeKind.SECTION: "Heading2", NodeKind.ITEM: "Heading3"}
    for node in writable:
        chain = []
        cursor = node
        while cursor is not None:
            chain.append(cursor)
            cursor = by_pk.get(cursor.parent_id)
        for ancestor in reversed(chain):
            if ancestor.pk in shown or ancestor.kind not in styles:
                continue
            shown.add(ancestor.pk)
            align = "center" if ancestor.kind == NodeKind.PART else "both"
            builder.add(
                _styled(
                    paragraph(
                        [run(ancestor.heading_filled(fill), bold=True, size=14)],
                        align=align,
                        first_line_cm=0 if ancestor.kind == NodeKind.PART else 1.27,
                        before_pt=6,
                        after_pt=6,
                        line=1.15,
                        keep_next=True,
                    ),
                    styles[ancestor.kind],
                )
            )
        # Texts of a section this outline lacks (or has already passed) are not printed, as before.
        while group is not None and position.get(group[0], -1) < position[node.key]:
            group = next(groups, None)
        entries = []
        if group is not None and group[0] == node.key:
            entries = sorted(
                ((reports_by_pk[report_id], content) for _key, content, report_id in group[1]),
                key=lambda e: order[e[0].pk],
            )
            group = next(groups, None)
        if not entries:
            builder.add(text_paragraph(_("(No unit wrote this section.)"), italic=True, size=13))
        for unit_report, content in entries:
            label = [
                run_xml(
                    f"{unit_report.name} ({unit_report.code}) – {_status_words(unit_report)}",
                    bold=True,
                    italic=True,
                    size=13,
                )
            ]
            if unit_report.status not in DEFAULT_ROLLUP_STATUSES:
                label.append(run_xml(" – BẢN NHÁP – chưa nộp", bold=True, size=13))
            label_xml = paragraph_xml(label, align="left", first_line_cm=0, after_pt=3, line=1.15, keep_next=True)
            builder.add_xml([label_xml, *html_to_xml(content, size=13)])
        done += 1
        if progress:
            progress(done, total)
    return total


def build_consolidated_docx(data: Consolidated, *, part: str = "full", progress: Progress | None = None) -> bytes:
    """A superior union's consolidated report.

    ``part`` "report": its own report as written, the roll-up of its units' appendices and where each
    unit's report stands; "annex": what every unit below wrote, by heading, as a file of its own;
    "full": both. Only submitted and approved reports count, in the texts and in the figures alike;
    ``data.include_drafts`` adds the others, each marked as a draft (exports.selectors.consolidated)."""
    if part not in CONSOLIDATED_PARTS:
        raise ValueError(part)
    include_drafts = data.include_drafts
    doc = data.document
    nodes = doc.nodes
    fields = doc.fields
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    title = _document_title(nodes, fill)
    builder.set_properties(
        title=title if part != "annex" else f"{_('Annex: what the units wrote')} – {fill}", author=fields["unit"]
    )
    total = 1
    if part in ("full", "report"):
        totals = data.rollup
        builder.add(header_block(fields, doc.date))
        _title(builder, nodes, fill)
        _body(builder, nodes, fill, doc.texts)
        builder.add_closing(closing_block(fields))
        if totals.rows:
            counted = totals.counted
            suffix = _("Roll-up of %(counted)s of %(total)s grassroots unions below %(unit)s") % {
                "counted": counted,
                "total": totals.total,
                "unit": fields["unit"],
            }
            suffix += " — " + (
                _("submitted and approved reports, and the drafts of units that have not submitted")
                if include_drafts
                else _("submitted and approved reports only")
            )
            _appendix(builder, totals.rows, suffix)
        builder.section_break("portrait")
        builder.add(
            _styled(
                paragraph(
                    [run(_("WHERE EACH UNIT'S REPORT STANDS"), bold=True, size=14)],
                    align="center",
                    first_line_cm=0,
                    after_pt=6,
                    line=1.0,
                    keep_next=True,
                ),
                "Heading1",
            )
        )
        builder.add_xml([_status_table(data.units)])
    if part == "full":
        builder.page_break()
    if part in ("full", "annex"):
        if part == "annex":
            builder.add(header_block(fields, doc.date))
        total = _annex(builder, data, nodes, fill, progress, part == "annex")
    data = builder.save()
    if progress:
        progress(total, total)
    return data
