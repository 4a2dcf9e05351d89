"""Reads about what a user may reach in the unit tree."""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import BulkJob, Membership, Role, Unit, subtrees_q


@dataclass(frozen=True)
class Access:
    """The units a user acts for, by role, read once per request."""

    drafter_units: tuple[Unit, ...] = ()
    reviewer_units: tuple[Unit, ...] = ()
    admin_units: tuple[Unit, ...] = ()
    is_superuser: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def overseen_units(self) -> tuple[Unit, ...]:
        return self.reviewer_units + self.admin_units


def user_access(user) -> Access:
    """One query: every membership of ``user`` with its unit. Cached on the user object."""
    if not user.is_authenticated:
        return Access()
    cached = getattr(user, "_units_access", None)
    if cached is not None:
        return cached
    by_role = {Role.DRAFTER: [], Role.REVIEWER: [], Role.ADMIN: []}
    for membership in Membership.objects.filter(user=user, unit__is_active=True).select_related("unit"):
        by_role[membership.role].append(membership.unit)
    access = Access(
        drafter_units=tuple(by_role[Role.DRAFTER]),
        reviewer_units=tuple(by_role[Role.REVIEWER]),
        admin_units=tuple(by_role[Role.ADMIN]),
        is_superuser=user.is_superuser,
        roles=frozenset(role for role, units in by_role.items() if units),
    )
    user._units_access = access
    return access


# --- What an administrator administers: one rule for the admin, the import and the rounds ---


def administered_units_q(user, unit_field: str = "") -> Q:
    """A filter for "the unit at ``unit_field`` lies in a subtree ``user`` administers": at or below
    a unit where they hold the Administrator role (an active one). Everything for a superuser,
    nothing for anyone else. ``unit_field`` is a lookup path to a Unit ("" for Unit itself,
    "report__unit" for a report's figures)."""
    access = user_access(user)
    if access.is_superuser:
        return Q()
    return subtrees_q(access.admin_units, unit_field)


def administered_units(user):
    """The units ``user`` administers (administered_units_q), as a queryset."""
    return Unit.objects.filter(administered_units_q(user))


def administers(user, unit) -> bool:
    """Whether ``unit`` lies in a subtree ``user`` administers (no query once user_access is read)."""
    if unit is None:
        return False
    access = user_access(user)
    return access.is_superuser or any(unit.is_within(admin_unit) for admin_unit in access.admin_units)


def administers_root(user) -> bool:
    """Whether ``user`` administers a top-level unit (or is a superuser): who manages the site-wide
    catalogues (outlines, indicators)."""
    access = user_access(user)
    return access.is_superuser or any(unit.parent_id is None for unit in access.admin_units)


def administers_from_above(user, unit) -> bool:
    """Whether ``unit`` lies strictly below a unit ``user`` administers (any unit for a superuser): who
    deactivates, reactivates, deletes or moves it (administered_from_above_q). No query."""
    access = user_access(user)
    return access.is_superuser or any(
        unit.path.startswith(admin_unit.path) and unit.pk != admin_unit.pk for admin_unit in access.admin_units
    )


def administered_from_above_q(user) -> Q:
    """A filter for the units ``user`` administers from above: strictly below a unit where they hold
    the Administrator role (every unit for a superuser). Only from above is a unit deactivated or
    reactivated, so nobody closes the unit that gives them their rights, nor one nobody could reopen."""
    access = user_access(user)
    if access.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for unit in access.admin_units:
        condition |= Q(path__startswith=unit.path) & ~Q(pk=unit.pk)
    return condition


def visible_jobs(user):
    """The jobs ``user`` may follow: those they started, and those of a unit they administer (a round's
    jobs: its managers, as ``reports.selectors.rounds_managed_by``); newest first; every job for a superuser."""
    if not user.is_authenticated:
        return BulkJob.objects.none()
    if user_access(user).is_superuser:
        return BulkJob.objects.all()
    return BulkJob.objects.filter(Q(created_by=user) | (Q(unit__isnull=False) & administered_units_q(user, "unit")))
