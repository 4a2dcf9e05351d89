"""The superior union's review: who reviews, comments, returns for revision, extensions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from units.selectors import user_access

from .reports import Report, Submission


def can_review(user, report) -> bool:
    """Whether the user reviews this report: a reviewer or admin of one of its unit's ancestors."""
    access = user_access(user)
    if access.is_superuser:
        return True
    return any(report.unit.is_within(unit) and unit.pk != report.unit_id for unit in access.overseen_units)


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
