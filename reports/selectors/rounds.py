"""Rounds: who sets them up, who sees them, what opening one will do."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.db import Vietnamese
from outline.models import OutlineNode
from outline.terms import stale_references
from units.models import Membership, Role, Unit, subtree_q
from units.selectors import administered_units, administered_units_q, user_access

from ..models import (
    Report,
    RollupMembers,
    Round,
)


def can_manage_rounds(user) -> bool:
    """Whether the user sets up rounds: an administrator of some unit, or a superuser."""
    access = user_access(user)
    return access.is_superuser or bool(access.admin_units)


def units_for_rounds(user):
    """The units ``user`` may organise a round for: active superior unions at or below a unit they
    administer (every one, for a superuser), in tree order."""
    return administered_units(user).filter(is_active=True, is_grassroots=False).order_by("path")


def rounds_managed_by(user):
    """Rounds ``user`` may change and open: those organised at or below a unit they administer."""
    rounds = Round.objects.select_related("organising_unit", "outline_version")
    return rounds.filter(administered_units_q(user, "organising_unit"))


# The current term's rounds before an earlier term's, whatever their deadlines; then the newest deadline.
ROUND_ORDER = ("-term_start_year", "-deadline", "code")


def round_list(user) -> list[Round]:
    """The rounds page: every round the user manages, the newest term's first and then the newest
    deadline (``ROUND_ORDER``), with how many reports each has. One query."""
    return list(rounds_managed_by(user).annotate(report_count=Count("reports")).order_by(*ROUND_ORDER))


def rounds_visible_to(user):
    """Rounds the user has a report to read in (all of them for a superuser), the newest term's first
    (``ROUND_ORDER``): what the dashboard's and the roll-up's round selector offer."""
    rounds = Round.objects.order_by(*ROUND_ORDER)
    access = user_access(user)
    if access.is_superuser:
        return rounds
    # Report.objects.visible_to's branches, one EXISTS each: each finds its first report through an
    # index, where one EXISTS over their OR made PostgreSQL hash every unit of the country per page.
    reports = Report.objects.filter(round=OuterRef("pk"))
    drafted = [unit.pk for unit in access.drafter_units]
    condition = Exists(reports.filter(unit__in=drafted)) | Exists(reports.filter(unit__heir__in=drafted))
    for unit in access.overseen_units:
        # A round reaches a unit's subtree when its organiser is above or below the unit: tested on the
        # round's own row first, so the EXISTS over reports runs only for those rounds. A round of another
        # tree made PostgreSQL read every report of the table to find none (80 ms at 121,000 units, per
        # round, on every page with the round selector).
        # (Without a join: a condition on the joined organiser let PostgreSQL pull the EXISTS out of the OR.)
        related = Q(organising_unit_id__in=[*unit.ancestor_ids(), unit.pk]) | Exists(
            Unit.objects.filter(pk=OuterRef("organising_unit_id"), path__startswith=unit.path)
        )
        below = Exists(reports.filter(subtree_q(unit, "unit"))) | Exists(reports.filter(subtree_q(unit, "unit__heir")))
        # A unit moved in from another tree after the round opened: its report is in the kept counts of
        # its new superiors (``RollupMembers``, made again by every move), one row read by its key.
        moved_in = Exists(RollupMembers.objects.filter(round=OuterRef("pk"), unit=unit, reports__gt=0))
        condition |= (related & below) | moved_in
    return rounds.filter(condition)


def pick_round(rounds: list[Round], code: str | None) -> Round | None:
    """The round named by ``code`` among ``rounds``; without one, the first opened round in their order
    (``ROUND_ORDER``: of the newest term, then the newest deadline), else the first. None when the code
    is not among them."""
    if code:
        return next((r for r in rounds if r.code == code), None)
    return next((r for r in rounds if r.opened_at is not None), rounds[0] if rounds else None)


@dataclass
class OpenPreview:
    """What opening a round will create: reports for grassroots unions and for superior unions' own
    reports, of active units that have none yet, and how many drafters will be told."""

    grassroots: int
    superiors: int
    drafters: int
    # What in the round's outline belongs to another term or level, in words (outline.terms).
    warnings: list[str] = field(default_factory=list)
    # Superior unions that will get a report of their own with nobody to write it (the first names).
    superiors_without_drafter: list[str] = field(default_factory=list)
    superiors_without_drafter_count: int = 0

    @property
    def total(self) -> int:
        return self.grassroots + self.superiors


def round_open_preview(round: Round) -> OpenPreview:
    """Counts for the confirmation page, two queries whatever the number of units."""
    units = (
        Unit.objects.subtree_of(round.organising_unit)
        .filter(is_active=True)
        .exclude(Exists(Report.objects.filter(round=round, unit=OuterRef("pk"))))
    )
    counts = units.aggregate(
        grassroots=Count("pk", filter=Q(is_grassroots=True)), superiors=Count("pk", filter=Q(is_grassroots=False))
    )
    drafters = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.DRAFTER, memberships__unit__in=units)
        .distinct()
        .count()
    )
    without = units.filter(is_grassroots=False).exclude(
        Exists(Membership.objects.filter(unit=OuterRef("pk"), role=Role.DRAFTER, user__is_active=True))
    )
    return OpenPreview(
        grassroots=counts["grassroots"],
        superiors=counts["superiors"],
        drafters=drafters,
        warnings=round_outline_warnings(round),
        superiors_without_drafter=list(
            without.order_by(Vietnamese("name")).values_list("name", flat=True)[:NAMES_SHOWN]
        ),
        superiors_without_drafter_count=without.count() if counts["superiors"] else 0,
    )


NAMES_SHOWN = 20


def round_outline_warnings(round: Round) -> list[str]:
    """What the round's outline (and its outline for superior unions) types that belongs to another
    term or level, and a cut-off date outside the term, in words: shown before the round is opened."""
    term = (round.term_start_year, round.term_end_year)
    warnings = []
    if round.cutoff_date and not term[0] <= round.cutoff_date.year <= term[1]:
        warnings.append(
            _("The figures run to %(date)s, outside the term %(term)s.")
            % {"date": round.cutoff_date.strftime("%d/%m/%Y"), "term": round.term_label}
        )
    versions = [v for v in (round.outline_version, round.superior_outline_version) if v is not None]
    nodes = OutlineNode.objects.filter(version__in=versions).only("version_id", "line_no", "raw").order_by("position")
    for version in versions:
        found = stale_references(((n.line_no + 1, n.raw) for n in nodes if n.version_id == version.pk), term=term)
        warnings.extend(f"{version.name} — {w}" for w in found)
    return warnings
