"""Structured edits of an outline's text: change one line's words, add a section, item or guidance
bullet after another, delete one, move one up or down. Each takes the text and gives the new text;
no model, no query. The text stays the one truth (what the text editor shows and what publishing
parses), so both editors write the same thing and the diff against the source version shows every edit.

After an addition, a move or a deletion the sections (I, II, III…) and items (1, 2, 3…) are numbered
again in their order, under each heading, as ``parsing.check_outline`` expects them."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import NodeKind
from .parsing import OutlineFormatError, ParsedNode, parse_outline, roman

# Lines that may be moved or deleted; the title, the summary and the closing note are edited only.
MOVABLE = {NodeKind.PART, NodeKind.PART_HEADING, NodeKind.SECTION, NodeKind.ITEM, NodeKind.GUIDANCE, NodeKind.NOTE}

# What may be added at a line, by its kind (the words are OutlineLineForm's choices).
ADD_CHOICES = {
    NodeKind.PART: ("section",),
    NodeKind.SECTION: ("after", "item", "guidance"),
    NodeKind.ITEM: ("after", "guidance"),
    NodeKind.GUIDANCE: ("after",),
}

_NUMBER = re.compile(r"^(\s*)([IVXLC]+|\d+)\.")
_BULLET_PREFIX = re.compile(r"^\s*-\s*")
_PART_START = "PHẦN THỨ"


class OutlineEditRefused(ValueError):
    """The edit cannot be made; ``message`` says why and what to do, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Edited:
    text: str
    line: int  # 0-based line of the node the edit leaves in view


def _parse(text: str) -> list[ParsedNode]:
    try:
        return parse_outline(text)
    except OutlineFormatError as exc:
        raise OutlineEditRefused(exc.message) from None


def node_at(nodes: list[ParsedNode], line: int) -> ParsedNode:
    """The node on 0-based ``line``; refused when the draft has none there (the page is out of date)."""
    for node in nodes:
        if node.line_no == line:
            return node
    raise OutlineEditRefused(_("This line is no longer in the draft: the page was out of date. It has been reloaded."))


def _block(nodes: list[ParsedNode], node: ParsedNode) -> tuple[int, int]:
    """The lines [start, end) of ``node`` and everything under it (blank lines after it excluded)."""
    inside = {node.key}
    end = node.line_no + 1
    for other in nodes[node.position + 1 :]:
        if other.parent_key not in inside:
            break
        inside.add(other.key)
        end = other.line_no + 1
    return node.line_no, end


def _one_line(words: str) -> str:
    # A line of the outline is one line of text: a pasted line break would make two.
    return " ".join((words or "").split())


def _indent(raw: str) -> str:
    return raw[: len(raw) - len(raw.lstrip())]


def _check_kind(text: str, line: int, kind: str) -> list[ParsedNode]:
    nodes = _parse(text)
    for node in nodes:
        if node.line_no == line:
            if node.kind == kind:
                return nodes
            break
    if kind == NodeKind.PART:
        raise OutlineEditRefused(_("A part's line starts with “PHẦN THỨ”, e.g. “PHẦN THỨ BA”; write it so."))
    raise OutlineEditRefused(
        _(
            "Written so, the line would be read as another kind of line (a number, a dash or a bracket at its "
            "start changes how it is read); write the words without them."
        )
    )


def edit_line(text: str, line: int, words: str) -> Edited:
    """``text`` with the words of the node on ``line`` replaced by ``words`` (its number or bullet kept)."""
    lines = text.split("\n")
    node = node_at(_parse(text), line)
    words = _one_line(words)
    if not words:
        raise OutlineEditRefused(_("The line cannot be empty: write its words, or press “Delete” to remove it."))
    raw = lines[line]
    if node.number:
        new = f"{_indent(raw)}{node.number}. {words}"
    elif node.kind == NodeKind.GUIDANCE and (bullet := _BULLET_PREFIX.match(raw)):
        new = bullet.group(0) + words
    else:
        new = _indent(raw) + words
    lines[line] = new
    out = "\n".join(lines)
    _check_kind(out, line, node.kind)
    return Edited(out, line)


def _free_number(siblings: list[ParsedNode], kind: str) -> str:
    """A number no sibling of ``kind`` has (renumbering puts it in its place afterwards)."""
    taken = {s.number for s in siblings if s.kind == kind}
    count = len(taken) + 1
    while (roman(count) if kind == NodeKind.SECTION else str(count)) in taken:
        count += 1
    return roman(count) if kind == NodeKind.SECTION else str(count)


