"""Planning: what importing a file would do, row by row, and every reason it cannot; nothing written.

The steps, in order (each adds its errors to the plan; the plan sorts them by row at the end):
each row on its own (_check_rows), the units it names against the site (_check_units_known), the
importer's scope (scope.py), the tree the file would make (_depths: no loops), the accounts it names
(_check_people), then what happens to each unit (_unit_lines).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.text import fold
from core.validators import fold_code

from ..models import Role, Unit
from ..selectors import administers
from .columns import (
    _NO,
    _YES,
    COLUMNS,
    MAX_LEVELS,
    NO,
    YES,
    _full_name,
    _name,
    _role_names,
    _same_name,
    _text,
    role_label,
)
from .plan import ImportPlan, PersonLine, RowError, UnitLine
from .reading import _read, _UnitRow
from .scope import _accounts_outside_scope, _outside_scope
from .stored import _memberships, _units_by_code, _usernames_by_email, _users_by_username

_LABELS = dict(COLUMNS)


def import_plan(data: bytes, *, actor=None) -> ImportPlan:
    """Read the file and say what importing it would do, row by row, without writing anything.
    With an ``actor`` who is not a superuser, every unit the file names must lie, once imported, in
    a subtree they administer (units.selectors.administers), and every account it names must be
    one they administer (its roles all there). Raises WorkbookRefused when the file as a whole
    cannot be read."""
    rows = _read(data)
    plan = ImportPlan(rows=len(rows))
    errors = plan.errors
    found = _check_rows(rows, errors)
    defs, first_row, persons = found.defs, found.first_row, found.persons

    # What the site already has: a fixed number of queries whatever the size of the file.
    existing, by_pk = _stored_units(set(first_row) | {parent for _row, parent in found.parent_refs})
    _check_units_known(found, existing, errors)
    scoped = actor is not None and not actor.is_superuser
    # What lies outside the scope is refused by its rule and never described: no stored name, kind,
    # congress number, e-mail or full name of it reaches the preview.
    hidden_units: set[str] = set()
    if scoped:
        errors.extend(_outside_scope(actor, first_row, defs, existing))
        hidden_units = {code for code, unit in existing.items() if not administers(actor, unit)}
    depth = _depths(defs, by_pk, errors)

    # Accounts and roles already there.
    users = _users_by_username({p.username for p in persons})
    email_owners = _usernames_by_email({p.email.lower() for p in persons if p.email})
    hidden_accounts: set[str] = set()
    if scoped:
        outside = _accounts_outside_scope(actor, persons, users)
        errors.extend(outside)
        hidden_accounts = {p.username for p in persons if p.row in {e.row for e in outside}}
    _check_people(persons, users, email_owners, errors, hidden=hidden_accounts)
    held = _memberships(users.values(), existing.values())
    for p in persons:
        user, unit = users.get(p.username), existing.get(p.unit_code)
        p.new_role = user is None or unit is None or (user.pk, unit.pk, p.role) not in held
    plan.people = persons

    plan.units = _unit_lines(first_row, defs, existing, by_pk, errors, hidden=hidden_units)
    plan.errors.sort(key=lambda e: e.row)
    plan._defs, plan._existing, plan._users, plan._by_pk, plan._depth = defs, existing, users, by_pk, depth
    return plan


# --- Each row on its own --------------------------------------------------------------------


@dataclass
class _Rows:
    """What the rows say, each checked on its own."""

    defs: dict[str, _UnitRow] = field(default_factory=dict)  # the valid description of each unit
    described: set[str] = field(default_factory=set)  # codes with a row giving a name, valid or not
    parent_refs: list[tuple[int, str]] = field(default_factory=list)  # (row, parent code) of every such row
    first_row: dict[str, int] = field(default_factory=dict)
    persons: list[PersonLine] = field(default_factory=list)
    by_username: dict[str, PersonLine] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)


def _check_rows(rows, errors: list[RowError]) -> _Rows:
    roles = _role_names()
    User = get_user_model()
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    limits = {f: Unit._meta.get_field(f).max_length for f in ("code", "name", "kind", "congress_number")}
    found = _Rows()
    for number, record in rows:
        typed = _text(record["code"])
        if not typed:
            errors.append(RowError(number, _("the unit code is missing.")))
            continue
        # Codes are compared in their one folded form: "px-dup" is the unit PX-DUP, a look-alike is refused.
        try:
            code = fold_code(typed)
        except ValidationError as exc:
            errors.append(RowError(number, f"{typed[:40]}: {exc.messages[0]}"))
            continue
        found.first_row.setdefault(code, number)
        _check_unit_columns(found, number, code, record, limits, errors)
        _check_person_columns(found, number, code, record, roles, username_field, errors)
    return found


def _too_long(errors, row, value, limit, label) -> bool:
    if len(value) > limit:
        errors.append(
            RowError(row, _("%(column)s is longer than %(limit)s characters.") % {"column": label, "limit": limit})
        )
        return True
    return False


def _check_unit_columns(found: _Rows, number: int, code: str, record: dict, limits, errors) -> None:
    """The unit's columns of one row: a row with a name describes the unit (found.defs when valid)."""
    labels = _LABELS
    name = _name(record["name"])
    kind = _name(record["kind"])
    parent = _text(record["parent"])
    grassroots_text = _text(record["is_grassroots"])
    congress = _text(record["congress_number"])
    bad = _too_long(errors, number, code, limits["code"], labels["code"])
    if parent:
        try:
            parent = fold_code(parent)
        except ValidationError as exc:
            errors.append(RowError(number, f"{parent[:40]}: {exc.messages[0]}"))
            parent, bad = "", True
    if name:
        found.described.add(code)
        if parent and parent != code:
            found.parent_refs.append((number, parent))
        bad |= _too_long(errors, number, name, limits["name"], labels["name"])
        bad |= _too_long(errors, number, kind, limits["kind"], labels["kind"])
        bad |= _too_long(errors, number, congress, limits["congress_number"], labels["congress_number"])
        if not kind:
            errors.append(RowError(number, _("the kind of unit is missing.")))
            bad = True
        folded = fold(grassroots_text)
        if folded not in _YES and folded not in _NO:
            errors.append(
                RowError(
                    number,
                    _("“%(value)s” in %(column)s: type Yes or No.")
                    % {"value": grassroots_text[:40], "column": labels["is_grassroots"]},
                )
            )
            bad = True
        if parent == code:
            errors.append(RowError(number, _("the unit %(code)s cannot be its own parent.") % {"code": code}))
            bad = True
        if not bad:
            unit_row = _UnitRow(number, code, name, kind, parent, folded in _YES, congress)
            earlier = found.defs.get(code)
            if earlier is None:
                found.defs[code] = unit_row
            elif earlier.fields() != unit_row.fields():
                errors.append(
                    RowError(
                        number,
                        _("the unit %(code)s is described differently on row %(row)s.")
                        % {"code": code, "row": earlier.row},
                    )
                )
    elif kind or parent or grassroots_text or congress:
        errors.append(
            RowError(number, _("the unit's columns are filled but its name is missing (%(code)s).") % {"code": code})
        )


