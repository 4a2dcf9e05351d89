"""Writes on the unit tree and memberships. Each records who did it through the log."""

import datetime
import logging

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import nfc

from .models import Membership, Unit

log = logging.getLogger(__name__)


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    is_grassroots: bool = False,
    congress_number: str = "",
    actor=None,
) -> Unit:
    """Create a unit under ``parent`` (or as a root) and give it its materialised path."""
    unit = Unit(
        code=nfc(code).strip(),
        name=nfc(name).strip(),
        kind=nfc(kind).strip(),
        parent=parent,
        is_grassroots=is_grassroots,
        congress_number=nfc(congress_number).strip(),
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    log.info("unit %s created by %s", unit.code, actor)
    return unit


def _record(actor, units, message: str) -> None:
    """Who changed the tree: the log, and the units' history in the admin ("Lịch sử")."""
    log.info("%s by %s", message, actor)
    if actor is not None and getattr(actor, "pk", None):
        LogEntry.objects.log_actions(actor.pk, list(units), CHANGE, change_message=message)


def unit_relocate(*, unit: Unit, new_parent: Unit | None, actor=None) -> None:
    """The one way a unit changes its place in the tree (unit_move and the Excel import both come here):
    hang ``unit`` (locked by the caller, its current path read) and its subtree under ``new_parent``
    (its current path read), in two UPDATEs whatever the subtree's size, and write it in the units'
    history. Raises ValidationError when ``new_parent`` is the unit itself, below it, or no longer
    active (merged or closed). The roll-up's stored totals are the reports layer's to rebuild."""
    if new_parent is not None:
        if new_parent.is_within(unit):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        if not new_parent.is_active:
            raise ValidationError(
                _("%(unit)s is no longer active (merged or closed): a unit cannot be placed under it.")
                % {"unit": new_parent.name}
            )
    old_parent_id = unit.parent_id
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    Unit.objects.subtree_of(unit).update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))
    old_parent = Unit.objects.filter(pk=old_parent_id).first() if old_parent_id else None
    unit.parent, unit.path = new_parent, new_path
    _record(
        actor,
        [unit],
        _("Moved from “%(old)s” to “%(new)s”.") % {"old": old_parent or "—", "new": new_parent or "—"},
    )


def _lock_for_move(unit: Unit, new_parent: Unit | None) -> tuple[Unit, Unit | None]:
    """Lock the moved unit, the new parent and every unit above the new parent, in primary-key order
    (the one lock order of every writer of the tree), and read them again once locked. Two crossing
    moves (X under a unit below Y, Y under a unit below X) then wait for each other, and the second
    sees the first's paths: it is refused instead of making a loop. The units above are read off the
    path before the lock: when a move changed them meanwhile, lock again along the new path."""
    for _attempt in range(5):
        above = Unit.objects.get(pk=new_parent.pk).ancestor_ids() if new_parent is not None else []
        pks = sorted({unit.pk, *above, *([new_parent.pk] if new_parent is not None else [])})
        locked = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
        parent = locked[new_parent.pk] if new_parent is not None else None
        if parent is None or parent.ancestor_ids() == above:
            return locked[unit.pk], parent
    raise ValidationError(_("The unit tree is being changed by someone else: please try again."))


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None, actor=None) -> Unit:
    """Move a unit with its whole subtree under ``new_parent``; its reports stay attached to it.

    One UPDATE rewrites the path prefix of every unit in the subtree. Raises ValidationError when
    ``new_parent`` is the unit itself or below it, or is inactive. The roll-up's stored totals are the
    reports layer's: ``reports.reorganisation.unit_move`` calls this and rebuilds them."""
    unit, new_parent = _lock_for_move(unit, new_parent)
    unit_relocate(unit=unit, new_parent=new_parent, actor=actor)
    unit.refresh_from_db()
    return unit