def add_line(text: str, line: int, what: str, words: str) -> Edited:
    """``text`` with a new line of ``words`` added at the node on ``line``: ``after`` it (a line of the
    same kind, after everything under it), or under it (``section``, ``item``: last of its list;
    ``guidance``: after its other guidance bullets)."""
    nodes = _parse(text)
    node = node_at(nodes, line)
    if what not in ADD_CHOICES.get(node.kind, ()):
        raise OutlineEditRefused(_("Nothing of this kind can be added here."))
    words = _one_line(words)
    if not words:
        raise OutlineEditRefused(_("Write the words of the new line in the box beside “Add”, then press it again."))
    lines = text.split("\n")
    children = [n for n in nodes if n.parent_key == node.key]
    if what == "after":
        kind = node.kind
        parent_key = node.parent_key
        at = _block(nodes, node)[1]
    elif what in ("section", "item"):
        kind = what
        parent_key = node.key
        at = _block(nodes, node)[1]
    else:
        kind = NodeKind.GUIDANCE
        parent_key = node.key
        guidance = [c for c in children if c.kind == NodeKind.GUIDANCE]
        at = (guidance[-1].line_no if guidance else node.line_no) + 1
    siblings = [n for n in nodes if n.parent_key == parent_key]
    indent = _indent(lines[node.line_no]) if what == "after" else ""
    if kind == NodeKind.GUIDANCE:
        sample = next((c for c in siblings if c.kind == NodeKind.GUIDANCE), None) if what != "after" else node
        bullet = _BULLET_PREFIX.match(lines[sample.line_no]) if sample else None
        new = (bullet.group(0) if bullet else "- ") + words
    else:
        new = f"{indent}{_free_number(siblings, kind)}. {words}"
    lines[at:at] = [new]
    out = "\n".join(lines)
    _check_kind(out, at, kind)
    out = renumber(out)
    return Edited(out, at)


def delete_line(text: str, line: int) -> Edited:
    """``text`` without the node on ``line`` and everything under it; the lists renumbered."""
    nodes = _parse(text)
    node = node_at(nodes, line)
    if node.kind not in MOVABLE:
        raise OutlineEditRefused(_("The title, the summary line and the closing note can be edited, not deleted."))
    start, end = _block(nodes, node)
    lines = text.split("\n")
    # One blank line kept where the block stood between two.
    if start > 0 and end < len(lines) and not lines[start - 1].strip() and not lines[end].strip():
        end += 1
    del lines[start:end]
    out = renumber("\n".join(lines))
    return Edited(out, max(0, min(start, len(lines) - 1)))


def move_line(text: str, line: int, direction: str) -> Edited:
    """``text`` with the node on ``line`` (and what is under it) swapped with the one before
    (``direction`` "up") or after ("down") it of the same kind under the same heading; renumbered."""
    nodes = _parse(text)
    node = node_at(nodes, line)
    if node.kind not in MOVABLE:
        raise OutlineEditRefused(_("The title, the summary line and the closing note stay where they are."))
    siblings = [n for n in nodes if n.parent_key == node.parent_key]
    index = siblings.index(node)
    other_index = index - 1 if direction == "up" else index + 1
    other = siblings[other_index] if 0 <= other_index < len(siblings) else None
    if other is None or other.kind != node.kind:
        if direction == "up":
            raise OutlineEditRefused(_("This line is already the first of its list: it cannot move up."))
        raise OutlineEditRefused(_("This line is already the last of its list: it cannot move down."))
    first, second = (other, node) if direction == "up" else (node, other)
    a0, a1 = _block(nodes, first)
    b0, b1 = _block(nodes, second)
    lines = text.split("\n")
    moved = lines[:a0] + lines[b0:b1] + lines[a1:b0] + lines[a0:a1] + lines[b1:]
    out = renumber("\n".join(moved))
    new_line = a0 if direction == "up" else a0 + (b1 - b0) + (b0 - a1)
    return Edited(out, new_line)


def renumber(text: str) -> str:
    """``text`` with each heading's sections numbered I, II, III… and its items 1, 2, 3… in order."""
    nodes = _parse(text)
    lines = text.split("\n")
    counts: dict[tuple[str | None, str], int] = {}
    for node in nodes:
        if node.kind not in (NodeKind.SECTION, NodeKind.ITEM):
            continue
        count = counts[(node.parent_key, node.kind)] = counts.get((node.parent_key, node.kind), 0) + 1
        want = roman(count) if node.kind == NodeKind.SECTION else str(count)
        if node.number != want:
            lines[node.line_no] = _NUMBER.sub(lambda m, want=want: f"{m.group(1)}{want}.", lines[node.line_no], 1)
    out = "\n".join(lines)
    # Renumbering one list never makes another's numbers repeat, but say so in words if it ever did.
    _parse(out)
    return out
