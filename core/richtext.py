"""The one allow-list for section texts: what the editor can produce, what is stored, what the
Word builder understands. The editor's extensions are the source; nh3 enforces them server-side."""

import html
import re
import unicodedata
from functools import cache

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions

from .text import format_number, strip_controls

# What the section editor offers: paragraphs, bold, italic, underline, lists, simple tables.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    # The package switches the browser's spell-check off by default; officers want it (browsers have
    # Vietnamese dictionaries, and the page says lang="vi").
    "NoSpellCheck": False,
}

_TEXT_TAGS = re.compile(r"<[^>]+>")
# Between the tags of nh3's output: it escapes ">" everywhere but at the end of a tag.
_TAG_SPLIT = re.compile(r"(<[^>]*>)")

# Word tables have at most 63 columns; a cell spanning more rows than this is an accident (or an
# attack: a few bytes of colspan/rowspan made a Word table of billions of cells). Only ASCII
# digits: "²".isdigit() is true, yet int("²") fails.
MAX_COLSPAN = 63
MAX_ROWSPAN = 500
_SPAN_LIMITS = {"colspan": MAX_COLSPAN, "rowspan": MAX_ROWSPAN}
_LIST_TYPES = {"1", "a", "A", "i", "I"}
_ASCII_NUMBER = re.compile(r"[0-9]+")


def _attribute_filter(element, attribute, value):
    """Keep only attribute values the editor itself writes: spans and list starts as plain
    numbers in range, list types from the five HTML ones. Anything else is dropped."""
    value = value.strip()
    if attribute in _SPAN_LIMITS:
        if not _ASCII_NUMBER.fullmatch(value):
            return None
        limit = _SPAN_LIMITS[attribute]
        return str(min(max(int(value), 1), limit)) if len(value) < 10 else str(limit)
    if attribute == "start":
        return str(int(value)) if _ASCII_NUMBER.fullmatch(value) and len(value) < 10 else None
    if attribute in ("type", "data-type"):
        return value if value in _LIST_TYPES else None
    return None


@cache
def _cleaner():
    config = allowlist_from_extensions(EDITOR_EXTENSIONS)
    return nh3.Cleaner(
        tags=config["tags"],
        attributes=config["attributes"],
        attribute_filter=_attribute_filter,
        # Pasted Word documents carry styles and scripts: drop those elements with their content.
        clean_content_tags={"script", "style", "xml", "title", "head"},
        link_rel=None,
        strip_comments=True,
    )


def _nfc_text(cleaned: str) -> str:
    """NFC-normalise the text between the tags of cleaned HTML.

    Normalising before cleaning is not enough: nh3 turns character references into characters
    ("e&#x301;" is "e" and a combining accent) and drops tags ("e<span></span>\u0301"), which
    leaves decomposed letters behind. Normalising the whole output would fuse a combining mark
    that starts a text with the ">" before it ("<p>" + U+0338 would become "<p≯"), breaking the
    tag: such a leading mark is kept as a character reference instead.
    """
    parts = _TAG_SPLIT.split(cleaned)
    for index in range(0, len(parts), 2):
        part = unicodedata.normalize("NFC", parts[index])
        if index and part and unicodedata.combining(part[0]):
            part = f"&#{ord(part[0])};{part[1:]}"
        parts[index] = part
    return "".join(parts)


# Limits checked before any parsing. html5ever's work grows with the square of the nesting depth
# ("<ul><li>" * 30000 took a minute of CPU), so depth and element count are bounded by a scan of
# the raw text that costs one pass, whatever its shape. The editor nests lists a few levels and
# tables inside lists: 40 levels is far beyond what a report needs.
MAX_INPUT_CHARS = 600_000
MAX_DEPTH = 40
MAX_ELEMENTS = 20_000
# Where a tag may start; its end is found with str.find, so the scan stays linear even on "<a" × 300,000
# (a pattern running on to the next ">" would start again at every "<" and take minutes).
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
# Formatting elements the parser re-opens after a block closes them ("adoption agency"): each one
# open may cost an element again at every later tag.
_FORMATTING = frozenset(
    ["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"]
)