def _check_person_columns(found: _Rows, number: int, code: str, record: dict, roles, username_field, errors) -> None:
    """The person's columns of one row, when any is filled: a valid one joins found.persons."""
    username = _text(record["username"])
    full_name = _name(record["full_name"])
    email = _text(record["email"])
    role_text = _text(record["role"])
    if not (username or full_name or email or role_text):
        return
    # Every error of the person's columns, not only the first.
    messages = []
    if not username:
        messages.append(_("the user name is missing."))
    else:
        try:
            username_field.run_validators(username)
            if len(username) > username_field.max_length:
                raise ValidationError("")
        except ValidationError:
            messages.append(
                _("the user name “%(name)s” may hold only letters, digits and @ . + - _ (at most %(limit)s).")
                % {"name": username[:40], "limit": username_field.max_length}
            )
    role = roles.get(fold(role_text).split("(")[0].strip()) if role_text else None
    if role is None and role_text:
        messages.append(
            _("“%(value)s” is not a role; type one of: %(roles)s.")
            % {"value": role_text[:40], "roles": ", ".join(role_label(r) for r in Role.values)}
        )
    elif role is None:
        messages.append(_("the role of %(name)s is missing.") % {"name": username or "—"})
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("")
        except ValidationError:
            messages.append(_("“%(value)s” is not an e-mail address.") % {"value": email[:60]})
    if len(full_name) > 150:
        messages.append(_("the full name is longer than 150 characters."))
    if messages:
        errors.extend(RowError(number, message) for message in messages)
        return
    person = PersonLine(number, username, full_name, email, code, role)
    earlier = found.by_username.get(username)
    if earlier is not None:
        if (full_name and earlier.full_name and not _same_name(full_name, earlier.full_name)) or (
            email and earlier.email and email.lower() != earlier.email.lower()
        ):
            errors.append(
                RowError(
                    number,
                    _("the user name %(name)s is given another name or e-mail on row %(row)s.")
                    % {"name": username, "row": earlier.row},
                )
            )
            return
        person.full_name = person.full_name or earlier.full_name
        person.email = person.email or earlier.email
        earlier.full_name = earlier.full_name or full_name
        earlier.email = earlier.email or email
    else:
        found.by_username[username] = person
    if email:
        owner = found.by_email.setdefault(email.lower(), username)
        if owner != username:
            errors.append(
                RowError(
                    number,
                    _("the e-mail %(email)s is already given to the user name %(name)s.")
                    % {"email": email, "name": owner},
                )
            )
            return
    found.persons.append(person)


