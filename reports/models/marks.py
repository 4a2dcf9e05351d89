"""Marks a reviewer puts on a unit's text while reading it: a passage worth citing, or one to watch, for
the superior union's own report (the synthesis panel of its section editor lists them first)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outline.models import OutlineNode

from .reports import Report


class MarkKind(models.TextChoices):
    TYPICAL = "typical", _("Typical (worth citing)")
    ATTENTION = "attention", _("Needs attention")


class PassageMark(models.Model):
    """A reviewer's mark on one section of a report, or on one of its paragraphs.

    ``paragraph`` is 0 for the whole section, else the paragraph's place (1, 2, …) among the section's
    non-empty paragraphs (``core.richtext.paragraph_texts``), and ``quote`` its words when marked: a
    paragraph moved by a later edit is found again by its words, one rewritten shows the words marked.
    One mark per passage: marking it again changes the kind and who marked it."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="marks")
    node = models.ForeignKey(OutlineNode, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+")
    paragraph = models.PositiveIntegerField(_("paragraph"), default=0)
    quote = models.TextField(_("marked words"), blank=True)
    kind = models.CharField(_("mark"), max_length=12, choices=MarkKind.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("passage mark")
        verbose_name_plural = _("passage marks")
        ordering = ["report", "node", "paragraph"]
        constraints = [
            models.UniqueConstraint(fields=["report", "node", "paragraph"], name="passage_mark_once"),
        ]

    def __str__(self):
        return f"{self.report} · {self.node.key} · {self.paragraph}: {self.get_kind_display()}"
