"""Turn an outline text file (the seed's layout) into a tree of nodes, keeping every line exact."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import PLACEHOLDERS, placeholders_unknown

_PART = re.compile(r"^PHẦN THỨ\s+\S+")
_SECTION = re.compile(r"^(?P<number>[IVXLC]+)\.\s+(?P<text>.+)$")
_ITEM = re.compile(r"^(?P<number>\d+)\.\s+(?P<text>.+)$")
_BULLET = re.compile(r"^-\s*(?P<text>.+)$")
_OPTIONAL = "(nếu có)"


@dataclass
class ParsedNode:
    key: str
    kind: str
    number: str
    text: str
    raw: str
    line_no: int
    parent_key: str | None
    position: int = 0
    is_writable: bool = False
    is_required: bool = False
    children: list["ParsedNode"] = field(default_factory=list, repr=False)


class OutlineFormatError(ValueError):
    """The text cannot be an outline; ``line`` is the 1-based line at fault, or None."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message, self.line = message, line


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def parse_outline(source: str) -> list[ParsedNode]:
    """Parse the outline. Every non-blank line becomes exactly one node, in file order.

    Writable nodes: every numbered item, and every section that has no items of its own.
    A writable node is optional when its guidance says "(nếu có)".
    """
    source = unicodedata.normalize("NFC", source)
    lines = source.split("\n")
    if not any(line.strip() for line in lines):
        raise OutlineFormatError(_("The outline has no text."))
    last_content_line = max(i for i, line in enumerate(lines) if line.strip())
    nodes: list[ParsedNode] = []
    by_key: dict[str, ParsedNode] = {}
    part = section = item = None
    part_count = 0

    def add(key, kind, number, text, raw, line_no, parent):
        if key in by_key and kind == "summary":
            raise OutlineFormatError(
                _(
                    "Line %(line)s: before the first part (a line starting “PHẦN THỨ”) only the title and one "
                    "summary line may stand."
                )
                % {"line": line_no + 1},
                line=line_no + 1,
            )
        if key in by_key:
            raise OutlineFormatError(
                _("Line %(line)s: “%(text)s” repeats the number of line %(first)s under the same heading.")
                % {"line": line_no + 1, "text": _shortened(raw.strip()), "first": by_key[key].line_no + 1},
                line=line_no + 1,
            )
        node = ParsedNode(key, kind, number, text, raw, line_no, parent.key if parent else None)
        node.position = len(nodes)
        nodes.append(node)
        by_key[key] = node
        if parent:
            parent.children.append(node)
        return node

    def child_key(parent, prefix):
        return f"{parent.key}.{prefix}{sum(1 for c in parent.children if c.kind == kinds[prefix]) + 1}"

    kinds = {"g": "guidance", "n": "note", "h": "part_heading"}

    for line_no, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if not nodes:
            add("title", "title", "", line, raw, line_no, None)
            continue
        if part is None and not _PART.match(line):
            add("summary", "summary", "", line, raw, line_no, None)
            continue
        if _PART.match(line):
            part_count += 1
            part = add(f"p{part_count}", "part", "", line, raw, line_no, None)
            section = item = None
            continue
        if line_no == last_content_line and line.startswith("("):
            add("closing", "closing", "", line, raw, line_no, None)
            continue
        if match := _SECTION.match(line):
            section = add(
                f"{part.key}.{match['number']}",
                "section",
                match["number"],
                match["text"].strip(),
                raw,
                line_no,
                part,
            )
            item = None
            continue
        if match := _ITEM.match(line):
            parent = section or part
            item = add(
                f"{parent.key}.{match['number']}",
                "item",
                match["number"],
                match["text"].strip(),
                raw,
                line_no,
                parent,
            )
            continue
        if section is None and item is None:
            add(child_key(part, "h"), "part_heading", "", line, raw, line_no, part)
            continue
        if line.startswith("("):
            parent = section or item
            add(child_key(parent, "n"), "note", "", line, raw, line_no, parent)
            continue
        parent = item or section
        match = _BULLET.match(line)
        text = match["text"].strip() if match else line
        add(child_key(parent, "g"), "guidance", "", text, raw, line_no, parent)

    for node in nodes:
        has_items = any(c.kind == "item" for c in node.children)
        if node.kind == "item" or (node.kind == "section" and not has_items):
            node.is_writable = True
            node.is_required = not any(_OPTIONAL in c.text for c in node.children if c.kind == "guidance")
    return nodes


NUMBER_MAX_CHARS = 10  # OutlineNode.number


def roman(number: int) -> str:
    """I, II, … for the numbering a section is expected to have; bounded, as a section's number is."""
    if number > 3_999:
        raise ValueError(number)
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV")):
        while number >= value:
            out += letters
            number -= value
    return out + "I" * number


@dataclass
class OutlineCheck:
    """What stops an outline from being published (errors) and what looks wrong in it (warnings)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_outline(nodes: list[ParsedNode]) -> OutlineCheck:
    """Check a parsed outline before it is published: it has a part and something to write in, its
    numbers fit, and its sections (I, II, III…) and items (1, 2, 3…) follow each other."""
    result = OutlineCheck()
    if not any(n.kind == "part" for n in nodes):
        result.errors.append(_("No line starts with “PHẦN THỨ”: an outline has at least one part."))
    if not any(n.is_writable for n in nodes):
        result.errors.append(_("The outline has no numbered section or item to write in."))
    for node in nodes:
        if len(node.number) > NUMBER_MAX_CHARS:
            result.errors.append(
                _("Line %(line)s: the number “%(number)s” is too long.")
                % {"line": node.line_no + 1, "number": node.number}
            )
    for node in nodes:
        unknown = placeholders_unknown(node.raw)
        if unknown:
            result.errors.append(
                _("Line %(line)s: the site does not know %(names)s; the placeholders are %(known)s.")
                % {
                    "line": node.line_no + 1,
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                }
            )
    by_parent: dict[str | None, list[ParsedNode]] = {}
    for node in nodes:
        if node.kind in ("section", "item"):
            by_parent.setdefault(f"{node.parent_key}:{node.kind}", []).append(node)
    for siblings in by_parent.values():
        for expected, node in enumerate(siblings, 1):
            want = roman(expected) if node.kind == "section" else str(expected)
            if node.number != want:
                result.warnings.append(
                    _("Line %(line)s: “%(number)s.” where “%(expected)s.” was expected; check the numbering.")
                    % {"line": node.line_no + 1, "number": node.number, "expected": want}
                )
                break  # one warning per list: the rest follow from it
    return result


def fixture_objects(source: str, *, code: str, name: str) -> list[dict]:
    """The outline as Django fixture objects with natural keys (loading it twice changes nothing)."""
    source = unicodedata.normalize("NFC", source)
    objects = [
        {
            "model": "outline.outlineversion",
            "fields": {"code": code, "name": name, "source_text": source},
        }
    ]
    for node in parse_outline(source):
        objects.append(
            {
                "model": "outline.outlinenode",
                "fields": {
                    "version": [code],
                    "key": node.key,
                    "parent": [code, node.parent_key] if node.parent_key else None,
                    "kind": node.kind,
                    "number": node.number,
                    "text": node.text,
                    "raw": node.raw,
                    "line_no": node.line_no,
                    "position": node.position,
                    "is_writable": node.is_writable,
                    "is_required": node.is_required,
                },
            }
        )
    return objects
