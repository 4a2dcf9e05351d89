"""Units and their people from one Excel file: the template, a plan of what the file would create,
change or move (with every row's errors), and applying that plan all at once or not at all.

One row is one unit, or one person in a unit: a unit with three officers takes three rows, the
unit's own columns filled on at least one of them (the others may repeat them or leave them
empty). A row whose "Tên đơn vị" is filled describes the unit completely: its parent, kind,
grassroots flag and congress number become what the row says (an empty parent: a unit at the
top). A person's row names the account (new ones are made without a password, to be invited) and
the role it gets in the unit; an import never removes a unit, an account or a role.

Reading and planning take a fixed number of queries whatever the size of the file; applying adds
a fixed number for creations and changes, and a few per moved unit: each goes through the unit page's
own move (units.services.unit_relocate: its subtree's paths, its history). The roll-up totals are the
reports layer's: reports.reorganisation.units_import_apply imports and then rebuilds them.
"""

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.text import fold, nfc
from core.validators import validate_code
from core.workbook import WorkbookLimits, WorkbookRefused, read_rows

from .models import Membership, Role, Unit
from .selectors import administered_units_q, administers
from .services import unit_relocate

log = logging.getLogger(__name__)

# A province's list: up to a few thousand units, a few people each. The sheet part is about 400
# bytes a row; 20,000 rows read in a few seconds.
IMPORT_LIMITS = WorkbookLimits(
    max_uncompressed=32 * 1024 * 1024,
    max_part_bytes=16 * 1024 * 1024,
    max_rows=20_000,
    max_strings=20_000 * 12,  # a text in each of the template's ten columns, and a couple more
)
# Levels of the unit tree, the top one included: Unit.path (1,000 characters) holds that many ids.
MAX_LEVELS = 30
_IN_CHUNK = 10_000  # codes or names per IN (...) list: one query up to the row limit

# (key, header) in the template's order. The headers are the union's own words.
COLUMNS = [
    ("code", gettext_lazy("Unit code")),
    ("name", gettext_lazy("Unit name")),
    ("kind", gettext_lazy("Kind")),
    ("parent", gettext_lazy("Parent unit code")),
    ("is_grassroots", gettext_lazy("Grassroots union (CĐCS)")),
    ("congress_number", gettext_lazy("Congress number")),
    ("username", gettext_lazy("User name")),
    ("full_name", gettext_lazy("Full name")),
    ("email", gettext_lazy("E-mail")),
    ("role", gettext_lazy("Role")),
]
KEYS = [key for key, _label in COLUMNS]
YES, NO = gettext_lazy("Yes"), gettext_lazy("No")
ACTIONS = {
    "created": gettext_lazy("Created"),
    "changed": gettext_lazy("Changed"),
    "moved": gettext_lazy("Moved"),
    "unchanged": gettext_lazy("Unchanged"),
}
_YES = {"co", "c", "x", "yes", "y", "1", "true", "dung"}
_NO = {"khong", "k", "no", "n", "0", "false", "sai", ""}
_SPACES = re.compile(r"\s+")


def _labels(label) -> set[str]:
    """A label's folded forms in Vietnamese and in English, whole and before any "(…)"."""
    forms = set()
    for language in ("vi", "en"):
        with translation.override(language):
            text = fold(str(label)).strip()
        forms.add(text)
        forms.add(text.split("(")[0].strip())
    return forms


def _role_names() -> dict[str, str]:
    names = {}
    for value, label in Role.choices:
        names[value] = value
        for form in _labels(label):
            names[form] = value
    return names


def role_label(role: str) -> str:
    """The role as the template and the preview write it ("Người soạn")."""
    return str(Role(role).label).split("(")[0].strip()


# --- The template ---------------------------------------------------------------------------


