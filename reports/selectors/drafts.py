"""What the draft import reads: the report's outline as plain entries to match a Word file against,
and the sections as they stand (text and version) when the preview is made."""

from ..drafts import Entry, match_draft, plain_chunks, read_draft
from ..models import Report, SectionText
from .sections import worded_nodes


def draft_entries(report: Report) -> list[Entry]:
    """The report's outline lines, worded for its unit, as plain entries in order. One query."""
    nodes = worded_nodes(report)
    keys = {n.pk: n.key for n in nodes}
    fill = report.blank_fill
    return [
        Entry(
            key=n.key,
            kind=n.kind,
            number=n.number,
            text=n.text,
            writable=n.is_writable,
            position=n.position,
            parent=keys.get(n.parent_id, ""),
            alt=n.text_filled(fill),
        )
        for n in nodes
    ]


def section_states(report: Report) -> dict[str, dict]:
    """Section key → {"content", "version", "is_done"} of what the report holds now. One query."""
    return {
        s.node.key: {"content": s.content, "version": s.version, "is_done": s.is_done}
        for s in SectionText.objects.filter(report=report)
        .select_related("node")
        .only("content", "version", "is_done", "node__key")
    }


def draft_preview(report: Report, name: str, data: bytes) -> dict:
    """A Word file read and matched against the report's outline, as plain data (kept in the session
    by the page, printed by the command): its chunks, what it had that the editor cannot hold, and
    the sections as they stand now (the versions a confirmation must still find). Raises DraftRefused."""
    draft = read_draft(name, data)
    chunks = match_draft(draft.blocks, draft_entries(report))
    return {
        "name": name,
        "chunks": plain_chunks(chunks),
        "unsupported": draft.unsupported_words(),
        "sections": section_states(report),
    }
