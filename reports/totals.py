"""The roll-up's stored totals: every superior union's sum of its grassroots unions' figures, per status.

A province of 10,000 unions holds about 1.8 million figures; adding them up on every roll-up took 0.4 s
of PostgreSQL's time. Instead each change of a status moves that one report's figures out of and into
the totals of the few unions above it (``shift``), each change of figures adds the difference of the
cells changed (``shift_cells``), and the roll-up reads a few hundred rows (``stored``).
``RollupMembers`` records which reports the totals hold (their number, the sum of their ids and of their
squares); when they differ from the reports themselves (a report deleted, a unit moved, a grassroots flag
changed), ``stored`` answers None: the roll-up then adds up afresh and queues ``rebuild_if_stale`` in the
background (``reports.tasks.rebuild_totals``); a writer that moves units calls ``rebuild`` itself.
No signal is involved: the services that write call ``shift`` inside their transaction, with the report locked.

A ratio rolls up over the units that gave both its parts: beside the sums of its numerator and
denominator, the totals keep under the ratio's own id the paired sums "n:<column>" and "d:<column>"
(``indicators.derived.paired_column``) of the units that gave both for that column, and in ``figures``
how many did; they move with the same statements as the other totals.
"""

import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Sum

from indicators.derived import DENOMINATOR, NUMERATOR, is_paired, paired_column
from indicators.models import Indicator, Kind
from units.models import Unit

from .models import IndicatorValue, Report, RollupMembers, RollupTotal, Round, counted_condition

ROLLED_UP = ("sum", "ratio_of_sums")
FOUR_PLACES = Decimal("0.0001")


def _paired_select(report_condition: str) -> str:
    """The paired parts of every ratio in the reports matched by ``report_condition`` (on ``vn``), as
    rows (report id, ratio id, "n:"/"d:" column, value): one row per part, where the report gave both
    parts in that column. Its parameters: the ratio kind, twice."""
    q = connection.ops.quote_name
    values, indicators = IndicatorValue._meta.db_table, Indicator._meta.db_table
    parts = []
    for part, side in ((NUMERATOR, "vn"), (DENOMINATOR, "vd")):
        parts.append(
            f"SELECT vn.report_id AS report_id, r.id AS indicator_id, "
            f"'{paired_column(part, '')}' || vn.{q('column')} AS col, {side}.value AS value "
            f"FROM {values} vn JOIN {indicators} r ON r.numerator_id = vn.indicator_id AND r.kind = %s "
            f"JOIN {values} vd ON vd.report_id = vn.report_id AND vd.indicator_id = r.denominator_id "
            f"AND vd.{q('column')} = vn.{q('column')} WHERE {report_condition}"
        )
    return " UNION ALL ".join(parts)


