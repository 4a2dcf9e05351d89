"""Units and their people from one Excel file: the template, a plan of what the file would create,
change or move (with every row's errors), and applying that plan all at once or not at all.

One row is one unit, or one person in a unit: a unit with three officers takes three rows, the
unit's own columns filled on at least one of them (the others may repeat them or leave them
empty). A row whose "Tên đơn vị" is filled describes the unit completely: its parent, kind,
grassroots flag and congress number become what the row says (an empty parent: a unit at the
top). A person's row names the account (new ones are made without a password, to be invited) and
the role it gets in the unit; an import never removes a unit, an account or a role.

The package, by step: columns.py (the file's columns and how a cell reads), template.py (the empty
template), reading.py (the workbook's rows), plan.py (what a file would do: ImportPlan and its lines),
stored.py (what the site already has), scope.py (what an administrator may import), planning.py
(import_plan), applying.py (units_import). Callers import from ``units.imports``.

Reading and planning take a fixed number of queries whatever the size of the file; applying adds
a fixed number for creations and changes, and a few per moved unit: each goes through the unit page's
own move (units.services.unit_relocate: its subtree's paths, its history). The roll-up totals are the
reports layer's: reports.reorganisation.units_import_apply imports and then rebuilds them.
"""

from .applying import units_import
from .columns import ACTIONS, COLUMNS, IMPORT_LIMITS, KEYS, NO, YES, role_label, split_name
from .kept import forget as forget_upload
from .kept import kept as kept_upload
from .plan import ImportInvalid, ImportPlan, PersonLine, RowError, UnitLine
from .planning import import_plan
from .template import build_template

__all__ = [
    "ACTIONS",
    "COLUMNS",
    "IMPORT_LIMITS",
    "KEYS",
    "NO",
    "YES",
    "ImportInvalid",
    "ImportPlan",
    "PersonLine",
    "RowError",
    "UnitLine",
    "build_template",
    "forget_upload",
    "import_plan",
    "kept_upload",
    "role_label",
    "split_name",
    "units_import",
]
