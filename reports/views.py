import dataclasses
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.paging import paginate
from documents.page import WORDS_PER_PAGE
from indicators.charts import target_chart
from indicators.sentences import figure_sentence
from outline.models import OutlineNode
from units.selectors import user_access

from . import selectors, services
from .access import Action, access_report_by_id, can, check_report_access
from .forms import DocumentInfoForm, SectionForm
from .models import Report, ReportStatus, SectionState, Submission
from .selectors import report_appendix, rows_for_node
from .synthesis_views import synthesis_context
from .tasks import count_synthesis

# Admin edits to the indicator catalogue or the outline reach a cached report page within this time.
REPORT_BODY_TIMEOUT = 600


REPORT_LIST_PAGE_SIZE = 50


@require_safe
def report_list(request):
    access = user_access(request.user)
    rounds, round_ = [], None
    if access.overseen_units or access.is_superuser:
        # Who oversees units sees one round at a time (?dot=CODE; the latest opened by default).
        rounds = list(selectors.rounds_visible_to(request.user))
        round_ = selectors.pick_round(rounds, request.GET.get("dot"))
        if round_ is None and request.GET.get("dot"):
            raise Http404
    query = request.GET.get("q", "")[:100].strip()
    if round_ or not rounds:
        reports = selectors.reports_for_user(request.user, round=round_, query=query)
    else:
        reports = Report.objects.none()
    # A province has thousands of units: a page of them, counted and sorted by the database.
    paged = paginate(request, reports, REPORT_LIST_PAGE_SIZE)
    if paged.page.paginator.count == 1 and not query and access.drafter_units and not access.overseen_units:
        # A drafter with a single report goes straight to it.
        return redirect("reports:report_detail", pk=paged.page[0].pk)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": paged,
            "access": access,
            "drafter_unit_ids": {u.pk for u in access.drafter_units},
            "rounds": rounds,
            "round": round_,
            "q": query,
            "can_manage_rounds": selectors.can_manage_rounds(request.user),
        },
    )


def report_body_key(report, *, can_edit: bool) -> str:
    """The cache key of the report page's body (progress, appendix card, outline, submissions).

    Every service that changes what the body shows (a section, a figure, a submission, a review
    decision) touches ``report.updated_at``, so a new revision gets a new key and a stale body is never
    served; the blank fill and the language are in the key for the rest. Indicator or outline edits
    in the Django admin show within the cache's timeout."""
    blank = report.blank_fill
    fill = hashlib.blake2b(blank.key.encode(), digest_size=8).hexdigest()
    return ":".join(
        [
            "report-body",
            str(report.pk),
            str(report.updated_at.timestamp()),
            str(report.round.outline_version_id),
            "edit" if can_edit else "read",
            fill,
            get_language() or "",
        ]
    )


@require_safe
def report_detail(request, pk):
    report = access_report_by_id(request.user, pk, fetch=selectors.report_page_report)
    request.unread_notifications = report.unread_notifications  # for the menu: no query of its own
    can_draft = can(request.user, report, Action.DRAFT)
    can_edit = can_draft and report.is_editable
    # The body is cached by revision; these are only worked out when it is not (lazy objects).
    outline = SimpleLazyObject(lambda: selectors.report_outline(report))
    appendix = SimpleLazyObject(lambda: report_appendix(report))
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "body_key": report_body_key(report, can_edit=can_edit),
            "body_timeout": REPORT_BODY_TIMEOUT,
            "outline": outline,
            "appendix": appendix,
            # The Word file's pages, from its layout: the texts, the headings and the appendix.
            "pages": SimpleLazyObject(lambda: outline.document_pages(len(appendix.rows))),
            "target_chart": SimpleLazyObject(
                lambda: target_chart(appendix.rows, _("Share of the resolution's target reached (%)"))
            ),
            "returned": selectors.open_return(report) if report.status == ReportStatus.RETURNED else None,
            "labels": SimpleLazyObject(lambda: outline.labels),
            "pending_extension": report.has_pending_extension,
            "can_edit": can_edit,
            "can_draft": can_draft,
            "drafts_allowed": can(request.user, report, Action.EXPORT_DRAFTS),
            "lock_reason": services.lock_reason(report),
            "submissions": report.submissions.select_related("submitted_by"),
            "predecessors": selectors.predecessor_reports(request.user, report),
        },
    )


def _section_json(section, status=200, **extra):
    return JsonResponse(
        {
            "version": section.version if section else 0,
            "saved_at": formats.date_format(timezone.localtime(section.updated_at), "H:i:s")
            if section and section.updated_at
            else "",
            "state": str(SectionState(section.state).label) if section else "",
            **extra,
        },
        status=status,
    )


