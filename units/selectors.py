"""Reads about what a user may reach in the unit tree."""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Membership, Role, Unit, subtrees_q


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
