"""Ready Vietnamese sentences quoting an indicator's figures, for the section texts."""

from django.utils.translation import gettext as _

from .figures import Row, show, show_pct
from .models import OverYears


def _change(pct, *, in_points: bool = False) -> str:
    """ "tăng 12,5%", or for a percentage "tăng 2,5 điểm %" (percentage points)."""
    if in_points:
        if pct > 0:
            return _("up %(points)s points") % {"points": show_pct(pct)}
        if pct < 0:
            return _("down %(points)s points") % {"points": show_pct(-pct)}
        return _("unchanged")
    if pct > 0:
        return _("up %(pct)s%%") % {"pct": show_pct(pct)}
    if pct < 0:
        return _("down %(pct)s%%") % {"pct": show_pct(-pct)}
    return _("unchanged")


def figure_sentence(row: Row) -> str:
    """E.g. "Năm 2020 có 1.250 đoàn viên, tăng 12,5% so với đầu nhiệm kỳ, đạt 104% chỉ tiêu
    Nghị quyết." — "" when the row has no result yet."""
    result = row.result
    if result is None or not row.years:
        return ""
    name = row.indicator.name.removeprefix("Trong đó: ")
    name = name[0].lower() + name[1:]
    uom = row.indicator.unit_of_measure
    figure = f"{show(result, row.indicator.decimals)}{'%' if uom == '%' else ' ' + uom}"
    if row.indicator.over_years == OverYears.SUM:
        head = _("In %(first)s–%(last)s, %(name)s: %(figure)s") % {
            "first": row.years[0],
            "last": row.years[-1],
            "name": name,
            "figure": figure,
        }
        parts = [head]
        if (pct := row.change_since_previous_pct) is not None:
            change = _change(pct, in_points=row.in_points)
            if row.period.previous_whole_term:
                parts.append(_("%(change)s on the whole previous term") % {"change": change})
            else:
                parts.append(_("%(change)s on the same period of the previous term") % {"change": change})
    else:
        head = _("In %(year)s, %(name)s: %(figure)s") % {
            "year": row.years[-1],
            "name": name,
            "figure": figure,
        }
        parts = [head]
        if (pct := row.change_since_start_pct) is not None:
            parts.append(_("%(change)s on the start of the term") % {"change": _change(pct, in_points=row.in_points)})
    if (reached := row.pct_of_target) is not None:
        parts.append(_("%(pct)s%% of the resolution's target") % {"pct": show_pct(reached)})
    return ", ".join(parts) + "."