def build_template() -> bytes:
    """The empty template: one header row, lists to pick "Là CĐCS" and "Vai trò" from, and a
    second sheet explaining each column with an example."""
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Units")
        bold = Font(name="Times New Roman", size=12, bold=True)
        for index, (_key, label) in enumerate(COLUMNS, 1):
            cell = ws.cell(row=1, column=index, value=str(label))
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for letter, width in zip("ABCDEFGHIJ", (16, 44, 24, 18, 10, 10, 20, 26, 30, 16), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        roles = DataValidation(
            type="list", formula1='"' + ",".join(role_label(r) for r in Role.values) + '"', allow_blank=True
        )
        ws.add_data_validation(yes_no)
        ws.add_data_validation(roles)
        yes_no.add("E2:E20001")
        roles.add("J2:J20001")
        # Codes and user names are text, even when they look like numbers (a leading zero stays).
        for letter in "ADFG":
            ws.column_dimensions[letter].number_format = "@"

        guide = wb.create_sheet(_("Guide"))
        guide.column_dimensions["A"].width = 24
        guide.column_dimensions["B"].width = 100
        lines = [
            (_("Column"), _("What to type")),
            (str(COLUMNS[0][1]), _("Required. The unit's code, unique in the whole tree (e.g. CDCS-MHB).")),
            (
                str(COLUMNS[1][1]),
                _(
                    "The unit's full name. A row with a name describes the unit completely; the next rows of "
                    "the same unit (one per person) may leave the unit's columns empty."
                ),
            ),
            (str(COLUMNS[2][1]), _("Free text: LĐLĐ tỉnh, công đoàn cấp trên trực tiếp cơ sở, CĐCS…")),
            (
                str(COLUMNS[3][1]),
                _(
                    "The code of the unit above it: a unit already on the site or one in this file. Empty: "
                    "a unit at the top of the tree. Changing it moves the unit with everything below it."
                ),
            ),
            (str(COLUMNS[4][1]), _("Yes or No (a grassroots union gets a report when a round opens).")),
            (str(COLUMNS[5][1]), _("The number of its current congress, e.g. V.")),
            (
                str(COLUMNS[6][1]),
                _(
                    "Only for a row about a person: their user name for logging in (letters, digits and "
                    "@ . + - _). A new account gets an e-mail inviting its owner to choose a password."
                ),
            ),
            (str(COLUMNS[7][1]), _("Family name, middle name and given name, e.g. Nguyễn Thị Lan.")),
            (str(COLUMNS[8][1]), _("The address the invitation is sent to.")),
            (
                str(COLUMNS[9][1]),
                _("One of: %(roles)s.") % {"roles": ", ".join(role_label(r) for r in Role.values)},
            ),
            ("", ""),
            (_("Example"), ""),
        ]
        example = [
            ["CDKCN-BA", "Công đoàn các Khu công nghiệp tỉnh Bình An", "Công đoàn cấp trên", "LDLD-BA", NO, "III"],
            ["CDCS-MHB", "Công đoàn cơ sở Công ty TNHH May Hòa Bình", "CĐCS", "CDKCN-BA", YES, "V"],
            ["CDCS-MHB", "", "", "", "", "", "lan.nt", "Nguyễn Thị Lan", "lan@example.com", role_label(Role.DRAFTER)],
        ]
        for r, (a, b) in enumerate(lines, 1):
            guide.cell(row=r, column=1, value=a).font = bold if r in (1, len(lines)) else Font(name="Times New Roman")
            cell = guide.cell(row=r, column=2, value=b)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        start = len(lines) + 1
        for index, (_key, label) in enumerate(COLUMNS, 1):
            guide.cell(row=start, column=index, value=str(label)).font = bold
        for r, values in enumerate(example, start + 1):
            for c, value in enumerate(values, 1):
                guide.cell(row=r, column=c, value=str(value))
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


# --- Reading and planning -------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self):
        if not self.row:  # about the whole file
            return self.message
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class UnitLine:
    """What the file does to one unit."""

    row: int
    code: str
    name: str
    parent_code: str
    old_parent_code: str = ""
    created: bool = False
    moved: bool = False
    changes: list[str] = field(default_factory=list)  # "Tên đơn vị: A → B"
    grassroots_changed: bool = False  # which roll-ups hold its reports changes too

    @property
    def action(self) -> str:
        if self.created:
            return "created"
        if self.moved:
            return "moved"
        return "changed" if self.changes else "unchanged"

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])


@dataclass
class PersonLine:
    """One person's role in a unit, as the file gives it."""

    row: int
    username: str
    full_name: str
    email: str
    unit_code: str
    role: str
    new_user: bool = False
    new_role: bool = False

    @property
    def role_label(self) -> str:
        return role_label(self.role)


@dataclass
class ImportPlan:
    """Everything the file would do, and every reason it cannot."""

    units: list[UnitLine] = field(default_factory=list)
    people: list[PersonLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    # What applying needs, read while planning: the file's units by code, the stored units it names
    # (with their ancestors by key), the stored accounts, and each described unit's final depth.
    _defs: dict = field(default_factory=dict, repr=False)
    _existing: dict = field(default_factory=dict, repr=False)
    _by_pk: dict = field(default_factory=dict, repr=False)
    _users: dict = field(default_factory=dict, repr=False)
    _depth: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for line in self.units if line.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.count("created"),
            "changed": self.count("changed"),
            "moved": self.count("moved"),
            "unchanged": self.count("unchanged"),
            "new_users": len({p.username for p in self.people if p.new_user}),
            "new_roles": sum(1 for p in self.people if p.new_role),
        }

    @property
    def changes_anything(self) -> bool:
        c = self.counts
        return bool(c["created"] or c["changed"] or c["moved"] or c["new_users"] or c["new_roles"])


