"""WordprocessingML pieces: runs and paragraphs in the house style (Times New Roman, justified,
first-line indent, 6 pt after, 1.15 lines), as lxml elements or as the strings lxml writes for them.

Built straight into elements, not through python-docx's add_paragraph, which rescans the body on every
call (quadratic on large documents): the builders append elements and attach them to the body once. Each
set of properties is built once and copied (most of the cost of a run); the strings are for the parts
written in bulk (section texts, status tables), byte for byte the elements' serialisation."""

import copy
import functools
import re

from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from lxml import etree

from .page import BODY_PT, FONT, TWIPS_PER_CM


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


# Parts written in bulk are strings, not elements: building, copying and serialising one lxml element
# per run was three quarters of a 10,000-unit annex (issue 11). The strings are the bytes lxml writes for
# the same elements (tests/documents/test_wordml.py holds them equal).
_W_DECLARATION = f' xmlns:w="{nsmap["w"]}"'
# What lxml refuses in text (XML 1.0 characters): the same error, rather than a broken document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
