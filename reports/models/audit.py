"""The change log of a report (written by reports.audit)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import Report
from .review import Visibility


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
