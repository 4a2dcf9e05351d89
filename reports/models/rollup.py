"""The roll-up's stored totals (kept by reports.totals)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from units.models import Unit

from .reports import ReportStatus
from .rounds import Round


class RollupTotal(models.Model):
    """The figures of the grassroots unions below a superior union, added up per report status.

    Kept by ``reports.totals`` with every change of a figure or of a status, so a province's roll-up
    reads a few hundred rows instead of adding up its units' figures (issue 11). ``figures`` is how
    many figures are in ``total``: none means blank, not 0."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=ReportStatus.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    column = models.CharField(max_length=10)
    total = models.DecimalField(max_digits=30, decimal_places=4)
    figures = models.IntegerField()

    class Meta:
        verbose_name = _("roll-up total")
        verbose_name_plural = _("roll-up totals")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "status", "indicator", "column"], name="rollup_total_once"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.status}/{self.indicator_id}[{self.column}] = {self.total}"


class RollupMembers(models.Model):
    """How many grassroots reports per status ``RollupTotal`` holds below a unit, and the sums of their
    ids and of their ids' squares: the roll-up compares them with the reports themselves and adds up
    afresh when they differ (a report deleted, a unit moved), so a missed change never shows a wrong total."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=ReportStatus.choices)
    reports = models.IntegerField()
    id_sum = models.BigIntegerField()
    # With the sum of ids alone, units swapped between two superiors ({101, 104} one way, {102, 103} the
    # other) looked unchanged. Ids stay far below 10**6 and a unit's reports below 10**5: no overflow.
    id_square_sum = models.BigIntegerField(default=0)
    # Moves with every change of the totals of this status below the unit (a report in or out, a figure
    # changed: ``totals.shift`` and ``shift_cells``, +1) and is set afresh by ``totals.rebuild`` (a
    # clock reading, never a value used before): a province's roll-up keys its cached page on it
    # instead of reading every report below (``selectors.rollup_stamp``).
    revision = models.BigIntegerField(db_default=0)

    class Meta:
        verbose_name = _("roll-up members")
        verbose_name_plural = _("roll-up members")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "status"], name="rollup_members_once"),
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.status}: {self.reports}"
