"""What a page may reach: this report (round, comment, point of a return, request for more time) for
this user and this action, or the answer the site gives when it may not.

Every view fetches what its URL names through here (Zulip's ``access_stream_by_id``), never with a
bare ``objects.get``. The rule is one for all pages:
- what the user may not read does not exist for them: 404 (``Http404``), so a URL does not tell
  whether a report of another unit is there;
- what they may read but not do (draft, review, export) is refused: 403 (``PermissionDenied``).

The rules themselves (who drafts, who reviews, who exports) stay the functions the services check too
(``selectors.can_edit``, ``models.can_review``, ``selectors.can_export_*``); this module only turns
them into a page's answer.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from units.models import Unit
from units.selectors import user_access

from . import selectors
from .models import Comment, ExtensionRequest, PassageMark, Report, ReturnItem, Round, can_review


class Action(StrEnum):
    """What the user means to do with a report."""

    READ = "read"  # read it: a drafter of its unit, a reviewer or administrator above it
    DRAFT = "draft"  # write it: a drafter of its unit, whatever its status (the services check that)
    REVIEW = "review"  # return, approve, answer a request for more time: a reviewer or administrator above
    EXPORT = "export"  # a consolidated file of the units below it: its drafters, reviewers at or above it
    EXPORT_DRAFTS = "export_drafts"  # the same with reports not yet submitted: reviewers at or above only


def can(user, report: Report, action: Action) -> bool:
    """Whether ``user`` may do ``action`` with ``report``, which they may read (fetched through here)."""
    match action:
        case Action.READ:
            return True
        case Action.DRAFT:
            return selectors.can_edit(user, report)
        case Action.REVIEW:
            return can_review(user, report)
        case Action.EXPORT:
            return selectors.can_export_consolidated(user, report)
        case Action.EXPORT_DRAFTS:
            return selectors.can_export_drafts(user, report)
    raise ValueError(action)


def check_report_access(user, report: Report, action: Action) -> None:
    """PermissionDenied (403) unless ``user`` may do ``action`` with ``report``: for a page that answers
    something else first (a bad form, a missing part of the report) or refuses only a POST."""
    if not can(user, report, action):
        raise PermissionDenied


def access_report_by_id(user, pk, action: Action = Action.READ, *, fetch=selectors.report_for_user) -> Report:
    """The report ``pk`` for ``user`` to do ``action`` with: 404 if they may not read it, 403 if they may
    read it but not do that. ``fetch(user, pk)`` reads it among the reports the user may read (the report
    page's own selector adds what it shows)."""
    try:
        report = fetch(user, pk)
    except Report.DoesNotExist:
        raise Http404 from None
    check_report_access(user, report, action)
    return report


def access_comment_by_id(user, report: Report, pk) -> Comment:
    """A comment of ``report`` the user may read (drafters never reach internal notes), or 404."""
    comment = Comment.objects.visible_to(user, report).filter(pk=pk).first()
    if comment is None:
        raise Http404
    return comment


def access_return_item_by_id(report: Report, pk) -> ReturnItem:
    """A point of one of ``report``'s returns, or 404."""
    item = ReturnItem.objects.filter(request__report=report, pk=pk).select_related("request__report").first()
    if item is None:
        raise Http404
    return item


def access_extension_by_id(report: Report, pk) -> ExtensionRequest:
    """A request for more time on ``report``, or 404."""
    extension = ExtensionRequest.objects.filter(report=report, pk=pk).first()
    if extension is None:
        raise Http404
    return extension


def access_mark_by_id(report: Report, pk) -> PassageMark:
    """A reviewer's mark on ``report``, or 404."""
    mark = PassageMark.objects.filter(report=report, pk=pk).select_related("report__unit").first()
    if mark is None:
        raise Http404
    return mark


# --- Rounds and the units overseen: the dashboard, the roll-ups, setting rounds up ---


def check_oversees(user) -> None:
    """403 unless the user reviews or administers some unit (or is a superuser): the dashboard's and the
    roll-ups' pages."""
    access = user_access(user)
    if not (access.overseen_units or access.is_superuser):
        raise PermissionDenied


def check_manages_rounds(user) -> None:
    """403 unless the user sets up rounds (``selectors.can_manage_rounds``)."""
    if not selectors.can_manage_rounds(user):
        raise PermissionDenied


def access_dashboard_round(user, code) -> Round:
    """The round of a dashboard: 403 for who oversees no unit, 404 for no such round (the dashboard
    lists only the reports the user may read, whatever the round)."""
    check_oversees(user)
    try:
        return Round.objects.get(code=code)
    except Round.DoesNotExist:
        raise Http404 from None


def access_managed_round(user, code) -> Round:
    """A round the user may change and open: 403 for who sets up no round, 404 for a round organised
    outside the units they administer."""
    check_manages_rounds(user)
    try:
        return selectors.rounds_managed_by(user).get(code=code)
    except Round.DoesNotExist:
        raise Http404 from None


def access_rollup(user, round_code, unit_code) -> tuple[Round, Unit]:
    """The round and the unit of a roll-up: the unit must be one the user oversees or below it (a
    superuser: any), else 404; then the round, else 404."""
    access = user_access(user)
    # With its parent: the page's blanks name it (``selectors.rollup_fill``).
    units = Unit.objects.select_related("parent")
    if not access.is_superuser:
        units = units.subtrees_of(access.overseen_units)
    try:
        unit = units.get(code=unit_code)
    except Unit.DoesNotExist:
        raise Http404 from None
    try:
        round_ = Round.objects.select_related("outline_version").get(code=round_code)
    except Round.DoesNotExist:
        raise Http404 from None
    return round_, unit
