"""Find the outline's headings among a draft's blocks and cut the draft into chunks.

A heading is recognised by its words, however it was written: Word's automatic numbering (the number
is not in the text) or a typed one ("I.", "1.", "1.1", "a)"), other case, extra spaces, no diacritics,
a shortened or slightly reworded heading. The words are compared accent- and case-free with
rapidfuzz; a typed number that agrees with the outline's adds to the score, one that disagrees takes
from it, and so does going back up the outline or skipping sections. A block styled as a heading, bold
throughout, numbered or a list item needs less likeness than a plain paragraph, which must say the
whole heading (body text often uses a heading's words). Pairs whose lengths alone rule out a match
are never compared, so a long file costs about a second."""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from core.text import fold

from .reading import Block

HEADING_KINDS = ("title", "summary", "part", "part_heading", "section", "item")
OWN_TEXT_KINDS = ("guidance", "note", "closing")
# Scores out of 100.
HEADING_LIKE_THRESHOLD = 70
PLAIN_THRESHOLD = 90
OWN_TEXT_THRESHOLD = 92
SURE = 90
LIKELY = 78
# Longer than this, a paragraph is body text, whatever it starts with.
HEADING_MAX_CHARS = 300

_BLANKS = re.compile(r"…+|\.{3,}")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_LABEL = re.compile(
    r"^\s*(?:(?P<part>phần\s+thứ\s+\S+)\s*[:.\-–]?|(?P<roman>[IVXLC]+)\s*[.)]|(?P<digits>\d+(?:\.\d+)*)\s*[.)]?"
    r"|(?P<letter>[a-zđ])\s*[.)])\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Entry:
    """One line of the outline, as plain data: its key, kind, number, worded text, position."""

    key: str
    kind: str
    number: str
    text: str
    writable: bool
    position: int
    parent: str = ""  # the key of the line above it (an item's section or part)
    alt: str = ""  # the text with the report's blanks filled in ("Đại hội CĐCS Công ty May Á")


@dataclass
class Chunk:
    """A run of the draft's blocks under one heading: suggested for a section (``key``) or unplaced."""

    id: int
    heading: str  # the file's heading ("" for text before the first one)
    key: str  # the suggested section, "" when unplaced
    score: int  # how sure the heading's match is (0 when unplaced)
    reason: str  # "matched", "before_first", "no_box", "unknown_heading", "outline_text"
    blocks: list[Block] = field(default_factory=list)
    matched_key: str = ""  # the outline line the heading matched (a part, a section with items…)

    @property
    def words(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)

    @property
    def confidence(self) -> str:
        if not self.key:
            return ""
        return "sure" if self.score >= SURE else "likely" if self.score >= LIKELY else "unsure"


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-free words, blanks ("……") removed."""
    text = _BLANKS.sub(" ", text or "")
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def split_label(text: str) -> tuple[str, str, str]:
    """(label style, number, rest): ("roman", "II", "KẾT QUẢ…"), ("digits", "1.2", …), ("", "", text)."""
    match = _LABEL.match(text or "")
    if not match:
        return "", "", text or ""
    for style in ("part", "roman", "digits", "letter"):
        if match.group(style):
            value = match.group(style)
            # "I." is a Roman one, "i)" or "c)" a letter; "c." alone stays a letter too.
            if style == "roman" and (value.islower() or (len(value) == 1 and text.lstrip()[1:2] == ")")):
                style = "letter"
            return style, value.upper() if style == "roman" else value, text[match.end() :]
    return "", "", text


def likeness(found: str, wanted: str, cutoff: float = 0, *, whole_only: bool = False) -> float:
    """How alike two normalised headings are, 0–100: the whole, or a shortened form of it (not with
    ``whole_only``: the same words, in any order). Below ``cutoff`` the answer is only "below": pairs
    whose lengths alone rule it out cost nothing (a body paragraph against every heading)."""
    if not found or not wanted:
        return 0.0
    if whole_only:
        return max(
            fuzz.ratio(found, wanted, score_cutoff=cutoff), fuzz.token_sort_ratio(found, wanted, score_cutoff=cutoff)
        )
    shorter, longer = sorted((len(found), len(wanted)))
    coverage = shorter / longer
    whole_bound = 200 * shorter / (shorter + longer)  # fuzz.ratio's best for these lengths
    if len(found) <= len(wanted):
        # A shortened or reworded heading: its words within the outline's, losing up to a quarter of
        # the score when it keeps less than half of them.
        weight = 0.75 + 0.25 * min(1.0, coverage / 0.5)
    else:
        weight = 0.6 + 0.4 * coverage
    if max(whole_bound, 100 * weight) < cutoff:
        return 0.0
    whole = fuzz.ratio(found, wanted)
    if len(found) <= len(wanted):
        part = max(fuzz.token_set_ratio(found, wanted), fuzz.partial_ratio(found, wanted)) * weight
    else:
        part = fuzz.token_set_ratio(found, wanted) * weight
    return max(whole, part)


def _number_fits(style: str, number: str, entry: Entry) -> int:
    if not style or not entry.number:
        return 0
    if style == "roman" and entry.kind == "section":
        return 8 if number == entry.number else -8
    if style == "digits" and entry.kind == "item":
        return 8 if number.split(".")[-1] == entry.number else -8
    return 0


def _rank(style: str, number: str) -> str:
    """A typed label's rank: "II." and "III." are one rank, "2." and "3." another, "2.1" a third."""
    return f"{style}{number.count('.')}" if style == "digits" else style


def _heading_like(block: Block, style: str) -> bool:
    if len(block.text) > HEADING_MAX_CHARS:
        return False
    if block.kind == "item":
        # Word's numbered list paragraphs are how many files number their headings; a bulleted
        # point, Word's or typed ("-", "+", "·"), is body text.
        return block.list_type == "ol" and not block.bullet
    if block.kind == "heading" or block.bold or style:
        return True
    letters = [c for c in block.text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def match_draft(blocks: list[Block], entries: list[Entry]) -> list[Chunk]:
    """Cut ``blocks`` into chunks, each under a heading of the outline (its key when it has a box,
    with how sure the match is) or unplaced, with the reason. Every block is either the heading of a
    chunk (the outline's heading found) or in exactly one chunk's blocks: nothing is dropped."""
    headings = [(e, normalise(e.text), normalise(e.alt)) for e in entries if e.kind in HEADING_KINDS]
    writable = sorted(e.position for e in entries if e.writable)
    own_texts = [(e, normalise(e.text)) for e in entries if e.kind in OWN_TEXT_KINDS]
    chunks: list[Chunk] = [Chunk(id=0, heading="", key="", score=0, reason="before_first")]
    last: Entry | None = None
    last_style = ""
    last_level = 0
    matched: set[str] = set()

    def start(heading, key, score, reason, matched_key=""):
        chunks.append(
            Chunk(id=len(chunks), heading=heading, key=key, score=score, reason=reason, matched_key=matched_key)
        )

    for block in blocks:
        style, number, rest = split_label(block.text)
        found = normalise(rest)
        # The outline numbers its lines with Roman numerals and digits: a lettered point ("a)") is one
        # of the file's own sub-headings unless its words are the outline's nearly to the letter.
        if block.kind != "table" and _heading_like(block, style) and style != "letter":
            threshold = HEADING_LIKE_THRESHOLD
        else:
            threshold = PLAIN_THRESHOLD
        best, best_score = None, 0.0
        bulleted = block.kind == "item" and (block.bullet or block.list_type == "ul")
        if block.kind != "table" and not bulleted and found and len(block.text) <= HEADING_MAX_CHARS * 2:
            for entry, wanted, filled in headings:
                bonus = _number_fits(style, number, entry)
                cutoff = threshold - bonus  # below it, no penalty or bonus could make it a match
                # A plain paragraph is a heading only if it says all of it: body text often uses a
                # heading's words ("đoàn viên, người lao động được chăm lo…").
                whole_only = threshold == PLAIN_THRESHOLD
                score = bonus + max(
                    likeness(found, wanted, cutoff, whole_only=whole_only),
                    likeness(found, filled, cutoff, whole_only=whole_only),
                )
                if last is not None and entry.position < last.position:
                    score -= 12
                elif last is not None:
                    # Skipping sections happens, but a heading usually follows the one before.
                    skipped = bisect_left(writable, entry.position) - bisect_right(writable, last.position)
                    score -= min(10, 2 * max(0, skipped))
                if entry.key in matched:
                    score -= 5
                if score > best_score:
                    best, best_score = entry, score
        if best is not None and best_score >= threshold:
            score = int(min(100, best_score))
            if best.kind == "part_heading" and style == "digits":
                # "1. Nhiệm vụ chủ yếu…": a part's heading typed as its numbered item, which has the box.
                item = next(
                    (e for e in entries if e.parent == best.parent and e.kind == "item" and e.number == number),
                    None,
                )
                if item is not None and item.writable:
                    best, score = item, score - 5
            matched.add(best.key)
            last, last_style, last_level = best, _rank(style, number), block.level
            if best.writable:
                start(block.text, best.key, score, "matched", best.key)
            else:
                start(block.text, "", score, "no_box", best.key)
            continue
        # The outline's own guidance or notes, left in a filled-in copy of the outline file.
        if (
            block.kind in ("para", "item")
            and found
            and any(
                # Left as the outline wrote it: the whole line, nearly to the letter.
                0.8 * len(wanted) <= len(found) <= 1.25 * len(wanted)
                and fuzz.ratio(found, wanted, score_cutoff=OWN_TEXT_THRESHOLD)
                for _e, wanted in own_texts
            )
        ):
            if chunks[-1].reason != "outline_text":
                start("", "", 0, "outline_text", chunks[-1].matched_key or chunks[-1].key)
            chunks[-1].blocks.append(block)
            continue
        if chunks[-1].reason == "outline_text":
            # Back to the officer's text: it belongs where the chunk before the guidance did.
            before = next(c for c in reversed(chunks) if c.reason != "outline_text")
            start(before.heading, before.key, before.score, before.reason, before.matched_key)
        # A heading the outline does not have, at the rank of the last one found: a section of its own.
        if (
            last is not None
            and _heading_like(block, style)
            and (
                (block.kind == "heading" and last_level and block.level <= last_level)
                or (style and _rank(style, number) == last_style and style != "letter")
            )
        ):
            start(block.text, "", 0, "unknown_heading")
            chunks[-1].blocks.append(block)
            continue
        chunks[-1].blocks.append(block)
    # Keep a heading's place even with nothing under it: the mapping says so.
    result = [c for c in chunks if c.blocks or c.key or c.matched_key]
    for index, chunk in enumerate(result):
        chunk.id = index
    return result
