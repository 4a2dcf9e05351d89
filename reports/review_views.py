"""Pages of the review: the dashboard, reading a report, comments, return, approval, deadlines,
changes since the last submission, the history, and the notifications."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.paging import paginate
from indicators.figures import column_label, show

from . import review, selectors
from .access import (
    Action,
    access_comment_by_id,
    access_dashboard_round,
    access_extension_by_id,
    access_report_by_id,
    access_return_item_by_id,
    can,
    check_report_access,
)
from .diff import figure_changes, word_diff
from .forms import AnswerForm, CommentForm, ExtensionDecisionForm, ExtensionRequestForm, ReasonForm, ReturnForm
from .models import (
    AuditEntry,
    AuditKind,
    ExtensionStatus,
    MarkKind,
    Notification,
    ReportStatus,
    Visibility,
)
from .selectors import report_appendix
from .services import lock_reason


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


DASHBOARD_PAGE_SIZE = 50
NOTIFICATIONS_PAGE_SIZE = 50


@require_safe
def dashboard(request, round_code):
    round_ = access_dashboard_round(request.user, round_code)
    status, query, sort = (
        request.GET.get("status", ""),
        request.GET.get("q", "")[:100],
        request.GET.get("sort", "name"),
    )
    board = selectors.dashboard(request.user, round_, status=status, query=query, sort=sort)
    # A province has thousands of units: the page shows a slice, the counts all of them, and the Excel file
    # (made in the background: exports.views.dashboard_start) every one.
    page = Paginator(board.rows, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "reports/dashboard.html",
        {
            "round": round_,
            "board": board,
            "page": page,
            "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "status": status,
            "q": query,
            "sort": sort,
            "status_choices": ReportStatus.choices,
            "total": sum(board.counts.values()),
            "rounds": list(selectors.rounds_visible_to(request.user)),
        },
    )


@require_safe
def report_read(request, pk):
    report = access_report_by_id(request.user, pk)
    outline = selectors.report_outline(report)
    appendix = report_appendix(report)
    threads = selectors.comment_threads(request.user, report)
    by_anchor = {}
    for thread in threads:
        by_anchor.setdefault(thread.anchor, []).append(thread)
    reviewer = can(request.user, report, Action.REVIEW)
    drafter = can(request.user, report, Action.DRAFT)
    returned = selectors.open_return(report)
    last_return = returned or report.returns.prefetch_related("items").select_related("created_by").first()
    submissions = list(report.submissions.select_related("submitted_by").order_by("-number"))
    return render(
        request,
        "reports/report_read.html",
        {
            "report": report,
            "previous": report.round.previous_labels,
            "outline": outline,
            "appendix": appendix,
            "sections": [(row, by_anchor.get(f"section:{row.node.key}", [])) for row in outline.rows],
            "figure_threads": {
                row.indicator.code: by_anchor.get(f"indicator:{row.indicator.code}", []) for row in appendix.rows
            },
            "report_threads": by_anchor.get("report", []),
            "reviewer": reviewer,
            "drafter": drafter,
            "drafts_allowed": can(request.user, report, Action.EXPORT_DRAFTS),
            "last_return": last_return,
            "labels": outline.labels,
            "submissions": submissions,
            "extensions": list(report.extensions.select_related("requested_by", "decided_by")),
            "lock_reason": lock_reason(report),
            "visibility": Visibility,
            "predecessors": selectors.predecessor_reports(request.user, report),
            # Reviewers mark passages worth citing or needing attention, for the superior's own report.
            "marks": selectors.marked_passages(report, outline) if reviewer else {},
            "mark_kinds": MarkKind.choices,
        },
    )


def report_return(request, pk):
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    outline = selectors.report_outline(report)
    nodes = [row.node for row in outline.writable]
    headings = {row.node.key: row.label for row in outline.writable}
    form = ReturnForm(request.POST or None, nodes=nodes, headings=headings)
    if request.method == "POST" and form.is_valid():
        try:
            review.report_return(
                report=report,
                note=form.cleaned_data["note"],
                items=form.items(),
                due=form.cleaned_data["due"],
                actor=request.user,
            )
        except review.StaleAction as exc:
            messages.error(request, exc.message)
            return redirect("reports:report_read", pk=report.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The report was returned to the unit with your reasons."))
            return redirect("reports:report_read", pk=report.pk)
    return render(request, "reports/report_return.html", {"report": report, "form": form})


@require_POST
def report_approve(request, pk):
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    try:
        review.report_approve(report=report, actor=request.user)
    except review.StaleAction as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report has been approved."))
    return redirect("reports:report_read", pk=report.pk)


def report_unapprove(request, pk):
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.report_unapprove(report=report, reason=form.cleaned_data["reason"], actor=request.user)
        except review.StaleAction as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            # A reason of control characters alone passes the form but is blank once cleaned.
            form.add_error("reason", exc.messages)
            return render(request, "reports/report_unapprove.html", {"report": report, "form": form})
        else:
            messages.success(request, _("The approval was withdrawn."))
        return redirect("reports:report_read", pk=report.pk)
    return render(request, "reports/report_unapprove.html", {"report": report, "form": form})


@require_POST
def comment_post(request, pk):
    report = access_report_by_id(request.user, pk)
    form = CommentForm(request.POST)
    default = reverse("reports:report_read", args=[report.pk])
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, default)
    parent = None
    if form.cleaned_data["parent"]:
        parent = access_comment_by_id(request.user, report, form.cleaned_data["parent"])
    try:
        review.comment_add(
            report=report,
            anchor=form.cleaned_data["anchor"],
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"] or Visibility.UNIT,
            parent=parent,
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Comment saved."))
    return _back(request, default)


@require_POST
def comment_resolve(request, pk, comment_pk):
    report = access_report_by_id(request.user, pk)
    comment = access_comment_by_id(request.user, report, comment_pk)
    review.comment_resolve(comment=comment, resolved=request.POST.get("resolved") == "1", actor=request.user)
    return _back(request, reverse("reports:report_read", args=[report.pk]))


@require_POST
def return_answer(request, pk, item_pk):
    report = access_report_by_id(request.user, pk)
    item = access_return_item_by_id(report, item_pk)
    check_report_access(request.user, report, Action.DRAFT)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            review.return_item_answer(
                item=item,
                answer=form.cleaned_data["answer"],
                done=form.cleaned_data["done"],
                actor=request.user,
            )
        except review.StaleAction as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            # An answer of control characters alone passes the form but is blank once cleaned.
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Answer saved."))
    return _back(request, reverse("reports:report_detail", args=[report.pk]))


def extension_request(request, pk):
    report = access_report_by_id(request.user, pk, Action.DRAFT)
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.extension_request(report=report, reason=form.cleaned_data["reason"], actor=request.user)
        except review.StaleAction as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        else:
            messages.success(request, _("Your request for more time was sent to the superior union."))
            return redirect("reports:report_detail", pk=report.pk)
    pending = report.extensions.filter(status=ExtensionStatus.PENDING).first()
    return render(request, "reports/extension_request.html", {"report": report, "form": form, "pending": pending})


@require_POST
def extension_decide(request, pk):
    report = access_report_by_id(request.user, pk, Action.REVIEW)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("reports:report_read", pk=report.pk)
    extension = access_extension_by_id(report, form.cleaned_data["request"])
    try:
        review.extension_decide(
            request=extension,
            grant=form.cleaned_data["decision"] == "grant",
            until=form.cleaned_data["until"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except review.StaleAction as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer was sent to the unit."))
    return redirect("reports:report_read", pk=report.pk)


@require_safe
def report_diff(request, pk):
    report = access_report_by_id(request.user, pk)
    submissions = list(report.submissions.order_by("-number")[:2])
    outline = selectors.report_outline(report)
    if not submissions:
        raise Http404
    new = submissions[0]
    old = submissions[1] if len(submissions) > 1 else None
    if old is None:
        return render(request, "reports/report_diff.html", {"report": report, "new": new, "old": None})
    sections = []
    for row in outline.writable:
        diff = word_diff(old.sections.get(row.node.key, ""), new.sections.get(row.node.key, ""))
        sections.append((row, diff))
    indicators = {r.indicator.code: r.indicator for r in report_appendix(report).rows}

    def shown(code, text):
        indicator = indicators.get(code)
        return show(Decimal(text), indicator.decimals if indicator else 0) if text else ""

    figures = [
        (
            indicators[code].name if code in indicators else code,
            column_label(column, previous_whole_term=report.round.period.previous_whole_term),
            shown(code, before),
            shown(code, after),
        )
        for code, column, before, after in figure_changes(old.figures, new.figures)
    ]
    return render(
        request,
        "reports/report_diff.html",
        {"report": report, "new": new, "old": old, "sections": sections, "figures": figures},
    )


@require_safe
def report_history(request, pk):
    report = access_report_by_id(request.user, pk)
    entries = AuditEntry.objects.filter(report=report).select_related("actor")
    if not can(request.user, report, Action.REVIEW):
        entries = entries.filter(visibility=Visibility.UNIT)
    outline = selectors.report_outline(report)
    labels = selectors.history_labels(outline, report_appendix(report))
    entries = list(entries[:500])
    for entry in entries:
        entry.label = labels(entry.target)
        entry.what = _history_what(entry)
        if entry.kind == "section":
            entry.diff = word_diff(entry.old, entry.new)
    return render(request, "reports/report_history.html", {"report": report, "entries": entries})


def _history_what(entry) -> str:
    """What a history row is about: "Trạng thái" once (not "Trạng thái: Trạng thái"), a document field
    under "Thông tin văn bản", an answer to a return under the section it is about."""
    if entry.kind == AuditKind.STATUS:
        return entry.label if entry.target == "status" else f"{_('Document details')}: {entry.label}"
    if entry.target.startswith("return:"):
        return f"{_('Answer to a return')}: {entry.label}"
    return f"{entry.get_kind_display()}: {entry.label}"


@require_safe
def notification_list(request):
    # A province's reviewer is told of every submission below: newest first, a page at a time, read in
    # that order from the index on (user, created_at).
    notifications = Notification.objects.filter(user=request.user).select_related("report__unit")
    paged = paginate(request, notifications.order_by("-created_at", "-pk"), NOTIFICATIONS_PAGE_SIZE)
    return render(request, "reports/notification_list.html", {"notifications": paged})


@require_POST
def notification_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("reports:notification_list")