def _decimal(value) -> Decimal:
    """A sum read by a raw query as a Decimal of the stored precision (SQLite answers a float)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value)).quantize(FOUR_PLACES)


def paired_sums(reports, *, by: tuple[str, ...] = ()) -> list[tuple]:
    """The paired sums of every ratio over ``reports`` (a queryset of reports): rows (*``by``, ratio
    id, "n:"/"d:" column, total, units), grouped by the report fields ``by`` ("status", "unit__parent_id")
    as well. One query."""
    sql, params = reports.order_by().values("pk").query.sql_with_params()
    fields = {"status": "rep.status", "unit__parent_id": "u.parent_id"}
    group = "".join(f"{fields[name]}, " for name in by)
    query = (
        f"SELECT {group}p.indicator_id, p.col, SUM(p.value), COUNT(*) "
        f"FROM ({_paired_select(f'vn.report_id IN ({sql})')}) p "
        f"JOIN {Report._meta.db_table} rep ON rep.id = p.report_id JOIN {Unit._meta.db_table} u ON u.id = rep.unit_id "
        f"GROUP BY {group}p.indicator_id, p.col"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [Kind.RATIO, *params, Kind.RATIO, *params])
        return [(*row[:-2], _decimal(row[-2]), row[-1]) for row in cursor.fetchall()]


def paired_cells(indicators, before: dict, cells: dict) -> dict:
    """What a change of ``cells`` {(indicator id, column): (old, new)} of one report does to the paired
    sums of its ratios, as more such cells: {(ratio id, "n:2020"): (old, new)}, None where the report
    did not give both parts. ``before``: every figure of the report before the change."""
    indicators = list(indicators)
    by_id = {i.pk: i for i in indicators}
    changed: dict[int, set[str]] = defaultdict(set)
    for indicator_id, column in cells:
        changed[indicator_id].add(column)
    after = {**before, **{key: new for key, (_old, new) in cells.items()}}
    out = {}
    for ratio in indicators:
        if not is_paired(ratio, by_id):
            continue
        num, den = ratio.numerator_id, ratio.denominator_id
        for column in changed.get(num, set()) | changed.get(den, set()):
            old = (before.get((num, column)), before.get((den, column)))
            new = (after.get((num, column)), after.get((den, column)))
            old_both, new_both = None not in old, None not in new
            for index, part in enumerate((NUMERATOR, DENOMINATOR)):
                out[(ratio.pk, paired_column(part, column))] = (
                    old[index] if old_both else None,
                    new[index] if new_both else None,
                )
    return out


def _above(report) -> list[int]:
    """The unions whose totals hold this report: those above it, if it is a grassroots union's that
    counts in its round (``Report.is_counted``)."""
    unit = report.unit
    # A report that does not count in its round (its unit merged before the cut-off) is in no totals.
    return unit.ancestor_ids() if unit.is_grassroots and report.is_counted else []


def shift(report, *, status: str, sign: int) -> None:
    """Add (sign +1) or take away (sign -1) the report's stored figures and its membership to or from
    the totals of every union above it under ``status``. Two statements; none for a superior's own."""
    above = _above(report)
    if not above:
        return
    _lock_round(report)
    q = connection.ops.quote_name
    totals, members = RollupTotal._meta.db_table, RollupMembers._meta.db_table
    marks = ", ".join(["%s"] * len(above))
    with connection.cursor() as cursor:
        # The SELECT has a WHERE so SQLite reads ON CONFLICT as the upsert clause, not a join. The
        # figures as typed, and the paired parts of the report's ratios (``_paired_select``).
        cursor.execute(
            f"INSERT INTO {totals} (round_id, unit_id, status, indicator_id, {q('column')}, total, figures) "
            f"SELECT %s, u.id, %s, v.indicator_id, v.col, %s * v.value, %s "
            f"FROM (SELECT indicator_id, {q('column')} AS col, value FROM {IndicatorValue._meta.db_table} "
            f"WHERE report_id = %s UNION ALL SELECT indicator_id, col, value FROM "
            f"({_paired_select('vn.report_id = %s')}) p) v CROSS JOIN {Unit._meta.db_table} u "
            f"WHERE u.id IN ({marks}) "
            # One row order for every writer (the round's lock above already keeps writers apart).
            f"ORDER BY u.id, v.indicator_id, v.col "
            f"ON CONFLICT (round_id, unit_id, status, indicator_id, {q('column')}) DO UPDATE SET "
            f"total = {totals}.total + excluded.total, figures = {totals}.figures + excluded.figures",
            [report.round_id, status, sign, sign, report.pk, Kind.RATIO, report.pk, Kind.RATIO, report.pk, *above],
        )
        cursor.execute(
            f"INSERT INTO {members} (round_id, unit_id, status, reports, id_sum, id_square_sum, revision) "
            f"SELECT %s, u.id, %s, %s, %s, %s, %s FROM {Unit._meta.db_table} u WHERE u.id IN ({marks}) "
            f"ORDER BY u.id ON CONFLICT (round_id, unit_id, status) DO UPDATE SET "
            f"reports = {members}.reports + excluded.reports, id_sum = {members}.id_sum + excluded.id_sum, "
            f"id_square_sum = {members}.id_square_sum + excluded.id_square_sum, revision = {members}.revision + 1",
            [report.round_id, status, sign, sign * report.pk, sign * report.pk * report.pk, fresh_revision(), *above],
        )


def fresh_revision() -> int:
    """A ``RollupMembers.revision`` never used before for a row made anew (by ``rebuild``, or the first
    report of a status below a union): the clock in microseconds, far above what increments reach."""
    return time.time_ns() // 1000


