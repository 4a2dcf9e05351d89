"""Reads about what a user may reach in the unit tree."""

from dataclasses import dataclass, field

from .models import Membership, Role, Unit


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
