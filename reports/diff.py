"""Word-level changes between two versions of a section, safe for Vietnamese: texts are compared
in NFC, so a letter with its tone marks is one character and a word is never split inside."""

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.richtext import plain_text

_TOKEN = re.compile(r"\w+|\n|[^\S\n]+|[^\w\s]", re.UNICODE)
# Where a paragraph, a list item, a table row or a line ends: the diff keeps the line there, instead of
# running the whole text into one block.
_LINE_END = re.compile(r"</(?:p|li|tr|h[1-6])>|<br\s*/?>", re.IGNORECASE)


def _lines(html: str) -> str:
    """The words of a stored text, one line per paragraph (list item, table row), blank lines dropped."""
    lines = (plain_text(part) for part in _LINE_END.split(html))
    return "\n".join(line for line in lines if line)


def _tokens(html: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", _lines(html)))


@dataclass
class TextDiff:
    html: str
    added: int
    removed: int

    @property
    def changed(self):
        return bool(self.added or self.removed)


def word_diff(old_html: str, new_html: str) -> TextDiff:
    """The new text with inserted words in <ins> and removed words in <del>, all escaped, a line per
    paragraph ("\n": the page shows them with linebreaksbr). Changes separated only by spaces read as one
    change ("<del>a b</del><ins>c d</ins>")."""
    old, new = _tokens(old_html or ""), _tokens(new_html or "")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    chunks = []  # ["equal", text] or ["change", removed, added]
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            chunks.append(["equal", "".join(new[b1:b2])])
        else:
            chunks.append(["change", "".join(old[a1:a2]), "".join(new[b1:b2])])
    merged = []
    for index, chunk in enumerate(chunks):
        between_changes = (
            chunk[0] == "equal"
            and not chunk[1].strip()
            and merged
            and merged[-1][0] == "change"
            and index + 1 < len(chunks)
            and chunks[index + 1][0] == "change"
        )
        if between_changes:
            merged[-1][1] += chunk[1]
            merged[-1][2] += chunk[1]
        elif chunk[0] == "change" and merged and merged[-1][0] == "change":
            merged[-1][1] += chunk[1]
            merged[-1][2] += chunk[2]
        else:
            merged.append(list(chunk))
    parts, added, removed = [], 0, 0
    for chunk in merged:
        if chunk[0] == "equal":
            parts.append(escape(chunk[1]))
            continue
        if chunk[1].strip():
            removed += len(chunk[1].split())
            parts.append(f"<del>{escape(chunk[1])}</del>")
        if chunk[2].strip():
            added += len(chunk[2].split())
            parts.append(f"<ins>{escape(chunk[2])}</ins>")
    return TextDiff(mark_safe("".join(parts)), added, removed)


def figure_changes(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    """(indicator code, column, old, new) for every figure that differs between two snapshots."""
    changes = []
    for code in sorted(set(old) | set(new)):
        columns = set(old.get(code, {})) | set(new.get(code, {}))
        for column in sorted(columns):
            before, after = old.get(code, {}).get(column, ""), new.get(code, {}).get(column, "")
            if before != after:
                changes.append((code, column, before, after))
    return changes
