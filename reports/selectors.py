"""Reads for the drafting pages. Each declares its joins so the query count is fixed."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import Folded, Vietnamese
from core.richtext import plain_text
from core.text import fold, vietnamese_sort_key
from documents.page import page_estimate
from indicators.figures import Row, column_label, compute_rows, shown_table
from indicators.models import PREVIOUS, Indicator
from indicators.selectors import catalogue
from outline.models import NodeKind, OutlineNode
from units.models import Role, Unit
from units.selectors import administered_units, administered_units_q, user_access

from . import totals
from .models import (
    EDITABLE_STATUSES,
    Appendix,
    Comment,
    ExtensionRequest,
    IndicatorNote,
    IndicatorValue,
    Report,
    ReportStatus,
    ReturnRequest,
    Round,
    SectionState,
    SectionText,
    Submission,
    counted_condition,
)


def reports_for_user(user, round=None) -> list[Report]:
    """Reports the user may read (in ``round`` only, if given), with round and unit joined: newest
    round first, then units in Vietnamese alphabetical order. One query."""
    visible = Report.objects.visible_to(user)
    if round is not None:
        visible = visible.filter(round=round)
    reports = list(
        visible.select_related("round", "unit")
        .annotate(written_count=Count("sections", filter=~Q(sections__content=""), distinct=True))
        .order_by("-round__deadline", "round__code")
    )
    rounds = {r.round_id: i for i, r in reversed(list(enumerate(reports)))}
    return sorted(reports, key=lambda r: (rounds[r.round_id], vietnamese_sort_key(r.unit.name)))


def report_for_user(user, pk):
    """One report the user may read, or Report.DoesNotExist."""
    return Report.objects.visible_to(user).select_related("round", "unit").get(pk=pk)


def report_page_report(user, pk):
    """The report page's report: as report_for_user, with whether a request for more time waits for an
    answer (``has_pending_extension``) in the same query."""

    pending = ExtensionRequest.objects.filter(report=OuterRef("pk"), status="pending")
    return (
        Report.objects.visible_to(user)
        .select_related("round", "unit", "unit__merged_into")
        .annotate(has_pending_extension=Exists(pending))
        .get(pk=pk)
    )


def predecessor_reports(user, report) -> list[Report]:
    """The reports of the units merged into ``report``'s unit (at any remove: ``Unit.heir``), which the
    unit's page links to as "Tiền thân", newest round first, units in Vietnamese order. One query, and
    none for a unit that was not formed by a merger."""
    if not report.unit.formed_by_merger:
        return []
    reports = list(
        Report.objects.visible_to(user)
        .filter(unit__heir_id=report.unit_id)
        .select_related("round", "unit")
        .order_by("-round__deadline", "round__code")
    )
    rounds = {r.round_id: i for i, r in reversed(list(enumerate(reports)))}
    return sorted(reports, key=lambda r: (rounds[r.round_id], vietnamese_sort_key(r.unit.name)))


def can_edit(user, report) -> bool:
    """Whether the user writes this report's unit (drafter); says nothing about its status."""
    return report.unit_id in {unit.pk for unit in user_access(user).drafter_units}


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


def reviewers_of(report):
    """Users who review the report: reviewers and admins of its unit's ancestors."""

    return (
        get_user_model()
        .objects.filter(
            memberships__unit_id__in=report.unit.ancestor_ids(),
            memberships__role__in=[Role.REVIEWER, Role.ADMIN],
            is_active=True,
        )
        .distinct()
    )


def drafters_of(report):

    return (
        get_user_model()
        .objects.filter(memberships__unit_id=report.unit_id, memberships__role=Role.DRAFTER, is_active=True)
        .distinct()
    )


def open_return(report):
    """The return for revision the unit is working on, with its items, or None."""

    return (
        ReturnRequest.objects.filter(report=report, closed_at__isnull=True)
        .prefetch_related("items")
        .select_related("created_by")
        .first()
    )


def comment_anchors(report) -> set[str]:
    """Where the reading page shows comments: the whole report, each writable section, each indicator."""

    keys = OutlineNode.objects.filter(version_id=report.round.outline_version_id, is_writable=True)
    codes = Indicator.objects.filter(outline_version_id=report.round.outline_version_id)
    if report.unit.is_grassroots:
        codes = codes.filter(superior_only=False)
    return {
        "report",
        *(f"section:{key}" for key in keys.values_list("key", flat=True)),
        *(f"indicator:{code}" for code in codes.values_list("code", flat=True)),
    }


