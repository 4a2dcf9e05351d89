"""Rounds, reports and everything written or typed in them: section texts, the appendix's figures,
submissions, review (comments, returns, extensions), the audit trail and notifications.

By subject: rounds.py, reports.py (a report, its status and submissions; ``counted_condition``),
sections.py, proposals.py (the superior's wording of its units' proposals), review.py, marks.py (reviewers'
marks on passages), appendix.py, audit.py, notifications.py, rollup.py (the stored totals).
Django finds every model here, in the ``reports`` app; callers import from ``reports.models``.
"""

from .appendix import Appendix, IndicatorNote, IndicatorValue
from .audit import AuditEntry, AuditKind
from .marks import MarkKind, PassageMark
from .notifications import Notification
from .proposals import WORDING_MAX_CHARS, ProposalWording
from .reports import (
    EDITABLE_STATUSES,
    RECIPIENTS_MAX_CHARS,
    Report,
    ReportQuerySet,
    ReportStatus,
    SigningAuthority,
    Submission,
    counted_condition,
)
from .review import (
    Comment,
    CommentQuerySet,
    ExtensionRequest,
    ExtensionStatus,
    ReturnItem,
    ReturnRequest,
    Visibility,
    can_review,
)
from .rollup import RollupMembers, RollupTotal
from .rounds import TERM_YEARS_MAX, EventWording, PreviousTerm, Round
from .sections import SectionState, SectionText

__all__ = [
    "EDITABLE_STATUSES",
    "RECIPIENTS_MAX_CHARS",
    "TERM_YEARS_MAX",
    "WORDING_MAX_CHARS",
    "Appendix",
    "AuditEntry",
    "AuditKind",
    "Comment",
    "CommentQuerySet",
    "EventWording",
    "ExtensionRequest",
    "ExtensionStatus",
    "IndicatorNote",
    "IndicatorValue",
    "MarkKind",
    "Notification",
    "PassageMark",
    "PreviousTerm",
    "ProposalWording",
    "Report",
    "ReportQuerySet",
    "ReportStatus",
    "ReturnItem",
    "ReturnRequest",
    "RollupMembers",
    "RollupTotal",
    "Round",
    "SectionState",
    "SectionText",
    "SigningAuthority",
    "Submission",
    "Visibility",
    "can_review",
    "counted_condition",
]
