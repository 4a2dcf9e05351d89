"""What the review reads: the open return, the comments and where they go, the history's words."""

from django.utils.translation import gettext as _

from indicators.figures import column_label
from indicators.models import Indicator
from outline.models import OutlineNode

from ..models import (
    Comment,
    Report,
    ReturnRequest,
)


def open_return(report):
    """The return for revision the unit is working on, with its items, or None."""

    return (
        ReturnRequest.objects.filter(report=report, closed_at__isnull=True)
        .prefetch_related("items")
        .select_related("created_by")
        .first()
    )


def comment_anchors(report) -> set[str]:
    """Where the reading page shows comments: the whole report, each writable section, each indicator."""

    keys = OutlineNode.objects.filter(version_id=report.round.outline_version_id, is_writable=True)
    codes = Indicator.objects.in_catalogue(report.round.outline_version_id, grassroots=report.unit.is_grassroots)
    return {
        "report",
        *(f"section:{key}" for key in keys.values_list("key", flat=True)),
        *(f"indicator:{code}" for code in codes.values_list("code", flat=True)),
    }


def comment_threads(user, report, anchor=None):
    """Threads (first comment with its replies) the user may read, oldest first. Two queries."""

    qs = Comment.objects.visible_to(user, report).select_related("author", "resolved_by")
    if anchor is not None:
        qs = qs.filter(anchor=anchor)
    comments = list(qs)
    roots = [c for c in comments if c.parent_id is None]
    replies = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    for root in roots:
        root.thread_replies = replies.get(root.pk, [])
    return roots


def history_labels(outline, appendix):
    """Words for the targets the history records: a section's heading, an indicator's name and
    column, a document field's label, instead of the stored keys."""

    # With the section's numeral ("II.1. …"): items of two sections are both numbered "1.".
    headings = {key: node.heading for key, node in outline.nodes_by_key.items()} | outline.labels
    names = {row.indicator.code: row.indicator.name for row in appendix.rows}
    fields = {f.name: str(f.verbose_name).capitalize() for f in Report._meta.get_fields() if hasattr(f, "verbose_name")}
    fields.update({"status": _("Status"), "deadline": _("Deadline"), "report": _("the whole report")})

    whole = appendix.rows[0].period.previous_whole_term if appendix.rows else False

    def label(target: str) -> str:
        kind, _sep, rest = target.partition(":")
        if target in headings:
            return headings[target]
        if kind in ("section", "return") and rest in headings:
            return headings[rest]
        if kind == "indicator" and rest in names:
            return names[rest]
        if kind in names:
            return f"{names[kind]} ({column_label(rest, previous_whole_term=whole)})" if rest else names[kind]
        return fields.get(target, target)

    return label
