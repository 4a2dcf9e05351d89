from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from indicators.charts import change_chart, target_chart
from indicators.figures import column_label
from indicators.models import PREVIOUS
from indicators.selectors import catalogue
from units.models import Unit
from units.selectors import user_access

from . import selectors, services
from .access import Action, access_report_by_id, access_rollup, can, check_oversees, check_report_access
from .forms import AppendixForm, AppendixUploadForm, cell_name
from .models import ReportStatus
from .services import ReportLocked, lock_reason
from .xlsx import UploadRefused, build_template, read_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row_json(rows):
    """What the grid shows that the server computes, keyed by the element it goes in."""
    out, warnings = {}, {}
    for row in rows:
        pk = row.indicator.pk
        if row.indicator.is_computed:
            for column in row.columns:
                out[f"{pk}:{column}"] = row.shown(row.value(column))
        out[f"{pk}:result"] = row.shown_result
        for key, text in row.comparisons.items():
            out[f"{pk}:{key}"] = text
        warnings[pk] = row.warnings()
    return out, warnings


def _groups(rows, fill, form=None, errors=None, conflict=None, shown_columns=None):
    """Rows grouped under the outline section they illustrate, with what each cell shows: the
    text typed (kept when refused), its error, and the other writer's figure after a conflict.
    ``shown_columns``: the columns shown, when not every one is (no previous term)."""
    errors = errors or {}
    bound = form is not None and form.is_bound
    groups = []
    labels = {}  # one translation per column, not one per cell
    whole = rows[0].period.previous_whole_term if rows else False
    for row in rows:
        if not groups or groups[-1][0] != row.indicator.node:
            groups.append((row.indicator.node, []))
        cells = []
        for column in row.columns if shown_columns is None else shown_columns:
            name = cell_name(row.indicator.pk, column)
            typed = form.data.get(name) if bound else None
            cells.append(
                {
                    "column": column,
                    "label": labels.get(column)
                    or labels.setdefault(column, column_label(column, previous_whole_term=whole)),
                    "name": name,
                    "value": typed if typed is not None else row.shown(row.value(column)),
                    "error": errors.get((row.indicator.pk, column), ""),
                    "theirs": conflict.get((row.indicator.pk, column)) if conflict else None,
                }
            )
        note = form.data.get(f"note-{row.indicator.pk}") if bound else None
        explanation = form.data.get(f"expl-{row.indicator.pk}") if bound else None
        groups[-1][1].append(
            {
                "row": row,
                "cells": cells,
                "note": row.note if note is None else note,
                "explanation": row.explanation if explanation is None else explanation,
                "warnings": row.warnings(),
                "note_error": errors.get((row.indicator.pk, "note"), ""),
            }
        )
    return [(node.label(fill, node.parent), items) for node, items in groups]


def _form_errors(form, indicators, *, previous_whole_term=False) -> str:
    """The grid's refusals in words, each with the indicator and column it is about."""
    names = {i.pk: i.name for i in indicators}
    whole = previous_whole_term
    out = []
    for field, errors in form.errors.items():
        parts = field.split("-")
        label = ""
        if len(parts) >= 2 and parts[1].isdigit():
            name = names.get(int(parts[1]), "")
            if parts[0] == "v" and len(parts) == 3:
                label = f"{name} ({column_label(parts[2], previous_whole_term=whole)})"
            elif parts[0] == "note":
                label = f"{name} ({_('Note')})"
            elif parts[0] == "expl":
                label = f"{name} ({_('Explanation')})"
        out.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return " ".join(out)


def _error_field(indicator_id, column):
    """The grid's field an error belongs to: a note's error to its note box."""
    return f"note-{indicator_id}" if column == "note" else cell_name(indicator_id, column)


def _charts(rows, round_):
    return {
        "target_chart": target_chart(rows, _("Share of the resolution's target reached (%)")),
        "change_chart": change_chart(
            rows,
            _("Change of %(year)s against the start of the term (%%)")
            % {"year": round_.data_years[-1] if round_.data_years else ""},
        ),
    }


