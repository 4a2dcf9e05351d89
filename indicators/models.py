from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from outline.models import OutlineNode, OutlineVersion

# The typed columns besides the data years; years are stored as their number ("2019").
TARGET, START, PREVIOUS = "target", "start", "prev"


class Kind(models.TextChoices):
    COUNT = "count", _("Count")
    AMOUNT = "amount", _("Amount of money")
    PERCENTAGE = "percentage", _("Percentage")
    RATIO = "ratio", _("Ratio of two indicators")


class Rollup(models.TextChoices):
    SUM = "sum", _("Sum")
    RATIO_OF_SUMS = "ratio_of_sums", _("Ratio of the sums")
    NONE = "none", _("Not rolled up")


class OverYears(models.TextChoices):
    LATEST = "latest", _("Level: the latest year counts")
    SUM = "sum", _("Flow: the years add up")


class IndicatorQuerySet(models.QuerySet):
    def in_catalogue(self, outline_version_id, *, grassroots: bool = False):
        """An outline version's indicators. For a grassroots union (CĐCS), ``grassroots`` leaves out the
        rows only superior unions count (``superior_only``): the one place that rule is written
        (``Indicator.asked_of`` for a row in hand)."""
        indicators = self.filter(outline_version_id=outline_version_id)
        return indicators.filter(superior_only=False) if grassroots else indicators


class IndicatorManager(models.Manager.from_queryset(IndicatorQuerySet)):
    def get_by_natural_key(self, version_code, code):
        return self.get(outline_version__code=version_code, code=code)


class Indicator(models.Model):
    """One row of the appendix (Biểu mẫu). Rules for checking figures are data on the row."""

    outline_version = models.ForeignKey(
        OutlineVersion, verbose_name=_("outline version"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    rollup = models.CharField(_("roll-up"), max_length=20, choices=Rollup.choices)
    over_years = models.CharField(
        _("over the years"), max_length=10, choices=OverYears.choices, default=OverYears.LATEST
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    node = models.ForeignKey(
        OutlineNode,
        verbose_name=_("outline section"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    position = models.PositiveIntegerField(_("order"))
    numerator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scale = models.DecimalField(
        _("ratio scale"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(100),
        help_text=_("100 for a percentage."),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text=_("Its value can never exceed this indicator's (women ≤ workers)."),
    )
    superior_only = models.BooleanField(
        _("superior unions only"),
        default=False,
        help_text=_(
            "Only a superior union counts it (its grassroots unions, enterprises of 25 workers or more, "
            "ratings): a CĐCS is not asked for it; superior unions' reports, roll-ups and exports show it."
        ),
    )
    jump_warning_pct = models.DecimalField(
        _("warn at a year-on-year change over (%)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(50),
    )
    target_warning_pct = models.DecimalField(
        _("warn when the target is missed or overshot by over (%)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(50),
    )

    objects = IndicatorManager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["outline_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["outline_version", "code"], name="indicator_code"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind != Kind.RATIO and self.rollup == Rollup.RATIO_OF_SUMS:
            raise ValidationError(
                {
                    "rollup": _(
                        "Only a ratio rolls up as the ratio of the sums; a typed figure is summed or not rolled up."
                    )
                }
            )
        # A ratio's result over the years is its parts' results divided: Σ numerators ÷ Σ
        # denominators for flows, the latest year's for levels. A ratio whose rule differs from its
        # parts' would say one thing on the page and another in a spreadsheet's reading.
        if self.kind == Kind.RATIO:
            for part in (self.numerator, self.denominator):
                if part is not None and part.over_years != self.over_years:
                    raise ValidationError(
                        {
                            "over_years": _(
                                "A ratio adds its years up exactly when its numerator and denominator do "
                                "(“%(part)s”: %(rule)s)."
                            )
                            % {"part": part.name, "rule": part.get_over_years_display()}
                        }
                    )

        # A CĐCS's appendix leaves superior-only rows out: what is built on one must be left out too.
        if not self.superior_only:
            if self.kind == Kind.RATIO and any(
                p is not None and p.superior_only for p in (self.numerator, self.denominator)
            ):
                raise ValidationError(
                    {"superior_only": _("A ratio of a superior-only indicator is for superior unions only too.")}
                )
            if self.part_of is not None and self.part_of.superior_only:
                raise ValidationError(
                    {"superior_only": _("A part of a superior-only indicator is for superior unions only too.")}
                )

    def natural_key(self):
        return (self.outline_version.code, self.code)

    natural_key.dependencies = ["outline.outlineversion", "outline.outlinenode"]

    @property
    def is_computed(self):
        return self.kind == Kind.RATIO

    def asked_of(self, *, grassroots: bool) -> bool:
        """Whether a unit's appendix has this row (``IndicatorQuerySet.in_catalogue`` for a row in hand):
        every row for a superior union, all but the superior-only ones for a grassroots union."""
        return not (grassroots and self.superior_only)

    @property
    def step(self):
        return "1" if self.decimals == 0 else "0." + "0" * (self.decimals - 1) + "1"
