"""The one allow-list for section texts: what the editor can produce, what is stored, what the
Word builder understands. The editor's extensions are the source; nh3 enforces them server-side."""

import html
import re
from functools import cache

import nh3
from django_prose_editor.config import allowlist_from_extensions

from .text import nfc

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
}

_TEXT_TAGS = re.compile(r"<[^>]+>")


@cache
def _cleaner():
    config = allowlist_from_extensions(EDITOR_EXTENSIONS)
    return nh3.Cleaner(
        tags=config["tags"],
        attributes=config["attributes"],
        # Pasted Word documents carry styles and scripts: drop those elements with their content.
        clean_content_tags={"script", "style", "xml", "title", "head"},
        link_rel=None,
        strip_comments=True,
    )


def allowed_tags() -> frozenset[str]:
    return frozenset(allowlist_from_extensions(EDITOR_EXTENSIONS)["tags"])


def sanitize_html(value: str) -> str:
    """Clean user HTML to the editor's allow-list, NFC-normalised; a visually empty text becomes ""."""
    cleaned = _cleaner().clean(nfc(value)).strip()
    if not plain_text(cleaned) and "<table" not in cleaned:
        return ""
    return cleaned


def plain_text(value: str) -> str:
    """The words of a stored text, for counts and excerpts."""
    text = html.unescape(_TEXT_TAGS.sub(" ", value or ""))
    return " ".join(text.replace("\u00a0", " ").split())
