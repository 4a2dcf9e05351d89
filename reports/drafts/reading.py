"""Read a Word file (.docx) into blocks of the editor's HTML.

Bounded before anything is parsed: the upload handler refuses files over UPLOAD_MAX_BYTES; the zip is
checked by outline.reading.check_docx_zip (members, unpacked size, ratio); no part may declare a DTD
or an entity (Word never writes one: it is how XML bombs start); the document part is bounded in size
and in paragraphs before mammoth reads it, and what mammoth makes must pass the site's HTML limits
(core.richtext.check_html_limits: size, depth, elements) before it is parsed again here."""

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from html import escape

import mammoth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from lxml import html as lxml_html

from core.richtext import MAX_ELEMENTS, MAX_INPUT_CHARS, check_html_limits
from core.text import format_number, nfc
from outline.reading import OutlineFileRefused, check_docx_zip

log = logging.getLogger(__name__)

# mammoth's reading costs by the element: 19,000 short paragraphs took 8 s of CPU on a busy machine.
# A report of a hundred pages has 1,500–3,000 paragraphs and a document part of 1–2 MB; past these, a
# file is refused before mammoth reads it (a few seconds at most), and so is one whose text alone
# would make more HTML than the site's limits take.
DOCUMENT_MAX_BYTES = 4 * 1024 * 1024
MAX_PARAGRAPHS = 8_000

# Underline is not in mammoth's default map; the editor has it. Word's "Title" and "Subtitle" are
# headings of the file, not body text.
STYLE_MAP = """
u => u
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => h2:fresh
"""

# A paragraph typed as a list item: Word's symbol bullet (pasted or kept as text), a middle dot, a
# bullet, a dash or a plus, then a space or a tab.
BULLET = re.compile(r"^\s*([·•\-+–\uf0b7\uf0a7▪●◦])[\s\u00a0]+")

UNSUPPORTED_KINDS = {
    "images": gettext_lazy("images"),
    "text_boxes": gettext_lazy("text boxes (their text is kept)"),
    "comments": gettext_lazy("comments in the margin"),
    "tracked_changes": gettext_lazy("tracked changes (the accepted text is kept)"),
    "footnotes": gettext_lazy("footnotes (their text follows its paragraph)"),
}


class DraftRefused(Exception):
    """The file cannot be read as a report's draft; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Block:
    """One paragraph, heading, list item or table of the file, in the editor's HTML."""

    kind: str  # "heading", "para", "item", "table"
    html: str  # inner HTML (a table: the whole table)
    text: str
    level: int = 0  # a heading's level (1–6)
    list_type: str = ""  # an item's list: "ul" or "ol"
    depth: int = 0  # an item's nesting (a "+" under a "-")
    bold: bool = False  # the whole paragraph is bold
    bullet: str = ""  # the typed bullet a paragraph started with


@dataclass
class Draft:
    blocks: list[Block]
    unsupported: dict[str, int] = field(default_factory=dict)

    def unsupported_words(self) -> list[str]:
        """What the file had that the editor cannot hold, by kind and count, in words."""
        return [f"{format_number(n)} {UNSUPPORTED_KINDS[kind]}" for kind, n in self.unsupported.items() if n]


def _refuse_doc():
    return DraftRefused(
        _(
            "This is an old Word file (.doc), which cannot be read. Open it in Word, choose File › Save As, "
            "pick “Word Document (*.docx)” and upload the new file."
        )
    )


