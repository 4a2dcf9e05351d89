"""Reviewers' marks on the units' texts: "điển hình" (worth citing) or "cần lưu ý" (needs attention)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.richtext import paragraph_texts
from outline.models import OutlineNode

from ..models import MarkKind, PassageMark, Report, SectionText, can_review


def passage_mark(*, report: Report, node_key: str, paragraph: int, kind: str, actor) -> PassageMark:
    """Mark a section of ``report`` (``paragraph`` 0) or its ``paragraph``-th paragraph (1-based, as
    ``core.richtext.paragraph_texts`` counts them) as ``kind``; the words marked are taken from the stored
    text, never from the browser. Marking a marked passage again changes its kind, who marked it and when.
    Only who reviews the report (``can_review``) may: PermissionDenied otherwise; ValidationError for a
    section or paragraph the report does not have."""
    if not can_review(actor, report):
        raise PermissionDenied
    if kind not in MarkKind.values:
        raise ValidationError({"kind": _("Choose a mark.")})
    node = OutlineNode.objects.filter(
        version_id=report.round.outline_version_id, key=node_key, is_writable=True
    ).first()
    if node is None:
        raise ValidationError({"node": _("This section is not in the report's outline; reload the page.")})
    section = SectionText.objects.filter(report=report, node=node).only("content").first()
    paragraphs = paragraph_texts(section.content if section else "")
    if paragraph < 0 or paragraph > len(paragraphs) or (paragraph == 0 and not paragraphs):
        raise ValidationError({"paragraph": _("This paragraph is no longer in the text; reload the page.")})
    quote = paragraphs[paragraph - 1] if paragraph else ""
    with transaction.atomic():
        mark, _created = PassageMark.objects.select_for_update().update_or_create(
            report=report,
            node=node,
            paragraph=paragraph,
            defaults={"quote": quote, "kind": kind, "marked_by": actor, "marked_at": timezone.now()},
        )
        mark.full_clean(exclude=["report", "node", "marked_by"], validate_unique=False)
    return mark


def passage_unmark(*, mark: PassageMark, actor) -> None:
    """Take a mark off. Only who reviews its report may: PermissionDenied otherwise."""
    if not can_review(actor, mark.report):
        raise PermissionDenied
    with transaction.atomic():
        PassageMark.objects.filter(pk=mark.pk).delete()
