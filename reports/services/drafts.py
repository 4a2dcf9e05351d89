"""A Word draft's sections written in one go, through the same write as the editor's save."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outline.models import OutlineNode

from ..models import Report, SectionText
from .reports import ReportLocked, lock_reason, lock_report
from .sections import SectionConflict, section_save

log = logging.getLogger(__name__)


class DraftConflict(Exception):
    """A section was saved by someone after the preview was made; nothing of the import was written."""

    def __init__(self, key: str, current: SectionText):
        super().__init__(f"section {key} changed since the preview")
        self.key = key
        self.current = current


def draft_import(*, report: Report, texts: dict[str, str], versions: dict[str, int], actor) -> list[SectionText]:
    """Write each section's new text (key → HTML) with section_save: its cleaning and limits, its
    history entry, its conflict rule against the version the preview read (``versions``, 0 for a
    section empty then), the report's lock. All or nothing, in one transaction: raises ReportLocked
    (submitted, approved, past its deadline), DraftConflict (a section changed since the preview) or
    ValidationError (a text over the limits, or a key that is no writable section of the report),
    having written nothing. Each section keeps its "done" mark."""
    nodes = {
        n.key: n
        for n in OutlineNode.objects.filter(
            version_id=report.round.outline_version_id, key__in=list(texts), is_writable=True
        ).order_by("position")
    }
    if unknown := sorted(set(texts) - set(nodes)):
        raise ValidationError(_("No such section in this report: %(keys)s") % {"keys": ", ".join(unknown)})
    saved = []
    with transaction.atomic():
        locked = lock_report(report)
        if reason := lock_reason(locked):
            raise ReportLocked(reason)
        done = dict(
            SectionText.objects.filter(report=locked, node__in=list(nodes.values())).values_list("node__key", "is_done")
        )
        for key, node in nodes.items():
            try:
                section = section_save(
                    report=locked,
                    node=node,
                    content=texts[key],
                    base_version=versions.get(key, 0),
                    is_done=done.get(key, False),
                    actor=actor,
                )
            except SectionConflict as exc:
                raise DraftConflict(key, exc.current) from None
            saved.append(section)
    log.info("draft imported into report %s by %s: %d sections", report.pk, actor, len(saved))
    return saved