# Word nests a table in a cell a few levels at most; each level is four levels of HTML (table, row,
# cell, paragraph), so past this the site's depth limit would refuse the text anyway, after the work.
MAX_TABLE_DEPTH = 8
_TABLE_TAG = re.compile(rb"<(/?)w:tbl[\s>]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PARAGRAPH = re.compile(rb"<w:p[\s>/]")
_CELL = re.compile(rb"<w:(?:tc|tr|tbl)[\s>]")
# Bold, italic, underline: each formatted run makes an element (<strong>, <em>, <u>) that the site's
# element count (core.richtext.check_html_limits) counts again at the tag closing it.
_FORMAT = re.compile(rb"<w:(?:b|i|u)[\s/]")
_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def _count(body: bytes, *patterns: bytes) -> int:
    return max(body.count(p) for p in patterns)


def _inspect(data: bytes) -> dict[str, int]:
    """Refuse what the zip checks do not see (declared entities, a swollen document part), and count
    what the editor cannot hold. Raises DraftRefused."""
    try:
        check_docx_zip(data, too_large=_("The file is refused: once opened it would be far larger than a report."))
    except OutlineFileRefused as exc:
        raise DraftRefused(exc.message) from None
    too_large = _("The file is refused: its text is far longer than a report (split it into several files).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = b""
            for member in archive.infolist():
                if not member.filename.lower().endswith((".xml", ".rels")):
                    continue
                body = archive.read(member)
                if _DTD.search(body):
                    raise DraftRefused(_("The file is refused: it declares XML entities, which Word never writes."))
                if member.filename == "word/document.xml":
                    document = body
    except DraftRefused:
        raise
    except Exception:
        raise DraftRefused(_("The file could not be read as a Word document.")) from None
    if len(document) > DOCUMENT_MAX_BYTES:
        raise DraftRefused(too_large)
    paragraphs = len(_PARAGRAPH.findall(document))
    elements = paragraphs + len(_CELL.findall(document)) + 2 * len(_FORMAT.findall(document))
    # What the HTML will at least hold: the text, and a tag or two around each element.
    chars = sum(len(t) for t in _TEXT.findall(document)) + 7 * elements
    if paragraphs > MAX_PARAGRAPHS or elements > MAX_ELEMENTS or chars > MAX_INPUT_CHARS:
        raise DraftRefused(too_large)
    depth = deepest = 0
    for match in _TABLE_TAG.finditer(document):
        depth += -1 if match.group(1) else 1
        deepest = max(deepest, depth)
    if deepest > MAX_TABLE_DEPTH:
        raise DraftRefused(
            _("The file is refused: it has tables nested %(depth)s deep (at most %(limit)s). Simplify them in Word.")
            % {"depth": deepest, "limit": MAX_TABLE_DEPTH}
        )
    return {
        # A drawing is written twice (for new and old Word): count the larger of the two forms.
        "images": _count(document, b"<pic:pic", b"<v:imagedata"),
        "text_boxes": _count(document, b"<wps:txbx", b"<v:textbox"),
        "comments": document.count(b"<w:commentReference"),
        "tracked_changes": sum(document.count(t) for t in (b"<w:ins ", b"<w:del ", b"<w:moveFrom ", b"<w:moveTo ")),
        "footnotes": document.count(b"<w:footnoteReference") + document.count(b"<w:endnoteReference"),
    }


def _no_image(image):
    return {}  # the editor holds no images: counted and listed instead


def to_html(data: bytes) -> tuple[str, dict[str, int]]:
    """The file as one HTML text (mammoth) and what it had that the editor cannot hold."""
    unsupported = _inspect(data)
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            convert_image=mammoth.images.img_element(_no_image),
            ignore_empty_paragraphs=True,
        )
    except Exception:
        # A damaged file fails in many ways inside mammoth and the XML parser: the user's file, not a bug.
        log.info("unreadable draft upload", exc_info=True)
        raise DraftRefused(_("The file could not be read as a Word document.")) from None
    text = nfc(result.value)
    try:
        check_html_limits(text)
    except ValidationError as exc:
        raise DraftRefused(" ".join(exc.messages)) from None
    return text, unsupported


def _inner_html(element) -> str:
    parts = [etree.tostring(child, encoding=str, method="html", with_tail=True) for child in element]
    lead = element.text or ""
    return escape(lead, quote=False) + "".join(parts)


def _words(element) -> str:
    return " ".join(element.text_content().replace("\u00a0", " ").split())


def _strip_lead(element, pattern) -> str:
    """Remove ``pattern`` from the start of the element's first text; returns what was removed."""
    node = element
    while node is not None:
        if node.text and node.text.strip():
            match = pattern.match(node.text)
            if not match:
                return ""
            node.text = node.text[match.end() :]
            return match.group(1)
        node = node[0] if len(node) else None
    return ""


def _all_bold(element) -> bool:
    """The paragraph's every word is inside <strong> (a heading typed as a bold paragraph)."""
    text = _words(element)
    if not text:
        return False
    bold = " ".join(" ".join(s.text_content().split()) for s in element.iter("strong"))
    return len(bold.replace(" ", "")) >= len(text.replace(" ", ""))


def _footnotes(root) -> dict[str, str]:
    """Take mammoth's closing list of notes out of the document: note id → its text."""
    notes = {}
    for ol in root.findall("ol"):
        items = ol.findall("li")
        if items and all((li.get("id") or "").startswith(("footnote-", "endnote-")) for li in items):
            for li in items:
                for back in list(li.iter("a")):
                    back.drop_tree()  # mammoth's "↑" back to the reference
                notes[li.get("id")] = _words(li)
            root.remove(ol)
    return notes


def _note_refs(element, notes) -> list[str]:
    """Replace note references in ``element`` by "[n]"; the notes' texts, to follow the paragraph."""
    texts = []
    for sup in list(element.iter("sup")):
        link = sup.find("a")
        if link is None or not (link.get("href") or "").startswith("#"):
            continue
        note = notes.get(link.get("href")[1:])
        if note is None:
            continue
        label = link.text_content().strip() or f"[{len(texts) + 1}]"
        sup.clear(keep_tail=True)
        sup.tag = "span"
        sup.text = label
        texts.append(f"{label} {note}")
    return texts


def blocks_from_html(text: str) -> list[Block]:
    """The file's HTML as blocks in order: headings, paragraphs, list items (typed bullets made
    list items), tables."""
    root = lxml_html.fragment_fromstring(text, create_parent="div") if text.strip() else None
    if root is None:
        return []
    notes = _footnotes(root)
    blocks: list[Block] = []

    def note_blocks(element):
        for note in _note_refs(element, notes):
            blocks.append(Block(kind="para", html=f"<em>{_escape(note)}</em>", text=note))

    for element in root:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            texts = _note_refs(element, notes)
            blocks.append(Block(kind="heading", html=_inner_html(element), text=_words(element), level=int(tag[1])))
            blocks.extend(Block(kind="para", html=f"<em>{_escape(n)}</em>", text=n) for n in texts)
        elif tag in ("ul", "ol"):
            _list_blocks(element, tag, blocks, notes)
        elif tag == "table":
            note_blocks(element)
            blocks.append(
                Block(kind="table", html=etree.tostring(element, encoding=str, method="html"), text=_words(element))
            )
        elif tag == "p":
            texts = _note_refs(element, notes)
            words = _words(element)
            if words or element.find(".//br") is not None:
                bullet = _strip_lead(element, BULLET)
                if bullet:
                    blocks.append(
                        Block(
                            kind="item", html=_inner_html(element), text=_words(element), list_type="ul", bullet=bullet
                        )
                    )
                else:
                    blocks.append(Block(kind="para", html=_inner_html(element), text=words, bold=_all_bold(element)))
            blocks.extend(Block(kind="para", html=f"<em>{_escape(n)}</em>", text=n) for n in texts)
        elif tag:
            words = _words(element)
            if words:
                blocks.append(Block(kind="para", html=_escape(words), text=words))
    _nest_plus(blocks)
    return blocks


def _escape(text: str) -> str:
    return escape(text, quote=False)


def _list_blocks(element, tag, blocks, notes):
    for li in element.findall("li"):
        texts = _note_refs(li, notes)
        blocks.append(Block(kind="item", html=_inner_html(li), text=_words(li), list_type=tag))
        blocks.extend(Block(kind="para", html=f"<em>{_escape(n)}</em>", text=n) for n in texts)


def _nest_plus(blocks: list[Block]) -> None:
    """In Vietnamese documents "+" items are the points of the "-" item before them."""
    previous = None
    for block in blocks:
        if block.kind != "item" or not block.bullet:
            previous = None
            continue
        if block.bullet == "+" and previous is not None and (previous.bullet != "+" or previous.depth == 1):
            block.depth = 1
        previous = block


def read_draft(name: str, data: bytes) -> Draft:
    """An uploaded draft as blocks, by its name's kind: .docx read, .doc answered with how to save it
    as .docx, anything else refused. Raises DraftRefused, in words, having stored nothing."""
    lowered = (name or "").lower()
    if lowered.endswith(".doc") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse_doc()
    if not lowered.endswith(".docx"):
        raise DraftRefused(_("Upload the draft as a Word file (.docx)."))
    text, unsupported = to_html(data)
    try:
        blocks = blocks_from_html(text)
    except Exception:
        log.info("unreadable draft html", exc_info=True)
        raise DraftRefused(_("The file could not be read as a Word document.")) from None
    if not blocks:
        raise DraftRefused(_("The file has no text."))
    return Draft(blocks=blocks, unsupported=unsupported)
