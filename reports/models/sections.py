"""The texts a unit writes under the outline's writable nodes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.richtext import plain_text
from outline.models import OutlineNode

from .reports import Report


class SectionState(models.TextChoices):
    EMPTY = "empty", _("Empty")
    WRITING = "writing", _("Being written")
    DONE = "done", _("Done")


class SectionText(models.Model):
    """What a unit wrote under one writable node. ``version`` grows by one per save."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="sections")
    node = models.ForeignKey(OutlineNode, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("content"), blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    version = models.PositiveIntegerField(_("times saved"), default=0)
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
        verbose_name = _("section text")
        verbose_name_plural = _("section texts")
        constraints = [
            models.UniqueConstraint(fields=["report", "node"], name="section_text_once"),
        ]

    def __str__(self):
        return f"{self.report} · {self.node.key}"

    @property
    def state(self):
        if not plain_text(self.content) and "<table" not in self.content:
            return SectionState.EMPTY
        return SectionState.DONE if self.is_done else SectionState.WRITING

    @property
    def word_count(self):
        return len(plain_text(self.content).split())
