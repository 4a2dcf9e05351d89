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
    memberships = Membership.objects.filter(user=user, unit__is_active=True).select_related("unit")
    user._units_access = access = _access(user, [(m.role, m.unit) for m in memberships])
    return access


def _access(user, memberships) -> Access:
    """The Access of ``user`` from their (role, unit) pairs, the units active ones."""
    by_role = {Role.DRAFTER: [], Role.REVIEWER: [], Role.ADMIN: []}
    for role, unit in memberships:
        by_role[role].append(unit)
    return Access(
        drafter_units=tuple(by_role[Role.DRAFTER]),
        reviewer_units=tuple(by_role[Role.REVIEWER]),
        admin_units=tuple(by_role[Role.ADMIN]),
        is_superuser=user.is_superuser,
        roles=frozenset(role for role, units in by_role.items() if units),
    )


def user_with_access(pk):
    """The user ``pk`` with what ``user_access`` reads already on it, in one query (a LEFT JOIN of their
    memberships and units) instead of two: every signed-in page reads both first
    (units.backends.AccessModelBackend). None if there is no such user."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user_fields = user_model._meta.concrete_fields
    unit_fields = Unit._meta.concrete_fields
    rows = list(
        user_model._default_manager.filter(pk=pk)
        .values_list(
            *[f.name for f in user_fields],
            "memberships__role",
            *[f"memberships__unit__{f.name}" for f in unit_fields],
        )
        .order_by("memberships__pk")
    )
    if not rows:
        return None
    db = user_model._default_manager.db
    count = len(user_fields)
    user = user_model.from_db(db, [f.attname for f in user_fields], rows[0][:count])
    unit_names = [f.attname for f in unit_fields]
    active = unit_names.index("is_active")
    memberships = [
        (row[count], Unit.from_db(db, unit_names, row[count + 1 :]))
        for row in rows
        # No membership (NULLs), or one in a unit no longer active: as user_access reads them.
        if row[count] is not None and row[count + 1 + active]
    ]
    user._units_access = _access(user, memberships)
    return user


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
