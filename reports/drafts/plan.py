"""The officer's decisions on a draft's chunks, put together into one text per section.

A chunk travels between the preview and the confirmation as plain data (``plain_chunks``: kept in the
session, printed by the command); ``compose_sections`` turns the decisions into the texts to save."""

from dataclasses import dataclass
from html import escape

from core.richtext import sanitize_html

from .matching import Chunk
from .reading import Block

REPLACE, APPEND, KEEP = "replace", "append", "keep"
MODES = (REPLACE, APPEND, KEEP)
DISCARD = "-"


@dataclass(frozen=True)
class Decision:
    """Where each chunk goes (chunk id → section key, or DISCARD; a chunk not named goes where it
    was matched) and what each section does with what comes (key → REPLACE, APPEND or KEEP)."""

    targets: dict[int, str]
    modes: dict[str, str]


def blocks_html(blocks: list[Block]) -> str:
    """Blocks back into the editor's HTML: list items into lists (a "+" nested under its "-"),
    headings that are not the outline's as bold paragraphs."""
    out: list[str] = []
    open_lists: list[str] = []  # the tags of the lists open, outermost first

    def close_to(depth):
        while len(open_lists) > depth:
            out.append(f"</li></{open_lists.pop()}>")

    for block in blocks:
        if block.kind != "item":
            close_to(0)
            if block.kind == "table":
                out.append(block.html)
            elif block.kind == "heading" and "<strong>" not in block.html:
                out.append(f"<p><strong>{block.html}</strong></p>")
            else:
                out.append(f"<p>{block.html}</p>")
            continue
        depth = min(block.depth, len(open_lists))
        close_to(depth + 1)
        if len(open_lists) == depth + 1 and open_lists[depth] != block.list_type:
            close_to(depth)
        if len(open_lists) == depth + 1:
            out.append(f"</li><li>{block.html}")
        else:
            open_lists.append(block.list_type)
            out.append(f"<{block.list_type}><li>{block.html}")
    close_to(0)
    return "".join(out)


def plain_chunks(chunks: list[Chunk]) -> list[dict]:
    """The chunks as plain data, their HTML cleaned to the site's allow-list (safe to show as is)."""
    result = []
    for chunk in chunks:
        html = sanitize_html(blocks_html(chunk.blocks)) if chunk.blocks else ""
        # A heading the outline has but gives no box (a part, a section with items): if its text is
        # placed by hand, the heading goes with it.
        lead = f"<p><strong>{escape(chunk.heading, quote=False)}</strong></p>" if chunk.reason == "no_box" else ""
        result.append(
            {
                "id": chunk.id,
                "heading": chunk.heading,
                "key": chunk.key,
                "matched_key": chunk.matched_key,
                "score": chunk.score,
                "confidence": chunk.confidence,
                "reason": chunk.reason,
                "words": chunk.words,
                "html": html,
                "lead": lead,
            }
        )
    return result


def undecided(chunks: list[dict], decision: Decision) -> list[dict]:
    """Unplaced chunks with text that the officer has neither placed nor discarded."""
    return [c for c in chunks if not c["key"] and c["html"] and not decision.targets.get(c["id"])]


def compose_sections(chunks: list[dict], decision: Decision, current: dict[str, str]) -> dict[str, str]:
    """Section key → its new text: the chunks sent there, in the file's order, replacing what the
    section holds (``current``) or after it; sections KEPT, or sent nothing, are left out."""
    gathered: dict[str, list[str]] = {}
    for chunk in chunks:
        target = decision.targets.get(chunk["id"]) or chunk["key"]
        if not target or target == DISCARD or not chunk["html"]:
            continue
        lead = chunk["lead"] if target != chunk["key"] else ""
        gathered.setdefault(target, []).append(lead + chunk["html"])
    texts = {}
    for key, parts in gathered.items():
        mode = decision.modes.get(key, REPLACE)
        if mode == KEEP:
            continue
        html = "".join(parts)
        texts[key] = (current.get(key, "") + html) if mode == APPEND else html
    return texts
