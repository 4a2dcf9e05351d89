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