@transaction.atomic
def unit_deactivate(*, unit: Unit, actor=None) -> Unit:
    """Stop a unit: no report for it when a round opens, its people lose their access through it; its
    reports stay readable by the reviewers above. Raises ValidationError while active units are below it."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        return unit
    active_below = Unit.objects.subtree_of(unit, include_self=False).filter(is_active=True)
    if active_below.exists():
        raise ValidationError(
            _("%(unit)s still has active units below it (%(names)s): move or deactivate them first.")
            % {"unit": unit.name, "names": ", ".join(u.name for u in active_below[:3])}
        )
    unit.is_active = False
    unit.save(update_fields=["is_active"])
    _record(actor, [unit], _("Deactivated."))
    return unit


@transaction.atomic
def unit_merge(
    *,
    sources: list[Unit],
    target: Unit | None = None,
    new_unit: dict | None = None,
    effective: datetime.date | None = None,
    actor=None,
) -> Unit:
    """Merge ``sources`` into ``target`` (an existing unit) or into a unit made from ``new_unit``
    (the keyword arguments of ``unit_create``). Each source becomes inactive and points at the
    successor (``merged_into``, ``merged_on``); the units below it and its people (memberships) move to
    the successor; its reports stay attached to it, readable by whoever sees the successor. Returns the
    successor. Raises ValidationError for a merge that makes no sense (nothing to merge, a unit into
    itself or into a unit below it, an inactive source)."""
    if (target is None) == (new_unit is None):
        raise ValueError("give either target or new_unit")
    pks = sorted({u.pk for u in sources})
    # One lock order for every writer of the tree: by primary key.
    sources = list(Unit.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    if not sources:
        raise ValidationError(_("Choose at least one unit to merge."))
    inactive = [u.name for u in sources if not u.is_active]
    if inactive:
        raise ValidationError(
            _("These units are no longer active and cannot be merged: %(names)s.") % {"names": ", ".join(inactive)}
        )
    for unit in sources:
        for other in sources:
            if other.pk != unit.pk and other.is_within(unit):
                raise ValidationError(
                    _("%(inner)s is below %(outer)s: choose only the upper one.")
                    % {"inner": other.name, "outer": unit.name}
                )
    if new_unit is not None:
        parent = new_unit.get("parent")
        if parent is not None and any(parent.is_within(u) for u in sources):
            raise ValidationError(_("The new unit cannot be placed below a unit that is being merged."))
        successor = unit_create(**new_unit, actor=actor)
    else:
        successor = Unit.objects.select_for_update().get(pk=target.pk)
        if successor.pk in pks:
            raise ValidationError(_("A unit cannot be merged into itself."))
        if not successor.is_active:
            raise ValidationError(_("The unit merged into must be active."))
        if any(successor.is_within(u) for u in sources):
            raise ValidationError(_("A unit cannot be merged into one of its own units."))
    effective = effective or timezone.localdate()

    # The units below each source now belong to the successor: two statements per source.
    for unit in sources:
        Unit.objects.filter(parent=unit).update(parent=successor)
        Unit.objects.subtree_of(unit, include_self=False).update(
            path=Concat(Value(successor.path), Substr("path", len(unit.path) + 1))
        )
    # The people keep working, now for the successor; a role they hold there already is not doubled.
    # One DELETE (the roles the successor holds already, and all but the first of a role held in several
    # sources), then one UPDATE, whatever the number of people.
    moving = Membership.objects.filter(unit__in=pks)
    held = Membership.objects.filter(unit=successor, user=OuterRef("user"), role=OuterRef("role"))
    first = moving.order_by().values("user", "role").annotate(first=Min("pk")).values("first")
    moving.filter(Q(Exists(held)) | ~Q(pk__in=first)).delete()
    moving.update(unit=successor)
    # Earlier predecessors of a source pass to the successor too: one join reaches them all.
    Unit.objects.filter(heir__in=pks).update(heir=successor)
    for unit in sources:
        unit.is_active = False
        unit.merged_into = successor
        unit.merged_on = effective
        unit.heir = successor
        unit.full_clean(exclude=["path"])
        unit.save(update_fields=["is_active", "merged_into", "merged_on", "heir"])
    if not successor.formed_by_merger:
        successor.formed_by_merger = True
        successor.save(update_fields=["formed_by_merger"])
    names = ", ".join(u.name for u in sources)
    _record(
        actor,
        [*sources, successor],
        _("Merged %(names)s into “%(successor)s” from %(date)s.")
        % {"names": names, "successor": successor.name, "date": effective.strftime("%d/%m/%Y")},
    )
    successor.refresh_from_db()
    return successor


@transaction.atomic
def membership_grant(*, user, unit: Unit, role: str, actor=None) -> Membership:
    """Give ``user`` a role in ``unit`` (idempotent)."""
    membership = Membership.objects.filter(user=user, unit=unit, role=role).first()
    if membership:
        return membership
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    membership.save()
    log.info("%s granted %s on %s by %s", user, role, unit.code, actor)
    return membership