def _lock_round(report) -> None:
    # Every writer of a round's totals first locks the round's row (the caller holds its report's lock,
    # taken before): totals and member rows of several reports and statuses are then never locked
    # crosswise by two transactions (a deadlock PostgreSQL would end with an error). Appendix saves and
    # status changes of one round queue here for a few milliseconds; autosaves of texts never come here.
    list(Round.objects.select_for_update().filter(pk=report.round_id).values_list("pk", flat=True))


# Rows of one statement of ``shift_cells`` (7 parameters each: SQLite takes 999 per statement).
CELL_ROWS_MAX = 140


def shift_cells(report, *, status: str, cells: dict[tuple[int, str], tuple[Decimal | None, Decimal | None]]) -> None:
    """The report's figures changed in a few cells, {(indicator id, column): (old, new)} (None: no
    figure), under ``status``: add each cell's difference to the totals of every union above it. Two
    statements for an autosave (the round's lock, one upsert of a row per cell and union above; one
    more per CELL_ROWS_MAX rows), where ``shift`` out and in again took six and moved every figure of
    the report. The figures themselves are the caller's to write, in the same transaction; the
    paired sums of its ratios move as cells too (``paired_cells``, which the caller adds)."""
    above = _above(report)
    changes = []
    for (indicator_id, column), (old, new) in sorted(cells.items()):
        total = (new or 0) - (old or 0)
        figures = (new is not None) - (old is not None)
        if total or figures:
            changes.append((indicator_id, column, total, figures))
    if not above or not changes:
        return
    _lock_round(report)
    q = connection.ops.quote_name
    table = RollupTotal._meta.db_table
    # One row order for every writer, as in ``shift``.
    rows = [(report.round_id, unit, status, *change) for unit in sorted(above) for change in changes]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CELL_ROWS_MAX):
            batch = rows[start : start + CELL_ROWS_MAX]
            cursor.execute(
                f"INSERT INTO {table} (round_id, unit_id, status, indicator_id, {q('column')}, total, figures) "
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(batch))} "
                f"ON CONFLICT (round_id, unit_id, status, indicator_id, {q('column')}) DO UPDATE SET "
                f"total = {table}.total + excluded.total, figures = {table}.figures + excluded.figures",
                [value for row in batch for value in row],
            )
        # The kept stamp of these totals moves too (``RollupMembers.revision``): a cached roll-up of this
        # status is made again. The round's lock above already orders the writers of these rows.
        cursor.execute(
            f"UPDATE {RollupMembers._meta.db_table} SET revision = revision + 1 "
            f"WHERE round_id = %s AND status = %s AND unit_id IN ({', '.join(['%s'] * len(above))})",
            [report.round_id, status, *sorted(above)],
        )


def move(report, *, old: str, new: str) -> None:
    """A status change: the report's figures leave the totals under ``old`` for those under ``new``."""
    if old != new:
        shift(report, status=old, sign=-1)
        shift(report, status=new, sign=1)


class Sums(dict):
    """{(indicator id, column): total}, and in ``counts`` {(indicator id, column): how many units gave it}."""

    def __init__(self, *args, counts: dict | None = None):
        super().__init__(*args)
        self.counts = dict(counts or {})


def stored(*, round, unit, statuses, members: dict[str, tuple[int, int, int]]) -> Sums | None:
    """The stored totals below ``unit`` for ``statuses`` (``Sums``: with how many units gave each
    figure), ratios' paired sums included, or None when
    they do not hold exactly the reports counted in ``members`` ({status: (reports, sum of ids, sum of
    their squares)}, read from the reports themselves). Two queries."""
    if unit.is_grassroots:
        return None
    held = {
        status: (n, ids, squares)
        for status, n, ids, squares in RollupMembers.objects.filter(round=round, unit=unit).values_list(
            "status", "reports", "id_sum", "id_square_sum"
        )
        if n
    }
    if held != {status: tuple(sums) for status, sums in members.items() if sums[0]}:
        return None
    rows = (
        RollupTotal.objects.filter(
            round=round, unit=unit, status__in=statuses, figures__gt=0, indicator__rollup__in=ROLLED_UP
        )
        .values("indicator_id", "column")
        .annotate(sum=Sum("total"), units=Sum("figures"))
        .order_by()
    )
    sums = Sums()
    for r in rows:
        key = (r["indicator_id"], r["column"])
        sums[key], sums.counts[key] = r["sum"], r["units"]
    return sums


