"""Read an uploaded outline file (plain text or Word) into the text the parser reads.

Bounded: the upload handler has already refused files over UPLOAD_MAX_BYTES; a Word file is a zip,
checked for what it would unpack to and for how many styles and numbering entries it holds before
python-docx opens it; the numbers Word would write are bounded, the text is counted as it is
written out, and the reading stops after READ_SECONDS. Both kinds are refused past a number of
lines no outline comes near."""

import io
import logging
import re
import time
import zipfile

import docx
from django.utils.translation import gettext as _

from core.text import format_number, nfc

from .parsing import roman

log = logging.getLogger(__name__)

MAX_LINES = 2_000
MAX_CHARS = 300_000
# A Word file's parts once unpacked: an outline of a few pages is well under 1 MB.
DOCX_MAX_UNCOMPRESSED = 20 * 1024 * 1024
DOCX_MAX_MEMBERS = 300
DOCX_MAX_RATIO = 200
DOCX_MAX_PART = 8 * 1024 * 1024
# Styles and numbering entries: Word's own template has about 160 styles and a few dozen lists;
# every paragraph's style is looked up among them, so their number is a factor of the work.
DOCX_MAX_ENTRIES = 5_000
_ENTRY = re.compile(rb"<(?:[\w.-]+:)?(?:style|abstractNum|num|lvl)[\s/>]")
# An automatic number larger than this is no outline's (and Roman numerals stop at 3999).
MAX_NUMBER = 3_999
READ_SECONDS = 10


class OutlineFileRefused(Exception):
    """The file cannot be read as an outline; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _too_long():
    return OutlineFileRefused(
        _("The file is too long for an outline (at most %(lines)s lines).") % {"lines": format_number(MAX_LINES)}
    )


def _bounded(text: str) -> str:
    """One line ending ("\\n"), NFC, within the limits."""
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > MAX_CHARS or text.count("\n") >= MAX_LINES:
        raise _too_long()
    return text


def decode_text(data: bytes) -> str:
    """A text file's bytes: UTF-8 (with or without a byte order mark) or UTF-16 with its mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise OutlineFileRefused(
            _(
                "The text file is not in Unicode (UTF-8). Open it in Notepad or Word and save it again "
                "choosing the UTF-8 encoding, or upload the Word file (.docx)."
            )
        ) from None
    if "\x00" in text:
        raise OutlineFileRefused(_("This is not a text file."))
    return _bounded(text)


def check_docx_zip(data: bytes, *, too_large: str | None = None) -> None:
    """Refuse a Word file by what it would unpack to, before any XML of it is parsed: not a zip or
    no document part, too many members, too large once unpacked, too compressed. Raises
    OutlineFileRefused; ``too_large`` words the refusal for another kind of upload."""
    not_word = _("This is not a Word file (.docx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise OutlineFileRefused(not_word) from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise OutlineFileRefused(not_word)
        if (
            len(members) > DOCX_MAX_MEMBERS
            or sum(m.file_size for m in members) > DOCX_MAX_UNCOMPRESSED
            or any(m.file_size > DOCX_MAX_PART for m in members)
            or any(m.compress_size and m.file_size / m.compress_size > DOCX_MAX_RATIO for m in members)
        ):
            raise OutlineFileRefused(
                too_large or _("The file is refused: once opened it would be far larger than an outline.")
            )
        entries = 0
        for member in members:
            if member.filename.lower() in ("word/styles.xml", "word/numbering.xml"):
                try:
                    entries += len(_ENTRY.findall(archive.read(member)))
                except Exception:
                    # A damaged member fails in many ways (BadZipFile, zlib.error, a CRC error).
                    raise OutlineFileRefused(_("The file could not be read as a Word document.")) from None
        if entries > DOCX_MAX_ENTRIES:
            raise OutlineFileRefused(
                _(
                    "The file is refused: it holds far more styles or lists than an outline (at most "
                    "%(count)s). Copy the outline's text into a new Word document and upload that."
                )
                % {"count": format_number(DOCX_MAX_ENTRIES)}
            )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_LEVELS = {str(n) for n in range(9)}  # Word's list levels: 0 to 8
_START = re.compile(r"[0-9]{1,9}")


def _too_large_number(number):
    return OutlineFileRefused(
        _(
            "The file's automatic numbering reaches %(number)s, far larger than an outline's numbers (at most "
            "%(max)s). In Word, set the list to start at 1 (Set Numbering Value) and upload it again."
        )
        % {"number": format_number(number), "max": format_number(MAX_NUMBER)}
    )


class _Numbering:
    """The document's automatic numbering: (numId, level) -> (format, level text, start), looked up
    as paragraphs ask for it (a table of every id by every level would grow as their product)."""

    def __init__(self, document):
        self.levels: dict[str, dict[str, tuple[str, str, int]]] = {}
        self.abstract_of: dict[str, str] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for node in numbering.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{_W}lvl"):
                level = lvl.get(f"{_W}ilvl")
                if level not in _LEVELS:
                    continue
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                value = start.get(f"{_W}val", "") if start is not None else "1"
                if _START.fullmatch(value):
                    first = int(value)
                else:  # thousands of digits count as too large (when a paragraph uses them), else as 1
                    first = 10**9 if value.isascii() and value.isdigit() else 1
                levels[level] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "",
                    first,
                )
            self.levels[node.get(f"{_W}abstractNumId")] = levels
        for num in numbering.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.abstract_of[num.get(f"{_W}numId")] = ref.get(f"{_W}val")

    def get(self, key):
        num_id, level = key
        return self.levels.get(self.abstract_of.get(num_id), {}).get(level)