def comment_threads(user, report, anchor=None):
    """Threads (first comment with its replies) the user may read, oldest first. Two queries."""

    qs = Comment.objects.visible_to(user, report).select_related("author", "resolved_by")
    if anchor is not None:
        qs = qs.filter(anchor=anchor)
    comments = list(qs)
    roots = [c for c in comments if c.parent_id is None]
    replies = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    for root in roots:
        root.thread_replies = replies.get(root.pk, [])
    return roots


@dataclass
class DashboardRow:
    report: Report
    written: int
    figures: int
    open_comments: int

    @property
    def days_left(self):
        return self.report.days_left()


class DashboardRows:
    """The dashboard's rows as the database sorts and filters them: counted and sliced there (a
    Paginator asks for count() and one page), or read in chunks (the Excel list of every unit)."""

    def __init__(self, reports, round, *, total: int | None = None):
        # ``total``: the number of rows when the status counts already tell it (no search, no derived
        # filter), which spares the page a second count of a province's thousands of reports.
        self.reports, self.round, self.total = reports, round, total

    def _row(self, report) -> DashboardRow:
        report.round = self.round  # the same round for every row: not joined again
        return DashboardRow(report, report.written_total, report.figures_total, report.open_comments_total)

    def count(self) -> int:
        return self.total if self.total is not None else self.reports.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(report) for report in self.reports[index]]
        return self._row(self.reports[index])

    def __iter__(self):
        return (self._row(report) for report in self.reports.iterator(chunk_size=2000))


@dataclass
class Dashboard:
    rows: DashboardRows
    counts: dict[str, int]
    writable_total: int
    typed_indicators: int


