"""Writes on a report's appendix: its figures and notes, checked by the catalogue's rules."""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import format_number, nfc
from indicators.figures import NotANumber, check_cell, check_parts, parse_number, show
from indicators.models import TARGET, Indicator

from .. import audit, totals
from ..models import Appendix, AuditEntry, AuditKind, IndicatorNote, IndicatorValue
from ..selectors import StoredAppendix, report_appendix, rollup
from .reports import ReportLocked, lock_reason, lock_report, mark_drafting

log = logging.getLogger(__name__)
NOTE_MAX_CHARS = 2000
FOUR_PLACES = Decimal("0.0001")


class AppendixConflict(Exception):
    """Someone saved the appendix after the writer opened it; nothing was overwritten."""

    def __init__(self, appendix: Appendix):
        super().__init__("appendix saved by someone else")
        self.appendix = appendix


@dataclass
class AppendixSaveResult:
    version: int
    errors: dict[tuple[int, str], str] = field(default_factory=dict)
    saved: int = 0  # figures stored, changed or cleared
    notes_saved: int = 0  # notes and explanations stored or changed
    # The figures and notes as the save left them, for the grid to show without reading them again.
    stored: StoredAppendix | None = None
    # After "Lấy số liệu tổng hợp": the ratios whose result from the parts filled in differs from the
    # roll-up's over the units that gave both parts, as (row of the roll-up, own result).
    ratios_apart: list = field(default_factory=list)