# --- The units against the site -------------------------------------------------------------


def _stored_units(codes) -> tuple[dict[str, Unit], dict[int, Unit]]:
    """The stored units the file names, by code, and those with their ancestors, by key: two queries."""
    existing = _units_by_code(codes)
    ancestor_ids = {pk for unit in existing.values() for pk in unit.ancestor_ids()} - {u.pk for u in existing.values()}
    by_pk = {u.pk: u for u in existing.values()}
    by_pk.update({u.pk: u for u in Unit.objects.filter(pk__in=ancestor_ids).only("pk", "code", "path", "parent_id")})
    return existing, by_pk


def _check_units_known(found: _Rows, existing, errors) -> None:
    """Every unit and parent the file names is on the site or described in the file."""
    for code, number in found.first_row.items():
        if code not in found.described and code not in existing:
            errors.append(
                RowError(
                    number,
                    _(
                        "the unit %(code)s is neither on the site nor described in the file (its first row must "
                        "give its name)."
                    )
                    % {"code": code},
                )
            )
    for number, parent in found.parent_refs:
        # Every row, even one with other errors: the whole list comes at once.
        if parent not in found.described and parent not in existing:
            errors.append(
                RowError(
                    number,
                    _("the parent unit %(parent)s is neither on the site nor in the file.") % {"parent": parent},
                )
            )


def _db_parent_code(unit: Unit, by_pk) -> str:
    return by_pk[unit.parent_id].code if unit.parent_id in by_pk else ""


def _depths(defs: dict[str, _UnitRow], by_pk, errors) -> dict[str, int]:
    """Each described unit's depth once the file is applied; a loop of parents is an error."""
    db_by_code = {u.code: u for u in by_pk.values()}

    def final_parent(code: str) -> str:
        """The parent's code once the file is applied: the file's word for the units it describes,
        the stored parent for the others (whose ancestors may still be moved by the file)."""
        if code in defs:
            return defs[code].parent
        unit = db_by_code.get(code)
        return _db_parent_code(unit, by_pk) if unit is not None else ""

    # Cycles: walk up from every described unit; an undescribed unit's chain is its path, which may
    # pass through units the file moves.
    depth: dict[str, int] = {}
    in_cycle: set[str] = set()
    for start in defs:
        chain, code = [], start
        on_chain: set[str] = set()  # the chain's codes, looked up in one step (a list grows as its square)
        while code and code not in depth and code not in in_cycle:
            if code in on_chain:
                cycle = chain[chain.index(code) :]
                in_cycle.update(cycle)
                errors.append(
                    RowError(
                        defs[start].row,
                        _("the parents form a loop: %(codes)s.") % {"codes": " → ".join([*cycle, code])},
                    )
                )
                break
            chain.append(code)
            on_chain.add(code)
            code = final_parent(code)
        else:
            base = depth.get(code, -1) if code else -1
            for offset, c in enumerate(reversed(chain), 1):
                depth[c] = base + offset
            continue
        in_cycle.update(chain)
    # A bound on the tree's depth (a union has a handful of levels): each unit's path, which lists
    # its ancestors, stays within its column.
    for code, d in defs.items():
        if depth.get(code, 0) >= MAX_LEVELS:
            errors.append(
                RowError(
                    d.row,
                    _("the unit would stand %(level)s levels down the tree; the tree has at most %(max)s levels.")
                    % {"level": depth[code] + 1, "max": MAX_LEVELS},
                )
            )
    return depth