def _conflict_json(current):
    """An autosave refused because someone saved the section since: their version, to compare."""
    return _section_json(
        current,
        status=409,
        error=_(
            "Someone else saved this section after you opened it. Nothing was overwritten: compare the two versions."
        ),
    )


def _autosave(request, pk, key):
    """The editor's autosave (every few seconds while typing): JSON, in one pass with only the statements
    a save needs (services.section_autosave), a conflict, a locked report or a refused text included.
    None when the lean path does not apply (not this user's report, no such section, bad input): the
    page's own path then answers, with its usual messages."""
    form = SectionForm(request.POST)
    if not form.is_valid():
        return None
    try:
        section = services.section_autosave(
            report_id=pk,
            key=key,
            content=form.cleaned_data["content"],
            base_version=form.cleaned_data["version"],
            is_done=form.cleaned_data["is_done"],
            actor=request.user,
            base_content=form.cleaned_data["base_content"] if "base_content" in request.POST else None,
        )
    except services.SectionConflict as exc:
        return _conflict_json(exc.current)
    except services.ReportLocked as exc:
        return JsonResponse({"error": exc.reason}, status=423)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return _section_json(section, status=200) if section is not None else None


def synthesis_counts_cached(report, node):
    """The units' figures counted as sentences (``selectors.synthesis_counts``, which reads every counted
    unit's figures of the section), kept per revision of the reports below (``RollupStamp.revision``: a
    status, or a figure that touches its report, changes it; one query); a renamed unit shows within the
    timeout. Up to SYNTHESIS_COUNTS_INLINE_UNITS counted units the page counts them itself; past that (a
    province, the country) the worker does (``tasks.count_synthesis``) and the page shows the last counts
    made, marked as such, or says they are being made: no page reads a province's figures."""
    stamp = selectors.rollup_stamp(round=report.round, unit=report.unit)
    revision = hashlib.blake2b(stamp.revision(selectors.SYNTHESIS_STATUSES).encode(), digest_size=8).hexdigest()
    language = get_language() or ""
    key = ":".join(["synthesis-counts", str(report.pk), str(node.pk), revision, language])
    latest = ":".join(["synthesis-counts-latest", str(report.pk), str(node.pk), language])
    counts = cache.get(key)
    if counts is not None:
        return counts
    counted = sum(stamp.by_status.get(status, (0,))[0] for status in selectors.SYNTHESIS_STATUSES)
    if counted <= settings.SYNTHESIS_COUNTS_INLINE_UNITS:
        counts = selectors.synthesis_counts(report, node)
        cache.set(key, counts, REPORT_BODY_TIMEOUT)
        cache.set(latest, counts, None)
        return counts
    if cache.add(f"{key}:queued", 1, 600):
        count_synthesis.enqueue(report.pk, node.pk, key, latest, language)
    last = cache.get(latest)
    if last is not None:
        return dataclasses.replace(last, stale=True)
    return selectors.SynthesisCounts(counted=counted, missing=0, sentences=[], missing_sentence="", pending=True)


