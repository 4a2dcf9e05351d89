"""The roll-up: the appendices of the grassroots unions below a unit, added up (from reports.totals)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Subquery, Sum

from core.db import Vietnamese
from indicators.derived import DENOMINATOR, NUMERATOR, is_paired, paired_column
from indicators.figures import Row, compute_rows
from indicators.models import Indicator
from indicators.selectors import catalogue
from units.models import Unit, subtree_q

from .. import totals
from ..models import (
    IndicatorValue,
    Report,
    ReportStatus,
    RollupMembers,
    counted_condition,
)
from ..tasks import rebuild_totals

DEFAULT_ROLLUP_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
# How often a roll-up made from trusted kept rows (``RollupStamp.trusted``) has the worker check them.
ROLLUP_CHECK_SECONDS = 600


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
    """What a roll-up below a unit covers: {status: (reports, sum of ids, sum of their squares, latest
    change)}. It keys the cached page and is the first read of the roll-up's members.

    Up to ``ROLLUP_EXACT_STAMP_REPORTS`` reports below it is read from the reports themselves (an
    aggregate over the subtree: exact even when something changed them behind the services' back);
    past that (a province, the country: 640 ms over 121,000 reports) it is the kept ``RollupMembers``
    rows of the unit, which every service moves in the same transaction as the reports (``trusted``);
    the roll-up made from them queues a background check that makes them again if they are out of step
    (``rollup``)."""

    by_status: dict[str, tuple[int, int, int, float]]
    # The same of the superior unions directly below, whose own reports hold the superior-only rows.
    superiors: dict[str, tuple[int, int, int, float]] = field(default_factory=dict)
    # The union's own report in the round, read with the rest (its id and congress number, what the
    # outline's blanks print: ``rollup_fill``); None when it has none, or when no report below answered.
    own: tuple[int, str] | None = None
    read_own: bool = False
    # {status: RollupMembers.revision}: moves with every change of the kept totals of that status.
    kept: dict[str, int] = field(default_factory=dict)
    trusted: bool = False

    @property
    def members(self) -> dict[str, tuple[int, int, int]]:
        return {status: (n, ids, squares) for status, (n, ids, squares, _last) in self.by_status.items()}

    def revision(self, statuses) -> str:
        """Changes whenever the roll-up of ``statuses`` may: a report enters or leaves a status (the counts
        and sums of ids of every status), or a counted report changes (its latest ``updated_at``, or the
        kept revision of its status). A draft's autosave changes neither for other statuses, so it does
        not empty the cache of a roll-up of submitted reports."""
        # The squares too: units swapped between two superiors keep the count and the sum of ids.
        parts = [f"{status}={n}/{ids}/{sq}" for status, (n, ids, sq, _last) in sorted(self.by_status.items())]
        parts += [f"s:{status}={n}/{ids}/{sq}" for status, (n, ids, sq, _last) in sorted(self.superiors.items())]
        parts += [f"k:{status}={self.kept[status]}" for status in sorted(statuses) if status in self.kept]
        last = max((held[s][3] for held in (self.by_status, self.superiors) for s in statuses if s in held), default=0)
        return ";".join([*parts, f"last={last}", f"own={self.own}"])


def rollup_stamp(*, round, unit: Unit) -> RollupStamp:
    """The roll-up's stamp below ``unit`` (see ``RollupStamp``): the kept rows of the unit, then one
    aggregate (over the subtree's reports, or past ``ROLLUP_EXACT_STAMP_REPORTS`` only over the superior
    unions directly below). Two queries."""
    kept_rows = (
        []
        if unit.is_grassroots
        else list(
            RollupMembers.objects.filter(round=round, unit=unit).values_list(
                "status", "reports", "id_sum", "id_square_sum", "revision"
            )
        )
    )
    kept = {status: revision for status, _n, _ids, _sq, revision in kept_rows}
    trusted = sum(n for _status, n, *_rest in kept_rows) > settings.ROLLUP_EXACT_STAMP_REPORTS
    superiors = Report.objects.filter(round=round, unit__parent=unit, unit__is_grassroots=False).counted(round)
    own = Report.objects.filter(round=round, unit=unit)
    rows = (
        (superiors if trusted else Report.objects.counted_below(round, unit) | superiors)
        .order_by()
        # The union's own report rides along (the same on every row): the page's blanks need no query.
        .annotate(own_pk=Subquery(own.values("pk")[:1]), own_congress=Subquery(own.values("congress_number")[:1]))
        .values_list("status", "unit__is_grassroots", "own_pk", "own_congress")
        .annotate(n=Count("pk"), ids=Sum("pk"), squares=Sum(F("pk") * F("pk")), last=Max("updated_at"))
    )
    by_status, by_superiors = {}, {}
    if trusted:
        by_status = {status: (n, ids, sq, 0) for status, n, ids, sq, _revision in kept_rows if n}
    own_report, read_own = None, False
    for status, grassroots, own_pk, own_congress, n, ids, squares, last in rows:
        held = by_status if grassroots else by_superiors
        held[status] = (n, ids or 0, squares or 0, last.timestamp() if last else 0)
        own_report, read_own = ((own_pk, own_congress or "") if own_pk is not None else None), True
    return RollupStamp(by_status, by_superiors, own=own_report, read_own=read_own, kept=kept, trusted=trusted)


def rolls_up(indicator: Indicator) -> bool:
    """Whether an indicator's typed figures are added up in a roll-up (the page's and the workbook's)."""
    return indicator.rollup in ("sum", "ratio_of_sums")


def _members(reports) -> dict[str, tuple[int, int, int]]:
    """{status: (reports, sum of their ids, sum of their squares)} of the reports a roll-up covers: what
    its stored totals hold."""
    rows = reports.order_by().values_list("status").annotate(n=Count("pk"), ids=Sum("pk"), sq=Sum(F("pk") * F("pk")))
    return {status: (n, ids or 0, sq or 0) for status, n, ids, sq in rows}


def _superior_only_from_superiors(*, round, unit: Unit, statuses, indicators, values: dict, counts: dict) -> None:
    """The rows only superior unions count (their CĐCS, enterprises of 25 or more, ratings) roll up through
    the levels from the superiors' own reports: a province's roll-up adds up what its districts and
    industrial-zone unions typed in their own reports (each has already counted the units below it), not
    what no CĐCS is asked for; their ratios over the superiors that gave both parts. Sets them in
    ``values`` and ``counts`` (how many superiors gave each). One query, over the superior unions
    directly below ``unit``."""
    by_id = {i.pk: i for i in indicators}
    own = [i.pk for i in indicators if i.superior_only and not i.is_computed and rolls_up(i)]
    if not own or unit.is_grassroots:
        return
    ratios = [i for i in indicators if i.superior_only and rolls_up(i) and is_paired(i, by_id)]
    dropped = set(own) | {r.pk for r in ratios}
    for key in [key for key in values if key[0] in dropped]:
        del values[key]
        counts.pop(key, None)
    rows = IndicatorValue.objects.filter(
        counted_condition("report__", round.cutoff_date),
        report__round=round,
        report__unit__parent=unit,
        report__unit__is_grassroots=False,
        report__status__in=statuses,
        indicator_id__in=own,
    ).values_list("report_id", "indicator_id", "column", "value")
    # A few superiors × a few rows: their figures one by one, so the ratios can be paired here.
    by_report: dict[int, dict] = defaultdict(dict)
    for report_id, indicator_id, column, value in rows:
        by_report[report_id][(indicator_id, column)] = value

    def add(key, value):
        values[key] = values.get(key, Decimal(0)) + value
        counts[key] = counts.get(key, 0) + 1

    for figures in by_report.values():
        for key, value in figures.items():
            add(key, value)
        for ratio in ratios:
            for (indicator_id, column), num in figures.items():
                den = figures.get((ratio.denominator_id, column))
                if indicator_id == ratio.numerator_id and den is not None:
                    add((ratio.pk, paired_column(NUMERATOR, column)), num)
                    add((ratio.pk, paired_column(DENOMINATOR, column)), den)


def rollup(*, round, unit: Unit, statuses=DEFAULT_ROLLUP_STATUSES, stamp: RollupStamp | None = None) -> Rollup:
    """The appendix of every grassroots union below ``unit`` in ``round``, added up.

    Sums for summed indicators; ratios as the sum of numerators over the sum of denominators of the
    units that gave both (never an average of percentages), each row with how many units it counts
    (``Row.units_counted``); indicators that cannot be added are left blank. Lists
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
    held = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
    if held is None and not unit.is_grassroots:
        # A status changed between the two reads (each statement sees its own moment), or the totals do
        # not match the reports (a report deleted, a unit moved): read both again. Still apart, the
        # figures are added up afresh below, without a lock, and the totals are made again in the
        # background: a read never waits for the round's reports, nor locks them.
        members = _members(reports)
        held = totals.stored(round=round, unit=unit, statuses=statuses, members=members)
        if held is None:
            transaction.on_commit(partial(rebuild_totals.enqueue, round_id=round.pk), robust=True)
    trusted = held is not None and stamp is not None and stamp.trusted
    if trusted and cache.add(f"rollup-check:{round.pk}", 1, ROLLUP_CHECK_SECONDS):
        # Kept rows were trusted without reading the reports: the worker checks them against the reports
        # (and makes the totals again if a change went behind the services' back), once in a while.
        transaction.on_commit(partial(rebuild_totals.enqueue, round_id=round.pk), robust=True)
    if held is None:
        held = _added_up(round=round, unit=unit, statuses=statuses, rolled_up={i.pk for i in indicators if rolls_up(i)})
    values, counts = dict(held), held.counts
    _superior_only_from_superiors(
        round=round, unit=unit, statuses=statuses, indicators=indicators, values=values, counts=counts
    )
    counted = {
        "total": sum(n for n, *_sums in members.values()),
        "counted": sum(n for status, (n, *_sums) in members.items() if status in statuses),
    }
    return Rollup(
        unit=unit,
        rows=compute_rows(indicators, round.data_years, values, period=round.period, counts=counts),
        statuses=statuses,
        counted=counted["counted"],
        total=counted["total"],
        included=reports.filter(status__in=statuses),
        excluded=reports.exclude(status__in=statuses),
    )


def _added_up(*, round, unit: Unit, statuses, rolled_up: set[int]) -> totals.Sums:
    """The figures below ``unit`` added up afresh, ratios' paired sums included, with how many units gave
    each: what the stored totals hold when they are in step (``totals.stored``); ``rolled_up``: the ids
    of the indicators that add up. Two queries."""
    sums = totals.Sums()
    rows = (
        IndicatorValue.objects.filter(
            counted_condition("report__", round.cutoff_date),
            subtree_q(unit, "report__unit"),
            report__round=round,
            report__unit__is_grassroots=True,
            report__status__in=statuses,
            indicator__rollup__in=totals.ROLLED_UP,
        )
        .values_list("indicator_id", "column")
        .annotate(total=Sum("value"), units=Count("pk"))
        .order_by()
    )
    for indicator_id, column, total, units in rows:
        sums[(indicator_id, column)], sums.counts[(indicator_id, column)] = total, units
    reports = Report.objects.counted_below(round, unit).filter(status__in=statuses)
    for indicator_id, column, total, units in totals.paired_sums(reports):
        if indicator_id in rolled_up:
            sums[(indicator_id, column)], sums.counts[(indicator_id, column)] = total, units
    return sums


def rollup_fill(*, round, unit, stamp: RollupStamp | None = None) -> str:
    """What the outline's blanks say on the roll-up page of ``unit``: what its own report in ``round``
    prints (its name, congress and term), never the bare dots of an unfilled outline; "" when the union
    has no report of its own in the round. No query when ``stamp`` read the own report (with ``unit``'s
    parent loaded); one otherwise."""
    if stamp is not None and stamp.read_own:
        if stamp.own is None:
            return ""
        pk, congress = stamp.own
        return Report(pk=pk, round=round, unit=unit, congress_number=congress).blank_fill
    own = Report.objects.select_related("round", "unit", "unit__parent").filter(round=round, unit=unit).first()
    return own.blank_fill if own is not None else ""
