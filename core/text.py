"""Vietnamese text helpers: NFC storage, Vietnamese alphabetical order, number formatting."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

# The Vietnamese alphabet: ă, â, đ, ê, ô, ơ, ư are letters of their own, after their base.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tone marks come after the letter: ngang, huyền, hỏi, ngã, sắc, nặng (the dictionary order).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
# Control characters, lone surrogates and U+FFFE/U+FFFF: no document needs them, and Word's XML
# (and lxml) refuses the last two kinds outright, so a text holding one could never be exported.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def strip_controls(value: str) -> str:
    """Drop control characters (NUL and friends) that no document needs; keep tab and newlines."""
    return _CONTROL.sub("", value or "")


def nfc(value: str) -> str:
    """NFC-normalise and drop control characters (NUL and friends) that no document needs."""
    return unicodedata.normalize("NFC", strip_controls(value))


# Unit names repeat on every dashboard and roll-up page: each worker keeps the keys it has made. Each key
# is two byte strings, not two lists of ints: 50,000 names' keys took 52 MB as lists, about a fifth as bytes.
@lru_cache(maxsize=50_000)
def vietnamese_sort_key(value: str) -> tuple[bytes, bytes]:
    """A key that sorts Vietnamese names as a Vietnamese reader expects (Ánh before Bình, Đ after D):
    the letters' ranks (3 bytes each, big-endian, so bytes compare as the ranks do) then the tones."""
    letters, tones = _letters_and_tones(value)
    return (b"".join((rank + _RANK_OFFSET).to_bytes(3, "big") for rank in letters), bytes(tones))


# Ranks run from -1,000 (a control character) past 1,000 + the highest code point: all positive once
# offset, within three bytes.
_RANK_OFFSET = 1000


def _letters_and_tones(value: str) -> tuple[list[int], list[int]]:
    letters, tones = [], []
    for ch in unicodedata.normalize("NFC", value or "").lower():
        if ch == "đ":
            letters.append(_LETTER_RANK["đ"])
            tones.append(0)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        letter = base
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark in _LETTER_MARKS:
                letter = unicodedata.normalize("NFC", base + mark)
        if letter in _LETTER_RANK:
            letters.append(_LETTER_RANK[letter])
        else:
            # Digits, spaces and punctuation sort before letters, by code point.
            letters.append(-1000 + ord(letter) if ord(letter) < 1000 else 1000 + ord(letter))
        tones.append(tone)
    return (letters, tones)


def format_number(value, decimals: int = 0) -> str:
    """1234.5 -> "1.234,5" (Vietnamese grouping), None -> "". Rounds half up (12,25 -> 12,3), as
    Excel and LibreOffice show the same figure, not to even as Python's formatting would."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if value:
        # First to 15 significant digits, all a spreadsheet holds of a number: a figure the site
        # computes exactly and a workbook in binary floating point then round alike at a tie
        # (exports/xlsx.py rounds its signed changes the same way).
        value = value.quantize(Decimal(1).scaleb(value.adjusted() - 14), rounding=ROUND_HALF_UP)
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fold(text: str) -> str:
    """Case- and accent-free form for searching Vietnamese ("hoa binh" finds "Hòa Bình", "dong" finds
    "Đông"): what the database's Folded expression computes too."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
