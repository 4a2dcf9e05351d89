from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.validators import validate_unit_code


def subtree_q(unit, field: str = "", *, include_self: bool = True) -> Q:
    """The one filter for "at or below ``unit``": a prefix of the materialised path, no recursion.
    ``field`` is the lookup path from the filtered model to a Unit ("" for Unit itself, "unit" for a
    report, "report__unit" for a figure, "unit__heir" for a merged unit's successor);
    ``include_self=False`` leaves ``unit`` itself out. As Wagtail's ``TreeQuerySet.descendant_of_q``."""
    condition = Q(**{f"{field}__path__startswith" if field else "path__startswith": unit.path})
    if not include_self:
        condition &= ~Q(**{field or "pk": unit.pk})
    return condition


def subtrees_q(units, field: str = "") -> Q:
    """At or below any of ``units`` (``subtree_q`` OR-ed); nothing when ``units`` is empty."""
    condition = Q(pk__in=[])
    for unit in units:
        condition |= subtree_q(unit, field)
    return condition


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit, *, include_self=True):
        """The unit and everything below it (``subtree_q``)."""
        return self.filter(subtree_q(unit, include_self=include_self))

    def with_code(self, code: str):
        """Units whose code is ``code`` up to case: a folded code's twins (the index on Upper(code))."""
        return self.annotate(upper_code=Upper("code")).filter(upper_code=code.upper())

    def subtrees_of(self, units):
        """Every unit at or below any of ``units`` (``subtrees_q``)."""
        return self.filter(subtrees_q(units))


