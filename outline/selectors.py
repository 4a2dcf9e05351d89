"""Reads for the drafting pages. Each declares its joins so the query count is fixed."""

from dataclasses import dataclass

from django.db.models import Count, Q

from reportsite.selectors import user_access
from reportsite.text import vietnamese_sort_key

from .models import NodeKind, OutlineNode, Report, SectionState, SectionText


def reports_for_user(user) -> list[Report]:
    """Reports the user may read, with round and unit joined: newest round first, then units in
    Vietnamese alphabetical order. One query."""
    reports = list(
        Report.objects.visible_to(user)
        .select_related("round", "unit")
        .annotate(written_count=Count("sections", filter=~Q(sections__content=""), distinct=True))
        .order_by("-round__deadline", "round__code")
    )
    rounds = {r.round_id: i for i, r in reversed(list(enumerate(reports)))}
    return sorted(reports, key=lambda r: (rounds[r.round_id], vietnamese_sort_key(r.unit.name)))


def report_for_user(user, pk):
    """One report the user may read, or Report.DoesNotExist."""
    return Report.objects.visible_to(user).select_related("round", "unit").get(pk=pk)


def can_edit(user, report) -> bool:
    """Whether the user writes this report's unit (drafter); says nothing about its status."""
    return report.unit_id in {unit.pk for unit in user_access(user).drafter_units}


@dataclass
class OutlineRow:
    node: OutlineNode
    heading: str
    section: SectionText | None = None

    @property
    def state(self):
        return self.section.state if self.section else SectionState.EMPTY


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
    def percent(self):
        total = self.required_total
        return round(100 * self.required_written / total) if total else 100

    @property
    def missing(self):
        return [r for r in self.writable if r.node.is_required and r.state == SectionState.EMPTY]


def report_outline(report: Report) -> ReportOutline:
    """The report's outline with every section's text and state: two queries whatever the size."""
    nodes = list(OutlineNode.objects.filter(version_id=report.round.outline_version_id).order_by("position"))
    sections = {s.node_id: s for s in SectionText.objects.filter(report=report).select_related("updated_by")}
    fill = report.blank_fill
    rows = [
        OutlineRow(node=n, heading=n.heading_filled(fill), section=sections.get(n.pk))
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
    nodes = list(OutlineNode.objects.filter(version_id=report.round.outline_version_id).order_by("position"))
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
        guidance=[
            n.text_filled(fill) for n in nodes if n.parent_id == node.pk and n.kind == NodeKind.GUIDANCE
        ],
        notes=notes,
        closing=closing,
        context_headings=[a.heading_filled(fill) for a in ancestors],
        previous=writable[index - 1] if index > 0 else None,
        next=writable[index + 1] if index + 1 < len(writable) else None,
        position=index + 1,
        total=len(writable),
    )
