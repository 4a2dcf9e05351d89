"""Reads for the drafting pages. Each declares its joins so the query count is fixed.

By topic: reports.py (the reports a user reads; who writes, reviews and exports them), sections.py
(the outline and section texts), review.py (returns, comments, the history's words), dashboard.py,
appendix.py (a report's figures), rollup.py (the grassroots unions' figures added up), rounds.py
(who sets rounds up and sees them, what opening one will do), drafts.py (what a Word draft is
matched against), synthesis.py (the superior's synthesis panel: its units' texts and counts).
Callers import from ``reports.selectors``.
"""

from .appendix import ReportAppendix, StoredAppendix, report_appendix, rows_for_node
from .dashboard import Dashboard, DashboardRow, DashboardRows, dashboard
from .drafts import draft_entries, draft_preview, section_states
from .proposals import ProposalGroup, Proposals, unit_proposals
from .reports import (
    can_edit,
    can_export_consolidated,
    can_export_drafts,
    drafters_of,
    predecessor_reports,
    report_for_user,
    report_page_report,
    reports_for_user,
    reviewers_of,
)
from .review import comment_anchors, comment_threads, history_labels, open_return
from .rollup import DEFAULT_ROLLUP_STATUSES, Rollup, RollupStamp, rolls_up, rollup, rollup_fill, rollup_stamp
from .rounds import (
    OpenPreview,
    can_manage_rounds,
    pick_round,
    round_list,
    round_open_preview,
    rounds_managed_by,
    rounds_visible_to,
    units_for_rounds,
)
from .sections import OutlineRow, ReportOutline, SectionPage, report_outline, section_page, worded_nodes
from .synthesis import (
    SYNTHESIS_PAGE_SIZE,
    SYNTHESIS_STATUSES,
    SynthesisCounts,
    SynthesisFilter,
    UnitText,
    attribution,
    counted_reports,
    marked_passages,
    synthesis_channels,
    synthesis_counts,
    synthesis_page,
    synthesis_texts,
)

__all__ = [
    "DEFAULT_ROLLUP_STATUSES",
    "SYNTHESIS_PAGE_SIZE",
    "SYNTHESIS_STATUSES",
    "Dashboard",
    "DashboardRow",
    "DashboardRows",
    "OpenPreview",
    "OutlineRow",
    "ProposalGroup",
    "Proposals",
    "ReportAppendix",
    "ReportOutline",
    "Rollup",
    "RollupStamp",
    "SectionPage",
    "StoredAppendix",
    "SynthesisCounts",
    "SynthesisFilter",
    "UnitText",
    "attribution",
    "can_edit",
    "can_export_consolidated",
    "can_export_drafts",
    "can_manage_rounds",
    "comment_anchors",
    "comment_threads",
    "counted_reports",
    "dashboard",
    "draft_entries",
    "draft_preview",
    "drafters_of",
    "history_labels",
    "marked_passages",
    "open_return",
    "pick_round",
    "predecessor_reports",
    "report_appendix",
    "report_for_user",
    "report_outline",
    "report_page_report",
    "reports_for_user",
    "reviewers_of",
    "rolls_up",
    "rollup",
    "rollup_fill",
    "rollup_stamp",
    "round_list",
    "round_open_preview",
    "rounds_managed_by",
    "rounds_visible_to",
    "rows_for_node",
    "section_page",
    "section_states",
    "synthesis_channels",
    "synthesis_counts",
    "synthesis_page",
    "synthesis_texts",
    "unit_proposals",
    "unit_texts",
    "units_for_rounds",
    "worded_nodes",
]
