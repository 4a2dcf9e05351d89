"""Writes on the units' proposals of a superior union's report: its office's wording of a group, the
groups put into its own report's section, the grouping queued in the background."""

import html
import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.text import nfc

from ..models import WORDING_MAX_CHARS, ProposalWording, Report, SectionText
from ..selectors.proposals import ProposalGroup, Proposals
from ..tasks import group_unit_proposals
from .sections import section_save

log = logging.getLogger(__name__)
# A group's member ids ("report id:hash") kept with its wording: a group of a province is thousands.
MEMBERS_MAX = 20_000


def proposal_wording_save(*, report: Report, group: ProposalGroup, text: str, actor) -> ProposalWording:
    """Store how the superior's office words ``group`` (of ``report``'s units' proposals): plain text,
    one line, NFC. Updates the group's wording if it has one, else adds one for its members. Raises
    ValidationError on an empty or too long text."""
    text = nfc(" ".join((text or "").split()))
    if not text:
        raise ValidationError(_("Write how the proposal is worded."))
    if len(text) > WORDING_MAX_CHARS:
        raise ValidationError(
            _("A proposal's wording is at most %(max)s characters; this one has %(count)s.")
            % {"max": WORDING_MAX_CHARS, "count": len(text)}
        )
    with transaction.atomic():
        wording = None
        if group.wording is not None:
            wording = ProposalWording.objects.select_for_update().filter(pk=group.wording.pk, report=report).first()
        if wording is None:
            wording = ProposalWording(report=report)
        wording.members = list(group.members[:MEMBERS_MAX])
        wording.text = text
        wording.updated_by = actor
        wording.full_clean(exclude=["report", "updated_by"])
        wording.save()
    log.info("proposal wording %s of report %s saved by %s", wording.pk, report.pk, actor)
    return wording


def proposals_html(groups: list[ProposalGroup]) -> str:
    """The groups as the section's text: a numbered list, each wording with how many units asked it."""
    items = "".join(
        f"<li><p>{html.escape(g.text)} ({html.escape(_('%(count)s CĐCS') % {'count': g.count})})</p></li>"
        for g in groups
    )
    return f"<ol>{items}</ol>" if items else ""


def proposals_insert(*, report: Report, proposals: Proposals, groups: list[ProposalGroup], actor) -> SectionText:
    """Put ``groups`` at the end of ``report``'s own proposals section (``proposals.node``), through
    section_save (cleaned, the report's lock and status checked, history kept). Raises as section_save
    (ReportLocked, SectionConflict, ValidationError) and ValidationError when no group is chosen."""
    if not groups:
        raise ValidationError(_("Choose at least one proposal to insert."))
    section = SectionText.objects.filter(report=report, node=proposals.node).first()
    current = section.content if section else ""
    return section_save(
        report=report,
        node=proposals.node,
        content=current + proposals_html(groups),
        base_version=section.version if section else 0,
        is_done=section.is_done if section else False,
        actor=actor,
        base_content=current,
    )


def proposals_group_later(*, report: Report, proposals: Proposals) -> bool:
    """Queue the grouping of ``report``'s units' proposals that ``proposals`` waits for, once per
    revision (another page asking meanwhile queues nothing). Returns whether it was queued now."""
    if not proposals.pending or not cache.add(f"{proposals.cache_key}:queued", 1, 600):
        return False
    transaction.on_commit(lambda: group_unit_proposals.enqueue(report.pk))
    return True
