"""The report's outline and its section texts: the outline page, the section page."""

import re
from dataclasses import dataclass
from functools import cached_property

from core.richtext import plain_text
from documents.page import document_pages, page_estimate
from outline.models import NodeKind, OutlineNode

from ..models import Report, SectionState, SectionText

_BLOCK_END = re.compile(r"</(?:p|li|tr|h[1-6])>")
_HEADING_KINDS = (NodeKind.PART, NodeKind.PART_HEADING, NodeKind.SECTION, NodeKind.ITEM)


@dataclass
class OutlineRow:
    node: OutlineNode
    heading: str
    section: SectionText | None = None
    label: str = ""

    @property
    def state(self):
        return self.section.state if self.section else SectionState.EMPTY

    @cached_property
    def words(self) -> int:
        """Words written, counted as Word counts them (what spaces separate)."""
        return len(plain_text(self.section.content).split()) if self.section else 0

    @property
    def paragraph_words(self) -> list[int]:
        """The words of each paragraph written (a list item, a table row count as one), as Word lays them."""
        if not self.section:
            return []
        blocks = (len(plain_text(block).split()) for block in _BLOCK_END.split(self.section.content))
        return [words for words in blocks if words]


@dataclass
class ReportOutline:
    rows: list[OutlineRow]
    writable: list[OutlineRow]
    nodes_by_key: dict[str, OutlineNode]
    sections_by_node: dict[int, SectionText]

    @property
    def required_total(self):
        return sum(1 for r in self.writable if r.node.is_required)

    @property
    def required_written(self):
        return sum(1 for r in self.writable if r.node.is_required and r.state != SectionState.EMPTY)

    @property
    def written(self):
        return sum(1 for r in self.writable if r.state != SectionState.EMPTY)

    @property
    def done(self):
        return sum(1 for r in self.writable if r.state == SectionState.DONE)

    @property
    def words(self) -> int:
        return sum(r.words for r in self.writable)

    @property
    def pages(self) -> int:
        """About how many A4 pages the texts fill (headings and the appendix aside)."""
        return page_estimate(self.words)

    def document_pages(self, appendix_rows: int) -> int:
        """About how many A4 pages the Word file prints, with an appendix of ``appendix_rows`` indicators
        (documents.page.document_pages: from the layout, not the words alone)."""
        return document_pages(
            paragraphs=[words for row in self.writable for words in row.paragraph_words],
            headings=sum(1 for row in self.rows if row.node.kind in _HEADING_KINDS),
            appendix_rows=appendix_rows,
        )

    @property
    def percent(self):
        total = self.required_total
        return round(100 * self.required_written / total) if total else 100

    @property
    def labels(self) -> dict[str, str]:
        """Outline key → the label lists show (with the section numeral)."""
        return {r.node.key: r.label for r in self.rows}

    @property
    def missing(self):
        return [r for r in self.writable if r.node.is_required and r.state == SectionState.EMPTY]


def worded_nodes(report: Report) -> list[OutlineNode]:
    """The round's outline nodes in order, worded for the report's unit: a superior union's own report
    takes the headings and texts of the round's outline for superior unions (no "CĐCS" before its
    name), where the round has one. The nodes stay the round's (their ids, their section texts)."""
    nodes = list(OutlineNode.objects.filter(version_id=report.round.outline_version_id).order_by("position"))
    overlay = report.round.superior_outline_version_id
    if overlay and not report.unit.is_grassroots:
        worded = {n.key: n for n in OutlineNode.objects.filter(version_id=overlay)}
        for node in nodes:
            if (other := worded.get(node.key)) is not None:
                node.raw, node.number, node.text = other.raw, other.number, other.text
    return nodes


def report_outline(report: Report) -> ReportOutline:
    """The report's outline with every section's text and state: two queries whatever the size."""
    nodes = worded_nodes(report)
    sections = {s.node_id: s for s in SectionText.objects.filter(report=report).select_related("updated_by")}
    fill = report.blank_fill
    by_pk = {n.pk: n for n in nodes}
    rows = [
        OutlineRow(
            node=n,
            heading=n.heading_filled(fill),
            section=sections.get(n.pk),
            label=n.label(fill, by_pk.get(n.parent_id)),
        )
        for n in nodes
        if n.kind != NodeKind.GUIDANCE
    ]
    return ReportOutline(
        rows=rows,
        writable=[r for r in rows if r.node.is_writable],
        nodes_by_key={n.key: n for n in nodes},
        sections_by_node=sections,
    )


@dataclass
class SectionPage:
    node: OutlineNode
    heading: str
    section: SectionText | None
    guidance: list[str]
    notes: list[str]
    closing: str
    context_headings: list[str]
    previous: OutlineNode | None
    next: OutlineNode | None
    position: int
    total: int


def section_page(report: Report, key: str) -> SectionPage:
    """Everything the section page shows: heading, guidance, notes, neighbours. Two queries."""
    nodes = worded_nodes(report)
    by_key = {n.key: n for n in nodes}
    by_pk = {n.pk: n for n in nodes}
    node = by_key.get(key)
    if node is None or not node.is_writable:
        raise OutlineNode.DoesNotExist
    section = SectionText.objects.filter(report=report, node=node).first()
    fill = report.blank_fill
    writable = [n for n in nodes if n.is_writable]
    index = writable.index(node)
    # The headings above this node (part, section) and the notes that bind it.
    ancestors = []
    parent = by_pk.get(node.parent_id)
    while parent is not None:
        ancestors.insert(0, parent)
        parent = by_pk.get(parent.parent_id)
    notes = [
        n.text_filled(fill)
        for n in nodes
        if n.kind == NodeKind.NOTE and n.parent_id in {a.pk for a in ancestors} | {node.pk}
    ]
    closing = next((n.text for n in nodes if n.kind == NodeKind.CLOSING), "")
    return SectionPage(
        node=node,
        heading=node.heading_filled(fill),
        section=section,
        guidance=[n.text_filled(fill) for n in nodes if n.parent_id == node.pk and n.kind == NodeKind.GUIDANCE],
        notes=notes,
        closing=closing,
        context_headings=[a.heading_filled(fill) for a in ancestors],
        previous=writable[index - 1] if index > 0 else None,
        next=writable[index + 1] if index + 1 < len(writable) else None,
        position=index + 1,
        total=len(writable),
    )
