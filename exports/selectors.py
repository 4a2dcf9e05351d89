"""Who may export what."""

from outline.selectors import can_edit
from reportsite.selectors import user_access


def can_export_consolidated(user, report) -> bool:
    """Reviewers and admins at the unit or above it, and the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser or can_edit(user, report):
        return True
    return any(report.unit.path.startswith(unit.path) for unit in access.overseen_units)


def can_export_drafts(user, report) -> bool:
    """Drafts (reports not submitted) go into a consolidated file only for the reviewers and admins
    above the units, who read them on the site: not for the unit's own drafters."""
    access = user_access(user)
    if access.is_superuser:
        return True
    return any(report.unit.path.startswith(unit.path) for unit in access.overseen_units)
