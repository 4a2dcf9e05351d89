"""Writes on the unit tree and memberships. Each records who did it through the log."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
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


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None, actor=None) -> Unit:
    """Move a unit with its whole subtree under ``new_parent``; its reports stay attached to it.

    One UPDATE rewrites the path prefix of every unit in the subtree.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None:
        new_parent = Unit.objects.get(pk=new_parent.pk)
        if new_parent.is_within(unit):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    log.info("unit %s moved under %s by %s", unit.code, new_parent, actor)
    unit.refresh_from_db()
    return unit


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
