"""Rounds, reports and everything written or typed in them: section texts, the appendix's figures,
submissions, review (comments, returns, extensions), the audit trail and notifications."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.richtext import plain_text
from core.validators import CODE_PATTERN, validate_code
from indicators.models import Indicator
from outline.models import BlankFill, OutlineNode, OutlineVersion
from units.models import Unit, is_first_congress
from units.selectors import user_access

RECIPIENTS_MAX_CHARS = 2000


class EventWording(models.TextChoices):
    """What the body that passed the resolution was: a full congress, or a delegates' conference
    (a union too large or too spread out to gather every member holds a "Hội nghị đại biểu")."""

    CONGRESS = "Đại hội", "Đại hội"
    DELEGATES = "Hội nghị đại biểu", "Hội nghị đại biểu"


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
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-deadline", "code"]

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

    def visible_to(self, user):
        """Reports ``user`` may read: their own units', and every unit's below where they review; and
        the reports of the units merged into any of those (``Unit.heir``), read-only, as history."""
        access = user_access(user)
        if access.is_superuser:
            return self
        drafted = [u.pk for u in access.drafter_units]
        condition = Q(unit__in=drafted) | Q(unit__heir__in=drafted)
        for unit in access.overseen_units:
            condition |= Q(unit__path__startswith=unit.path) | Q(unit__heir__path__startswith=unit.path)
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
        """The round's deadline, or the later date an extension granted."""
        if self.extended_until and self.extended_until > self.round.deadline:
            return self.extended_until
        return self.round.deadline

    def days_left(self, today=None) -> int:
        """Days until the deadline; negative when overdue."""
        return (self.deadline - (today or timezone.localdate())).days

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
        return BlankFill(f"{fill}, nhiệm kỳ {self.round.term_label}", self.round.event_wording)

    @property
    def is_first_congress(self) -> bool:
        """The term reported on began at the union's first congress ("lần thứ I"): no term before it."""
        return is_first_congress(self.congress_number)

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
        return {
            "superior": parent.name if parent else "",
            "unit": unit.name,
            "heading": self.round.header_line,
            "number": number,
            "place": self.place,
            "signing_authority": self.signing_authority,
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipients": recipients or ([parent.name] if parent else []),
            "filed": self.filed,
            "fill": self.blank_fill,
            "event": self.round.event_wording,
        }

    @property
    def print_fields(self) -> dict:
        """What the Word file prints: as stored on submission while the report is submitted or
        approved, as it stands now while it is being drafted."""
        if self.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED) and self.printed:
            return self.printed
        return self.document_fields()


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


def can_review(user, report) -> bool:
    """Whether the user reviews this report: a reviewer or admin of one of its unit's ancestors."""
    access = user_access(user)
    if access.is_superuser:
        return True
    return any(report.unit.path.startswith(unit.path) and unit.pk != report.unit_id for unit in access.overseen_units)


class Visibility(models.TextChoices):
    UNIT = "unit", _("Comment (seen by the unit)")
    INTERNAL = "internal", _("Internal note (reviewers only)")


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user, report):
        """Comments of ``report`` the user may read: drafters never see internal notes."""
        qs = self.filter(report=report)
        if not can_review(user, report):
            qs = qs.filter(visibility=Visibility.UNIT)
        return qs


class Comment(models.Model):
    """A comment on a section (anchored by its outline key) or an indicator row (by its code).

    Keys are stable, so a comment stays where it was put whatever the text becomes. A reply has
    ``parent``; resolving and reopening apply to the thread's first comment. Nothing is deleted.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    anchor = models.CharField(max_length=80, help_text=_("section:<outline key>, indicator:<code> or report"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.UNIT)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "anchor"])]

    def __str__(self):
        return f"{self.anchor}: {self.body[:40]}"

    @property
    def is_open(self):
        return self.resolved_at is None


class ReturnRequest(models.Model):
    """A return for revision (Trả lại): an overall note and the sections to rework."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="returns")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("overall note"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When the unit resubmitted."))

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.report} · {self.created_at:%d/%m/%Y}"


class ReturnItem(models.Model):
    """One section to rework, with the reviewer's reason and the unit's answer."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="items")
    node_key = models.CharField(max_length=60)
    reason = models.TextField(_("reason"))
    answer = models.TextField(_("answer"), blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("point to correct")
        verbose_name_plural = _("points to correct")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.node_key}: {self.reason[:40]}"

    @property
    def is_answered(self):
        return self.is_done or bool(self.answer.strip())


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """Xin gia hạn: the unit asks for more time; a reviewer grants until a date or refuses."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    until = models.DateField(_("until"), null=True, blank=True)
    decision_note = models.TextField(_("answer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.report} · {self.get_status_display()}"


class AuditKind(models.TextChoices):
    SECTION = "section", _("Section text")
    FIGURE = "figure", _("Figure")
    NOTE = "note", _("Figure note")
    STATUS = "status", _("Status")
    COMMENT = "comment", _("Comment")
    DEADLINE = "deadline", _("Deadline")


class AuditEntry(models.Model):
    """Who changed what in a report, when, from what to what. Written by the services only."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="audit")
    kind = models.CharField(max_length=10, choices=AuditKind.choices)
    target = models.CharField(max_length=80, help_text=_("Outline key, indicator code and column…"))
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.UNIT)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["report", "kind", "target"])]

    def __str__(self):
        return f"{self.kind} {self.target}"


class Notification(models.Model):
    """A message in a user's list (and by e-mail): submitted, returned, approved, a reply…"""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    key = models.CharField(max_length=120, blank=True, help_text=_("Set for reminders so each is sent once."))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"),
        ]

    def __str__(self):
        return self.message[:60]


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

    class Meta:
        verbose_name = _("roll-up members")
        verbose_name_plural = _("roll-up members")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "status"], name="rollup_members_once"),
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.status}: {self.reports}"