def dashboard(user, round, *, status: str = "", query: str = "", sort: str = "name") -> Dashboard:
    """Every unit below the user's units in a round, with its progress. The database counts, filters,
    sorts (Vietnamese order) and pages: a page costs one query for its rows (counts as subqueries, so
    no join multiplies rows) and one for their number, whatever the size of the province; the status
    counts and the two totals are three more."""

    access = user_access(user)
    # Only what the table shows: thousands of rows, so every field and object saved counts.
    # A merged unit's report is left out of the round its merger came before the cut-off of.
    reports = (
        Report.objects.filter(round=round)
        .counted(round)
        .select_related("unit")
        .only("pk", "status", "updated_at", "extended_until", "round_id", "unit__name", "unit__code", "unit__path")
    )
    if not access.is_superuser:
        condition = Q(pk__in=[])
        for unit in access.overseen_units:
            condition |= Q(unit__path__startswith=unit.path) & ~Q(unit=unit)
        reports = reports.filter(condition)
    counts = {value: 0 for value in ReportStatus.values}
    counts.update(reports.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    latest = str(round.data_years[-1]) if round.data_years else ""

    def count(qs):
        return Coalesce(
            Subquery(qs.values("report").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            0,
        )

    reports = reports.annotate(
        written_total=count(SectionText.objects.filter(report=OuterRef("pk")).exclude(content="")),
        figures_total=count(IndicatorValue.objects.filter(report=OuterRef("pk"), column=latest)),
        open_comments_total=count(
            Comment.objects.filter(report=OuterRef("pk"), parent__isnull=True, resolved_at__isnull=True)
        ),
        submission_total=count(Submission.objects.filter(report=OuterRef("pk"))),
    )
    today = timezone.localdate()
    total = None if query else sum(counts.values())
    if status in ReportStatus.values:
        total = None if query else counts[status]
        reports = reports.filter(status=status)
    elif status in ("late", "resubmitted"):
        total = None
    if status == "late":
        # Past the deadline: the round's, or a later one an extension granted (Report.deadline).
        late = Q(extended_until__isnull=True) | Q(extended_until__lt=today)
        reports = reports.filter(late, status__in=EDITABLE_STATUSES) if round.deadline < today else reports.none()
    elif status == "resubmitted":
        reports = reports.filter(status=ReportStatus.SUBMITTED, submission_total__gt=1)
    if query:
        needle = fold(query)
        reports = reports.alias(folded_name=Folded("unit__name"), folded_code=Folded("unit__code")).filter(
            Q(folded_name__contains=needle) | Q(folded_code__contains=needle)
        )
    name = Vietnamese("unit__name")
    orders = {
        "name": [name, "pk"],
        "status": [
            Case(
                *(When(status=value, then=i) for i, value in enumerate(ReportStatus.values)),
                output_field=IntegerField(),
            ),
            name,
            "pk",
        ],
        "progress": [F("written_total").desc(), name, "pk"],
        "updated": [F("updated_at").desc(), "pk"],
    }
    reports = reports.order_by(*orders.get(sort, orders["name"]))
    return Dashboard(
        rows=DashboardRows(reports, round, total=total),
        counts=counts,
        writable_total=OutlineNode.objects.filter(version_id=round.outline_version_id, is_writable=True).count(),
        # The dashboard lists grassroots unions: what a CĐCS is asked to type.
        typed_indicators=Indicator.objects.filter(outline_version_id=round.outline_version_id, superior_only=False)
        .exclude(kind="ratio")
        .count(),
    )


def unit_texts(report, node):
    """What the units below ``report``'s unit wrote for ``node`` in the same round, for the
    superior's own report ("Tổng hợp từ đơn vị"), in Vietnamese order of the units: a queryset the
    page slices (a province's thousands of texts are read a page at a time)."""
    return (
        SectionText.objects.filter(
            counted_condition("report__", report.round.cutoff_date),
            report__round_id=report.round_id,
            report__unit__path__startswith=report.unit.path,
            node=node,
        )
        .exclude(report=report)
        .exclude(content="")
        .select_related("report__unit")
        .only("pk", "content", "report__status", "report__unit__name")
        .order_by(Vietnamese("report__unit__name"), "pk")
    )


def history_labels(outline, appendix):
    """Words for the targets the history records: a section's heading, an indicator's name and
    column, a document field's label, instead of the stored keys."""

    # With the section's numeral ("II.1. …"): items of two sections are both numbered "1.".
    headings = {key: node.heading for key, node in outline.nodes_by_key.items()} | outline.labels
    names = {row.indicator.code: row.indicator.name for row in appendix.rows}
    fields = {f.name: str(f.verbose_name).capitalize() for f in Report._meta.get_fields() if hasattr(f, "verbose_name")}
    fields.update({"status": _("Status"), "deadline": _("Deadline"), "report": _("the whole report")})

    def label(target: str) -> str:
        kind, _sep, rest = target.partition(":")
        if target in headings:
            return headings[target]
        if kind in ("section", "return") and rest in headings:
            return headings[rest]
        if kind == "indicator" and rest in names:
            return names[rest]
        if kind in names:
            return f"{names[kind]} ({column_label(rest)})" if rest else names[kind]
        return fields.get(target, target)

    return label


DEFAULT_ROLLUP_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


@dataclass
class ReportAppendix:
    rows: list[Row]
    version: int
    first_congress: bool = False  # Report.is_first_congress

    @cached_property
    def shown(self) -> tuple[list[str], list[tuple[Row, list[str]]]]:
        """The reading page's table: the columns shown and each row's figures in them (``shown_table``)."""
        return shown_table(self.rows, no_previous_term=self.no_previous_term)

    @property
    def shown_columns(self) -> list[str]:
        return self.shown[0]

    @property
    def shown_rows(self) -> list[tuple[Row, list[str]]]:
        return self.shown[1]

    @property
    def no_previous_term(self) -> bool:
        """The one rule for "Không có nhiệm kỳ trước", which the page, the Word file and the workbook
        show instead of empty comparison columns: the union's term began at its first congress and no
        previous-term figure was typed (a merged union may type its predecessors' figures there)."""
        return self.first_congress and all(row.value(PREVIOUS) is None for row in self.rows)

    @property
    def filled(self):
        return sum(1 for r in self.rows if not r.indicator.is_computed and not r.is_empty)

    @property
    def typed_total(self):
        return sum(1 for r in self.rows if not r.indicator.is_computed)

    def unexplained_warnings(self) -> list[tuple[Row, list[str]]]:
        return [(r, w) for r in self.rows if (w := r.warnings()) and not r.explanation]


def report_appendix(report: Report, indicators=None) -> ReportAppendix:
    """The report's appendix rows with comparisons: four queries whatever the size."""
    indicators = (
        indicators
        if indicators is not None
        else catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)
    )
    values = {
        (v.indicator_id, v.column): v.value
        for v in IndicatorValue.objects.filter(report=report).only("indicator_id", "column", "value")
    }
    notes = {n.indicator_id: n for n in IndicatorNote.objects.filter(report=report)}
    version = Appendix.objects.filter(report=report).values_list("version", flat=True).first() or 0
    return ReportAppendix(
        rows=compute_rows(indicators, report.round.data_years, values, notes),
        version=version,
        first_congress=report.is_first_congress,
    )


def rows_for_node(appendix: ReportAppendix, node) -> list[Row]:
    return [r for r in appendix.rows if r.indicator.node_id == node.pk]


@dataclass
class Rollup:
    unit: Unit
    rows: list[Row]
    statuses: tuple[str, ...]
    counted: int  # grassroots unions whose figures count
    total: int  # grassroots unions below
    # The reports counted and not, in Vietnamese order of the units: querysets, read only by what lists
    # them (a page shows the first of a province's thousands).
    included: Any = None
    excluded: Any = None

    @property
    def not_counted(self) -> int:
        return self.total - self.counted


@dataclass(frozen=True)
class RollupStamp:
    """What a roll-up below a unit covers, read in one query: {status: (reports, sum of ids, sum of their
    squares, latest change)}. It keys the cached page and is the first read of the roll-up's members."""

    by_status: dict[str, tuple[int, int, int, float]]

    @property
    def members(self) -> dict[str, tuple[int, int, int]]:
        return {status: (n, ids, squares) for status, (n, ids, squares, _last) in self.by_status.items()}

    def revision(self, statuses) -> str:
        """Changes whenever the roll-up of ``statuses`` may: a report enters or leaves a status (the counts
        and sums of ids of every status), or a counted report changes (its latest ``updated_at``). A
        draft's autosave changes neither, so it does not empty the cache of a roll-up of submitted reports."""
        # The squares too: units swapped between two superiors keep the count and the sum of ids.
        parts = [f"{status}={n}/{ids}/{sq}" for status, (n, ids, sq, _last) in sorted(self.by_status.items())]
        last = max((self.by_status[s][3] for s in statuses if s in self.by_status), default=0)
        return ";".join([*parts, f"last={last}"])


def rollup_stamp(*, round, unit: Unit) -> RollupStamp:
    """The roll-up's stamp below ``unit`` (see ``RollupStamp``). One query."""
    rows = (
        Report.objects.filter(round=round, unit__path__startswith=unit.path, unit__is_grassroots=True)
        .counted(round)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"), ids=Sum("pk"), squares=Sum(F("pk") * F("pk")), last=Max("updated_at"))
    )
    return RollupStamp(
        {status: (n, ids or 0, squares or 0, last.timestamp() if last else 0) for status, n, ids, squares, last in rows}
    )


def rolls_up(indicator: Indicator) -> bool:
    """Whether an indicator's typed figures are added up in a roll-up (the page's and the workbook's)."""
    return indicator.rollup in ("sum", "ratio_of_sums")


def _members(reports) -> dict[str, tuple[int, int, int]]:
    """{status: (reports, sum of their ids, sum of their squares)} of the reports a roll-up covers: what
    its stored totals hold."""
    rows = reports.order_by().values_list("status").annotate(n=Count("pk"), ids=Sum("pk"), sq=Sum(F("pk") * F("pk")))
    return {status: (n, ids or 0, sq or 0) for status, n, ids, sq in rows}


def rollup(*, round, unit: Unit, statuses=DEFAULT_ROLLUP_STATUSES, stamp: RollupStamp | None = None) -> Rollup:
    """The appendix of every grassroots union below ``unit`` in ``round``, added up.

    Sums for summed indicators; ratios as the sum of numerators over the sum of denominators
    (never an average of percentages); indicators that cannot be added are left blank. Lists
    which units count (their report's status is in ``statuses``) and which do not, as querysets in
    Vietnamese order. Four queries whatever the number of units: the reports counted per status (none
    when ``stamp``, just read, already has them), then a superior union's stored totals
    (``reports.totals``), which must hold exactly those reports.
    """
    statuses = tuple(statuses)
    indicators = catalogue(round.outline_version_id, grassroots=unit.is_grassroots)
    reports = (
        Report.objects.filter(round=round, unit__path__startswith=unit.path, unit__is_grassroots=True)
        .counted(round)
        .select_related("unit")
        .only("pk", "status", "updated_at", "submitted_at", "unit__name", "unit__code", "unit__path")
        .order_by(Vietnamese("unit__name"), "pk")
    )
    members = stamp.members if stamp is not None else _members(reports)
    values = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
    if values is None and not unit.is_grassroots:
        # A status changed between the two reads (each statement sees its own moment), or the totals do
        # not match the reports (a report deleted, a unit moved): read both again; still apart, the
        # totals are made again once, then read.
        members = _members(reports)
        values = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
        if values is None:
            totals.rebuild(round)
            values = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
    if values is None:
        values = {
            (t["indicator_id"], t["column"]): t["total"]
            for t in IndicatorValue.objects.filter(
                counted_condition("report__", round.cutoff_date),
                report__round=round,
                report__unit__path__startswith=unit.path,
                report__unit__is_grassroots=True,
                report__status__in=statuses,
                indicator__rollup__in=totals.ROLLED_UP,
            )
            .values("indicator_id", "column")
            .annotate(total=Sum("value"))
            .order_by()
        }
    counts = {
        "total": sum(n for n, *_sums in members.values()),
        "counted": sum(n for status, (n, *_sums) in members.items() if status in statuses),
    }
    return Rollup(
        unit=unit,
        rows=compute_rows(indicators, round.data_years, values),
        statuses=statuses,
        counted=counts["counted"],
        total=counts["total"],
        included=reports.filter(status__in=statuses),
        excluded=reports.exclude(status__in=statuses),
    )


def can_export_consolidated(user, report) -> bool:
    """Reviewers and admins at the unit or above it, and the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser or can_edit(user, report):
        return True
    return any(report.unit.path.startswith(unit.path) for unit in access.overseen_units)


def can_export_drafts(user, report) -> bool:
    """Drafts (reports not submitted) go into a consolidated file only for the reviewers and admins
    above the units, who read them on the site: not for the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser:
        return True
    return any(report.unit.path.startswith(unit.path) for unit in access.overseen_units)


# --- Rounds: who sets them up, who sees them, what opening one will do ---


def can_manage_rounds(user) -> bool:
    """Whether the user sets up rounds: an administrator of some unit, or a superuser."""
    access = user_access(user)
    return access.is_superuser or bool(access.admin_units)


def units_for_rounds(user):
    """The units ``user`` may organise a round for: active superior unions at or below a unit they
    administer (every one, for a superuser), in tree order."""
    return administered_units(user).filter(is_active=True, is_grassroots=False).order_by("path")


def rounds_managed_by(user):
    """Rounds ``user`` may change and open: those organised at or below a unit they administer."""
    rounds = Round.objects.select_related("organising_unit", "outline_version")
    return rounds.filter(administered_units_q(user, "organising_unit"))


def round_list(user) -> list[Round]:
    """The rounds page: every round the user manages, newest deadline first, with how many reports
    each has. One query."""
    return list(rounds_managed_by(user).annotate(report_count=Count("reports")).order_by("-deadline", "code"))


def rounds_visible_to(user):
    """Rounds the user has a report to read in (all of them for a superuser), newest deadline first:
    what the dashboard's and the roll-up's round selector offer."""
    rounds = Round.objects.order_by("-deadline", "code")
    if user_access(user).is_superuser:
        return rounds
    return rounds.filter(Exists(Report.objects.visible_to(user).filter(round=OuterRef("pk"))))


def pick_round(rounds: list[Round], code: str | None) -> Round | None:
    """The round named by ``code`` among ``rounds``; without one, the latest opened round (the
    one with the newest deadline), else the first. None when the code is not among them."""
    if code:
        return next((r for r in rounds if r.code == code), None)
    return next((r for r in rounds if r.opened_at is not None), rounds[0] if rounds else None)


@dataclass
class OpenPreview:
    """What opening a round will create: reports for grassroots unions and for superior unions' own
    reports, of active units that have none yet, and how many drafters will be told."""

    grassroots: int
    superiors: int
    drafters: int

    @property
    def total(self) -> int:
        return self.grassroots + self.superiors


def round_open_preview(round: Round) -> OpenPreview:
    """Counts for the confirmation page, two queries whatever the number of units."""
    units = (
        Unit.objects.subtree_of(round.organising_unit)
        .filter(is_active=True)
        .exclude(Exists(Report.objects.filter(round=round, unit=OuterRef("pk"))))
    )
    counts = units.aggregate(
        grassroots=Count("pk", filter=Q(is_grassroots=True)), superiors=Count("pk", filter=Q(is_grassroots=False))
    )
    drafters = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.DRAFTER, memberships__unit__in=units)
        .distinct()
        .count()
    )
    return OpenPreview(grassroots=counts["grassroots"], superiors=counts["superiors"], drafters=drafters)
