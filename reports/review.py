"""Writes of the review by the superior union: comments, return for revision, approval,
extensions. Each checks who may act, locks the report row, and records and notifies."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.text import nfc
from outline.models import OutlineNode

from . import audit
from .models import (
    AuditKind,
    Comment,
    ExtensionRequest,
    ExtensionStatus,
    Report,
    ReportStatus,
    ReturnItem,
    ReturnRequest,
    Visibility,
    can_review,
)
from .notify import notify
from .selectors import can_edit, comment_anchors, drafters_of, reviewers_of
from .services import lock_report, record_status

log = logging.getLogger(__name__)
TEXT_MAX = 5000


class StaleAction(Exception):
    """The report changed state meanwhile (another reviewer acted); ``message`` says what now."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _text(value: str, field: str, *, required=True) -> str:
    value = nfc(value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This is required.")})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": TEXT_MAX}})
    return value


def _stale(report: Report) -> StaleAction:
    when = formats.date_format(timezone.localtime(report.updated_at), "H:i d/m/Y")
    return StaleAction(
        _("Nothing was done: the report is now “%(status)s” (changed at %(when)s). Reload to see it.")
        % {"status": report.get_status_display(), "when": when}
    )


def _read_url(report):
    return reverse("reports:report_read", args=[report.pk])


def report_return(
    *, report: Report, note: str, items: list[tuple[str, str]], due: datetime.date | None, actor
) -> ReturnRequest:
    """Trả lại: send a submitted report back with an overall note (required) and, per section to
    rework, a reason (required for each). Gives the unit until ``due`` to resubmit."""
    if not can_review(actor, report):
        raise PermissionDenied
    note = _text(note, "note")
    keys = {n.key for n in OutlineNode.objects.filter(version_id=report.round.outline_version_id, is_writable=True)}
    cleaned = []
    for key, reason in items:
        if key not in keys:
            raise ValidationError(
                {"items": _("A section ticked is not in the report's outline: reload the page and tick again.")}
            )
        cleaned.append((key, _text(reason, f"reason_{key}")))
    today = timezone.localdate()
    if due is not None and due < today:
        raise ValidationError(
            {"due": _("The new date has passed: write a date from today on, or leave it empty to keep the deadline.")}
        )
    with transaction.atomic():
        report = lock_report(report)
        if report.status != ReportStatus.SUBMITTED:
            raise _stale(report)
        request = ReturnRequest(
            report=report,
            submission=report.submissions.order_by("-number").first(),
            note=note,
            created_by=actor,
        )
        request.save()
        ReturnItem.objects.bulk_create(
            ReturnItem(request=request, node_key=key, reason=reason) for key, reason in cleaned
        )
        record_status(report, ReportStatus.RETURNED, actor, note)
        fields = ["status", "updated_at"]
        if due is not None and due > report.deadline:
            audit.record(
                report=report,
                kind=AuditKind.DEADLINE,
                target="deadline",
                old=formats.date_format(report.deadline, "d/m/Y"),
                new=formats.date_format(due, "d/m/Y"),
                actor=actor,
            )
            report.extended_until = due
            fields.append("extended_until")
        report.save(update_fields=fields)
        notify(
            drafters_of(report),
            report=report,
            kind="returned",
            message=_("Your report was returned for revision: %(note)s") % {"note": note[:200]},
            url=reverse("reports:report_detail", args=[report.pk]),
        )
    log.info("report %s returned by %s with %d items", report.pk, actor, len(cleaned))
    return request


def report_approve(*, report: Report, actor) -> Report:
    """Duyệt: approve a submitted report; it is locked from then on."""
    if not can_review(actor, report):
        raise PermissionDenied
    with transaction.atomic():
        report = lock_report(report)
        if report.status != ReportStatus.SUBMITTED:
            raise _stale(report)
        record_status(report, ReportStatus.APPROVED, actor)
        report.approved_at, report.approved_by = timezone.now(), actor
        report.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        notify(
            drafters_of(report),
            report=report,
            kind="approved",
            message=_("Your report has been approved."),
            url=reverse("reports:report_detail", args=[report.pk]),
        )
    log.info("report %s approved by %s", report.pk, actor)
    return report


