"""The report's "Nhập từ tệp Word": upload a .docx, see where each part of it goes, confirm.

The file is read and matched once (reports.drafts); the preview (chunks, and the sections' versions
and texts as they were then) is kept in the session until confirmed or cancelled; the confirmation
writes through services.draft_import, the editor's own save."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .access import Action, access_report_by_id
from .drafts import (
    DISCARD,
    MODES,
    REPLACE,
    Decision,
    DraftRefused,
    compose_sections,
    undecided,
)
from .forms import DraftUploadForm


def _session_key(report):
    return f"draft-import-{report.pk}"


def _decision(post, pending) -> Decision:
    targets = {}
    for chunk in pending["chunks"]:
        value = post.get(f"target_{chunk['id']}", "")
        if value:
            targets[chunk["id"]] = value
    modes = {}
    for name, value in post.items():
        if name.startswith("mode_") and value in MODES:
            modes[name.removeprefix("mode_")] = value
    return Decision(targets=targets, modes=modes)


def _preview_context(report, pending, decision=None, conflict=None):
    outline = selectors.report_outline(report)
    decision = decision or Decision(targets={}, modes={})
    sections = []
    by_key = {}
    for row in outline.writable:
        entry = {
            "row": row,
            "key": row.node.key,
            "chunks": [],
            "stored": pending["sections"].get(row.node.key, {}),
            "mode": decision.modes.get(row.node.key, REPLACE),
            "conflict": conflict is not None and conflict.key == row.node.key,
        }
        sections.append(entry)
        by_key[row.node.key] = entry
    unplaced = []
    for chunk in pending["chunks"]:
        chosen = decision.targets.get(chunk["id"], "")
        if chunk["key"] in by_key:
            by_key[chunk["key"]]["chunks"].append({**chunk, "chosen": chosen or chunk["key"]})
        elif chunk["html"]:
            # The outline's own guidance left in a filled-in copy of its file: shown, set to be left out.
            default = DISCARD if chunk["reason"] == "outline_text" else ""
            unplaced.append({**chunk, "chosen": chosen or default})
    found = {c["matched_key"] for c in pending["chunks"] if c["matched_key"] and c["reason"] in ("matched", "no_box")}
    return {
        "report": report,
        "pending": pending,
        "sections": sections,
        "unplaced": unplaced,
        "targets": [(r.node.key, r.label) for r in outline.writable],
        "labels": outline.labels,
        "matched_count": len(found),
        "discard": DISCARD,
        "conflict": conflict,
    }


@require_http_methods(["GET", "POST"])
def draft_import(request, pk):
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    if reason := services.lock_reason(report):
        messages.error(request, reason)
        return redirect("reports:report_detail", pk=report.pk)
    key = _session_key(report)
    pending = request.session.get(key)
    if request.method == "POST" and request.POST.get("cancel"):
        request.session.pop(key, None)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("reports:report_detail", pk=report.pk)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        return _confirm(request, report, pending)
    form = DraftUploadForm()
    if request.method == "POST":
        form = DraftUploadForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                request.session[key] = selectors.draft_preview(report, upload.name, upload.read())
            except DraftRefused as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("reports:draft_import", pk=report.pk)
    if pending and request.method == "GET":
        return render(request, "reports/draft_import.html", _preview_context(report, pending))
    return render(request, "reports/draft_import.html", {"report": report, "form": form, "pending": None})


def _confirm(request, report, pending):
    decision = _decision(request.POST, pending)
    if left := undecided(pending["chunks"], decision):
        messages.error(
            request,
            _("Choose a section for each part in “Not placed”, or choose to leave it out (%(count)s left).")
            % {"count": len(left)},
        )
        return render(request, "reports/draft_import.html", _preview_context(report, pending, decision))
    current = {k: v["content"] for k, v in pending["sections"].items()}
    texts = compose_sections(pending["chunks"], decision, current)
    versions = {k: v["version"] for k, v in pending["sections"].items()}
    try:
        saved = services.draft_import(report=report, texts=texts, versions=versions, actor=request.user)
    except services.ReportLocked as exc:
        request.session.pop(_session_key(report), None)
        messages.error(request, exc.reason)
        return redirect("reports:report_detail", pk=report.pk)
    except services.DraftConflict as exc:
        # Show the section as it is now; confirming again deliberately replaces it.
        pending["sections"][exc.key] = {
            "content": exc.current.content,
            "version": exc.current.version,
            "is_done": exc.current.is_done,
        }
        request.session[_session_key(report)] = pending
        messages.error(
            request,
            _(
                "Someone saved “%(section)s” after this preview was made. Nothing was saved: compare "
                "what the section holds now with the file, then confirm again or leave it as it is."
            )
            % {"section": selectors.report_outline(report).labels.get(exc.key, exc.key)},
        )
        return render(request, "reports/draft_import.html", _preview_context(report, pending, decision, exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "reports/draft_import.html", _preview_context(report, pending, decision))
    request.session.pop(_session_key(report), None)
    messages.success(
        request,
        _("The Word file was imported: %(count)s sections written. Each change is in the report's history.")
        % {"count": len(saved)},
    )
    return redirect("reports:report_detail", pk=report.pk)
