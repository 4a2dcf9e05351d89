"""A unit's report in a round: its status, its deadline, what its Word file prints, its submissions."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outline.models import BlankFill, years_in_words
from units.models import NATIONAL_BODY, NATIONAL_UNION, Unit, is_first_congress, national_congress, subtree_q
from units.selectors import user_access

from .rounds import Round

RECIPIENTS_MAX_CHARS = 2000


class SigningAuthority(models.TextChoices):
    """Who the signer signs for, printed above the position (Nghị định 30/2020, Phụ lục I)."""

    EXECUTIVE = "TM. BAN CHẤP HÀNH", "TM. BAN CHẤP HÀNH"
    STANDING = "TM. BAN THƯỜNG VỤ", "TM. BAN THƯỜNG VỤ"
    DEPUTY = "KT. CHỦ TỊCH", _("KT. CHỦ TỊCH (a vice-chair signs for the chair)")
    NONE = "", _("None (the chair signs in their own name)")


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFTING = "drafting", _("Drafting")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFTING, ReportStatus.RETURNED)


def counted_condition(prefix: str = "", cutoff=None) -> Q:
    """The one rule for which reports count in their round (dashboard, roll-up, stored totals,
    consolidated files): every report, except one of a unit merged on or before the round's cut-off
    date ("figures up to"), whose members the successor's report counts. ``prefix`` reaches the report
    from another model ("report__"); ``cutoff`` (the round's, when known) spares the join on the round."""
    limit = models.F(f"{prefix}round__cutoff_date") if cutoff is None else cutoff
    return Q(**{f"{prefix}unit__merged_on__isnull": True}) | Q(**{f"{prefix}unit__merged_on__gt": limit})


class ReportQuerySet(models.QuerySet):
    def counted(self, round=None):
        """Reports that count in their round (``counted_condition``); ``round``: all of them are its."""
        return self.filter(counted_condition(cutoff=round.cutoff_date if round is not None else None))

    def counted_below(self, round, unit):
        """The reports a roll-up of ``unit`` in ``round`` adds up, whatever their status: those of the
        grassroots unions at or below ``unit`` (``subtree_q``) that count in the round (``counted``).
        The roll-up, its stamp and the consolidated Word and Excel files all start from here."""
        return self.filter(subtree_q(unit, "unit"), round=round, unit__is_grassroots=True).counted(round)

    def past_deadline(self, round, today=None):
        """Reports of ``round`` whose deadline has passed: ``Report.deadline`` (the round's, or a later
        date an extension granted) before ``today``, as ``Report.is_past_deadline`` says of one row.
        None while the round's own deadline has not passed: no join on the round."""
        today = today or timezone.localdate()
        if round.deadline >= today:
            return self.none()
        return self.filter(Q(extended_until__isnull=True) | Q(extended_until__lt=today))

    def visible_to(self, user):
        """Reports ``user`` may read: their own units', and every unit's below where they review; and
        the reports of the units merged into any of those (``Unit.heir``), read-only, as history."""
        access = user_access(user)
        if access.is_superuser:
            return self
        drafted = [u.pk for u in access.drafter_units]
        condition = Q(unit__in=drafted) | Q(unit__heir__in=drafted)
        for unit in access.overseen_units:
            condition |= subtree_q(unit, "unit") | subtree_q(unit, "unit__heir")
        return self.filter(condition)

    def editable_by(self, user):
        """Reports ``user`` may write: only those of units where they are a drafter."""
        access = user_access(user)
        return self.filter(unit__in=[u.pk for u in access.drafter_units])


class Report(models.Model):
    """One unit's report in one round. Attached to the unit, so it follows the unit when it moves."""

    round = models.ForeignKey(
        Round, verbose_name=_("reporting round"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    congress_number = models.CharField(_("congress number"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    extended_until = models.DateField(
        _("extended until"), null=True, blank=True, help_text=_("A later deadline for this report only.")
    )
    # What the Word document prints in its header and closing block.
    doc_number = models.CharField(_("document number"), max_length=40, blank=True, help_text=_("e.g. 15/BC-CĐCS"))
    place = models.CharField(_("place"), max_length=80, blank=True, help_text=_("e.g. Bình An"))
    signer_name = models.CharField(_("signed by"), max_length=120, blank=True)
    signing_authority = models.CharField(
        _("signing authority"),
        max_length=30,
        choices=SigningAuthority.choices,
        default=SigningAuthority.EXECUTIVE,
        blank=True,
    )
    signer_title = models.CharField(_("signer's position"), max_length=60, default="CHỦ TỊCH")
    filed = models.CharField(
        _("filed (Lưu)"), max_length=120, default="VT", blank=True, help_text=_("Printed as “- Lưu: VT, …”.")
    )
    # A TextField is not length-checked by Django: the validator (and the form's maxlength) is.
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        max_length=RECIPIENTS_MAX_CHARS,
        validators=[MaxLengthValidator(RECIPIENTS_MAX_CHARS)],
        help_text=_("One per line; the “Lưu:” line is set in its own box below."),
    )
    # Everything the Word file prints in its header and closing block, as it was on the day the
    # report was submitted: a unit renamed or moved later does not rewrite a signed report.
    printed = models.JSONField(_("as printed on submission"), default=dict, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="report_one_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.round}"

    @property
    def deadline(self):
        """The round's deadline, or the later date an extension granted (``ReportQuerySet.past_deadline``
        is the same rule in SQL)."""
        if self.extended_until and self.extended_until > self.round.deadline:
            return self.extended_until
        return self.round.deadline

    def days_left(self, today=None) -> int:
        """Days until the deadline; negative when overdue."""
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def last_change(self):
        """When the unit last changed its report, for the lists; None while it has not started (its time
        is then only the round's opening, which read as if the unit had done something)."""
        return None if self.status == ReportStatus.NOT_STARTED else self.updated_at

    @property
    def is_counted(self) -> bool:
        """Whether the report counts in its round (``counted_condition``, the same rule for one row):
        not when its unit was merged on or before the round's cut-off date."""
        merged_on = self.unit.merged_on
        return merged_on is None or merged_on > self.round.cutoff_date

    @property
    def is_past_deadline(self):
        return self.days_left() < 0

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES and not self.is_past_deadline

    @property
    def is_resubmission(self):
        return self.status == ReportStatus.SUBMITTED and self.submission_count > 1

    @property
    def submission_count(self):
        if hasattr(self, "submission_total"):
            return self.submission_total
        return self.submissions.count()

    @property
    def blank_fill(self):
        """What goes in the outline's dotted blanks: the unit, its congress number, the term."""
        fill = self.unit.name
        if self.congress_number:
            fill += f" lần thứ {self.congress_number}"
            if self.is_first_congress and self.unit.formed_by_merger:
                # A union formed by a merger (2025) numbers its congresses from I again: the report says why.
                fill += " (sau hợp nhất)"
        return BlankFill(f"{fill}, nhiệm kỳ {self.round.term_label}", self.round.event_wording, self.placeholder_values)

    @property
    def placeholder_values(self) -> dict[str, str]:
        """The outline's placeholders (``outline.models.PLACEHOLDERS``) for this report: the round's term,
        data years and cut-off date, the unit's and its superior's names, the superior's congress. A unit
        at the top of the tree answers to Công đoàn Việt Nam (``units.models.NATIONAL_UNION``) and its
        congress of the round's term."""
        round_, unit = self.round, self.unit
        parent = unit.parent if unit.parent_id else None
        if parent is None:
            superior, congress = NATIONAL_UNION, national_congress(round_.term_start_year)
        else:
            superior = parent.name
            congress = f"Đại hội {superior}"
            if parent.congress_number:
                congress += f" lần thứ {parent.congress_number}"
        return {
            "nhiem_ky": round_.term_label,
            "nam_dau_nhiem_ky": str(round_.term_start_year),
            "nam_cuoi_nhiem_ky": str(round_.term_end_year),
            "nam_so_lieu": years_in_words(round_.data_years),
            "so_nam_so_lieu": str(len(round_.data_years or [])),
            "ngay_chot_so_lieu": round_.cutoff_date.strftime("%d/%m/%Y") if round_.cutoff_date else "",
            "don_vi": unit.name,
            "cap_tren": superior,
            "dai_hoi_cap_tren": congress,
            "dai_hoi": round_.event_wording or "Đại hội",
        }

    @property
    def is_first_congress(self) -> bool:
        """The term reported on began at the union's first congress ("lần thứ I"): no term before it."""
        return is_first_congress(self.congress_number)

    # The document details a report cannot be submitted without: what the header block and the signature
    # print ("Số: …", "……, ngày …" and an empty signer otherwise).
    REQUIRED_DOCUMENT_FIELDS = ("doc_number", "place", "signer_name")

    @property
    def missing_document_details(self) -> list[str]:
        """The names ("số văn bản", "nơi ban hành", "người ký") of the required document details left empty."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_DOCUMENT_FIELDS
            if not getattr(self, name).strip()
        ]

    def document_fields(self) -> dict:
        """Everything the Word file prints in its header and closing block, as it stands now."""
        unit = self.unit
        number = self.doc_number.strip()
        if not number:
            number = f"…/{unit.document_suffix}"
        elif "/" not in number:
            number = f"{number}/{unit.document_suffix}"
        recipients = [line.strip().rstrip(";") for line in (self.recipients or "").splitlines() if line.strip()]
        parent = unit.parent if unit.parent_id else None
        # The top of the tree answers to the Tổng Liên đoàn: the header names it, and it is sent the report.
        superior = parent.name if parent else NATIONAL_BODY
        return {
            "superior": superior,
            "unit": unit.name,
            "heading": self.round.header_line,
            "number": number,
            "place": self.place,
            "signing_authority": self.signing_authority,
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipients": recipients or [superior],
            "filed": self.filed,
            "fill": self.blank_fill,
            "event": self.round.event_wording,
            "values": self.placeholder_values,
        }

    @property
    def print_fields(self) -> dict:
        """What the Word file prints: as stored on submission while the report is submitted or
        approved, as it stands now while it is being drafted."""
        if self.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED) and self.printed:
            return self.printed
        return self.document_fields()


class Submission(models.Model):
    """A numbered, frozen copy of a report as it was submitted."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField(_("number"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sections = models.JSONField(_("sections"), help_text=_("Node key → the HTML submitted."))
    figures = models.JSONField(
        _("figures"), default=dict, blank=True, help_text=_("Indicator code → column → the figure submitted, as text.")
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="submission_number"),
        ]

    def __str__(self):
        return f"{self.report} · {self.number}"
