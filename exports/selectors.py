"""Everything a Word or Excel file prints, read here so that the builders
(docx.py, xlsx.py) are functions of plain data: they run no query, and the views, the background jobs and
the command line hand them the same thing. Large parts (every unit's texts and figures) are iterators
that read in chunks when the builder gets to them."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.db import Vietnamese
from indicators.derived import UNKNOWN_PERIOD, Period
from indicators.figures import Row, compute_rows
from indicators.models import Indicator
from indicators.selectors import catalogue
from outline.models import OutlineNode
from reports.models import IndicatorValue, Report, ReportStatus, SectionText
from reports.selectors import (
    DEFAULT_ROLLUP_STATUSES,
    ReportAppendix,
    Rollup,
    report_appendix,
    rollup,
    unit_proposals,
    worded_nodes,
)


@dataclass(frozen=True, slots=True)
class UnitReport:
    """One grassroots union's report as a status table prints it."""

    pk: int
    code: str
    name: str
    superior: str  # the union it belongs to (its parent), "" at the top
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    deadline: datetime.date


def unit_report_rows(report) -> list[UnitReport]:
    """Every grassroots union's report below ``report``'s unit in its round, grouped by the superior
    union each belongs to (its parent), groups and units in Vietnamese order, with what the status
    tables print. One query, sorted by the database's Vietnamese collation (which agrees with
    core.text.vietnamese_sort_key) and read in chunks as plain values: a country's 120,000 reports as
    model instances (three per row, with the unit and its parent) took 500 MB, their sort keys 90 MB
    more. The superiors' names, the statuses and the deadlines are shared between rows."""
    labels = {value: str(label) for value, label in ReportStatus.choices}
    shared: dict = {}  # one object for each distinct superior name, status and deadline
    default_deadline = report.round.deadline
    rows = []
    for pk, status, submitted, approved, updated, extended, code, name, superior in (
        Report.objects.counted_below(report.round, report.unit)
        .order_by(Vietnamese(Coalesce("unit__parent__name", Value(""))), Vietnamese("unit__name"), "pk")
        .values_list(
            "pk",
            "status",
            "submitted_at",
            "approved_at",
            "updated_at",
            "extended_until",
            "unit__code",
            "unit__name",
            "unit__parent__name",
        )
        .iterator(chunk_size=5000)
    ):
        deadline = max(extended, default_deadline) if extended else default_deadline
        rows.append(
            UnitReport(
                pk=pk,
                code=code,
                name=name,
                superior=shared.setdefault(("superior", superior or ""), superior or ""),
                status=shared.setdefault(("status", status), status),
                status_label=labels[status],
                submitted_at=submitted,
                approved_at=approved,
                updated_at=updated,
                deadline=shared.setdefault(("deadline", deadline), deadline),
            )
        )
    return rows


@dataclass
class ReportDocument:
    """What one report's Word file and workbook print."""

    fields: dict[str, Any]  # Report.print_fields: names, number, place, signer, recipients, the blank's fill
    date: datetime.date  # the date under the motto
    nodes: list[OutlineNode]  # the outline, worded for the unit, in order
    texts: dict[str, str]  # what the unit wrote, by outline key (clean HTML)
    rows: list[Row]  # the appendix
    years: list[int]
    round_name: str
    cutoff_date: datetime.date
    # ReportAppendix.no_previous_term: "Không có nhiệm kỳ trước" instead of empty comparison columns.
    no_previous_term: bool = False
    # Round.period: the term's length and what the previous-term column holds (its headings' wording).
    period: Period = UNKNOWN_PERIOD

    @property
    def printed_nodes(self) -> list[OutlineNode]:
        """The nodes the Word file and the print view show: all but an optional heading left empty ("VI.
        BÀI HỌC KINH NGHIỆM" with no text), and a heading whose every part below is such a one."""
        return printed_nodes(self.nodes, self.texts)


# The kinds that are headings in the document's tree, and the kinds of text an outline carries beside them.
HEADING_KINDS = ("part", "section", "item")