class ImportInvalid(Exception):
    """The file has errors: nothing was written. ``plan.errors`` lists them row by row."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _name(value) -> str:
    return _SPACES.sub(" ", _text(value))


def split_name(full_name: str) -> tuple[str, str]:
    """ "Nguyễn Thị Lan" -> ("Nguyễn Thị", "Lan"): family and middle names, then the given name."""
    parts = full_name.split()
    if len(parts) <= 1:
        return "", full_name
    return " ".join(parts[:-1]), parts[-1]


def _full_name(user) -> str:
    return _SPACES.sub(" ", nfc(f"{user.last_name} {user.first_name}")).strip()


def _same_name(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    is_grassroots: bool
    congress_number: str

    def fields(self):
        return (self.name, self.kind, self.parent, self.is_grassroots, self.congress_number)


def _read(data: bytes) -> list[tuple[int, dict]]:
    """The file's rows as {key: text}, numbered as the spreadsheet numbers them. Raises
    WorkbookRefused when the file is not a workbook, is over the limits or has other columns."""
    rows = read_rows(data, IMPORT_LIMITS, max_col=len(COLUMNS) + 10)
    if not rows:
        raise WorkbookRefused(_("The file is empty: download the template and fill it in."))
    header = [fold(_text(h)) for h in rows[0]]
    positions = {}
    for key, label in COLUMNS:
        forms = _labels(label)
        found = [i for i, h in enumerate(header) if h in forms]
        if not found:
            raise WorkbookRefused(
                _("The column “%(column)s” is missing: download the template and fill it in.") % {"column": label}
            )
        positions[key] = found[0]
    out = []
    for number, values in enumerate(rows[1:], 2):
        record = {key: values[pos] if pos < len(values) else None for key, pos in positions.items()}
        if all(_text(v) == "" for v in record.values()):
            continue
        out.append((number, record))
    if not out:
        raise WorkbookRefused(_("The file is empty: download the template and fill it in."))
    return out


def import_plan(data: bytes, *, actor=None) -> ImportPlan:
    """Read the file and say what importing it would do, row by row, without writing anything.
    With an ``actor`` who is not a superuser, every unit the file names must lie, once imported, in
    a subtree they administer (units.selectors.administers), and every account it names must be
    one they administer (its roles all there). Raises WorkbookRefused when the file as a whole
    cannot be read."""
    rows = _read(data)
    plan = ImportPlan(rows=len(rows))
    errors = plan.errors
    roles = _role_names()
    User = get_user_model()
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    limits = {f: Unit._meta.get_field(f).max_length for f in ("code", "name", "kind", "congress_number")}

    def too_long(row, value, limit, label):
        if len(value) > limit:
            errors.append(
                RowError(row, _("%(column)s is longer than %(limit)s characters.") % {"column": label, "limit": limit})
            )
            return True
        return False

    defs: dict[str, _UnitRow] = {}
    described: set[str] = set()  # codes with a row giving a name, valid or not
    parent_refs: list[tuple[int, str]] = []  # (row, parent code) of every such row
    first_row: dict[str, int] = {}
    persons: list[PersonLine] = []
    by_username: dict[str, PersonLine] = {}
    by_email: dict[str, str] = {}
    labels = dict(COLUMNS)

    for number, record in rows:
        code = _text(record["code"])
        name = _name(record["name"])
        kind = _name(record["kind"])
        parent = _text(record["parent"])
        grassroots_text = _text(record["is_grassroots"])
        congress = _text(record["congress_number"])
        username = _text(record["username"])
        full_name = _name(record["full_name"])
        email = _text(record["email"])
        role_text = _text(record["role"])
        if not code:
            errors.append(RowError(number, _("the unit code is missing.")))
            continue
        first_row.setdefault(code, number)
        bad = too_long(number, code, limits["code"], labels["code"])
        for value in {code, parent} - {""}:
            try:
                validate_code(value)
            except ValidationError as exc:
                errors.append(RowError(number, f"{value[:40]}: {exc.messages[0]}"))
                bad = True
        if name:
            described.add(code)
            if parent and parent != code:
                parent_refs.append((number, parent))
            bad |= too_long(number, name, limits["name"], labels["name"])
            bad |= too_long(number, kind, limits["kind"], labels["kind"])
            bad |= too_long(number, congress, limits["congress_number"], labels["congress_number"])
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
                earlier = defs.get(code)
                if earlier is None:
                    defs[code] = unit_row
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
                RowError(
                    number, _("the unit's columns are filled but its name is missing (%(code)s).") % {"code": code}
                )
            )
        if username or full_name or email or role_text:
            # Every error of the person's columns, not only the first.
            found = []
            if not username:
                found.append(_("the user name is missing."))
            else:
                try:
                    username_field.run_validators(username)
                    if len(username) > username_field.max_length:
                        raise ValidationError("")
                except ValidationError:
                    found.append(
                        _("the user name “%(name)s” may hold only letters, digits and @ . + - _ (at most %(limit)s).")
                        % {"name": username[:40], "limit": username_field.max_length}
                    )
            role = roles.get(fold(role_text).split("(")[0].strip()) if role_text else None
            if role is None and role_text:
                found.append(
                    _("“%(value)s” is not a role; type one of: %(roles)s.")
                    % {"value": role_text[:40], "roles": ", ".join(role_label(r) for r in Role.values)}
                )
            elif role is None:
                found.append(_("the role of %(name)s is missing.") % {"name": username or "—"})
            if email:
                try:
                    validate_email(email)
                    if len(email) > 254:
                        raise ValidationError("")
                except ValidationError:
                    found.append(_("“%(value)s” is not an e-mail address.") % {"value": email[:60]})
            if len(full_name) > 150:
                found.append(_("the full name is longer than 150 characters."))
            if found:
                errors.extend(RowError(number, message) for message in found)
                continue
            person = PersonLine(number, username, full_name, email, code, role)
            earlier = by_username.get(username)
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
                    continue
                person.full_name = person.full_name or earlier.full_name
                person.email = person.email or earlier.email
                earlier.full_name = earlier.full_name or full_name
                earlier.email = earlier.email or email
            else:
                by_username[username] = person
            if email:
                owner = by_email.setdefault(email.lower(), username)
                if owner != username:
                    errors.append(
                        RowError(
                            number,
                            _("the e-mail %(email)s is already given to the user name %(name)s.")
                            % {"email": email, "name": owner},
                        )
                    )
                    continue
            persons.append(person)

    # What the site already has: a fixed number of queries whatever the size of the file.
    codes = set(first_row) | {parent for _row, parent in parent_refs}
    existing = _units_by_code(codes)
    ancestor_ids = {pk for unit in existing.values() for pk in unit.ancestor_ids()} - {u.pk for u in existing.values()}
    by_pk = {u.pk: u for u in existing.values()}
    by_pk.update({u.pk: u for u in Unit.objects.filter(pk__in=ancestor_ids).only("pk", "code", "path", "parent_id")})

    for code, number in first_row.items():
        if code not in described and code not in existing:
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
    for number, parent in parent_refs:
        # Every row, even one with other errors: the whole list comes at once.
        if parent not in described and parent not in existing:
            errors.append(
                RowError(
                    number,
                    _("the parent unit %(parent)s is neither on the site nor in the file.") % {"parent": parent},
                )
            )

    if actor is not None and not actor.is_superuser:
        errors.extend(_outside_scope(actor, first_row, defs, existing))

    def db_parent_code(unit: Unit) -> str:
        return by_pk[unit.parent_id].code if unit.parent_id in by_pk else ""

    db_by_code = {u.code: u for u in by_pk.values()}

    def final_parent(code: str) -> str:
        """The parent's code once the file is applied: the file's word for the units it describes,
        the stored parent for the others (whose ancestors may still be moved by the file)."""
        if code in defs:
            return defs[code].parent
        unit = db_by_code.get(code)
        return db_parent_code(unit) if unit is not None else ""

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

    # Accounts and roles already there.
    usernames = {p.username for p in persons}
    users = _users_by_username(usernames)
    emails = {p.email.lower() for p in persons if p.email}
    email_owners = _usernames_by_email(emails)
    for p in persons:
        user = users.get(p.username)
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
                        _("the user name %(name)s belongs to %(other)s on the site, not %(given)s.")
                        % {"name": p.username, "other": _full_name(user) or "—", "given": p.full_name},
                    )
                )
                continue
            if p.email and p.email.lower() != (user.email or "").lower():
                errors.append(
                    RowError(
                        p.row,
                        _("the user name %(name)s has another e-mail on the site (%(email)s).")
                        % {"name": p.username, "email": user.email or "—"},
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
                        _("the e-mail %(email)s is already used by the account %(name)s.")
                        % {"email": p.email, "name": sorted(others)[0]},
                    )
                )
    if actor is not None and not actor.is_superuser:
        errors.extend(_accounts_outside_scope(actor, persons, users))
    held = _memberships(users.values(), existing.values())
    for p in persons:
        user, unit = users.get(p.username), existing.get(p.unit_code)
        p.new_role = user is None or unit is None or (user.pk, unit.pk, p.role) not in held
    plan.people = persons

    # What happens to each unit the file names.
    fields = [
        ("name", labels["name"]),
        ("kind", labels["kind"]),
        ("is_grassroots", labels["is_grassroots"]),
        ("congress_number", labels["congress_number"]),
    ]
    for code, number in first_row.items():
        d, unit = defs.get(code), existing.get(code)
        if d is None:
            if unit is not None:
                plan.units.append(UnitLine(number, code, unit.name, db_parent_code(unit), db_parent_code(unit)))
            continue
        line = UnitLine(d.row, code, d.name, d.parent)
        if unit is None:
            line.created = True
        else:
            line.old_parent_code = db_parent_code(unit)
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
            if above is not None and not above.is_active:
                errors.append(
                    RowError(
                        d.row,
                        _("the parent unit %(parent)s is no longer active (merged or closed): choose another.")
                        % {"parent": d.parent},
                    )
                )
        plan.units.append(line)
    plan.errors.sort(key=lambda e: e.row)
    plan._defs, plan._existing, plan._users, plan._by_pk, plan._depth = defs, existing, users, by_pk, depth
    return plan


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


def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _units_by_code(codes) -> dict[str, Unit]:
    found = {}
    for chunk in _chunks(codes):
        found.update({u.code: u for u in Unit.objects.filter(code__in=chunk)})
    return found


def _users_by_username(usernames) -> dict:
    User = get_user_model()
    found = {}
    for chunk in _chunks(usernames):
        found.update({u.get_username(): u for u in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": chunk})})
    return found


def _usernames_by_email(emails) -> dict[str, set[str]]:
    User = get_user_model()
    found: dict[str, set[str]] = {}
    for chunk in _chunks(emails):
        rows = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", User.USERNAME_FIELD)
        )
        for email, username in rows:
            found.setdefault(email, set()).add(username)
    return found


def _memberships(users, units) -> set[tuple[int, int, str]]:
    user_ids, unit_ids = [u.pk for u in users], [u.pk for u in units]
    if not user_ids or not unit_ids:
        return set()
    return set(
        Membership.objects.filter(user_id__in=user_ids, unit_id__in=unit_ids).values_list("user_id", "unit_id", "role")
    )


# --- Applying -------------------------------------------------------------------------------


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
    defs, existing, users, by_pk = plan._defs, plan._existing, plan._users, plan._by_pk
    # Units the file moves, and the units below them, change their paths: lock them first.
    # Read again what a move checks, now that nobody else can change it: a parent merged or closed since
    # the plan is refused by the move (unit_relocate) instead of receiving units.
    by_id = {u.pk: u for u in existing.values()}
    for pk, path, is_active in (
        Unit.objects.select_for_update().filter(pk__in=list(by_id)).values_list("pk", "path", "is_active")
    ):
        by_id[pk].path, by_id[pk].is_active = path, is_active

    # 1. New units, with no parent and no path yet: one INSERT (a few on SQLite).
    new_units = []
    for line in plan.units:
        if line.created:
            d = defs[line.code]
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
    all_units = {**existing, **{u.code: u for u in created}}
    for u in created:
        by_pk[u.pk] = u

    # 2. Changed fields of existing units.
    changed = []
    for line in plan.units:
        if line.changes and not line.created:
            d, unit = defs[line.code], existing[line.code]
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

    # 3. Places in the tree, from the top down: a parent's path is known before its children's.
    placed = [line for line in plan.units if line.created or line.moved]
    placed.sort(key=lambda line: plan._depth.get(line.code, 0))
    paths = {u.pk: u.path for u in by_pk.values()}
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
    if created:
        Unit.objects.bulk_update(created, ["parent", "path"])

    # 4. Accounts, without a usable password: their owners are invited to choose one.
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
    users = {**users, **{u.get_username(): u for u in made}}

    # 5. Roles.
    roles, seen_roles = [], set()
    for p in plan.people:
        key = (p.username, p.unit_code, p.role)
        if p.new_role and key not in seen_roles:
            seen_roles.add(key)
            roles.append(Membership(user=users[p.username], unit=all_units[p.unit_code], role=p.role))
    Membership.objects.bulk_create(roles)
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