def _expected_members(round) -> tuple[dict[tuple[int, str], list[int]], dict[int, list[int]]]:
    """What ``RollupMembers`` must hold for the round, read from the reports themselves: {(unit id,
    status): [reports, sum of ids, sum of squares]} for every union above a counted grassroots report;
    and each grassroots union's parent's chain {parent id: [its ancestors' ids, its id]}. Two queries."""
    reports_by_parent = list(
        Report.objects.filter(round=round, unit__is_grassroots=True, unit__parent__isnull=False)
        .counted(round)
        .values_list("unit__parent_id", "status")
        .annotate(n=Count("pk"), ids=Sum("pk"), squares=Sum(F("pk") * F("pk")))
        .order_by()
    )
    parents = {parent for parent, *_rest in reports_by_parent}
    chains = {pk: [*unit.ancestor_ids(), pk] for pk, unit in Unit.objects.only("path").in_bulk(parents).items()}
    held: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for parent, status, n, ids, squares in reports_by_parent:
        for unit in chains[parent]:
            entry = held[(unit, status)]
            entry[0] += n
            entry[1] += ids
            entry[2] += squares
    return held, chains


def in_step(round) -> bool:
    """Whether the round's stored totals hold exactly the reports they should, for every union: what
    ``stored`` checks for one union, for all of them at once, read without a lock. Three queries."""
    held, _chains = _expected_members(round)
    members = RollupMembers.objects.filter(round=round).exclude(reports=0)
    return {
        (u, s): [n, ids, squares]
        for u, s, n, ids, squares in members.values_list("unit_id", "status", "reports", "id_sum", "id_square_sum")
    } == dict(held)


def rebuild_if_stale(round) -> bool:
    """``rebuild`` the round's totals unless they are in step with its reports (``in_step``): what the
    background task queued by a roll-up that found them stale runs, so that the second of two such tasks
    costs three reads. Returns whether they were made again."""
    if in_step(round):
        return False
    rebuild(round)
    return True


@transaction.atomic
def rebuild(round) -> None:
    """Make the round's stored totals again from its figures (a few seconds for 10,000 unions): after a
    bulk load or a reorganisation, in the writer's transaction; in the background
    (``reports.tasks.rebuild_totals``) when a roll-up finds them not matching the reports."""
    # Figures and statuses are changed with the report locked: lock them all so none changes meanwhile.
    list(Report.objects.select_for_update().filter(round=round).order_by("pk").values_list("pk", flat=True))
    RollupTotal.objects.filter(round=round).delete()
    RollupMembers.objects.filter(round=round).delete()
    grassroots = {"report__round": round, "report__unit__is_grassroots": True}
    counted = counted_condition("report__", round.cutoff_date)
    by_parent = (
        IndicatorValue.objects.filter(counted, **grassroots, report__unit__parent__isnull=False)
        .values_list("report__unit__parent_id", "report__status", "indicator_id", "column")
        .annotate(total=Sum("value"), figures=Count("pk"))
        .order_by()
    )
    held, chains = _expected_members(round)

    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for parent, status, indicator, column, total, figures in by_parent.iterator(chunk_size=5000):
        for unit in chains.get(parent, ()):
            entry = sums[(unit, status, indicator, column)]
            entry[0] += total
            entry[1] += figures
    counted_reports = Report.objects.filter(round=round, unit__is_grassroots=True, unit__parent__isnull=False).counted(
        round
    )
    for parent, status, indicator, column, total, figures in paired_sums(
        counted_reports, by=("unit__parent_id", "status")
    ):
        for unit in chains.get(parent, ()):
            entry = sums[(unit, status, indicator, column)]
            entry[0] += total
            entry[1] += figures
    RollupTotal.objects.bulk_create(
        (
            RollupTotal(round=round, unit_id=u, status=s, indicator_id=i, column=c, total=total, figures=figures)
            for (u, s, i, c), (total, figures) in sums.items()
        ),
        batch_size=2000,
    )
    revision = fresh_revision()
    RollupMembers.objects.bulk_create(
        RollupMembers(round=round, unit_id=u, status=s, reports=n, id_sum=ids, id_square_sum=squares, revision=revision)
        for (u, s), (n, ids, squares) in held.items()
    )