def printed_nodes(nodes: list[OutlineNode], texts: dict[str, str]) -> list[OutlineNode]:
    """``nodes`` without the optional headings nobody wrote under (ReportDocument.printed_nodes). A part
    (PHẦN THỨ …) always prints; so does a required section, written or not, and a heading with no
    text box and nothing writable below it (a heading of the outline's own)."""
    children: dict[int | None, list[OutlineNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    left_out: set[int] = set()

    def empty(node) -> bool:
        """Nothing of this node or below it prints (children first)."""
        below = [empty(child) for child in children.get(node.pk, [])]
        if node.kind not in HEADING_KINDS:
            return True  # guidance and notes print in the blank outline only
        if node.kind == "part":
            return False
        if node.is_writable:
            # A stored text is "" when it shows nothing (core.richtext.sanitize_html).
            if node.is_required or texts.get(node.key, "").strip():
                return False
            if all(below):
                left_out.add(node.pk)
                return True
            return False
        if below and all(below):
            left_out.add(node.pk)
            return True
        return False

    for root in children.get(None, []):
        empty(root)
    # A child whose parent is not among ``nodes`` is a root of its own.
    known = {n.pk for n in nodes}
    for parent, kids in children.items():
        if parent is not None and parent not in known:
            for kid in kids:
                empty(kid)
    dropped = set(left_out)
    # What hangs under a heading left out (its guidance, notes) goes with it.
    for node in nodes:
        if node.parent_id in dropped:
            dropped.add(node.pk)
    return [n for n in nodes if n.pk not in dropped]


def heading_levels(nodes: list[OutlineNode], *, below: int = 0) -> dict[int, int]:
    """The heading level (1, 2, 3…) of every part, section and item: one more than the heading it sits
    under, so that no level is skipped (Part II's items, directly under the part, are level 2).
    ``below``: the level of what the whole tree sits under (the annex's title: 1)."""
    levels: dict[int, int] = {}
    by_pk = {n.pk: n for n in nodes}

    def level(node) -> int:
        if node.pk not in levels:
            parent = by_pk.get(node.parent_id)
            while parent is not None and parent.kind not in HEADING_KINDS:
                parent = by_pk.get(parent.parent_id)
            levels[node.pk] = (level(parent) if parent is not None else below) + 1
        return levels[node.pk]

    for node in nodes:
        if node.kind in HEADING_KINDS:
            level(node)
    return levels


def _document_date(report) -> datetime.date:
    """The day the report was last submitted; today while it has not been."""
    submission = report.submissions.order_by("-number").only("submitted_at").first()
    moment = submission.submitted_at if submission else timezone.now()
    return timezone.localtime(moment).date()


def report_document(report, *, with_appendix: bool = True) -> ReportDocument:
    """One report as its files print it: header fields, outline, texts and (unless a consolidated file
    prints the roll-up instead) its appendix. Fixed query count."""
    appendix = report_appendix(report) if with_appendix else None
    return ReportDocument(
        fields=report.print_fields,
        date=_document_date(report),
        nodes=worded_nodes(report),
        texts=dict(SectionText.objects.filter(report=report).values_list("node__key", "content")),
        rows=appendix.rows if appendix else [],
        years=list(report.round.data_years),
        round_name=report.round.name,
        cutoff_date=report.round.cutoff_date,
        no_previous_term=appendix.no_previous_term if appendix else False,
        period=report.round.period,
    )


def outline_document(report) -> ReportDocument:
    """The outline as a blank document to draft on paper: no text, the appendix with no figure, today's date."""
    blank = ReportAppendix(
        rows=compute_rows(
            catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots),
            report.round.data_years,
            {},
            period=report.round.period,
        ),
        version=0,
        first_congress=report.is_first_congress,
    )
    return ReportDocument(
        fields=report.print_fields,
        date=timezone.localdate(),
        nodes=worded_nodes(report),
        texts={},
        rows=blank.rows,
        years=list(report.round.data_years),
        round_name=report.round.name,
        cutoff_date=report.round.cutoff_date,
        no_previous_term=blank.no_previous_term,
        period=report.round.period,
    )


def consolidated_statuses(include_drafts: bool) -> tuple[str, ...]:
    """Whose texts and figures a consolidated file counts: submitted and approved reports; every
    report, drafts included, only when asked (each draft then marked as one)."""
    if include_drafts:
        # A report not started has nothing to show: it is in the status table, not among the drafts.
        return (*DEFAULT_ROLLUP_STATUSES, ReportStatus.DRAFTING, ReportStatus.RETURNED)
    return DEFAULT_ROLLUP_STATUSES


@dataclass
class Consolidated:
    """A superior union's consolidated files: its own report, the roll-up of the units below, where each
    unit stands, and (read lazily, in chunks, only by the builder that needs them) what the counted units
    wrote and typed."""

    document: ReportDocument  # the superior's own report
    unit_name: str
    include_drafts: bool
    statuses: tuple[str, ...]  # the statuses counted
    units: list[UnitReport]  # every grassroots union below, grouped by superior, Vietnamese order
    detail_order: list[int]  # the counted reports' pks, by unit name in Vietnamese order (the database's)
    rollup: Rollup | None  # None when only the annex is made
    indicators: list[Indicator]  # the catalogue, in order
    # Read once, as the builder writes (generators over chunked queries): one file per Consolidated.
    # (outline key, content, report pk) of the counted reports, in the outline's order, then by unit name
    texts: Iterable[tuple[str, str, int]]
    # (report pk, indicator pk, column, value) of the counted reports, in the order of detail_order
    values: Iterable[tuple[int, int, str, Decimal]]
    # The units' proposals grouped (reports.selectors.unit_proposals), for the print file's table.
    proposals: list["ProposalRow"] = field(default_factory=list)

    @property
    def counted(self) -> list[UnitReport]:
        return [u for u in self.units if u.status in self.statuses]


@dataclass(frozen=True)
class ProposalRow:
    """One group of the units' proposals as the table "Tổng hợp kiến nghị của các CĐCS" prints it."""

    number: int
    text: str  # the superior's wording, else the units' best
    count: int  # units that asked it
    units: list[str]  # their names, Vietnamese order


def proposal_rows(report) -> list[ProposalRow]:
    """The grouped proposals of the units below ``report``'s unit (grouped now if the cache has none:
    the export runs in the background). A fixed number of queries."""
    found = unit_proposals(report, wait=True)
    return [ProposalRow(number=g.number, text=g.text, count=g.count, units=list(g.units)) for g in found.groups or []]


def _counted(report, statuses):
    """The reports a consolidated file of ``report``'s unit counts: grassroots unions below, in ``statuses``."""
    return Report.objects.counted_below(report.round, report.unit).filter(status__in=statuses)


# Rows of the units' texts read at a time (a server-side cursor on PostgreSQL): what the annex holds.
TEXT_CHUNK_ROWS = 2000


def _texts(report, statuses) -> Iterable[tuple[str, str, int]]:
    """The counted reports' texts, section by section in the outline's order, and within a section by
    unit name in Vietnamese order (the database's collation, which agrees with vietnamese_sort_key): the
    annex writes them as they come, holding one chunk, never a whole section of a province's units."""
    yield from (
        SectionText.objects.filter(report__in=_counted(report, statuses), node__is_writable=True)
        .exclude(content="")
        .order_by("node__position", "node__key", Vietnamese("report__unit__name"), "report_id")
        .values_list("node__key", "content", "report_id")
        .iterator(chunk_size=TEXT_CHUNK_ROWS)
    )


def _values(report, statuses) -> Iterable[tuple[int, int, str, Decimal]]:
    yield from (
        IndicatorValue.objects.filter(report__in=_counted(report, statuses))
        # The same order as detail_order: both come from the database's Vietnamese collation.
        .order_by(Vietnamese("report__unit__name"), "report_id")
        .values_list("report_id", "indicator_id", "column", "value")
        .iterator(chunk_size=5000)
    )


def consolidated(report, *, include_drafts: bool = False, part: str = "full", proposals: bool = True) -> Consolidated:
    """Everything a consolidated Word file or workbook of ``report``'s unit prints; the annex alone
    (``part`` "annex") needs no roll-up, and the workbook (``proposals=False``) no table of the units'
    proposals: a country's grouped proposals are read only for the Word file that prints them. The
    query count does not depend on the number of units."""
    statuses = consolidated_statuses(include_drafts)
    # The proposals first: grouping a country's (when the cache has none) is the largest thing held for a
    # while, and it is let go, but for the table's rows, before the units are read.
    grouped = proposal_rows(report) if proposals and part != "annex" and not report.unit.is_grassroots else []
    units = unit_report_rows(report)
    return Consolidated(
        document=report_document(report, with_appendix=False),
        unit_name=report.unit.name,
        include_drafts=include_drafts,
        statuses=statuses,
        units=units,
        rollup=rollup(round=report.round, unit=report.unit, statuses=statuses) if part != "annex" else None,
        indicators=catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots),
        texts=_texts(report, statuses),
        detail_order=list(
            _counted(report, statuses).order_by(Vietnamese("unit__name"), "pk").values_list("pk", flat=True)
        ),
        values=_values(report, statuses),
        proposals=grouped,
    )
