"""Writes on rounds, reports and section texts. Each takes the acting user and runs atomically."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reportsite.models import Unit
from reportsite.richtext import sanitize_html

from .models import (
    EDITABLE_STATUSES,
    OutlineNode,
    Report,
    ReportStatus,
    Round,
    SectionState,
    SectionText,
    Submission,
)

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
    """Why a report cannot be edited, or "" when it can."""
    if report.status == ReportStatus.SUBMITTED:
        return _("The report was submitted and is waiting for review; it can no longer be edited.")
    if report.status == ReportStatus.APPROVED:
        return _("The report has been approved and is locked.")
    return ""


@transaction.atomic
def round_open(*, round: Round, actor=None) -> int:
    """Create one report for every grassroots union below the organising unit; returns how many
    were created. Safe to run again: units that already have a report are left alone."""
    units = Unit.objects.subtree_of(round.organising_unit).filter(is_grassroots=True, is_active=True)
    existing = set(Report.objects.filter(round=round).values_list("unit_id", flat=True))
    new = [
        Report(round=round, unit=unit, congress_number=unit.congress_number)
        for unit in units.only("pk", "congress_number")
        if unit.pk not in existing
    ]
    Report.objects.bulk_create(new, batch_size=1000)
    if round.opened_at is None:
        round.opened_at = timezone.now()
        round.save(update_fields=["opened_at"])
    log.info("round %s opened by %s: %d reports created", round.code, actor, len(new))
    return len(new)


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
) -> SectionText:
    """Save the text of one section.

    The text is cleaned to the editor's allow-list and NFC. If the section was saved by anyone
    since ``base_version`` was read, raises SectionConflict and changes nothing. Raises
    ReportLocked when the report is submitted or approved.
    """
    if not node.is_writable or node.version_id != report.round.outline_version_id:
        raise PermissionDenied
    with transaction.atomic():
        report = lock_report(report)
        if reason := lock_reason(report):
            raise ReportLocked(reason)
        cleaned = sanitize_html(content)
        section = SectionText.objects.filter(report=report, node=node).first()
        if section is None:
            section = SectionText(report=report, node=node)
        if section.version != base_version:
            raise SectionConflict(section)
        if section.pk and section.content == cleaned and section.is_done == is_done:
            return section
        section.content = cleaned
        section.is_done = is_done and bool(cleaned)
        section.version += 1
        section.updated_by = actor
        section.full_clean(exclude=["report", "node"])
        try:
            with transaction.atomic():
                section.save()
        except IntegrityError:
            # Another first save of the same section won the race.
            raise SectionConflict(SectionText.objects.get(report=report, node=node)) from None
        if report.status == ReportStatus.NOT_STARTED:
            report.status = ReportStatus.DRAFTING
            report.save(update_fields=["status", "updated_at"])
        else:
            report.save(update_fields=["updated_at"])
    log.info("section %s of report %s saved by %s (v%d)", node.key, report.pk, actor, section.version)
    return section


def missing_sections(report: Report, nodes, sections_by_node) -> list[OutlineNode]:
    """Required writable nodes that have no text yet."""
    return [
        node
        for node in nodes
        if node.is_required
        and (node.pk not in sections_by_node or sections_by_node[node.pk].state == SectionState.EMPTY)
    ]


def report_submit(*, report: Report, actor) -> Submission:
    """Submit the report: every required section must be written. Freezes it and keeps a
    numbered snapshot of every section's text."""
    with transaction.atomic():
        report = lock_report(report)
        if report.status not in EDITABLE_STATUSES:
            raise ReportLocked(lock_reason(report))
        nodes = list(OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True))
        sections = {s.node_id: s for s in SectionText.objects.filter(report=report)}
        missing = missing_sections(report, nodes, sections)
        problems = []
        if missing:
            problems.append(
                _("These sections must be written before submitting: %(sections)s")
                % {"sections": "; ".join(node.heading for node in missing)}
            )
        # The appendix lives in its own app, which builds on this one: import at call time.
        from indicators.selectors import report_appendix

        unexplained = report_appendix(report).unexplained_warnings()
        if unexplained:
            problems.append(
                _("These figures have a warning that needs an explanation: %(rows)s")
                % {"rows": "; ".join(row.indicator.name for row, _w in unexplained)}
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
        )
        submission.full_clean(exclude=["report", "submitted_by"])
        submission.save()
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.save(update_fields=["status", "submitted_at", "updated_at"])
    log.info("report %s submitted by %s (#%d)", report.pk, actor, submission.number)
    return submission
