"""Who may export what."""

from core.text import vietnamese_sort_key
from reports.models import Report
from reports.selectors import can_edit
from units.selectors import user_access


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


def unit_reports_below(report) -> list:
    """Every grassroots union's report below ``report``'s unit in its round, grouped by the superior
    union each belongs to (its parent), groups and units in Vietnamese order, with what the status
    tables print. One query."""

    reports = list(
        Report.objects.filter(
            round_id=report.round_id, unit__path__startswith=report.unit.path, unit__is_grassroots=True
        )
        .select_related("unit", "unit__parent")
        .only(
            "pk",
            "status",
            "submitted_at",
            "approved_at",
            "updated_at",
            "extended_until",
            "round_id",
            "unit__name",
            "unit__code",
            "unit__parent__name",
            "unit__parent__code",
        )
    )
    return sorted(
        reports,
        key=lambda r: (
            vietnamese_sort_key(r.unit.parent.name if r.unit.parent_id else ""),
            vietnamese_sort_key(r.unit.name),
        ),
    )