def _grid_context(report, appendix, form, editable, errors=None, conflict=None):
    columns = appendix.rows[0].columns if appendix.rows else []
    # No previous term: its columns are not shown empty, the page says so (the grid to type in keeps
    # them, for a merged union that compares with its predecessors' figures).
    hide_previous = appendix.no_previous_term and not editable
    if hide_previous:
        columns = [c for c in columns if c != PREVIOUS]
    return {
        "report": report,
        "groups": _groups(appendix.rows, report.blank_fill, form, errors, conflict, columns if hide_previous else None),
        "columns": columns,
        "hide_previous": hide_previous,
        "row_span": len(columns) + (5 if hide_previous else 6),
        "form": form,
        "editable": editable,
        "lock_reason": lock_reason(report),
        "appendix": appendix,
        "conflict": conflict,
        "previous": report.round.previous_labels,
        **_charts(appendix.rows, report.round),
    }


@require_http_methods(["GET", "POST"])
def appendix_edit(request, pk):
    report = access_report_by_id(request.user, pk)
    indicators = catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)
    appendix = None  # read only for the page: an autosave reads the figures once, after saving
    editable = can(request.user, report, Action.DRAFT) and report.is_editable
    autosave = request.headers.get("X-Autosave") == "1"
    years = report.round.data_years
    errors, conflict = {}, None
    if request.method == "POST":
        check_report_access(request.user, report, Action.DRAFT)
        form = AppendixForm(request.POST, indicators=indicators, years=years)
        if not form.is_valid():
            if autosave:
                return JsonResponse(
                    {
                        "error": _form_errors(
                            form, indicators, previous_whole_term=report.round.period.previous_whole_term
                        )
                    },
                    status=400,
                )
        else:
            try:
                result = services.appendix_save(
                    report=report,
                    cells=form.cells(),
                    notes=form.notes(),
                    base_version=form.cleaned_data["version"],
                    actor=request.user,
                )
            except services.AppendixConflict as exc:
                if autosave:
                    return JsonResponse(
                        {"error": _("Someone else saved the appendix after you opened it. Nothing was overwritten.")},
                        status=409,
                    )
                theirs = selectors.report_appendix(report, indicators)
                conflict = {
                    (row.indicator.pk, column): row.shown(row.value(column))
                    for row in theirs.rows
                    for column in row.columns
                }
                appendix = theirs
                data = request.POST.copy()
                data["version"] = exc.appendix.version
                form = AppendixForm(data, indicators=indicators, years=years)
                form.is_valid()
            except ReportLocked as exc:
                if autosave:
                    return JsonResponse({"error": exc.reason}, status=423)
                messages.error(request, exc.reason)
                return redirect("reports:appendix_edit", pk=report.pk)
            else:
                errors = result.errors
                appendix = selectors.report_appendix(report, indicators, stored=result.stored)
                if autosave:
                    values, warnings = _row_json(appendix.rows)
                    return JsonResponse(
                        {
                            "version": result.version,
                            "saved_at": formats.date_format(timezone.localtime(), "H:i:s"),
                            "errors": {_error_field(*key): msg for key, msg in errors.items()},
                            "values": values,
                            "warnings": {str(k): v for k, v in warnings.items()},
                        }
                    )
                if not errors:
                    messages.success(request, _("Saved."))
                    return redirect("reports:appendix_edit", pk=report.pk)
                messages.warning(
                    request,
                    _("The other figures were saved; the cells marked in red were not. Correct them and save again."),
                )
                data = request.POST.copy()
                data["version"] = result.version
                form = AppendixForm(data, indicators=indicators, years=years)
                form.is_valid()
    else:
        appendix = selectors.report_appendix(report, indicators)
        form = AppendixForm(initial={"version": appendix.version}, indicators=indicators, years=years)
    if appendix is None:
        appendix = selectors.report_appendix(report, indicators)
    context = _grid_context(report, appendix, form, editable, errors, conflict)
    return render(request, "reports/appendix_edit.html", context)


