"""Reads for the appendix: one report's rows, a subtree's roll-up. Fixed query counts."""

from dataclasses import dataclass

from django.db.models import Count, Max, Sum

from outline.models import Report, ReportStatus
from reportsite.models import Unit
from reportsite.text import vietnamese_sort_key

from .figures import Row, compute_rows
from .models import Appendix, Indicator, IndicatorNote, IndicatorValue

DEFAULT_ROLLUP_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def catalogue(outline_version_id) -> list[Indicator]:
    return list(
        Indicator.objects.filter(outline_version_id=outline_version_id).select_related("node").order_by("position")
    )


@dataclass
class ReportAppendix:
    rows: list[Row]
    version: int

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
    indicators = indicators if indicators is not None else catalogue(report.round.outline_version_id)
    values = {
        (v.indicator_id, v.column): v.value
        for v in IndicatorValue.objects.filter(report=report).only("indicator_id", "column", "value")
    }
    notes = {n.indicator_id: n for n in IndicatorNote.objects.filter(report=report)}
    version = Appendix.objects.filter(report=report).values_list("version", flat=True).first() or 0
    return ReportAppendix(rows=compute_rows(indicators, report.round.data_years, values, notes), version=version)


def rows_for_node(appendix: ReportAppendix, node) -> list[Row]:
    return [r for r in appendix.rows if r.indicator.node_id == node.pk]


@dataclass
class Rollup:
    unit: Unit
    rows: list[Row]
    statuses: tuple[str, ...]
    included: list[Report]
    excluded: list[Report]

    @property
    def total(self):
        return len(self.included) + len(self.excluded)


def rollup_revision(*, round, unit: Unit) -> str:
    """A stamp that changes whenever the roll-up below ``unit`` may: a figure or a status changes a
    report's ``updated_at``; a unit moved in or out changes the count or the sum of ids. One query."""
    stamp = Report.objects.filter(round=round, unit__path__startswith=unit.path, unit__is_grassroots=True).aggregate(
        n=Count("pk"), last=Max("updated_at"), ids=Sum("pk")
    )
    last = stamp["last"].timestamp() if stamp["last"] else 0
    return f"{stamp['n']}:{last}:{stamp['ids'] or 0}"


def rolls_up(indicator: Indicator) -> bool:
    """Whether an indicator's typed figures are added up in a roll-up (the page's and the workbook's)."""
    return indicator.rollup in ("sum", "ratio_of_sums")


def rollup(*, round, unit: Unit, statuses=DEFAULT_ROLLUP_STATUSES) -> Rollup:
    """The appendix of every grassroots union below ``unit`` in ``round``, added up.

    Sums for summed indicators; ratios as the sum of numerators over the sum of denominators
    (never an average of percentages); indicators that cannot be added are left blank. Lists
    which units count (their report's status is in ``statuses``) and which do not. Three queries
    whatever the number of units.
    """
    statuses = tuple(statuses)
    indicators = catalogue(round.outline_version_id)
    reports = list(
        Report.objects.filter(round=round, unit__path__startswith=unit.path, unit__is_grassroots=True)
        .select_related("unit")
        .only("pk", "status", "updated_at", "submitted_at", "unit__name", "unit__code", "unit__path")
    )
    totals = (
        IndicatorValue.objects.filter(
            report__round=round,
            report__unit__path__startswith=unit.path,
            report__unit__is_grassroots=True,
            report__status__in=statuses,
            indicator__rollup__in=("sum", "ratio_of_sums"),
        )
        .values("indicator_id", "column")
        .annotate(total=Sum("value"))
        .order_by()
    )
    values = {(t["indicator_id"], t["column"]): t["total"] for t in totals}
    included = sorted((r for r in reports if r.status in statuses), key=lambda r: vietnamese_sort_key(r.unit.name))
    excluded = sorted(
        (r for r in reports if r.status not in statuses),
        key=lambda r: vietnamese_sort_key(r.unit.name),
    )
    return Rollup(
        unit=unit,
        rows=compute_rows(indicators, round.data_years, values),
        statuses=statuses,
        included=included,
        excluded=excluded,
    )