# --- The accounts against the site ----------------------------------------------------------


def _check_people(persons: list[PersonLine], users, email_owners, errors, *, hidden=frozenset()) -> None:
    """A new account needs a name and an e-mail; a stored one must be the same person; an e-mail
    belongs to one account. Fills what the file leaves empty from the stored account, except for the
    ``hidden`` user names (accounts outside the importer's scope, refused by that rule). The errors
    say which rule a row breaks, never what the site stores (another person's name or address)."""
    for p in persons:
        user = users.get(p.username)
        if p.username in hidden:
            continue
        if user is None:
            p.new_user = True
            if not p.full_name or not p.email:
                errors.append(
                    RowError(
                        p.row,
                        _("%(name)s is a new account: its full name and e-mail are needed.") % {"name": p.username},
                    )
                )
                continue
        else:
            if p.full_name and not _same_name(p.full_name, _full_name(user)):
                errors.append(
                    RowError(
                        p.row,
                        _("the user name %(name)s belongs to someone else on the site: the full name differs.")
                        % {"name": p.username},
                    )
                )
                continue
            if p.email and p.email.lower() != (user.email or "").lower():
                errors.append(
                    RowError(
                        p.row,
                        _("the user name %(name)s has another e-mail on the site.") % {"name": p.username},
                    )
                )
                continue
            p.full_name = p.full_name or _full_name(user)
            p.email = p.email or user.email
        if p.email:
            others = email_owners.get(p.email.lower(), set()) - {p.username}
            if others:
                errors.append(
                    RowError(
                        p.row,
                        _("the e-mail %(email)s is already used by another account.") % {"email": p.email},
                    )
                )


# --- What happens to each unit --------------------------------------------------------------


def _unit_lines(first_row, defs, existing, by_pk, errors, *, hidden=frozenset()) -> list[UnitLine]:
    """One line per unit the file names: created, changed (which fields), moved or unchanged. A
    unit created or moved under a parent no longer active is an error. The ``hidden`` codes (stored
    units outside the importer's scope, refused by that rule) get no line, and a parent among them is
    not described either."""
    fields = [
        ("name", _LABELS["name"]),
        ("kind", _LABELS["kind"]),
        ("is_grassroots", _LABELS["is_grassroots"]),
        ("congress_number", _LABELS["congress_number"]),
    ]
    lines = []
    for code, number in first_row.items():
        if code in hidden:
            continue
        d, unit = defs.get(code), existing.get(code)
        if d is None:
            if unit is not None:
                parent_code = _db_parent_code(unit, by_pk)
                lines.append(UnitLine(number, code, unit.name, parent_code, parent_code))
            continue
        line = UnitLine(d.row, code, d.name, d.parent)
        if unit is None:
            line.created = True
        else:
            line.old_parent_code = _db_parent_code(unit, by_pk)
            line.moved = line.old_parent_code != d.parent
            for attr, label in fields:
                old, new = getattr(unit, attr), getattr(d, attr)
                if old != new:
                    line.grassroots_changed |= attr == "is_grassroots"
                    if isinstance(old, bool):
                        old, new = (YES if old else NO), (YES if new else NO)
                    line.changes.append(f"{label}: {old or '—'} → {new or '—'}")
        if line.created or line.moved:
            above = existing.get(d.parent)
            if above is not None and d.parent not in hidden and not above.is_active:
                errors.append(
                    RowError(
                        d.row,
                        _("the parent unit %(parent)s is no longer active (merged or closed): choose another.")
                        % {"parent": d.parent},
                    )
                )
        lines.append(line)
    return lines