_PLACEHOLDER = re.compile(r"%\d")


def _numpr(paragraph):
    """The paragraph's own numbering, else its style's ("List Number", a heading style numbered by
    the document), through the styles it is based on."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return ppr.numPr
    style, seen = paragraph.style, 0
    while style is not None and seen < 10:
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style, seen = style.base_style, seen + 1
    return None


def _numbered(paragraph, formats, counters) -> str:
    """The paragraph's text with its automatic number or bullet in front, as Word shows it.
    ``counters``: {numId: {level: the last number given}}."""
    text = paragraph.text
    numpr = _numpr(paragraph)
    if numpr is None or numpr.numId is None:
        return text
    num_id = str(numpr.numId.val)
    level = str(numpr.ilvl.val) if numpr.ilvl is not None else "0"
    spec = formats.get((num_id, level))
    if spec is None or num_id == "0":
        return text
    fmt, level_text, start = spec
    numbers = counters.setdefault(num_id, {})
    numbers[level] = numbers.get(level, start - 1) + 1
    # A deeper list starts again under each new entry of this one.
    for other in [k for k in numbers if k > level]:
        del numbers[other]
    if fmt == "bullet":
        return f"- {text}"
    if fmt == "none":
        return text
    n = numbers[level]
    if n > MAX_NUMBER:
        raise _too_large_number(n)
    if fmt in ("upperRoman", "lowerRoman"):
        shown = roman(n) if fmt == "upperRoman" else roman(n).lower()
    elif fmt in ("upperLetter", "lowerLetter"):
        shown = chr(ord("A" if fmt == "upperLetter" else "a") + (n - 1) % 26)
    else:
        shown = str(n)
    label = _PLACEHOLDER.sub(shown, level_text, count=1)
    label = _PLACEHOLDER.sub("", label)
    return f"{label} {text}" if label else text


def read_docx(data: bytes) -> str:
    """A Word file's paragraphs, one per line, with the numbers Word adds itself written out."""
    check_docx_zip(data)
    deadline = time.monotonic() + READ_SECONDS
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = document.paragraphs
        if len(paragraphs) > MAX_LINES:
            raise _too_long()
        formats = _Numbering(document)
        counters: dict[str, dict[str, int]] = {}
        lines, chars = [], 0
        for paragraph in paragraphs:
            line = _numbered(paragraph, formats, counters)
            chars += len(line) + 1
            if chars > MAX_CHARS:
                raise _too_long()
            if time.monotonic() > deadline:
                raise OutlineFileRefused(
                    _(
                        "The file takes too long to read for an outline. Copy the outline's text into a new "
                        "Word document, or into a text file (.txt), and upload that."
                    )
                )
            lines.append(line)
    except OutlineFileRefused:
        raise
    except Exception:
        # A damaged file fails in many ways inside python-docx and lxml: the user's file, not a bug.
        log.info("unreadable outline upload", exc_info=True)
        raise OutlineFileRefused(_("The file could not be read as a Word document.")) from None
    return _bounded("\n".join(lines) + "\n")


def read_outline_file(name: str, data: bytes) -> str:
    """The text of an uploaded outline, by its kind: .txt or .docx. Raises OutlineFileRefused."""
    lowered = name.lower()
    if lowered.endswith(".docx"):
        return read_docx(data)
    if lowered.endswith(".txt"):
        return decode_text(data)
    if lowered.endswith(".doc"):
        raise OutlineFileRefused(
            _("Old Word files (.doc) cannot be read: open it in Word and save it as .docx, then upload that.")
        )
    raise OutlineFileRefused(_("Upload the outline as a text file (.txt) or a Word file (.docx)."))