@require_http_methods(["GET", "POST"])
def section_edit(request, pk, key):
    autosaving = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    if autosaving and (response := _autosave(request, pk, key)) is not None:
        return response
    report = access_report_by_id(request.user, pk)
    try:
        page = selectors.section_page(report, key)
    except OutlineNode.DoesNotExist:
        raise Http404 from None
    editable = can(request.user, report, Action.DRAFT) and report.is_editable
    autosave = request.headers.get("X-Autosave") == "1"
    conflict = None
    form = None
    if request.method == "POST":
        check_report_access(request.user, report, Action.DRAFT)
        form = SectionForm(request.POST)
        if form.is_valid():
            try:
                section = services.section_save(
                    report=report,
                    node=page.node,
                    content=form.cleaned_data["content"],
                    base_version=form.cleaned_data["version"],
                    is_done=form.cleaned_data["is_done"],
                    actor=request.user,
                    base_content=form.cleaned_data["base_content"] if "base_content" in request.POST else None,
                )
            except services.SectionConflict as exc:
                conflict = exc.current
                if autosave:
                    return _conflict_json(conflict)
            except services.ReportLocked as exc:
                if autosave:
                    return JsonResponse({"error": exc.reason}, status=423)
                messages.error(request, exc.reason)
                editable = False
            except ValidationError as exc:
                # The service checks the limits itself too; the form has normally said it first.
                if autosave:
                    return JsonResponse({"error": " ".join(exc.messages)}, status=400)
                form.add_error("content", exc)
            else:
                if autosave:
                    return _section_json(section, status=200)
                messages.success(request, _("Saved."))
                target = request.POST.get("go")
                if target == "next" and page.next:
                    return redirect("reports:section_edit", pk=report.pk, key=page.next.key)
                if target == "previous" and page.previous:
                    return redirect("reports:section_edit", pk=report.pk, key=page.previous.key)
                if target == "report":
                    return redirect("reports:report_detail", pk=report.pk)
                return redirect("reports:section_edit", pk=report.pk, key=page.node.key)
        elif autosave:
            return JsonResponse(
                {"error": " ".join(str(e) for errs in form.errors.values() for e in errs)},
                status=400,
            )
        if conflict is not None:
            # Keep what the writer typed in the box; show the saved version beside it. Saving
            # again now deliberately replaces the other version.
            data = request.POST.copy()
            data["version"] = conflict.version
            form = SectionForm(data)
            form.is_valid()
    if form is None:
        section = page.section
        form = SectionForm(
            initial={
                "content": section.content if section else "",
                "is_done": section.is_done if section else False,
                "version": section.version if section else 0,
            }
        )
    returned = selectors.open_return(report) if report.status == ReportStatus.RETURNED else None
    synthesis = {}
    if not report.unit.is_grassroots:
        # A superior union writes from what its units sent up: their texts to quote, their figures counted.
        synthesis = synthesis_context(request, report, page.node)
        synthesis["synthesis_counts"] = synthesis_counts_cached(report, page.node)
    return render(
        request,
        "reports/section_edit.html",
        {
            "report": report,
            "page": page,
            "form": form,
            "editable": editable,
            "conflict": conflict,
            "lock_reason": services.lock_reason(report),
            "media": form.media.with_nonce(request.csp_nonce),
            "figures": [(row, figure_sentence(row)) for row in rows_for_node(report_appendix(report), page.node)],
            "threads": selectors.comment_threads(request.user, report, anchor=f"section:{page.node.key}"),
            "todo": [item for item in (returned.items.all() if returned else []) if item.node_key == page.node.key],
            **synthesis,
            "autosave_url": reverse("reports:section_edit", args=[report.pk, page.node.key]),
            "words_per_page": WORDS_PER_PAGE,
            # The guidance as a first draft to write over: one paragraph per point.
            "skeleton": "".join(f"<p>{escape(line)}</p>" for line in page.guidance),
        },
    )


@require_http_methods(["GET", "POST"])
def report_submit(request, pk):
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    outline = selectors.report_outline(report)
    appendix = report_appendix(report)
    returned = selectors.open_return(report) if report.status == ReportStatus.RETURNED else None
    if request.method == "POST":
        try:
            submission = services.report_submit(report=report, actor=request.user)
        except services.ReportLocked as exc:
            messages.error(request, exc.reason)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The report has been submitted (submission no. %(number)s).") % {"number": submission.number},
            )
            return redirect("reports:report_detail", pk=report.pk)
    return render(
        request,
        "reports/report_submit.html",
        {
            "report": report,
            "outline": outline,
            "unexplained": appendix.unexplained_warnings(),
            # Said before the click, not after: the points of a return still to answer.
            "unanswered": [i for i in returned.items.all() if not i.is_answered] if returned else [],
            "labels": outline.labels,
            "lock_reason": services.lock_reason(report),
            "missing_details": report.missing_document_details,
            # Who reviews it: the union directly above (its parent), not the round's organiser.
            "reviewer": report.unit.parent if report.unit.parent_id else report.round.organising_unit,
        },
    )


@require_safe
def submission_detail(request, pk, number):
    report = access_report_by_id(request.user, pk)
    try:
        submission = report.submissions.select_related("submitted_by").get(number=number)
    except Submission.DoesNotExist:
        raise Http404 from None
    outline = selectors.report_outline(report)
    rows = [(row, submission.sections.get(row.node.key, "")) for row in outline.rows]
    return render(
        request,
        "reports/submission_detail.html",
        {"report": report, "submission": submission, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
def document_info(request, pk):
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    locked = services.lock_reason(report)
    if locked:
        # Submitted or approved: the details are shown as printed, and nothing posted is taken.
        if request.method == "POST":
            messages.error(request, locked)
        return render(request, "reports/document_info.html", {"report": report, "form": None, "locked": locked})
    form = DocumentInfoForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update_document_info(report=report, data=form.cleaned_data, actor=request.user)
        except services.ReportLocked as exc:
            messages.error(request, exc.reason)
            return redirect("reports:document_info", pk=report.pk)
        except ValidationError as exc:
            # The service checks the model's rules again; whatever it refuses is shown on the form.
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:report_detail", pk=report.pk)
    return render(request, "reports/document_info.html", {"report": report, "form": form})
