"""Stored unit codes against their one folded form (core.validators.fold_code): what the migration that
adds the index on the folded code (units 0007) and ``manage.py check_unit_codes`` report to an operator.
Plain data in, plain data out: the migration hands it its historical rows."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import fold_code


@dataclass
class CodeReport:
    """``twins``: folded code → the units (pk, code, name) that share it, which no index can hold;
    ``renames``: (pk, stored code, folded code) for codes that fold to a free form of their own;
    ``unfoldable``: (pk, code, name, why) for codes with a character folding cannot take."""

    twins: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    renames: list[tuple[int, str, str]] = field(default_factory=list)
    unfoldable: list[tuple[int, str, str, str]] = field(default_factory=list)

    def twins_text(self) -> str:
        lines = [
            _(
                "Some units have codes that differ only by case, accents, Đ/D or look-alike letters: they are one "
                "code now, so each group must become one unit or get distinct codes before the upgrade."
            )
        ]
        for folded, units in sorted(self.twins.items()):
            listed = "; ".join(f"“{code}” ({name}, id {pk})" for pk, code, name in units)
            lines.append(f"  {folded}: {listed}")
        lines.append(
            _(
                "Rename all but one in each group (the unit's page in the admin), or merge them, then run "
                "“python manage.py migrate” again. Nothing was changed. “python manage.py check_unit_codes” "
                "lists them again."
            )
        )
        return "\n".join(lines)

    def renames_text(self) -> str:
        return "\n".join(
            [_("Unit codes written in their one form:")] + [f"  {old} → {new}" for _pk, old, new in self.renames]
        )

    def unfoldable_text(self) -> str:
        lines = [
            _(
                "These unit codes hold characters a code no longer takes; they keep working, but the import cannot "
                "name them and the unit's page asks for a new code when it is next saved:"
            )
        ]
        lines += [f"  “{code}” ({name}, id {pk}): {why}" for pk, code, name, why in self.unfoldable]
        return "\n".join(lines)


def code_report(units) -> CodeReport:
    """``units``: (pk, code, name) of every stored unit."""
    report = CodeReport()
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, code, name in units:
        try:
            groups[fold_code(code)].append((pk, code, name))
        except ValidationError as exc:
            report.unfoldable.append((pk, code, name, exc.messages[0]))
    for folded, members in groups.items():
        if len(members) > 1:
            report.twins[folded] = sorted(members)
        elif members[0][1] != folded:
            report.renames.append((members[0][0], members[0][1], folded))
    report.renames.sort()
    return report
