"""An administrator's import reaches only what they administer (units.selectors.administers)."""

from django.utils.translation import gettext as _

from ..models import Membership
from ..selectors import administered_units_q, administers
from .plan import RowError
from .stored import _chunks


def _outside_scope(actor, first_row, defs, existing) -> list[RowError]:
    """Rows touching a unit ``actor`` does not administer: a stored unit outside their subtrees, a
    unit put under a parent outside them, or a new top-level unit (a superuser's business). A
    parent described in the file is checked on its own row, so a whole new branch is fine when its
    top goes under a unit they administer."""
    found = []
    for code, number in first_row.items():
        unit = existing.get(code)
        if unit is not None and not administers(actor, unit):
            found.append(
                RowError(number, _("the unit %(code)s is not among the units you administer.") % {"code": code})
            )
            continue
        d = defs.get(code)
        if d is None:
            continue
        if not d.parent:
            if unit is None or unit.parent_id is not None:
                found.append(
                    RowError(
                        d.row,
                        _("the unit %(code)s needs a parent unit: only a superuser adds a top-level unit.")
                        % {"code": code},
                    )
                )
        elif d.parent in existing and not administers(actor, existing[d.parent]):
            found.append(
                RowError(
                    d.row,
                    _("the parent unit %(parent)s is not among the units you administer.") % {"parent": d.parent},
                )
            )
    return found


def _accounts_outside_scope(actor, persons, users) -> list[RowError]:
    """Rows naming a stored account ``actor`` does not administer (a superuser, or one with a role
    outside their subtrees): one query."""
    outside = {u.pk for u in users.values() if u.is_superuser}
    stored = [u.pk for u in users.values()]
    for chunk in _chunks(stored):
        outside.update(
            Membership.objects.filter(user__in=chunk)
            .exclude(administered_units_q(actor, "unit"))
            .values_list("user_id", flat=True)
        )
    return [
        RowError(
            p.row,
            _("the account %(name)s has roles outside the units you administer: ask the province's administrator.")
            % {"name": p.username},
        )
        for p in persons
        if p.username in users and users[p.username].pk in outside
    ]
