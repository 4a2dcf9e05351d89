"""Rounds (đợt báo cáo): the outline, the organising unit, the term and the deadline."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import CODE_PATTERN, validate_code
from indicators.derived import Period
from indicators.figures import previous_labels
from outline.models import OutlineNode, OutlineVersion
from units.models import Unit


class EventWording(models.TextChoices):
    """What the body that passed the resolution was: a full congress, or a delegates' conference
    (a union too large or too spread out to gather every member holds a "Hội nghị đại biểu")."""

    CONGRESS = "Đại hội", "Đại hội"
    DELEGATES = "Hội nghị đại biểu", "Hội nghị đại biểu"


class PreviousTerm(models.TextChoices):
    """What the appendix's "previous term" column holds: the figures of the same period of the previous
    term (like for like: 2013–2015 against 2018–2020), or of the whole previous term."""

    SAME_PERIOD = "same_period", _("The same period of the previous term")
    WHOLE_TERM = "whole_term", _("The whole previous term")


TERM_YEARS_MAX = 10  # a union term is five years; a longer one is a typing mistake


class Round(models.Model):
    """A reporting round (đợt báo cáo): one outline version, one organising unit, a deadline."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=255)
    outline_version = models.ForeignKey(OutlineVersion, verbose_name=_("outline version"), on_delete=models.PROTECT)
    organising_unit = models.ForeignKey(
        Unit,
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="organised_rounds",
    )
    term_start_year = models.PositiveSmallIntegerField(_("term starts"))
    term_end_year = models.PositiveSmallIntegerField(_("term ends"))
    data_years = models.JSONField(_("data years"), default=list)
    cutoff_date = models.DateField(_("figures up to"))
    deadline = models.DateField(_("deadline"))
    superior_outline_version = models.ForeignKey(
        OutlineVersion,
        verbose_name=_("outline version for superior unions"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The same outline worded for a superior union's own report (no “CĐCS” before its name). Its "
            "headings and summary line are printed in place of the outline's; it must have the same items."
        ),
    )
    header_line = models.CharField(
        _("heading on the right of the Word file"),
        max_length=120,
        blank=True,
        default="",
        help_text=_(
            "Empty: the national motto, as the union's rules require (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / "
            "Độc lập - Tự do - Hạnh phúc). Fill it only to print another heading instead."
        ),
    )
    event_wording = models.CharField(
        _("the event was a"),
        max_length=30,
        choices=EventWording.choices,
        default=EventWording.CONGRESS,
        help_text=_("How the outline names the body whose resolution is evaluated."),
    )
    previous_term = models.CharField(
        _("the previous term's figures are for"),
        max_length=20,
        choices=PreviousTerm.choices,
        default=PreviousTerm.SAME_PERIOD,
        help_text=_(
            "What units type in the “previous term” column. The columns, the comparisons and the ready "
            "sentences say the same."
        ),
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        # The newest term first (its rounds are the current ones), then the newest deadline.
        ordering = ["-term_start_year", "-deadline", "code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def code_in_paths(self) -> bool:
        """Whether the code can appear in an address. Rounds stored before codes were checked may hold
        a slash: their pages cannot be linked, but the lists that show them must not fail."""
        return bool(re.fullmatch(CODE_PATTERN, self.code or ""))

    @property
    def term_label(self):
        return f"{self.term_start_year}–{self.term_end_year}"

    @property
    def term_length(self) -> int | None:
        """How many years the term lasts (2018–2023: 5), by which a result that adds the years up is
        judged against a whole-term target; None while the term is not set."""
        if not (self.term_start_year and self.term_end_year) or self.term_end_year <= self.term_start_year:
            return None
        return self.term_end_year - self.term_start_year

    @property
    def period(self) -> Period:
        """The round's term and what its previous-term column holds, as the figures need them."""
        return Period(term_years=self.term_length, previous_whole_term=self.previous_term == PreviousTerm.WHOLE_TERM)

    @property
    def previous_labels(self) -> dict[str, str]:
        """The headings about the previous term, worded as this round says (figures.previous_labels)."""
        return previous_labels(previous_whole_term=self.previous_term == PreviousTerm.WHOLE_TERM)

    @property
    def term_years(self) -> list[int]:
        """Every year of the term, first to last: what data years may be chosen from."""
        if not (self.term_start_year and self.term_end_year) or self.term_end_year < self.term_start_year:
            return []
        return list(range(self.term_start_year, self.term_end_year + 1))

    @property
    def data_years_label(self) -> str:
        return ", ".join(str(y) for y in self.data_years or [])

    def clean(self):
        errors = {}
        start, end = self.term_start_year, self.term_end_year
        if start and end and end <= start:
            errors["term_end_year"] = _("The term must end after it starts.")
        elif start and end and end - start > TERM_YEARS_MAX:
            errors["term_end_year"] = _("A term lasts at most %(years)d years.") % {"years": TERM_YEARS_MAX}
        years = self.data_years or []
        if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            errors["data_years"] = _("Data years are a list of years, e.g. 2018, 2019, 2020.")
        elif not years:
            errors["data_years"] = _("Choose at least one data year.")
        elif "term_end_year" not in errors and start and end:
            outside = sorted({y for y in years if not start <= y <= end})
            if outside:
                errors["data_years"] = _("%(years)s is not a year of the term %(term)s.") % {
                    "years": ", ".join(str(y) for y in outside),
                    "term": self.term_label,
                }
        if self.cutoff_date and self.deadline and self.deadline < self.cutoff_date:
            # Reports due before the period their figures cover has ended cannot be right.
            errors["deadline"] = _("The deadline cannot be before the date the figures run to (%(cutoff)s).") % {
                "cutoff": self.cutoff_date.strftime("%d/%m/%Y")
            }
        if self.superior_outline_version_id and self.outline_version_id:
            keys = set(OutlineNode.objects.filter(version_id=self.outline_version_id).values_list("key", flat=True))
            other = set(
                OutlineNode.objects.filter(version_id=self.superior_outline_version_id).values_list("key", flat=True)
            )
            if keys != other:
                errors["superior_outline_version"] = _("This outline does not have the same items as the round's.")
        if errors:
            raise ValidationError(errors)