@require_http_methods(["POST"])
def appendix_fill(request, pk):
    """A superior union's own appendix: fill the empty cells from the roll-up of its units."""
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    if report.unit.is_grassroots:
        raise PermissionDenied
    try:
        result = services.appendix_fill_from_rollup(report=report, actor=request.user)
    except (ReportLocked, services.AppendixConflict) as exc:
        messages.error(request, getattr(exc, "reason", _("The appendix changed meanwhile; try again.")))
    else:
        messages.success(
            request,
            _("%(count)s empty cells were filled from the roll-up of your units.") % {"count": result.saved},
        )
        for rolled, own in result.ratios_apart:
            messages.info(
                request,
                _(
                    "“%(name)s”: %(rolled)s over the %(counted)s grassroots unions that gave both figures (the "
                    "roll-up); %(own)s from the figures filled in, which count units that gave only one of them."
                )
                % {
                    "name": rolled.indicator.name,
                    "rolled": f"{rolled.shown_result} {rolled.indicator.unit_of_measure}".strip(),
                    "counted": rolled.units_counted,
                    "own": f"{rolled.shown(own)} {rolled.indicator.unit_of_measure}".strip(),
                },
            )
    return redirect("reports:appendix_edit", pk=report.pk)


@require_safe
def appendix_xlsx(request, pk):
    report = access_report_by_id(request.user, pk)
    appendix = selectors.report_appendix(report)
    data = build_template(report, appendix.rows)
    response = HttpResponse(data, content_type=XLSX)
    name = f"phu-luc-{slugify(report.unit.code)}-{slugify(report.round.code)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _session_key(report):
    return f"appendix-upload-{report.pk}"


@require_http_methods(["GET", "POST"])
def appendix_upload(request, pk):
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    if reason := lock_reason(report):
        messages.error(request, reason)
        return redirect("reports:appendix_edit", pk=report.pk)
    indicators = catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)
    pending = request.session.get(_session_key(report))
    form = AppendixUploadForm()
    if request.method == "POST" and request.POST.get("confirm") and pending:
        return _save_upload(request, report, pending)
    if request.method == "POST" and request.POST.get("cancel"):
        request.session.pop(_session_key(report), None)
        return redirect("reports:appendix_edit", pk=report.pk)
    if request.method == "POST":
        form = AppendixUploadForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
        if form.is_valid():
            try:
                result = read_upload(form.cleaned_data["file"].read(), report=report, indicators=indicators)
            except UploadRefused as exc:
                form.add_error("file", exc.message)
            else:
                pending = {
                    "cells": {f"{i}:{c}": "" if v is None else str(v) for (i, c), v in result.cells.items()},
                    "notes": {str(i): [n, e] for i, (n, e) in result.notes.items()},
                    "errors": result.errors,
                    "read": result.read,
                }
                if not result.errors:
                    return _save_upload(request, report, pending)
                request.session[_session_key(report)] = pending
                return redirect("reports:appendix_upload", pk=report.pk)
    return render(
        request,
        "reports/appendix_upload.html",
        {"report": report, "form": form, "pending": pending},
    )


def _save_upload(request, report, pending):
    cells = {}
    for key, value in pending["cells"].items():
        indicator_id, column = key.split(":", 1)
        # Stored as str(Decimal): read back as a Decimal, never re-parsed as typed text.
        cells[(int(indicator_id), column)] = Decimal(value) if value else ""
    # [note, explanation or None]; a bare note from a session kept before the explanation was read.
    notes = {
        int(i): (tuple(texts) if isinstance(texts, list) else (texts, None)) for i, texts in pending["notes"].items()
    }
    version = selectors.report_appendix(report).version
    try:
        result = services.appendix_save(
            report=report, cells=cells, notes=notes, base_version=version, actor=request.user
        )
    except (ReportLocked, services.AppendixConflict) as exc:
        messages.error(request, getattr(exc, "reason", _("The appendix changed meanwhile; upload again.")))
        return redirect("reports:appendix_edit", pk=report.pk)
    request.session.pop(_session_key(report), None)
    messages.success(
        request,
        _("The file was saved: %(cells)s figures and %(notes)s notes or explanations changed.")
        % {"cells": result.saved, "notes": result.notes_saved},
    )
    if result.errors:
        # The save checks against what is stored too (a cell refused in the file keeps its stored
        # figure, which can be above a whole typed in the file): say which cells were not saved.
        names = {i.pk: i.name for i in catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)}
        whole = report.round.period.previous_whole_term
        messages.warning(
            request,
            _("Not saved: %(cells)s")
            % {
                "cells": "; ".join(
                    f"{names.get(i, i)} ({_('Note') if c == 'note' else column_label(c, previous_whole_term=whole)}): "
                    f"{message}"
                    for (i, c), message in result.errors.items()
                )
            },
        )
    return redirect("reports:appendix_edit", pk=report.pk)


