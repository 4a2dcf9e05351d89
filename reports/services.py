"""Writes on rounds, reports and section texts. Each takes the acting user and runs atomically."""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.richtext import clean_section_html
from core.text import format_number, nfc, strip_controls
from indicators.figures import NotANumber, check_cell, check_parts, parse_number, show
from indicators.models import Indicator
from outline.models import OutlineNode
from units.models import Membership, Role, Unit

from . import audit, totals
from .models import (
    EDITABLE_STATUSES,
    Appendix,
    AuditKind,
    IndicatorNote,
    IndicatorValue,
    Report,
    ReportStatus,
    Round,
    SectionState,
    SectionText,
    Submission,
)
from .notify import notify, notify_each
from .selectors import open_return, report_appendix, reviewers_of, rollup
from .tasks import send_round_open_mails

log = logging.getLogger(__name__)


class SectionConflict(Exception):
    """Someone saved the section after the writer opened it; nothing was overwritten."""

    def __init__(self, current: SectionText):
        super().__init__("section saved by someone else")
        self.current = current


class ReportLocked(Exception):
    """The report cannot be changed now; ``reason`` says why, in words for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def lock_reason(report: Report) -> str:
    """Why a report cannot be edited, or "" when it can: one sentence the user can act on."""
    if report.status == ReportStatus.SUBMITTED:
        return _("The report was submitted and is waiting for review; it can no longer be edited.")
    if report.status == ReportStatus.APPROVED:
        return _("The report has been approved and is locked.")
    if report.is_past_deadline:
        return _(
            "The deadline (%(date)s) has passed, so drafting is locked. Ask your superior union for "
            "more time with “Xin gia hạn”."
        ) % {"date": formats.date_format(report.deadline, "d/m/Y")}
    return ""


ROUND_FIELDS = (
    "code",
    "name",
    "outline_version",
    "superior_outline_version",
    "organising_unit",
    "term_start_year",
    "term_end_year",
    "data_years",
    "cutoff_date",
    "deadline",
    "event_wording",
    "header_line",
)


# What an opened round's reports are built on: the outline (and with it the indicator catalogue that
# holds their figures) and the units that have a report. Changing them would strand what was written.
ROUND_LOCKED_WHEN_OPEN = ("outline_version", "superior_outline_version", "organising_unit")


def _pk(value):
    return getattr(value, "pk", value) or None


def round_change_errors(*, round: Round | None, data: dict) -> dict[str, list[str]]:
    """What ``data`` may not change in the stored ``round`` (None: a new round, nothing), by field.
    Once opened, its outline versions and organising unit stay; a data year that has figures in any
    report stays among the data years, and inside the term."""
    if round is None or round.pk is None:
        return {}
    stored = Round.objects.filter(pk=round.pk).first()
    if stored is None:
        return {}
    errors: dict[str, list[str]] = {}
    if stored.opened_at is not None:
        for name in ROUND_LOCKED_WHEN_OPEN:
            if name in data and _pk(data[name]) != getattr(stored, f"{name}_id"):
                errors[name] = [_("The round is open and its reports are built on this: it can no longer be changed.")]
    with_figures = dict(
        IndicatorValue.objects.filter(report__round=stored, column__in=[str(y) for y in stored.data_years or []])
        .values_list("column")
        .annotate(reports=Count("report", distinct=True))
        .values_list("column", "reports")
    )
    if not with_figures:
        return errors
    years = {int(y) for y in data.get("data_years", stored.data_years) or [] if str(y).isdigit()}
    start = _year_or_none(data.get("term_start_year", stored.term_start_year))
    end = _year_or_none(data.get("term_end_year", stored.term_end_year))
    for column, count in sorted(with_figures.items()):
        year = int(column)
        words = ngettext(
            "Figures for %(year)d have been typed in %(count)d report: ",
            "Figures for %(year)d have been typed in %(count)d reports: ",
            count,
        ) % {"year": year, "count": count}
        if year not in years:
            errors.setdefault("data_years", []).append(words + _("the year cannot be removed."))
        if start and year < start:
            errors.setdefault("term_start_year", []).append(words + _("the term must include it."))
        if end and year > end:
            errors.setdefault("term_end_year", []).append(words + _("the term must include it."))
    return errors


def _year_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def round_save(*, round: Round | None = None, data: dict, actor) -> Round:
    """Create a round (``round`` None) or change one from ``data`` (the fields of ROUND_FIELDS that it
    holds). Texts are stored NFC and trimmed, data years as sorted distinct integers. Raises
    ValidationError (by field) when the round breaks a rule: years outside the term, a term backwards,
    or a change that would strand what its reports hold (see ``round_change_errors``)."""
    if round is not None and round.pk is not None:
        # Two administrators editing the same round at once: the second checks against the first's result.
        Round.objects.select_for_update().filter(pk=round.pk).first()
    errors = round_change_errors(round=round, data=data)
    round_ = round or Round()
    for name in ROUND_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = nfc(value).strip()
        if name == "data_years":
            value = sorted({int(y) for y in value or []})
        setattr(round_, name, value)
    try:
        round_.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)
    created = round_.pk is None
    round_.save()
    log.info("round %s %s by %s", round_.code, "created" if created else "changed", actor)
    return round_


@transaction.atomic
def round_open(*, round: Round, actor=None, tell_drafters: bool = True) -> int:
    """Create one report for every unit from the organising unit down: each grassroots union's,
    and each superior union's own (which draws on its units'). Returns how many were created.
    Safe to run again: units that already have a report are left alone. Inactive units get none.
    With ``tell_drafters``, the drafters of each new report are told in the site, and by e-mail from
    a background task queued once the transaction commits."""
    units = Unit.objects.subtree_of(round.organising_unit).filter(is_active=True)
    existing = set(Report.objects.filter(round=round).values_list("unit_id", flat=True))
    new = [
        Report(round=round, unit=unit, congress_number=unit.congress_number)
        for unit in units.only("pk", "congress_number")
        if unit.pk not in existing
    ]
    Report.objects.bulk_create(new, batch_size=1000)
    totals.rebuild(round)
    if round.opened_at is None:
        round.opened_at = timezone.now()
        round.save(update_fields=["opened_at"])
    if tell_drafters and new:
        _tell_drafters(round, new)
    log.info("round %s opened by %s: %d reports created", round.code, actor, len(new))
    return len(new)


def _tell_drafters(round: Round, reports: list[Report]) -> None:
    """One notification (and e-mail) per drafter of each new report: which round, the deadline, the link."""
    by_unit = {report.unit_id: report for report in reports}
    if any(report.pk is None for report in reports):
        # A database that does not return the new ids: read them back, one query.
        by_unit = {r.unit_id: r for r in Report.objects.filter(round=round, unit_id__in=list(by_unit))}
    memberships = Membership.objects.filter(
        unit_id__in=list(by_unit), role=Role.DRAFTER, user__is_active=True
    ).select_related("user")
    message = _(
        "The reporting round “%(round)s” is open: your unit's report is ready to be written. Deadline: %(date)s."
    ) % {"round": round.name, "date": formats.date_format(round.deadline, "d/m/Y")}
    entries = [
        (
            m.user,
            by_unit[m.unit_id],
            message,
            reverse("reports:report_detail", args=[by_unit[m.unit_id].pk]),
        )
        for m in memberships
    ]
    notify_each(entries, kind="round_open")
    # Thousands of e-mails do not belong in the request that opens the round: the background worker
    # sends them, once the reports and notifications are committed (nothing goes if they are not).
    # Robust: the round is open whatever happens to the queue; a failure to queue is logged.
    mailed = sorted({report.pk for user, report, _message, _url in entries if user.email})
    if mailed:
        transaction.on_commit(lambda: send_round_open_mails.enqueue(report_ids=mailed), robust=True)


def lock_report(report: Report) -> Report:
    """Re-read the report with a row lock: saves and submission of one report run one at a time."""
    return Report.objects.select_for_update().select_related("round", "unit").get(pk=report.pk)


def section_save(
    *,
    report: Report,
    node: OutlineNode,
    content: str,
    base_version: int,
    is_done: bool,
    actor,
    base_content: str | None = None,
) -> SectionText:
    """Save the text of one section.

    The text is checked against the cheap limits and cleaned to the editor's allow-list and NFC
    before the report is locked (raises ValidationError on text over the limits). If the section was saved by anyone
    since ``base_version`` was read, raises SectionConflict and changes nothing, unless
    ``base_content`` (the text the writer's box started from) is what is stored now. Raises
    ReportLocked when the report is submitted or approved.
    """
    if not node.is_writable or node.version_id != report.round.outline_version_id:
        raise PermissionDenied
    # Cleaning is the costly part: done before the lock, so that other writers never wait for it.
    cleaned = clean_section_html(content)
    base_cleaned = clean_section_html(base_content) if base_content is not None else None
    with transaction.atomic():
        report = lock_report(report)
        section = SectionText.objects.filter(report=report, node=node).first()
        return _store_section(report, node, section, cleaned, base_cleaned, base_version, is_done, actor)


def section_autosave(
    *,
    report_id: int,
    key: str,
    content: str,
    base_version: int,
    is_done: bool,
    actor,
    base_content: str | None = None,
) -> SectionText | None:
    """section_save for the autosave every few seconds, in as few statements as the work needs. One
    statement touches the report (its revision, which the cached pages and files follow) only if
    ``actor`` drafts it, and so takes its row lock; one reads the section with its node, report and
    round; one updates the section; one merges the history entry. Returns None, having changed nothing,
    when ``actor`` does not draft the report or ``key`` is no writable section of it: the caller then
    answers as the page does (not found, or not allowed). Raises as section_save."""
    if strip_controls(key) != key:
        return None  # no outline key holds a NUL, and PostgreSQL refuses one in a query
    cleaned = clean_section_html(content)
    base_cleaned = clean_section_html(base_content) if base_content is not None else None
    with transaction.atomic():
        touched = Report.objects.filter(
            pk=report_id, unit__is_active=True, unit__memberships__user=actor, unit__memberships__role=Role.DRAFTER
        ).update(updated_at=timezone.now())
        if not touched:
            return None
        section = (
            SectionText.objects.select_related("node", "report__round")
            .filter(report_id=report_id, node__key=key, node__version_id=F("report__round__outline_version_id"))
            .first()
        )
        if section is not None:
            report, node = section.report, section.node
        else:
            # The section's first save: its report and node, then an insert.
            report = Report.objects.select_related("round").get(pk=report_id)
            node = OutlineNode.objects.filter(version_id=report.round.outline_version_id, key=key).first()
        if node is None or not node.is_writable:
            transaction.set_rollback(True)
            return None
        before = section.version if section else 0
        saved = _store_section(report, node, section, cleaned, base_cleaned, base_version, is_done, actor, touched=True)
        if saved.version == before:
            transaction.set_rollback(True)  # nothing changed: neither should the report's revision
        return saved


def _store_section(
    report, node, section, cleaned, base_cleaned, base_version, is_done, actor, *, touched=False
) -> SectionText:
    """The write shared by section_save and section_autosave, on the locked ``report`` (whose revision
    the caller has already ``touched``, or not)."""
    if reason := lock_reason(report):
        raise ReportLocked(reason)
    if section is None:
        section = SectionText(report=report, node=node)
    # A stale version is a conflict unless the writer's text started from exactly what is stored
    # (their own unsaved text, saved as the page closed, then put back in the box on reload), or is
    # exactly what is stored: the page's own autosave got there first (Lưu pressed while it was on
    # its way), and two identical texts are no conflict to show anyone.
    started_from_stored = base_cleaned is not None and base_cleaned == section.content
    same_text = section.pk is not None and section.content == cleaned
    if section.version != base_version and not (started_from_stored or same_text):
        raise SectionConflict(section)
    if section.pk and section.content == cleaned and section.is_done == is_done:
        return section
    old_content = section.content
    section.content = cleaned
    section.is_done = is_done and bool(cleaned)
    section.version += 1
    section.updated_by = actor
    # The report, the node and the actor come from rows just read: checking them again costs queries.
    section.full_clean(exclude=["report", "node", "updated_by"])
    if section.pk:
        # The row lock on the report serialises every save of its sections: a plain update is safe.
        section.save(update_fields=["content", "is_done", "version", "updated_by", "updated_at"])
    else:
        try:
            with transaction.atomic():
                section.save()
        except IntegrityError:
            # Another first save of the same section won the race.
            raise SectionConflict(SectionText.objects.get(report=report, node=node)) from None
    audit.record(
        report=report,
        kind=AuditKind.SECTION,
        target=node.key,
        old=old_content,
        new=section.content,
        actor=actor,
        merge=True,
    )
    if not touched or report.status == ReportStatus.NOT_STARTED:
        mark_drafting(report, actor)
    log.info("section %s of report %s saved by %s (v%d)", node.key, report.pk, actor, section.version)
    return section


def mark_drafting(report: Report, actor) -> None:
    """A first save starts the report (Chưa bắt đầu → Đang soạn); every save touches it."""
    if report.status == ReportStatus.NOT_STARTED:
        record_status(report, ReportStatus.DRAFTING, actor)
        report.save(update_fields=["status", "updated_at"])
    else:
        report.save(update_fields=["updated_at"])


def record_status(report: Report, status: str, actor, note: str = "") -> None:
    """Set the status on the (locked) report and log the change; the caller saves."""
    old = report.get_status_display()
    totals.move(report, old=report.status, new=status)
    report.status = status
    audit.record(
        report=report,
        kind=AuditKind.STATUS,
        target="status",
        old=old,
        new=report.get_status_display() + (f" — {note}" if note else ""),
        actor=actor,
    )


def missing_sections(report: Report, nodes, sections_by_node) -> list[OutlineNode]:
    """Required writable nodes that have no text yet."""
    return [
        node
        for node in nodes
        if node.is_required
        and (node.pk not in sections_by_node or sections_by_node[node.pk].state == SectionState.EMPTY)
    ]


def report_submit(*, report: Report, actor) -> Submission:
    """Submit the report: every required section written, every figure warning explained and,
    after a return, every point answered. Freezes it, keeps a numbered snapshot of the texts and
    figures, and tells the reviewers (a resubmission says so)."""
    with transaction.atomic():
        report = lock_report(report)
        if report.status not in EDITABLE_STATUSES or report.is_past_deadline:
            raise ReportLocked(lock_reason(report))
        nodes = list(
            OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).select_related("parent")
        )
        sections = {s.node_id: s for s in SectionText.objects.filter(report=report)}
        missing = missing_sections(report, nodes, sections)
        problems = []
        if missing:
            problems.append(
                _("These sections must be written before submitting: %(sections)s")
                % {"sections": "; ".join(node.label(report.blank_fill, node.parent) for node in missing)}
            )
        appendix = report_appendix(report)
        unexplained = appendix.unexplained_warnings()
        if unexplained:
            problems.append(
                _("These figures have a warning that needs an explanation: %(rows)s")
                % {"rows": "; ".join(row.indicator.name for row, _w in unexplained)}
            )
        returned = open_return(report) if report.status == ReportStatus.RETURNED else None
        if returned and (unanswered := [i for i in returned.items.all() if not i.is_answered]):
            problems.append(
                _("Answer every point of the return (a reply, or mark it done) first: %(items)s")
                % {"items": "; ".join(i.reason[:60] for i in unanswered)}
            )
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        submission = Submission(
            report=report,
            number=report.submissions.count() + 1,
            submitted_at=now,
            submitted_by=actor,
            sections={node.key: sections[node.pk].content for node in nodes if node.pk in sections},
            figures={
                row.indicator.code: {c: str(row.value(c)) for c in row.columns if row.value(c) is not None}
                for row in appendix.rows
                if not row.indicator.is_computed and not row.is_empty
            },
        )
        submission.full_clean(exclude=["report", "submitted_by"])
        submission.save()
        record_status(report, ReportStatus.SUBMITTED, actor)
        report.submitted_at = now
        # The header and closing block are kept as they print today, locked with the report.
        report.printed = report.document_fields()
        report.save(update_fields=["status", "submitted_at", "printed", "updated_at"])
        if returned:
            returned.closed_at = now
            returned.save(update_fields=["closed_at"])
        if submission.number > 1:
            message = _("%(unit)s resubmitted its report (submission no. %(number)s) after revision.")
        else:
            message = _("%(unit)s submitted its report.")
        notify(
            reviewers_of(report),
            report=report,
            kind="submitted",
            message=message % {"unit": report.unit.name, "number": submission.number},
            url=reverse("reports:report_read", args=[report.pk]),
        )
    log.info("report %s submitted by %s (#%d)", report.pk, actor, submission.number)
    return submission


DOCUMENT_FIELDS = ("doc_number", "place", "signing_authority", "signer_name", "signer_title", "recipients", "filed")


def report_update_document_info(*, report: Report, data: dict, actor) -> Report:
    """Set the document number, place, signer and recipients the Word file prints.

    Raises ReportLocked once the report is submitted or approved (or past its deadline): what a
    report prints is frozen with the rest of it."""
    with transaction.atomic():
        report = lock_report(report)
        if reason := lock_reason(report):
            raise ReportLocked(reason)
        changed = []
        for field in DOCUMENT_FIELDS:
            value = nfc(data.get(field, "")).strip()
            if getattr(report, field) != value:
                audit.record(
                    report=report,
                    kind=AuditKind.STATUS,
                    target=field,
                    old=getattr(report, field),
                    new=value,
                    actor=actor,
                )
                setattr(report, field, value)
                changed.append(field)
        report.full_clean(exclude=["round", "unit", "approved_by"])
        if changed:
            report.save(update_fields=[*changed, "updated_at"])
    return report


log = logging.getLogger(__name__)
NOTE_MAX_CHARS = 2000


class AppendixConflict(Exception):
    """Someone saved the appendix after the writer opened it; nothing was overwritten."""

    def __init__(self, appendix: Appendix):
        super().__init__("appendix saved by someone else")
        self.appendix = appendix


@dataclass
class AppendixSaveResult:
    version: int
    errors: dict[tuple[int, str], str] = field(default_factory=dict)
    saved: int = 0


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
        indicators = Indicator.objects.filter(outline_version=report.round.outline_version)
        if report.unit.is_grassroots:
            # A CĐCS is not asked for what only superior unions count: such a cell is not stored.
            indicators = indicators.filter(superior_only=False)
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
                indicator = indicators[key[0]]
                audit.record(
                    report=report,
                    kind=AuditKind.FIGURE,
                    target=f"{indicator.code}:{key[1]}",
                    old=show(old, indicator.decimals),
                    new=show(value, indicator.decimals),
                    actor=actor,
                )
        if new or changed or removed:
            # The unions above see the figures change: out of their totals before, back in after.
            totals.shift(report, status=report.status, sign=-1)
            IndicatorValue.objects.bulk_create(new)
            IndicatorValue.objects.bulk_update(changed, ["value"])
            IndicatorValue.objects.filter(pk__in=removed).delete()
            totals.shift(report, status=report.status, sign=1)

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
                    IndicatorNote.objects.create(
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
    return AppendixSaveResult(version=appendix.version, errors=errors, saved=saved)


def appendix_fill_from_rollup(*, report, actor) -> AppendixSaveResult:
    """A superior union's own appendix starts from the roll-up of its units: every empty cell of
    an indicator that adds up takes the roll-up's figure; figures already typed stay."""

    current = report_appendix(report)
    totals = rollup(round=report.round, unit=report.unit)
    cells = {}
    for mine, theirs in zip(current.rows, totals.rows, strict=True):
        if mine.indicator.is_computed or mine.indicator.rollup != "sum":
            continue
        for column in mine.columns:
            if mine.value(column) is None and theirs.value(column) is not None:
                cells[(mine.indicator.pk, column)] = theirs.value(column)
    return appendix_save(report=report, cells=cells, notes={}, base_version=current.version, actor=actor)