def report_unapprove(*, report: Report, reason: str, actor) -> Report:
    """Hủy duyệt: withdraw an approval, with a reason that is kept; the report is back to review."""
    if not can_review(actor, report):
        raise PermissionDenied
    reason = _text(reason, "reason")
    with transaction.atomic():
        report = lock_report(report)
        if report.status != ReportStatus.APPROVED:
            raise _stale(report)
        record_status(report, ReportStatus.SUBMITTED, actor, _("approval withdrawn: %(reason)s") % {"reason": reason})
        report.approved_at, report.approved_by = None, None
        report.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        notify(
            drafters_of(report),
            report=report,
            kind="unapproved",
            message=_("The approval of your report was withdrawn: %(reason)s") % {"reason": reason[:200]},
            url=reverse("reports:report_detail", args=[report.pk]),
        )
    return report


def return_item_answer(*, item: ReturnItem, answer: str, done: bool, actor) -> ReturnItem:
    """The unit answers one point of a return: a reply, marked done, or both."""
    report = item.request.report
    if not can_edit(actor, report):
        raise PermissionDenied
    answer = _text(answer, "answer", required=not done)
    with transaction.atomic():
        report = lock_report(report)
        item = ReturnItem.objects.select_for_update().get(pk=item.pk)
        if item.request.closed_at is not None or report.status != ReportStatus.RETURNED:
            raise _stale(report)
        item.answer, item.is_done = answer or item.answer, done
        item.answered_by, item.answered_at = actor, timezone.now()
        item.save(update_fields=["answer", "is_done", "answered_by", "answered_at"])
        audit.record(
            report=report,
            kind=AuditKind.COMMENT,
            target=f"return:{item.node_key}",
            old=item.reason,
            new=(answer or "") + (" ✓" if done else ""),
            actor=actor,
        )
    return item


def comment_add(
    *, report: Report, anchor: str, body: str, visibility: str, actor, parent: Comment | None = None
) -> Comment:
    """A comment or a reply. Reviewers write comments to the unit (Góp ý) or internal notes;
    the unit's drafters reply to comments they can see. A reply keeps its thread's visibility."""
    reviewer, drafter = can_review(actor, report), can_edit(actor, report)
    if not (reviewer or (drafter and parent is not None)):
        raise PermissionDenied
    if parent is not None:
        if parent.report_id != report.pk or parent.parent_id is not None:
            raise PermissionDenied
        if parent.visibility == Visibility.INTERNAL and not reviewer:
            raise PermissionDenied
        visibility, anchor = parent.visibility, parent.anchor
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who sees it.")})
    if parent is None and anchor not in comment_anchors(report):
        # A comment under an anchor no page shows would be lost, yet counted as open on the dashboard.
        raise ValidationError({"anchor": _("This comment is not attached to any part of the report; reload the page.")})
    body = _text(body, "body")
    with transaction.atomic():
        comment = Comment(
            report=report, anchor=anchor[:80], parent=parent, author=actor, body=body, visibility=visibility
        )
        comment.full_clean(exclude=["report", "parent", "author"])
        comment.save()
        audit.record(
            report=report,
            kind=AuditKind.COMMENT,
            target=anchor,
            old="",
            new=body,
            actor=actor,
            visibility=visibility,
        )
        if parent is not None:
            thread = [parent.author] + [c.author for c in parent.replies.select_related("author")]
            people = {u.pk: u for u in thread}
            if visibility == Visibility.INTERNAL:
                allowed = {u.pk for u in reviewers_of(report)}
                people = {pk: u for pk, u in people.items() if pk in allowed or u.is_superuser}
            notify(
                people.values(),
                report=report,
                kind="reply",
                exclude=actor,
                message=_("New reply on %(unit)s's report: %(body)s") % {"unit": report.unit.name, "body": body[:200]},
                url=_read_url(report) if reviewer else reverse("reports:report_detail", args=[report.pk]),
            )
    return comment