ROLLUP_STATUSES = [
    (ReportStatus.SUBMITTED, ReportStatus.SUBMITTED.label),
    (ReportStatus.APPROVED, ReportStatus.APPROVED.label),
    (ReportStatus.RETURNED, ReportStatus.RETURNED.label),
    (ReportStatus.DRAFTING, ReportStatus.DRAFTING.label),
]


# The rendered roll-up is kept per revision of the units below (see RollupStamp.revision); a renamed unit or
# an admin edit of the catalogue shows within this time.
ROLLUP_PAGE_TIMEOUT = 600


NOT_COUNTED_SHOWN = 100


@require_safe
def rollup_view(request, round_code, unit_code):
    round_, unit = access_rollup(request.user, round_code, unit_code)
    allowed = {value for value, _label in ROLLUP_STATUSES}
    statuses = [s for s in request.GET.getlist("status") if s in allowed] or list(selectors.DEFAULT_ROLLUP_STATUSES)
    # Worked out only when the cached body is missing or stale (lazy objects).
    stamp = selectors.rollup_stamp(round=round_, unit=unit)
    result = SimpleLazyObject(lambda: selectors.rollup(round=round_, unit=unit, statuses=statuses, stamp=stamp))
    body_key = ":".join(
        [
            "rollup",
            str(round_.pk),
            str(unit.pk),
            ",".join(sorted(statuses)),
            stamp.revision(statuses),
            get_language() or "",
            round_.previous_term,  # the headings' wording
            unit.name,  # the headings' blanks (its own report's fill)
        ]
    )
    return render(
        request,
        "reports/rollup.html",
        {
            "round": round_,
            "unit": unit,
            "rollup": result,
            "body_key": body_key,
            "body_timeout": ROLLUP_PAGE_TIMEOUT,
            "groups": SimpleLazyObject(
                lambda: _groups(result.rows, selectors.rollup_fill(round=round_, unit=unit, stamp=stamp))
            ),
            "status_choices": ROLLUP_STATUSES,
            "statuses": statuses,
            "previous": round_.previous_labels,
            "columns": SimpleLazyObject(lambda: result.rows[0].columns if result.rows else []),
            "charts": SimpleLazyObject(lambda: _charts(result.rows, round_)),
            # A province may leave thousands out: the first are named, the dashboard has them all.
            "not_counted_shown": SimpleLazyObject(lambda: list(result.excluded[:NOT_COUNTED_SHOWN])),
            "not_counted_more": SimpleLazyObject(lambda: max(result.not_counted - NOT_COUNTED_SHOWN, 0)),
        },
    )


@require_safe
def rollup_index(request):
    """The roll-ups the user may open in one round (?dot=CODE; by default the latest opened round they
    have reports in): one per unit they oversee that the round reaches."""
    check_oversees(request.user)
    access = user_access(request.user)
    units = list(access.overseen_units)
    if access.is_superuser and not units:
        units = list(Unit.objects.filter(parent__isnull=True))
    rounds = list(selectors.rounds_visible_to(request.user).select_related("organising_unit"))
    round_ = selectors.pick_round(rounds, request.GET.get("dot"))
    if round_ is None and request.GET.get("dot"):
        raise Http404
    if round_ is not None:
        organiser = round_.organising_unit.path
        # A unit above the organiser sums the round's units below it; one below sums its own part.
        units = [u for u in units if u.path.startswith(organiser) or organiser.startswith(u.path)]
    return render(request, "reports/rollup_index.html", {"units": units, "rounds": rounds, "round": round_})
