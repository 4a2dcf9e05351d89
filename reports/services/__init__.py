"""Writes on rounds, reports and section texts. Each takes the acting user and runs atomically.

By entity: rounds.py (a round's fields, opening it), reports.py (a report as a whole: why it is
locked, its status, submitting it, what its Word file prints), sections.py (section texts, the save
and the autosave), appendix.py (figures and notes), drafts.py (a Word draft's sections
written in one go), marks.py (reviewers' marks on passages). The review's writes are in reports/review.py,
the reorganisation's in reports/reorganisation.py. Callers import from ``reports.services``.
"""

from .appendix import NOTE_MAX_CHARS, AppendixConflict, AppendixSaveResult, appendix_fill_from_rollup, appendix_save
from .drafts import DraftConflict, draft_import
from .jobs import round_open_start, round_rebuild_totals_start, units_import_start
from .marks import passage_mark, passage_unmark
from .proposals import proposal_wording_save, proposals_group_later, proposals_insert
from .reports import (
    DOCUMENT_FIELDS,
    ReportLocked,
    lock_reason,
    lock_report,
    mark_drafting,
    missing_sections,
    record_status,
    report_submit,
    report_update_document_info,
)
from .rounds import (
    ROUND_FIELDS,
    ROUND_LOCKED_WHEN_OPEN,
    round_change_errors,
    round_open,
    round_save,
)
from .sections import SectionConflict, section_autosave, section_save

__all__ = [
    "DOCUMENT_FIELDS",
    "NOTE_MAX_CHARS",
    "ROUND_FIELDS",
    "ROUND_LOCKED_WHEN_OPEN",
    "AppendixConflict",
    "AppendixSaveResult",
    "DraftConflict",
    "ReportLocked",
    "SectionConflict",
    "appendix_fill_from_rollup",
    "appendix_save",
    "draft_import",
    "lock_reason",
    "lock_report",
    "mark_drafting",
    "missing_sections",
    "passage_mark",
    "passage_unmark",
    "proposal_wording_save",
    "proposals_group_later",
    "proposals_insert",
    "record_status",
    "report_submit",
    "report_update_document_info",
    "round_change_errors",
    "round_open",
    "round_open_start",
    "round_rebuild_totals_start",
    "round_save",
    "section_autosave",
    "section_save",
    "units_import_start",
]
