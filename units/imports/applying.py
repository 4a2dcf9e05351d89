"""Applying a plan: every unit, account and role the file makes or changes, in one transaction."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Membership, Unit
from ..services import unit_relocate
from .columns import split_name
from .plan import ImportInvalid, ImportPlan, RowError
from .planning import import_plan

log = logging.getLogger("units.imports")


def units_import(*, data: bytes, actor=None, dry_run: bool = False) -> ImportPlan:
    """Import the file: read and plan it again (never trust an earlier preview), then, when every
    row is valid, create, change and move units and create accounts (without a usable password,
    to be invited) and roles, all in one transaction. Raises ImportInvalid, writing nothing, when
    any row has an error; WorkbookRefused when the file cannot be read. ``dry_run``: plan only."""
    try:
        with transaction.atomic():
            return _import(data, actor=actor, dry_run=dry_run)
    except IntegrityError:
        # Another import or an edit made the same code or user name between the plan and the writes.
        log.info("units import by %s met a concurrent change", actor, exc_info=True)
        plan = ImportPlan(errors=[RowError(0, _("the units or accounts changed meanwhile; import the file again."))])
        raise ImportInvalid(plan) from None
    except ValidationError as exc:
        # A move the plan allowed and the tree no longer does (a parent merged meanwhile): nothing written.
        log.info("units import by %s refused by the tree: %s", actor, exc.messages)
        raise ImportInvalid(ImportPlan(errors=[RowError(0, message) for message in exc.messages])) from None


def _import(data: bytes, *, actor, dry_run: bool) -> ImportPlan:
    plan = import_plan(data, actor=actor)
    if not plan.ok:
        raise ImportInvalid(plan)
    if dry_run or not plan.changes_anything:
        return plan
    _lock_stored_units(plan)
    created = _create_units(plan)
    all_units = {**plan._existing, **{u.code: u for u in created}}
    _change_units(plan)
    _place_units(plan, all_units, actor=actor)
    if created:
        Unit.objects.bulk_update(created, ["parent", "path"])
    users = _create_accounts(plan)
    roles = _create_roles(plan, users, all_units)
    counts = plan.counts
    log.info(
        "units import by %s: %s units created, %s changed, %s moved, %s accounts, %s roles",
        actor,
        counts["created"],
        counts["changed"],
        counts["moved"],
        counts["new_users"],
        len(roles),
    )
    return plan


def _lock_stored_units(plan: ImportPlan) -> None:
    """Units the file moves, and the units below them, change their paths: lock them first.
    Read again what a move checks, now that nobody else can change it: a parent merged or closed since
    the plan is refused by the move (unit_relocate) instead of receiving units."""
    by_id = {u.pk: u for u in plan._existing.values()}
    for pk, path, is_active in (
        Unit.objects.select_for_update().filter(pk__in=list(by_id)).values_list("pk", "path", "is_active")
    ):
        by_id[pk].path, by_id[pk].is_active = path, is_active


def _create_units(plan: ImportPlan) -> list[Unit]:
    """New units, with no parent and no path yet: one INSERT (a few on SQLite)."""
    new_units = []
    for line in plan.units:
        if line.created:
            d = plan._defs[line.code]
            unit = Unit(
                code=d.code,
                name=d.name,
                kind=d.kind,
                is_grassroots=d.is_grassroots,
                congress_number=d.congress_number,
                path="",
            )
            unit.full_clean(exclude=["path", "parent"], validate_unique=False, validate_constraints=False)
            new_units.append(unit)
    created = Unit.objects.bulk_create(new_units)
    if created and created[0].pk is None:  # a database that does not return the new keys
        created = list(Unit.objects.filter(code__in=[u.code for u in new_units]))
    for u in created:
        plan._by_pk[u.pk] = u
    return created


def _change_units(plan: ImportPlan) -> None:
    """Changed fields of existing units."""
    changed = []
    for line in plan.units:
        if line.changes and not line.created:
            d, unit = plan._defs[line.code], plan._existing[line.code]
            unit.name, unit.kind, unit.is_grassroots, unit.congress_number = (
                d.name,
                d.kind,
                d.is_grassroots,
                d.congress_number,
            )
            unit.full_clean(exclude=["path", "parent"], validate_unique=False, validate_constraints=False)
            changed.append(unit)
    if changed:
        Unit.objects.bulk_update(changed, ["name", "kind", "is_grassroots", "congress_number"])


def _place_units(plan: ImportPlan, all_units: dict[str, Unit], *, actor) -> None:
    """Places in the tree, from the top down: a parent's path is known before its children's."""
    placed = [line for line in plan.units if line.created or line.moved]
    placed.sort(key=lambda line: plan._depth.get(line.code, 0))
    paths = {u.pk: u.path for u in plan._by_pk.values()}
    for line in placed:
        unit = all_units[line.code]
        parent = all_units[line.parent_code] if line.parent_code else None
        if parent is not None:
            parent.path = paths[parent.pk]
        if line.moved:
            # The same move as the unit page's (units.services.unit_relocate): paths, checks, history.
            old_path = paths[unit.pk]
            unit.path = old_path
            unit_relocate(unit=unit, new_parent=parent, actor=actor)
            new_path = unit.path
            # Keep the paths known here in step with what the statement did to the subtree.
            for pk, path in paths.items():
                if path.startswith(old_path):
                    paths[pk] = new_path + path[len(old_path) :]
        else:
            unit.parent_id = parent.pk if parent else None
            unit.path = f"{paths[parent.pk] if parent else '/'}{unit.pk}/"
        paths[unit.pk] = unit.path


def _create_accounts(plan: ImportPlan) -> dict:
    """Accounts, without a usable password: their owners are invited to choose one. Returns every
    account the file names, by user name."""
    User = get_user_model()
    new_users, seen = [], set()
    for p in plan.people:
        if p.new_user and p.username not in seen:
            seen.add(p.username)
            last, first = split_name(p.full_name)
            user = User(**{User.USERNAME_FIELD: p.username}, first_name=first, last_name=last, email=p.email)
            user.set_unusable_password()
            user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
            new_users.append(user)
    made = User.objects.bulk_create(new_users)
    if made and made[0].pk is None:
        made = list(User.objects.filter(**{f"{User.USERNAME_FIELD}__in": [u.get_username() for u in new_users]}))
    return {**plan._users, **{u.get_username(): u for u in made}}


def _create_roles(plan: ImportPlan, users: dict, all_units: dict[str, Unit]) -> list[Membership]:
    """The roles the file gives that the accounts do not hold yet."""
    roles, seen_roles = [], set()
    for p in plan.people:
        key = (p.username, p.unit_code, p.role)
        if p.new_role and key not in seen_roles:
            seen_roles.add(key)
            roles.append(Membership(user=users[p.username], unit=all_units[p.unit_code], role=p.role))
    Membership.objects.bulk_create(roles)
    return roles