def comment_resolve(*, comment: Comment, resolved: bool, actor) -> Comment:
    """Mark a thread resolved, or reopen it. Reviewers, and the unit on its own comments' threads."""
    report = comment.report
    if comment.parent_id is not None:
        raise PermissionDenied
    if not (can_review(actor, report) or (can_edit(actor, report) and comment.visibility == Visibility.UNIT)):
        raise PermissionDenied
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if resolved == (comment.resolved_at is not None):
            return comment
        comment.resolved_at, comment.resolved_by = (timezone.now(), actor) if resolved else (None, None)
        comment.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(
            report=report,
            kind=AuditKind.COMMENT,
            target=comment.anchor,
            old=_("open") if resolved else _("resolved"),
            new=_("resolved") if resolved else _("open"),
            actor=actor,
            visibility=comment.visibility,
        )
    return comment


def extension_request(*, report: Report, reason: str, actor) -> ExtensionRequest:
    """Xin gia hạn: the unit asks for more time, with a reason."""
    if not can_edit(actor, report):
        raise PermissionDenied
    reason = _text(reason, "reason")
    with transaction.atomic():
        report = lock_report(report)
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            raise _stale(report)
        if report.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError({"reason": _("A request is already waiting for an answer.")})
        request = ExtensionRequest.objects.create(report=report, reason=reason, requested_by=actor)
        notify(
            reviewers_of(report),
            report=report,
            kind="extension",
            message=_("%(unit)s asks for more time: %(reason)s") % {"unit": report.unit.name, "reason": reason[:200]},
            url=_read_url(report),
        )
    return request


def extension_decide(
    *, request: ExtensionRequest, grant: bool, until: datetime.date | None, note: str, actor
) -> ExtensionRequest:
    """Grant more time until a date, or refuse (with a note saying why)."""
    report = request.report
    if not can_review(actor, report):
        raise PermissionDenied
    note = _text(note, "note", required=not grant)
    if grant and (until is None or until < timezone.localdate()):
        raise ValidationError({"until": _("Give a date from today on.")})
    with transaction.atomic():
        report = lock_report(report)
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionStatus.PENDING:
            raise StaleAction(_("This request was already answered."))
        request.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        request.until = until if grant else None
        request.decision_note, request.decided_by, request.decided_at = note, actor, timezone.now()
        request.save(update_fields=["status", "until", "decision_note", "decided_by", "decided_at"])
        if grant:
            audit.record(
                report=report,
                kind=AuditKind.DEADLINE,
                target="deadline",
                old=formats.date_format(report.deadline, "d/m/Y"),
                new=formats.date_format(until, "d/m/Y"),
                actor=actor,
            )
            report.extended_until = until
            report.save(update_fields=["extended_until", "updated_at"])
            message = _("More time granted: the new deadline is %(date)s.") % {
                "date": formats.date_format(until, "d/m/Y")
            }
        else:
            message = _("The request for more time was refused: %(note)s") % {"note": note[:200]}
        notify(
            drafters_of(report),
            report=report,
            kind="extension",
            message=message,
            url=reverse("reports:report_detail", args=[report.pk]),
        )
    return request


def deadline_reminders(*, days: int, today: datetime.date | None = None) -> int:
    """Remind the drafters of every report still open whose deadline is ``days`` days away or
    less (and not past). Each person gets one reminder per report and deadline."""
    today = today or timezone.localdate()
    sent = 0
    reports = (
        Report.objects.filter(status__in=[ReportStatus.NOT_STARTED, ReportStatus.DRAFTING, ReportStatus.RETURNED])
        .select_related("round", "unit")
        .filter(round__deadline__gte=today - datetime.timedelta(days=365))
    )
    for report in reports.iterator(chunk_size=500):
        left = report.days_left(today)
        if 0 <= left <= days:
            sent += notify(
                drafters_of(report),
                report=report,
                kind="deadline",
                key=f"deadline:{report.pk}:{report.deadline.isoformat()}",
                message=_("%(days)s day(s) left: the report of %(unit)s is due on %(date)s.")
                % {
                    "days": left,
                    "unit": report.unit.name,
                    "date": formats.date_format(report.deadline, "d/m/Y"),
                },
                url=reverse("reports:report_detail", args=[report.pk]),
            )
    return sent
