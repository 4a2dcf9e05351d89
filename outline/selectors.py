"""Reads of outlines."""

import difflib
from dataclasses import dataclass

from .editing import ADD_CHOICES, MOVABLE
from .models import BlankFill, NodeKind, fill_blanks, years_in_words
from .parsing import OutlineCheck, OutlineFormatError, ParsedNode, check_outline, parse_outline
from .terms import stale_references, term_in


@dataclass
class PreviewLine:
    node: ParsedNode
    depth: int
    shown: str = ""

    @property
    def indent(self) -> str:
        """Bootstrap spacing classes that show the depth."""
        return ("", "ps-3", "ps-5", "ps-5 ms-4")[min(self.depth, 3)]

    @property
    def kind_label(self) -> str:
        return NodeKind(self.node.kind).label


def outline_preview(nodes: list[ParsedNode], fill: BlankFill | None = None) -> list[PreviewLine]:
    """The parsed outline as the upload page shows it: each line with its depth in the tree and, with
    ``fill``, as a drafter will see it (blanks and placeholders filled)."""
    depth_of: dict[str, int] = {}
    lines = []
    for node in nodes:
        depth = depth_of[node.parent_key] + 1 if node.parent_key else 0
        depth_of[node.key] = depth
        heading = f"{node.number}. {node.text}" if node.number else node.text
        lines.append(PreviewLine(node, depth, fill_blanks(heading, fill) if fill else heading))
    return lines


EXAMPLE = "(ví dụ)"
EXAMPLE_TERM = (2025, 2030)


def sample_fill(term: tuple[int, int] | None) -> BlankFill:
    """What a CĐCS would see in a round of ``term`` (the term the outline's name states): the outline
    page's preview. The round's and the unit's facts are not known yet, so every value the page makes up
    says so with "(ví dụ)": the unit, its superior and their congresses (no made-up number), the data
    years (the term's first three), the cut-off date, and the term itself when the name states none."""
    start, end = term or EXAMPLE_TERM
    term_label = f"{start}–{end}" if term else f"{start}–{end} {EXAMPLE}"
    years = list(range(start, min(start + 3, end + 1)))
    superior = f"Công đoàn cấp trên {EXAMPLE}"
    unit = f"Công đoàn cơ sở Công ty A {EXAMPLE}"
    values = {
        "nhiem_ky": term_label,
        "nam_dau_nhiem_ky": str(start) if term else f"{start} {EXAMPLE}",
        "nam_cuoi_nhiem_ky": str(end) if term else f"{end} {EXAMPLE}",
        "nam_so_lieu": f"{years_in_words(years)} {EXAMPLE}",
        "so_nam_so_lieu": f"{len(years)} {EXAMPLE}",
        "ngay_chot_so_lieu": f"30/11/{years[-1]} {EXAMPLE}",
        "don_vi": unit,
        "cap_tren": superior,
        "dai_hoi_cap_tren": f"Đại hội {superior}",
        "dai_hoi": "Đại hội",
    }
    return BlankFill(f"{unit}, nhiệm kỳ {term_label}", values=values)


@dataclass
class DiffLine:
    sign: str  # "-" a line of the version copied from, "+" a line of the new text
    line_no: int  # 1-based, in its own text
    text: str


def outline_diff(before: str, after: str) -> list[DiffLine]:
    """The lines removed from ``before`` and added in ``after`` (changed lines are both), in order."""
    old, new = before.split("\n"), after.split("\n")
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.extend(DiffLine("-", i + 1, old[i]) for i in range(i1, i2) if old[i].strip() or tag != "delete")
        out.extend(DiffLine("+", j + 1, new[j]) for j in range(j1, j2))
    return [line for line in out if line.text.strip()]


@dataclass
class EditorLine:
    """One line of a draft in the structured editor: where it stands, how a drafter sees it and what
    looks wrong in it (another term's years, dates, congress)."""

    node: ParsedNode
    depth: int
    shown: str
    warnings: list[str]
    add_choices: tuple[str, ...]
    movable: bool

    @property
    def line(self) -> int:
        """1-based, as the text editor and the warnings count lines."""
        return self.node.line_no + 1

    @property
    def kind_label(self) -> str:
        return NodeKind(self.node.kind).label

    @property
    def long(self) -> bool:
        """Guidance and notes run to sentences: a box of two lines (a line break typed becomes a space)."""
        return (
            self.node.kind in (NodeKind.GUIDANCE, NodeKind.NOTE, NodeKind.SUMMARY, NodeKind.CLOSING)
            or len(self.node.text) > 90
        )

    @property
    def indent(self) -> str:
        return ("", "ms-2 ms-md-3", "ms-3 ms-md-5", "ms-4 ms-md-5 ps-md-4")[min(self.depth, 3)]


@dataclass
class DraftView:
    lines: list[EditorLine]
    check: OutlineCheck
    preview: list[PreviewLine]
    diff: list[DiffLine]
    writable: int


def draft_view(text: str, *, name: str, base_text: str | None) -> DraftView:
    """Everything the draft editor shows of ``text``: its lines with their warnings beside them, what
    stops publishing and what looks wrong (check_outline and outline.terms, for the term ``name``
    states), the drafter's preview and the changes against ``base_text``. No query."""
    term = term_in(name)
    try:
        nodes = parse_outline(text)
    except OutlineFormatError as exc:
        return DraftView([], OutlineCheck(errors=[exc.message]), [], [], 0)
    check = check_outline(nodes)
    fill = sample_fill(term)
    preview = outline_preview(nodes, fill)
    lines = []
    for row in preview:
        node = row.node
        warnings = stale_references([(node.line_no + 1, node.raw)], term=term)
        check.warnings.extend(warnings)
        lines.append(
            EditorLine(node, row.depth, row.shown, warnings, ADD_CHOICES.get(node.kind, ()), node.kind in MOVABLE)
        )
    diff = outline_diff(base_text, text) if base_text is not None else []
    return DraftView(lines, check, preview, diff, sum(1 for n in nodes if n.is_writable))
