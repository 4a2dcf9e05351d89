"""A report's appendix: its figures with their comparisons, as the catalogue computes them."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from indicators.figures import Row, compute_rows, shown_table
from indicators.models import PREVIOUS
from indicators.selectors import catalogue

from ..models import (
    Appendix,
    IndicatorNote,
    IndicatorValue,
    Report,
)


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


@dataclass(frozen=True)
class StoredAppendix:
    """A report's figures {(indicator id, column): value}, notes {indicator id: IndicatorNote} and
    appendix version as a save has just stored them, under the report's lock (``appendix_save``)."""

    values: dict[tuple[int, str], Decimal]
    notes: dict[int, IndicatorNote]
    version: int


def report_appendix(report: Report, indicators=None, *, stored: StoredAppendix | None = None) -> ReportAppendix:
    """The report's appendix rows with comparisons: four queries whatever the size; none but the
    catalogue (if not given) from what a save has just ``stored``."""
    indicators = (
        indicators
        if indicators is not None
        else catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)
    )
    if stored is not None:
        values, notes, version = stored.values, stored.notes, stored.version
    else:
        values = {
            (v.indicator_id, v.column): v.value
            for v in IndicatorValue.objects.filter(report=report).only("indicator_id", "column", "value")
        }
        notes = {n.indicator_id: n for n in IndicatorNote.objects.filter(report=report)}
        version = Appendix.objects.filter(report=report).values_list("version", flat=True).first() or 0
    return ReportAppendix(
        rows=compute_rows(indicators, report.round.data_years, values, notes, period=report.round.period),
        version=version,
        first_congress=report.is_first_congress,
    )


def rows_for_node(appendix: ReportAppendix, node) -> list[Row]:
    return [r for r in appendix.rows if r.indicator.node_id == node.pk]
