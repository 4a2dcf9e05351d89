"""The dashboard: every unit below the user's in a round, with its progress, counted and paged by the database."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.db import Folded, Vietnamese
from core.text import fold
from indicators.models import Indicator
from outline.models import OutlineNode
from units.models import subtree_q
from units.selectors import user_access

from ..models import (
    EDITABLE_STATUSES,
    Comment,
    IndicatorValue,
    Report,
    ReportStatus,
    RollupMembers,
    SectionText,
    Submission,
)


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


def kept_status_counts(round, units) -> dict[str, int]:
    """How many reports per status count in ``round`` below ``units`` (not their own), without reading
    a province's reports: the grassroots unions' from the counts the roll-up's totals keep
    (``RollupMembers``, moved by every service that changes a status, in the same transaction), the
    superior unions' own reports (a few hundred) counted. Two queries. A change made behind the
    services' back shows here when the next roll-up finds it and rebuilds the totals."""
    # A unit below another of the list is already in that one's counts.
    tops = [u for u in units if not any(u.pk != other.pk and u.is_within(other) for other in units)]
    counts: dict[str, int] = {}
    kept = (
        RollupMembers.objects.filter(round=round, unit__in=tops)
        .order_by()
        .values_list("status")
        .annotate(n=Sum("reports"))
    )
    superiors = Q(pk__in=[])
    for unit in tops:
        superiors |= subtree_q(unit, "unit", include_self=False)
    own = (
        Report.objects.filter(superiors, round=round, unit__is_grassroots=False)
        .counted(round)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    for status, n in [*kept, *own]:
        counts[status] = counts.get(status, 0) + (n or 0)
    return counts


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
    counts (kept, ``kept_status_counts``; counted afresh for a superuser) and the two totals are four
    more. Without a search or a derived filter the number of rows is the status counts' sum."""

    access = user_access(user)
    # Only what the table shows: thousands of rows, so every field and object saved counts.
    # A merged unit's report is left out of the round its merger came before the cut-off of.
    reports = (
        Report.objects.filter(round=round)
        .counted(round)
        .select_related("unit")
        .only("pk", "status", "updated_at", "extended_until", "round_id", "unit__name", "unit__code", "unit__path")
    )
    counts = {value: 0 for value in ReportStatus.values}
    if access.is_superuser:
        counts.update(reports.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    else:
        condition = Q(pk__in=[])
        for unit in access.overseen_units:
            condition |= subtree_q(unit, "unit", include_self=False)
        reports = reports.filter(condition)
        for value, n in kept_status_counts(round, access.overseen_units).items():
            counts[value] += n
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
        reports = reports.past_deadline(round, today).filter(status__in=EDITABLE_STATUSES)
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
        typed_indicators=Indicator.objects.in_catalogue(round.outline_version_id, grassroots=True)
        .exclude(kind="ratio")
        .count(),
    )
