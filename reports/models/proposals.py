"""The superior union's own wording of a group of its units' proposals (kiến nghị, đề xuất)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import Report

# A proposal's wording in the consolidated table: a sentence or a few, never a page.
WORDING_MAX_CHARS = 1000


class ProposalWording(models.Model):
    """How the superior's office words one group of proposals, for its own report (``report``). The
    groups are made again as units write (reports.selectors.proposals): a wording follows the group that
    shares most of its ``members`` (the proposals it was written for, as "report id:hash of the text")."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="proposal_wordings"
    )
    members = models.JSONField(_("proposals worded"), default=list)
    text = models.TextField(_("wording"), max_length=WORDING_MAX_CHARS)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proposal wording")
        verbose_name_plural = _("proposal wordings")
        ordering = ["report", "pk"]

    def __str__(self):
        return self.text[:80]