class Unit(models.Model):
    """A union body at any level. ``path`` is "/<pk>/<pk>/.../" from the root down."""

    # One folded form (core.validators.fold_code: capitals, no accents, Đ as D, nothing invisible), given by
    # every writer (the services, the unit page, the import) and checked here and by the index below.
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[validate_unit_code],
        error_messages={"unique": _("A unit with this code exists already.")},
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(
        _("kind"),
        max_length=120,
        help_text=_("Free text: LĐLĐ tỉnh, công đoàn cấp trên trực tiếp cơ sở, CĐCS…"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_grassroots = models.BooleanField(
        _("grassroots union (CĐCS)"),
        default=False,
        help_text=_("A grassroots union gets a report when a round opens."),
    )
    congress_number = models.CharField(
        _("congress number"),
        max_length=20,
        blank=True,
        help_text=_("The number of its current congress, e.g. V. Restarts after a merger."),
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")
    doc_prefix = models.CharField(
        _("document number suffix"),
        max_length=40,
        blank=True,
        help_text=_(
            "What follows the number in “Số: 15/BC-CĐCS”. Empty: BC-CĐCS for a grassroots union, BC-CĐ otherwise."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A merger (2025): the old unit becomes inactive and points at the unit it was merged into; its
    # reports stay attached to it, readable by whoever sees its successor (Report.objects.visible_to).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    merged_on = models.DateField(_("merged on"), null=True, blank=True, help_text=_("The day the merger took effect."))
    # The end of the merged_into chain (A into B, B later into C: C for both): one join lets the
    # successor's people read every predecessor's reports, however many mergers ago.
    heir = models.ForeignKey(
        "self",
        verbose_name=_("current successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="heritage",
        editable=False,
    )
    formed_by_merger = models.BooleanField(
        _("formed by a merger"),
        default=False,
        help_text=_("Its report says “lần thứ I (sau hợp nhất)” when its congress numbering restarted."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # Lets PostgreSQL use the index for `path LIKE 'prefix%'` whatever the collation.
            models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]),
            # The admin's filter of kinds walks the kinds here and finds one in a subtree (units.admin.KindFilter).
            models.Index(
                fields=["kind", "path"], name="unit_kind_path", opclasses=["varchar_ops", "varchar_pattern_ops"]
            ),
            # The superior unions below a unit (a few hundred among a province's thousands of CĐCS), read from
            # the index alone: what the dashboard counts beside the roll-up's kept counts.
            models.Index(
                fields=["path"],
                name="unit_superior_path",
                include=["id", "merged_on"],
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(is_grassroots=False),
            ),
        ]
        constraints = [
            # Codes are stored folded, so this is what keeps a case twin ("px-dup" beside "PX-DUP") out
            # even when a row is written behind the services' back (a bulk load, a data migration).
            models.UniqueConstraint(
                Upper("code"),
                name="unit_code_folded_unique",
                violation_error_message=_("A unit with this code exists already."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def document_suffix(self) -> str:
        """ "BC-CĐCS", or the unit's own ("BC-CĐKCN")."""
        return self.doc_prefix or ("BC-CĐCS" if self.is_grassroots else "BC-CĐ")

    def natural_key(self):
        return (self.code,)

    @property
    def depth(self):
        return self.path.count("/") - 1

    def ancestor_ids(self):
        """Primary keys from the root down to this unit's parent, read off the path."""
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def is_within(self, other):
        """Whether this unit is ``other`` or below it: ``subtree_q`` for one unit in hand, no query."""
        return self.path.startswith(other.path)


FIRST_CONGRESS = frozenset({"I", "1", "01"})

# Above the top of the site's tree (a province's federation, a national branch union) stands Công đoàn
# Việt Nam, whose executive body is the Tổng Liên đoàn: what a top unit's report names as its superior.
NATIONAL_UNION = "Công đoàn Việt Nam"
NATIONAL_BODY = "Tổng Liên đoàn Lao động Việt Nam"
# Its congresses (the year each was held, its number), each for a five-year term.
NATIONAL_CONGRESSES = ((2013, "XI"), (2018, "XII"), (2023, "XIII"))


def national_congress(term_start_year: int | None) -> str:
    """The congress of Công đoàn Việt Nam whose term a unit's term starting in ``term_start_year`` falls
    in, as the documents name it ("Đại hội XIII Công đoàn Việt Nam"); without a number when the year is
    before the first known or after the last known term."""
    number = next(
        (n for year, n in reversed(NATIONAL_CONGRESSES) if term_start_year and year <= term_start_year < year + 5),
        "",
    )
    return f"Đại hội {number} {NATIONAL_UNION}" if number else f"Đại hội {NATIONAL_UNION}"


def is_first_congress(number: str) -> bool:
    """Whether a congress number is the first ("I", "1"): a union at its first congress has no previous term."""
    return (number or "").strip().upper() in FIRST_CONGRESS


class Role(models.TextChoices):
    DRAFTER = "drafter", _("Drafter (cán bộ CĐCS)")
    REVIEWER = "reviewer", _("Reviewer (cán bộ công đoàn cấp trên)")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A user holds a role in a unit: drafters write its report, reviewers and admins see below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Invitation(models.Model):
    """An e-mail inviting a person to choose their own password. Only the latest invitation's link
    works: sending another makes the earlier links void."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("password set at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["user", "-sent_at"], name="invitation_user_sent")]

    def __str__(self):
        return f"{self.user} · {self.sent_at:%d/%m/%Y %H:%M}"


class BulkJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the background worker")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BulkJobKind(models.TextChoices):
    ROUND_OPEN = "round_open", _("Opening a reporting round")
    INVITE = "invite", _("Sending invitations to choose a password")
    UNITS_IMPORT = "units_import", _("Importing units and people from Excel")
    REBUILD_TOTALS = "rebuild_totals", _("Recalculating the roll-up totals")


class BulkJobFailure(models.TextChoices):
    """Why a job failed, in the words its page shows (a refusal carries its own words in ``reason``)."""

    ERROR = (
        "error",
        _(
            "An error stopped the work. What was done is kept; start it again, and if it fails again, "
            "tell the administrator."
        ),
    )
    WORKER = (
        "worker",
        _(
            "The background worker stopped in the middle of the work (the server restarted or the worker was "
            "stopped). What was done is kept and nothing is done twice: start it again to finish it."
        ),
    )
    REFUSED = "refused", _("The work could not be done.")


class BulkJob(models.Model):
    """Work on thousands of rows done by the background worker (opening a round, inviting, a large units
    import, recalculating totals), with its progress, who started it and what came of it, in words.

    ``unit`` says whose administrators may follow it besides the one who started it (a round's organising
    unit); ``params`` what to do, ``state`` how far it got (saved with each chunk it commits)."""

    kind = models.CharField(_("kind"), max_length=20, choices=BulkJobKind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    state = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BulkJobStatus.choices, default=BulkJobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # What came of it, in the site's language, as the page shows it.
    summary = models.TextField(_("result"), blank=True)
    failure = models.CharField(max_length=10, choices=BulkJobFailure.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # What went wrong, for the administrator (the log has the rest).
    error = models.TextField(blank=True)
    # Where to go to do it again (the page that started it).
    again_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's sign of life (units.jobs): a running job without one for BULK_JOB_STALE_SECONDS lost it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (BulkJobStatus.DONE, BulkJobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == BulkJobStatus.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def failure_text(self) -> str:
        """Why it failed, for the user; "" unless it failed."""
        if self.status != BulkJobStatus.FAILED:
            return ""
        return self.reason or str(BulkJobFailure(self.failure or BulkJobFailure.ERROR).label)
