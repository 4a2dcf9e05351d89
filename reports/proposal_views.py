"""The units' proposals page of a superior union's own report: grouped, worded, put into the report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import services
from .access import Action, access_report_by_id, can
from .models import WORDING_MAX_CHARS
from .selectors import unit_proposals
from .services import ReportLocked, SectionConflict

# Of each group the page lists this many of the units' own words; the rest are counted.
SHOWN_PER_GROUP = 30


def _superior_report(request, pk, action):
    """The superior union's own report for this page, or 404 for a grassroots union's (no units below)."""
    report = access_report_by_id(request.user, pk, action)
    if report.unit.is_grassroots:
        raise Http404
    return report


def _page(request, report, proposals, *, status=200, editing=None):
    if proposals.pending:
        services.proposals_group_later(report=report, proposals=proposals)
    return render(
        request,
        "reports/proposals.html",
        {
            "report": report,
            "proposals": proposals,
            "can_draft": can(request.user, report, Action.DRAFT),
            "shown": SHOWN_PER_GROUP,
            "editing": editing or {},
            "max_chars": WORDING_MAX_CHARS,
        },
        status=status,
    )


@require_safe
def proposals(request, pk):
    """The units' proposals grouped: each group's wording (editable), how many units asked it, which."""
    report = _superior_report(request, pk, Action.EXPORT)
    return _page(request, report, unit_proposals(report))


def _chosen(proposals, keys):
    by_key = {g.key: g for g in proposals.groups or []}
    return [by_key[k] for k in keys if k in by_key]


@require_POST
def proposal_wording(request, pk):
    """Save the superior's wording of one group; the page again with the error and the typed text kept."""
    report = _superior_report(request, pk, Action.EXPORT)
    found = unit_proposals(report, wait=True)
    key = request.POST.get("group", "")
    group = next(iter(_chosen(found, [key])), None)
    text = request.POST.get("text", "")
    if group is None:
        messages.warning(request, _("The proposals have changed since the page was opened: check them again."))
        return _page(request, report, found, status=409, editing={"text": text})
    try:
        services.proposal_wording_save(report=report, group=group, text=text, actor=request.user)
    except ValidationError as exc:
        return _page(request, report, found, status=400, editing={"key": key, "text": text, "errors": exc.messages})
    messages.success(request, _("The wording of proposal %(number)s is saved.") % {"number": group.number})
    return redirect(f"{reverse('reports:proposals', args=[report.pk])}#kien-nghi-{group.number}")


@require_POST
def proposals_insert(request, pk):
    """Put the chosen groups into the report's own proposals section, at its end."""
    report = _superior_report(request, pk, Action.DRAFT)
    found = unit_proposals(report, wait=True)
    if found.node is None:
        raise Http404
    keys = request.POST.getlist("group")
    groups = _chosen(found, keys)
    if len(groups) != len(keys):
        messages.warning(request, _("The proposals have changed since the page was opened: check them again."))
        return _page(request, report, found, status=409)
    try:
        services.proposals_insert(report=report, proposals=found, groups=groups, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, report, found, status=400)
    except ReportLocked as exc:
        messages.error(request, str(exc))
        return _page(request, report, found, status=409)
    except SectionConflict:
        messages.error(request, _("Someone saved the section meanwhile: nothing was inserted. Try again."))
        return _page(request, report, found, status=409)
    messages.success(
        request,
        _("%(count)s proposals were added at the end of the section “%(heading)s”.")
        % {"count": len(groups), "heading": found.heading},
    )
    return redirect("reports:section_edit", pk=report.pk, key=found.node.key)
