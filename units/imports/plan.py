"""What a file would do: its units' and people's lines and every row's errors."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .columns import ACTIONS, role_can, role_label


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

    @property
    def role_can(self) -> str:
        return role_can(self.role)


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
