"""A report's appendix: its version, its typed figures and their notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator

from .reports import Report


class Appendix(models.Model):
    """The appendix of one report: a version counter so no save silently overwrites another."""

    report = models.OneToOneField(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="appendix")
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
        verbose_name = _("appendix")
        verbose_name_plural = _("appendices")

    def __str__(self):
        return str(self.report)


class IndicatorValue(models.Model):
    """One typed figure: a report, an indicator, a column (target, start, prev or a year)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    column = models.CharField(_("column"), max_length=10)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "column"], name="indicator_value_once"),
        ]

    def __str__(self):
        return f"{self.indicator.code}[{self.column}] = {self.value}"


class IndicatorNote(models.Model):
    """The note of a row, and the explanation a warning on that row asks for."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="indicator_notes"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="notes"
    )
    note = models.TextField(_("note"), blank=True)
    explanation = models.TextField(_("explanation of the warning"), blank=True)

    class Meta:
        verbose_name = _("note on a figure")
        verbose_name_plural = _("notes on figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_note_once"),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.note[:40]}"
