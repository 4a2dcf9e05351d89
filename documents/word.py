"""The Word document builder: an A4 document in the house style (Normal and Heading 1–4 in Times New
Roman 14, black; Vietnamese as the language; page numbers in the top margin from page 2), its body
streamed to a spooled file as it is built; and the tables every document uses (a borderless layout
table, a ruled table of fixed widths)."""

import copy
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from .page import BODY_PT, FONT, HEADER_DISTANCE_MM, MARGINS_MM, PAGE_H_MM, PAGE_W_MM, TWIPS_PER_CM
from .wordml import el, paragraph, run

PAGE_W, PAGE_H = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
MARGINS = {side: Mm(mm) for side, mm in MARGINS_MM.items()}
DOCUMENT_PART = "word/document.xml"
# The serialised body stays in memory up to this size, then goes to a temporary file.
BODY_SPOOL_BYTES = 16 * 2**20
# The heading levels a document uses (a consolidated annex nests the outline's three under its title).
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4")


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
        normal.font.size = Pt(BODY_PT)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        normal.paragraph_format.space_after = Pt(6)
        # Headings in the body's font and colour (the template's are Calibri Light, blue).
        for name in HEADING_STYLES:
            style = self.document.styles[name]
            style.font.name = FONT
            style.font.size = Pt(BODY_PT)
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.italic = False  # the template's Heading 4 is italic
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
        """The file's properties: the unit, the title and today, not python-docx's template of 2013.
        A property holds at most 255 characters (python-docx refuses more): a longer title, which a
        unit's name of 255 characters makes, is cut at a word with "…"."""
        title, author = property_text(title), property_text(author)
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
        section.header_distance = Mm(HEADER_DISTANCE_MM)
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
        """Elements already written as WordprocessingML (documents.html_docx.html_to_xml): into the spool as they
        are, but the last, kept as an element like every last element (a break or block may change it)."""
        if not fragments:
            return
        self._flush()
        for fragment in fragments[:-1]:
            self._spool.write(fragment.encode())
        self.elements.append(fragments[-1])

    def write_table_xml(self, fragments: Iterable[str]):
        """A table already written as WordprocessingML, in pieces (a status table of a country's units,
        a row at a time): into the spool as they come, none held. Nothing is kept as the last element:
        a section break or closing block after it goes after it as after any table (a paragraph of
        its own), and the bytes are those ``add_xml`` would write for the whole string."""
        self._flush()
        for fragment in fragments:
            self._spool.write(fragment.encode())

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

    def save(self, out=None) -> bytes | None:
        """The .docx: python-docx's package, its word/document.xml holding the streamed body. Written to
        ``out`` (a binary file) when given, and None returned: a country's file is not held in memory
        twice (the zip being written, then its bytes)."""
        self._orient(self.final_sectpr, self.orientation)
        self._flush()
        self.add(self.final_sectpr)
        self._flush()
        # The package with an empty body: everything but the body, exactly as python-docx writes it.
        self.body.append(el("w:p"))
        package = io.BytesIO()
        self.document.save(package)
        head, tail = re.split(rb"<w:p/>", self._part(package, DOCUMENT_PART), maxsplit=1)
        target_file = io.BytesIO() if out is None else out
        with zipfile.ZipFile(package) as source, zipfile.ZipFile(target_file, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != DOCUMENT_PART:
                    target.writestr(info, source.read(info.filename))
                    continue
                body = zipfile.ZipInfo(DOCUMENT_PART, info.date_time)
                body.compress_type = zipfile.ZIP_DEFLATED
                # Its size said in advance: zipfile then writes no ZIP64 extra field (which pandoc and
                # other strict readers refuse) unless the part is near 4 GB.
                self._spool.seek(0, io.SEEK_END)
                body.file_size = len(head) + self._spool.tell() + len(tail)
                with target.open(body, "w") as part:
                    part.write(head)
                    self._spool.seek(0)
                    shutil.copyfileobj(self._spool, part, 2**20)
                    part.write(tail)
        self._spool.close()
        return target_file.getvalue() if out is None else None

    @staticmethod
    def _part(package, name) -> bytes:
        with zipfile.ZipFile(package) as z:
            return z.read(name)


PROPERTY_CHARS = 255


def property_text(text: str) -> str:
    """``text`` as a file property holds it: at most 255 characters, cut at a word with "…"."""
    if len(text) <= PROPERTY_CHARS:
        return text
    text = " ".join(text.split())
    cut = text[: PROPERTY_CHARS - 1]
    if " " in cut[PROPERTY_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def borderless_table(rows: list[list], widths_cm: list[float]):
    """A layout table without borders (header block, signature block): ``rows`` of cells, each a
    list of paragraphs. No row splits across two pages."""
    tbl = el("w:tbl")
    tpr = el("w:tblPr", parent=tbl)
    el("w:tblW", {"w:w": int(sum(widths_cm) * TWIPS_PER_CM), "w:type": "dxa"}, tpr)
    borders = el("w:tblBorders", parent=tpr)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el(f"w:{side}", {"w:val": "nil"}, borders)
    el("w:tblLayout", {"w:type": "fixed"}, tpr)
    margins = el("w:tblCellMar", parent=tpr)
    for side in ("left", "right"):
        el(f"w:{side}", {"w:w": 0, "w:type": "dxa"}, margins)
    grid = el("w:tblGrid", parent=tbl)
    for width in widths_cm:
        el("w:gridCol", {"w:w": int(width * TWIPS_PER_CM)}, grid)
    for cells in rows:
        tr = table_row(tbl)
        for width, content in zip(widths_cm, cells, strict=True):
            tc = el("w:tc", parent=tr)
            tcpr = el("w:tcPr", parent=tc)
            el("w:tcW", {"w:w": int(width * TWIPS_PER_CM), "w:type": "dxa"}, tcpr)
            for p in content or [paragraph()]:
                tc.append(p)
    return tbl


def centered(text, *, bold=False, italic=False, size=13, after=0, keep_next=False):
    return paragraph(
        [run(text, bold=bold, italic=italic, size=size)],
        align="center",
        first_line_cm=0,
        after_pt=after,
        line=1.0,
        keep_next=keep_next,
    )


def rule(width_cm: float, column_cm: float):
    """The short rule under a heading line: an empty paragraph's bottom border, indented both sides."""
    side = max(0.0, (column_cm - width_cm) / 2)
    rule = paragraph(
        align="center", first_line_cm=0, after_pt=4, line=0.4, border_bottom=True, left_cm=side, right_cm=side
    )
    return rule


def lines_paragraph(lines, *, bold=False, size=13, after=0):
    runs = []
    for n, line in enumerate(lines):
        if n:
            br = el("w:r")
            el("w:br", parent=br)
            runs.append(br)
        runs.append(run(line, bold=bold, size=size))
    return paragraph(runs, align="center", first_line_cm=0, after_pt=after, line=1.0)


def ruled_table(widths_cm: list[float], *, cell_margin_mm: float | None = None):
    """An empty bordered table of fixed column widths (the appendix, the status table)."""
    tbl = el("w:tbl")
    tpr = el("w:tblPr", parent=tbl)
    el("w:tblW", {"w:w": int(sum(widths_cm) * TWIPS_PER_CM), "w:type": "dxa"}, tpr)
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
        el("w:gridCol", {"w:w": int(width * TWIPS_PER_CM)}, grid)
    return tbl


def table_row(tbl, *, header=False):
    """A row that never splits across pages; a header row repeats on every page."""
    tr = el("w:tr", parent=tbl)
    trpr = el("w:trPr", parent=tr)
    el("w:cantSplit", parent=trpr)
    if header:
        el("w:tblHeader", parent=trpr)
    return tr


def styled(p, style_id: str):
    """Give a paragraph a Word style (Heading 1–4): the navigation pane and a table of contents see it."""
    p.find(qn("w:pPr")).insert(0, el("w:pStyle", {"w:val": style_id}))
    return p
