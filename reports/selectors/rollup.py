"""The roll-up: the appendices of the grassroots unions below a unit, added up (from reports.totals)."""

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Sum

from core.db import Vietnamese
from indicators.figures import Row, compute_rows
from indicators.models import Indicator
from indicators.selectors import catalogue
from units.models import Unit, subtree_q

from .. import totals
from ..models import (
    IndicatorValue,
    Report,
    ReportStatus,
    counted_condition,
)
from ..tasks import rebuild_totals

DEFAULT_ROLLUP_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


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
    # The same of the superior unions directly below, whose own reports hold the superior-only rows.
    superiors: dict[str, tuple[int, int, int, float]] = field(default_factory=dict)

    @property
    def members(self) -> dict[str, tuple[int, int, int]]:
        return {status: (n, ids, squares) for status, (n, ids, squares, _last) in self.by_status.items()}

    def revision(self, statuses) -> str:
        """Changes whenever the roll-up of ``statuses`` may: a report enters or leaves a status (the counts
        and sums of ids of every status), or a counted report changes (its latest ``updated_at``). A
        draft's autosave changes neither, so it does not empty the cache of a roll-up of submitted reports."""
        # The squares too: units swapped between two superiors keep the count and the sum of ids.
        parts = [f"{status}={n}/{ids}/{sq}" for status, (n, ids, sq, _last) in sorted(self.by_status.items())]
        parts += [f"s:{status}={n}/{ids}/{sq}" for status, (n, ids, sq, _last) in sorted(self.superiors.items())]
        last = max((held[s][3] for held in (self.by_status, self.superiors) for s in statuses if s in held), default=0)
        return ";".join([*parts, f"last={last}"])


def rollup_stamp(*, round, unit: Unit) -> RollupStamp:
    """The roll-up's stamp below ``unit`` (see ``RollupStamp``). One query."""
    below = Report.objects.counted_below(round, unit)
    superiors = Report.objects.filter(round=round, unit__parent=unit, unit__is_grassroots=False).counted(round)
    rows = (
        (below | superiors)
        .order_by()
        .values_list("status", "unit__is_grassroots")
        .annotate(n=Count("pk"), ids=Sum("pk"), squares=Sum(F("pk") * F("pk")), last=Max("updated_at"))
    )
    by_status, by_superiors = {}, {}
    for status, grassroots, n, ids, squares, last in rows:
        held = by_status if grassroots else by_superiors
        held[status] = (n, ids or 0, squares or 0, last.timestamp() if last else 0)
    return RollupStamp(by_status, by_superiors)


def rolls_up(indicator: Indicator) -> bool:
    """Whether an indicator's typed figures are added up in a roll-up (the page's and the workbook's)."""
    return indicator.rollup in ("sum", "ratio_of_sums")


def _members(reports) -> dict[str, tuple[int, int, int]]:
    """{status: (reports, sum of their ids, sum of their squares)} of the reports a roll-up covers: what
    its stored totals hold."""
    rows = reports.order_by().values_list("status").annotate(n=Count("pk"), ids=Sum("pk"), sq=Sum(F("pk") * F("pk")))
    return {status: (n, ids or 0, sq or 0) for status, n, ids, sq in rows}


def _superior_only_from_superiors(*, round, unit: Unit, statuses, indicators, values: dict) -> dict:
    """The rows only superior unions count (their CĐCS, enterprises of 25 or more, ratings) roll up through
    the levels from the superiors' own reports: a province's roll-up adds up what its districts and
    industrial-zone unions typed in their own reports (each has already counted the units below it), not
    what no CĐCS is asked for. One query, over the superior unions directly below ``unit``."""
    own = [i.pk for i in indicators if i.superior_only and not i.is_computed and rolls_up(i)]
    if not own or unit.is_grassroots:
        return values
    kept = {key: value for key, value in values.items() if key[0] not in own}
    rows = (
        IndicatorValue.objects.filter(
            counted_condition("report__", round.cutoff_date),
            report__round=round,
            report__unit__parent=unit,
            report__unit__is_grassroots=False,
            report__status__in=statuses,
            indicator_id__in=own,
        )
        .values("indicator_id", "column")
        .annotate(total=Sum("value"))
        .order_by()
    )
    kept.update({(r["indicator_id"], r["column"]): r["total"] for r in rows})
    return kept


def rollup(*, round, unit: Unit, statuses=DEFAULT_ROLLUP_STATUSES, stamp: RollupStamp | None = None) -> Rollup:
    """The appendix of every grassroots union below ``unit`` in ``round``, added up.

    Sums for summed indicators; ratios as the sum of numerators over the sum of denominators
    (never an average of percentages); indicators that cannot be added are left blank. Lists
    which units count (their report's status is in ``statuses``) and which do not, as querysets in
    Vietnamese order. Four queries whatever the number of units: the reports counted per status (none
    when ``stamp``, just read, already has them), then a superior union's stored totals
    (``reports.totals``), which must hold exactly those reports. When they do not, the figures are
    added up afresh (no lock taken, nothing written but this:) and the totals' rebuild is queued for
    the background worker (``reports.tasks.rebuild_totals``) once the caller's transaction commits.
    """
    statuses = tuple(statuses)
    indicators = catalogue(round.outline_version_id, grassroots=unit.is_grassroots)
    reports = (
        Report.objects.counted_below(round, unit)
        .select_related("unit")
        .only("pk", "status", "updated_at", "submitted_at", "unit__name", "unit__code", "unit__path")
        .order_by(Vietnamese("unit__name"), "pk")
    )
    members = stamp.members if stamp is not None else _members(reports)
    values = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
    if values is None and not unit.is_grassroots:
        # A status changed between the two reads (each statement sees its own moment), or the totals do
        # not match the reports (a report deleted, a unit moved): read both again. Still apart, the
        # figures are added up afresh below, without a lock, and the totals are made again in the
        # background: a read never waits for the round's reports, nor locks them.
        members = _members(reports)
        values = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
        if values is None:
            transaction.on_commit(partial(rebuild_totals.enqueue, round_id=round.pk), robust=True)
    if values is None:
        values = {
            (t["indicator_id"], t["column"]): t["total"]
            for t in IndicatorValue.objects.filter(
                counted_condition("report__", round.cutoff_date),
                subtree_q(unit, "report__unit"),
                report__round=round,
                report__unit__is_grassroots=True,
                report__status__in=statuses,
                indicator__rollup__in=totals.ROLLED_UP,
            )
            .values("indicator_id", "column")
            .annotate(total=Sum("value"))
            .order_by()
        }
    values = _superior_only_from_superiors(
        round=round, unit=unit, statuses=statuses, indicators=indicators, values=values
    )
    counts = {
        "total": sum(n for n, *_sums in members.values()),
        "counted": sum(n for status, (n, *_sums) in members.items() if status in statuses),
    }
    return Rollup(
        unit=unit,
        rows=compute_rows(indicators, round.data_years, values, period=round.period),
        statuses=statuses,
        counted=counts["counted"],
        total=counts["total"],
        included=reports.filter(status__in=statuses),
        excluded=reports.exclude(status__in=statuses),
    )


def rollup_fill(*, round, unit) -> str:
    """What the outline's blanks say on the roll-up page of ``unit``: what its own report in ``round``
    prints (its name, congress and term), never the bare dots of an unfilled outline; "" when the union
    has no report of its own in the round."""
    own = Report.objects.select_related("round", "unit", "unit__parent").filter(round=round, unit=unit).first()
    return own.blank_fill if own is not None else ""