def appendix_save(
    *,
    report,
    cells: dict[tuple[int, str], str | Decimal | None],
    notes: dict[int, tuple[str | None, str | None]],
    base_version: int,
    actor,
) -> AppendixSaveResult:
    """Save typed figures and notes of a report's appendix.

    ``cells`` maps (indicator id, column) to the text typed ("" clears the cell) or a Decimal. Each cell is
    parsed and checked by the catalogue's rules; a cell that fails is not saved and its error is
    returned, every other cell is saved. Raises AppendixConflict if the appendix changed since
    ``base_version``, ReportLocked if the report is submitted or approved. In ``notes`` a None
    leaves that note or explanation as it is.
    """
    with transaction.atomic():
        report = lock_report(report)
        if reason := lock_reason(report):
            raise ReportLocked(reason)
        appendix, _created = Appendix.objects.get_or_create(report=report)
        if appendix.version != base_version:
            raise AppendixConflict(appendix)
        # A CĐCS is not asked for what only superior unions count: such a cell is not stored.
        indicators = Indicator.objects.in_catalogue(
            report.round.outline_version_id, grassroots=report.unit.is_grassroots
        )
        indicators = {i.pk: i for i in indicators}
        columns = {"target", "start", "prev", *(str(y) for y in report.round.data_years)}
        errors: dict[tuple[int, str], str] = {}
        parsed: dict[tuple[int, str], Decimal | None] = {}
        for (indicator_id, column), text in cells.items():
            indicator = indicators.get(indicator_id)
            if indicator is None or column not in columns or indicator.is_computed:
                continue
            try:
                value = parse_number(text)
            except NotANumber:
                errors[(indicator_id, column)] = _("“%(text)s” is not a number.") % {"text": str(text)[:40]}
                continue
            if message := check_cell(indicator, value):
                errors[(indicator_id, column)] = message
                continue
            parsed[(indicator_id, column)] = value

        stored = {(v.indicator_id, v.column): v for v in IndicatorValue.objects.filter(report=report)}
        # A part larger than its whole: blame the cell typed now (the part, else the whole). A refused
        # cell keeps its stored figure, which may clash in turn with the other cell typed now (whole
        # 40 and part 45 typed, part 50 stored): check again until nothing more is refused, so a part
        # larger than its whole is never stored.
        refused = True
        while refused:
            refused = False
            merged = {key: v.value for key, v in stored.items()}
            merged.update(parsed)
            for clash in check_parts(list(indicators.values()), merged):
                part_key = (clash.part.pk, clash.column)
                whole_key = (clash.whole.pk, clash.column)
                blame = part_key if part_key in parsed else whole_key
                if blame in parsed:
                    errors[blame] = clash.message(on_part=blame == part_key)
                    parsed.pop(blame)
                    refused = True

        new, changed, removed = [], [], []
        moved: dict[tuple[int, str], tuple[Decimal | None, Decimal | None]] = {}
        history = []
        now = timezone.now()
        for key, value in parsed.items():
            existing = stored.get(key)
            old = existing.value if existing else None
            if value is None:
                if existing:
                    removed.append(existing.pk)
            elif existing is None:
                new.append(IndicatorValue(report=report, indicator_id=key[0], column=key[1], value=value))
            elif existing.value != value:
                existing.value = value
                changed.append(existing)
            if old != value:
                moved[key] = (old, value)
                indicator = indicators[key[0]]
                history.append(
                    audit.change_entry(
                        report=report,
                        kind=AuditKind.FIGURE,
                        target=f"{indicator.code}:{key[1]}",
                        old=show(old, indicator.decimals),
                        new=show(value, indicator.decimals),
                        actor=actor,
                        at=now,
                    )
                )
        AuditEntry.objects.bulk_create([entry for entry in history if entry is not None])
        if new or changed or removed:
            IndicatorValue.objects.bulk_create(new)
            IndicatorValue.objects.bulk_update(changed, ["value"])
            IndicatorValue.objects.filter(pk__in=removed).delete()
            # The unions above see the figures change: each cell's difference, and that of the paired
            # sums of the ratios whose parts changed, in one statement.
            before = {key: v.value for key, v in stored.items()}
            before.update({key: old for key, (old, _new) in moved.items()})
            moved.update(totals.paired_cells(indicators.values(), before, moved))
            totals.shift_cells(report, status=report.status, cells=moved)

        stored_notes = {n.indicator_id: n for n in IndicatorNote.objects.filter(report=report)}
        notes_written = 0
        for indicator_id, (note, explanation) in notes.items():
            if indicator_id not in indicators:
                continue
            existing = stored_notes.get(indicator_id)
            note = nfc(note).strip() if note is not None else (existing.note if existing else "")
            explanation = (
                nfc(explanation).strip() if explanation is not None else (existing.explanation if existing else "")
            )
            if (longest := max(len(note), len(explanation))) > NOTE_MAX_CHARS:
                errors[(indicator_id, "note")] = _(
                    "At most %(limit)s characters; this has %(length)s. Shorten it: it has not been saved."
                ) % {"limit": format_number(NOTE_MAX_CHARS), "length": format_number(longest)}
                continue
            if existing is None:
                if note or explanation:
                    stored_notes[indicator_id] = IndicatorNote.objects.create(
                        report=report, indicator_id=indicator_id, note=note, explanation=explanation
                    )
                    notes_written += 1
            elif (existing.note, existing.explanation) != (note, explanation):
                old = f"{existing.note} | {existing.explanation}"
                existing.note, existing.explanation = note, explanation
                existing.save(update_fields=["note", "explanation"])
                notes_written += 1
                audit.record(
                    report=report,
                    kind=AuditKind.NOTE,
                    target=indicators[indicator_id].code,
                    old=old,
                    new=f"{note} | {explanation}",
                    actor=actor,
                )

        if new or changed or removed or notes_written:
            # A save that changes nothing keeps the version: it cannot make another window stale.
            appendix.version += 1
            appendix.updated_by = actor
            appendix.save(update_fields=["version", "updated_by", "updated_at"])
            mark_drafting(report, actor)
    saved = len(new) + len(changed) + len(removed)
    log.info("appendix of report %s saved by %s: %d cells, %d refused", report.pk, actor, saved, len(errors))
    values = {key: v.value for key, v in stored.items()}
    for key, value in parsed.items():
        if value is None:
            values.pop(key, None)
        else:
            # As the database gives it back (decimal_places=4; check_cell allows no more).
            values[key] = value.quantize(FOUR_PLACES)
    return AppendixSaveResult(
        version=appendix.version,
        errors=errors,
        saved=saved,
        notes_saved=notes_written,
        stored=StoredAppendix(values=values, notes=stored_notes, version=appendix.version),
    )


def appendix_fill_from_rollup(*, report, actor) -> AppendixSaveResult:
    """A superior union's own appendix starts from the roll-up of its units: every empty cell of
    an indicator that adds up takes the roll-up's figure; figures already typed stay. The resolution's
    targets are not taken: a superior union's targets are its own congress's, not its units' sum."""

    current = report_appendix(report)
    totals = rollup(round=report.round, unit=report.unit)
    cells = {}
    for mine, theirs in zip(current.rows, totals.rows, strict=True):
        if mine.indicator.is_computed or mine.indicator.rollup != "sum":
            continue
        for column in mine.columns:
            if column == TARGET:
                continue
            if mine.value(column) is None and theirs.value(column) is not None:
                cells[(mine.indicator.pk, column)] = theirs.value(column)
    result = appendix_save(report=report, cells=cells, notes={}, base_version=current.version, actor=actor)
    # A ratio of the parts just filled counts every unit that gave either part; the roll-up's counts only
    # the units that gave both. Where they differ the drafter is told both (the parts stay the sums).
    after = report_appendix(report)
    for mine, theirs in zip(after.rows, totals.rows, strict=True):
        known = theirs.result is not None and mine.result is not None
        if theirs.definitions.paired and known and mine.shown_result != theirs.shown_result:
            result.ratios_apart.append((theirs, mine.result))
    return result