class HtmlTooComplex(ValidationError):
    """The text is refused by the cheap limits, before any cleaning; the message says which."""


def check_html_limits(value: str) -> None:
    """Refuse text over the size, nesting or element limits, in one linear scan.

    Closing tags close only the element on top, as a well-formed text does: a stray closer
    ("<div></span>") closes nothing, so it cannot hide depth from this count. Tags the parser would
    close by itself (a second <p>) are counted as open, which only errs on the side of refusing
    what the editor never produces. Tags inside comments are counted too, for the same reason, and
    open formatting elements count again at every tag, as the parser may rebuild them there.
    """
    value = value or ""
    if len(value) > MAX_INPUT_CHARS:
        raise HtmlTooComplex(
            _(
                "The text is too long (%(length)s characters; at most %(limit)s). "
                "Split it or shorten it; nothing has been saved yet."
            ),
            code="too_long",
            params={"length": format_number(len(value)), "limit": format_number(MAX_INPUT_CHARS)},
        )
    stack: list[str] = []
    elements = deepest = formatting = 0
    position = 0
    while (match := _TAG_START.search(value, position)) is not None:
        end = value.find(">", match.end())
        if end < 0:
            break  # an unfinished tag at the end: the parser drops it
        position = end + 1
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if stack and stack[-1] == name:
                stack.pop()
                formatting -= name in _FORMATTING
            else:
                elements += 1  # a stray "</p>" or "</br>" makes an element of its own
        else:
            elements += 1
            # "<div/>" opens a div in HTML (the slash means nothing but on void elements): count it.
            if name not in _VOID:
                stack.append(name)
                formatting += name in _FORMATTING
                deepest = max(deepest, len(stack))
        # Formatting elements still open may each be rebuilt by the parser after this tag: count
        # them as if they were ("<p><b id=1>…<b id=38></p>" then "<p>x</p>" × 20,000 built 776,000).
        elements += formatting
    if deepest > MAX_DEPTH:
        raise HtmlTooComplex(
            _(
                "The text has lists or tables nested too deeply (%(depth)s levels of markup; at most %(limit)s). "
                "Simplify it; nothing has been saved yet."
            ),
            code="too_deep",
            params={"depth": format_number(deepest), "limit": MAX_DEPTH},
        )
    if elements > MAX_ELEMENTS:
        raise HtmlTooComplex(
            _(
                "The text has too many paragraphs, cells or list items (%(count)s; at most %(limit)s). "
                "Split it; nothing has been saved yet."
            ),
            code="too_many",
            params={"count": format_number(elements), "limit": format_number(MAX_ELEMENTS)},
        )


def clean_section_html(value: str) -> str:
    """The way in for a section text: the cheap limits first, then the allow-list cleaning."""
    check_html_limits(value)
    return sanitize_html(value)


def allowed_tags() -> frozenset[str]:
    return frozenset(allowlist_from_extensions(EDITOR_EXTENSIONS)["tags"])


def sanitize_html(value: str) -> str:
    """Clean user HTML to the editor's allow-list, NFC-normalised; a visually empty text becomes ""."""
    cleaned = _nfc_text(_cleaner().clean(strip_controls(value))).strip()
    if not plain_text(cleaned) and "<table" not in cleaned:
        return ""
    return cleaned


def plain_text(value: str) -> str:
    """The words of a stored text, for counts and excerpts."""
    text = html.unescape(_TEXT_TAGS.sub(" ", value or ""))
    return " ".join(text.replace("\u00a0", " ").split())


_PARAGRAPH_END = re.compile(r"</(?:p|li|tr|h[1-6])>")


def paragraph_texts(value: str) -> list[str]:
    """The words of each non-empty paragraph of a stored text (a list item, a table row count as one),
    in order: what a reviewer marks and a superior union quotes, by its place in this list."""
    blocks = (plain_text(block) for block in _PARAGRAPH_END.split(value or ""))
    return [block for block in blocks if block]
