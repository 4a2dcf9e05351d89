"""Writes on a report as a whole: why it is locked, its status, submitting it, what its Word file prints."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.text import nfc
from outline.models import OutlineNode

from .. import audit, totals
from ..models import EDITABLE_STATUSES, AuditKind, Report, ReportStatus, SectionState, SectionText, Submission
from ..notify import notify
from ..selectors import open_return, report_appendix, reviewers_of

log = logging.getLogger(__name__)


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


def lock_report(report: Report) -> Report:
    """Re-read the report with a row lock: saves and submission of one report run one at a time."""
    return Report.objects.select_for_update().select_related("round", "unit").get(pk=report.pk)


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
        if report.missing_document_details:
            problems.append(
                _("Fill in the document details (%(fields)s) first: the Word file prints them.")
                % {"fields": ", ".join(report.missing_document_details)}
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
