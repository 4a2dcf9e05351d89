"""Reorganisation of the unit tree (as in 2025: mergers, moves, units closed) where it touches reports.

The tree itself is changed by ``units.services``; these services call them and then keep what the
reports layer stores right in the same transaction: the roll-up's stored totals of every round whose
reports moved (``totals.rebuild``), and a report for a merger's successor in the rounds still running.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from units import imports as unit_imports
from units import services as unit_services
from units.models import Unit, subtree_q, subtrees_q

from . import totals
from .models import Report, Round

log = logging.getLogger(__name__)


def _rebuild_rounds_below(unit: Unit, *also: Unit) -> list[int]:
    """Make again the stored totals of every round with a report in ``unit``'s subtree (or ``also``'s)."""
    round_ids = sorted(set(Report.objects.filter(subtrees_q([unit, *also], "unit")).values_list("round_id", flat=True)))
    for round_ in Round.objects.filter(pk__in=round_ids).order_by("pk"):
        totals.rebuild(round_)
    return round_ids


def _rebuild_rounds_in(units) -> list[int]:
    """Make again the stored totals of every round with a report in the subtree of any of ``units``:
    one query per unit to find the rounds, then one rebuild per round."""
    round_ids: set[int] = set()
    for unit in units:
        round_ids.update(Report.objects.filter(subtree_q(unit, "unit")).values_list("round_id", flat=True))
    for round_ in Round.objects.filter(pk__in=round_ids).order_by("pk"):
        totals.rebuild(round_)
    return sorted(round_ids)


def _running_rounds_over(unit: Unit, today: datetime.date):
    """Opened rounds, not past their deadline, organised by the unit or a unit above it."""
    return Round.objects.filter(
        organising_unit_id__in=[*unit.ancestor_ids(), unit.pk], opened_at__isnull=False, deadline__gte=today
    ).order_by("pk")


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None, actor=None) -> Unit:
    """Move ``unit`` and its subtree under ``new_parent`` (ValidationError when that is the unit itself
    or below it), recording who did it; the roll-up totals of the rounds whose reports moved are made
    again, so every superior union's sums stay equal to its units' figures."""
    moved = unit_services.unit_move(unit=unit, new_parent=new_parent, actor=actor)
    _rebuild_rounds_below(moved)
    return moved


@transaction.atomic
def unit_deactivate(*, unit: Unit, actor=None) -> Unit:
    """Deactivate ``unit`` (units.services.unit_deactivate): it gets no report when a round opens; its
    reports stay where they are, readable, and still count in the roll-ups they were part of."""
    return unit_services.unit_deactivate(unit=unit, actor=actor)


@transaction.atomic
def unit_merge(
    *,
    sources: list[Unit],
    target: Unit | None = None,
    new_unit: dict | None = None,
    effective: datetime.date | None = None,
    actor=None,
) -> Unit:
    """Merge ``sources`` into ``target`` or into a new unit made from ``new_unit``
    (units.services.unit_merge). The old units' reports stay attached to them, readable by whoever
    sees the successor, but no longer count in a round whose cut-off date is on or after the merger
    (``Report.is_counted``): the successor's report counts their members there. The successor gets its
    report in the rounds running over it; the roll-up totals of the rounds concerned are made again.
    Returns the successor."""
    successor = unit_services.unit_merge(
        sources=sources, target=target, new_unit=new_unit, effective=effective, actor=actor
    )
    for round_ in _running_rounds_over(successor, timezone.localdate()):
        if Report.objects.filter(round=round_, unit=successor).exists():
            continue
        report = Report(round=round_, unit=successor, congress_number=successor.congress_number)
        report.full_clean(exclude=["round", "unit"])
        report.save()
        log.info("round %s: report of %s created on merger by %s", round_.code, successor.code, actor)
    # After the new reports: the rebuilt totals hold them too. The old units' reports leave the totals
    # of the rounds whose cut-off date is on or after the merger (Report.is_counted): those rounds too.
    _rebuild_rounds_below(successor, *sources)
    return successor


@transaction.atomic
def units_import_apply(*, data: bytes, actor=None, dry_run: bool = False) -> unit_imports.ImportPlan:
    """Import units and people from an Excel file (units.imports.units_import: the same checks, the same
    errors, nothing written unless every row is valid), then, in the same transaction, make again the
    roll-up totals of every round with reports below a unit the file moved or whose grassroots flag it
    changed: a superior union's sums hold exactly its units' figures afterwards."""
    plan = unit_imports.units_import(data=data, actor=actor, dry_run=dry_run)
    if dry_run:
        return plan
    touched = [line.code for line in plan.units if not line.created and (line.moved or line.grassroots_changed)]
    if touched:
        rebuilt = _rebuild_rounds_in(Unit.objects.filter(code__in=touched).only("pk", "path"))
        log.info("units import by %s: roll-up totals of rounds %s made again", actor, rebuilt)
    return plan
