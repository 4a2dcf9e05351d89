from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import Round
from units.models import Unit


class JobStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class JobFailure(models.TextChoices):
    """Why a job failed, in the words its page shows."""

    ERROR = "error", _("The file could not be made. Try again; if it fails again, tell the administrator.")
    DISK = "disk", _("The server has no room left to store the file. Tell the administrator, then try again.")
    WORKER = (
        "worker",
        _(
            "The background worker stopped in the middle of making the file (the server restarted or the worker "
            "was stopped). Try again."
        ),
    )
    TIME = (
        "time",
        _("Making the file took longer than allowed and was stopped. Try again later or tell the administrator."),
    )


class JobKind(models.TextChoices):
    CONSOLIDATED = "consolidated", _("Consolidated report")
    # The dashboard's list of units as a workbook, as its maker sees the dashboard (their units, their filter).
    DASHBOARD = "dashboard", _("Tracking the units' reports")


class ExportJob(models.Model):
    """A file made in the background (a consolidated export, or the dashboard's workbook); the file is
    kept for a while, then expires."""

    kind = models.CharField(max_length=20, choices=JobKind.choices, default=JobKind.CONSOLIDATED)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    # The unit whose consolidated file it is; none for the dashboard's workbook (its maker's units).
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    # The dashboard's filter, search and order ({"status", "query", "sort"}), as its page had them.
    options = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=[("docx", "Word"), ("xlsx", "Excel")])
    # Drafts (reports not submitted) only when asked, each marked as a draft in the file.
    include_drafts = models.BooleanField(_("include drafts"), default=False)
    part = models.CharField(
        _("part"),
        max_length=10,
        default="full",
        choices=[
            ("full", _("The report with the annex of the units' texts")),
            ("report", _("The report only (roll-up and where each unit stands)")),
            ("annex", _("The annex of the units' texts, as a file of its own")),
        ],
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.WAITING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # About how many A4 pages the file prints (documents.page), shown before it is downloaded.
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    # What went wrong, for the administrator (the log has the rest); the user is shown `failure`.
    error = models.TextField(blank=True)
    failure = models.CharField(max_length=10, choices=JobFailure.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's sign of life while it makes the file (exports.tasks): a running job without one for
    # EXPORT_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker took the job: one whose worker died is queued again until EXPORT_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit} {self.format} {self.status}"

    @property
    def is_dashboard(self) -> bool:
        return self.kind == JobKind.DASHBOARD

    @property
    def percent(self):
        if self.status == JobStatus.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def reason(self) -> str:
        """Why it failed, for the user; "" unless it failed."""
        if self.status != JobStatus.FAILED:
            return ""
        return str(JobFailure(self.failure or JobFailure.ERROR).label)

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at < timezone.now()
