"""Writes on section texts: the page's save and the autosave, one write shared by both."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.richtext import clean_section_html
from core.text import strip_controls
from outline.models import OutlineNode
from units.models import Role

from .. import audit
from ..models import AuditKind, Report, ReportStatus, SectionText
from .reports import ReportLocked, lock_reason, lock_report, mark_drafting

log = logging.getLogger(__name__)


class SectionConflict(Exception):
    """Someone saved the section after the writer opened it; nothing was overwritten."""

    def __init__(self, current: SectionText):
        super().__init__("section saved by someone else")
        self.current = current


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
    answers as the page does (not found, or not allowed). Otherwise raises as section_save, so that
    every other outcome is answered from this one pass: a text over the limits (ValidationError) only
    once the actor is known to draft that section, as the page says "not allowed" first."""
    if strip_controls(key) != key:
        return None  # no outline key holds a NUL, and PostgreSQL refuses one in a query
    try:
        cleaned = clean_section_html(content)
        base_cleaned = clean_section_html(base_content) if base_content is not None else None
    except ValidationError as exc:
        refused = exc
    else:
        refused = None
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
        if refused is not None:
            raise refused
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
