"""What in an outline's text belongs to one term or one level: typed years outside a term, congresses
typed by their number, the district's bodies. Warned, in words, before an outline is published or a
round is opened with it; never refused (a resolution of an earlier year may rightly be cited)."""

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import PLACEHOLDER_RE

_YEAR = re.compile(r"(?<![\d/.-])(19\d{2}|20\d{2})(?!\d)")
_DATE_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/(\d{4})\b")
# "Đại hội Công đoàn Việt Nam lần thứ XII", "Đại hội IX Công đoàn huyện", "khóa XI" of a congress.
_CONGRESS_NUMBER = re.compile(r"Đại hội(?:\s+(?:Công đoàn|CĐ)[^.;,()]*?)?\s+(?:lần thứ\s+)?([IVXLC]+)\b")
# Congresses of the Vietnam Trade Union and the year each was held: one named in an outline for a term
# that does not include its year is another term's.
NATIONAL_CONGRESS_YEAR = {"X": 2008, "XI": 2013, "XII": 2018, "XIII": 2023}
_NATIONAL = re.compile(r"Đại hội\s+(?:Công đoàn Việt Nam|CĐVN)\s+lần thứ\s+([IVXLC]+)\b")
# The district's own bodies, which no unit of another level reports to (and no level since 1 July 2025).
_DISTRICT = re.compile(
    r"\b(Huyện ủy|Huyện uỷ|UBND huyện|Ủy ban nhân dân huyện|Công đoàn huyện|LĐLĐ huyện|Liên đoàn Lao động huyện)\b"
)
_TERM_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[–-]\s*((?:19|20)\d{2})(?!\d)")


def term_in(text: str) -> tuple[int, int] | None:
    """The term a version's name states ("… nhiệm kỳ 2025–2030"), or None."""
    match = _TERM_IN_NAME.search(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _excerpt(text: str, limit: int = 70) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def stale_references(lines: Iterable[tuple[int, str]], *, term: tuple[int, int] | None) -> list[str]:
    """Warnings, one per line at fault, for ``lines`` ((1-based line number, text)) of an outline meant
    for ``term`` (first year, last year; None: only what belongs to a level): years and dates outside
    the term, the national congress of another term, any congress typed by number, the district's
    bodies. Placeholders ({nhiem_ky}…) are the cure and are never warned about."""
    warnings = []
    for line_no, raw in lines:
        text = PLACEHOLDER_RE.sub("", raw)
        said = []
        if term is not None:
            start, end = term
            years = sorted({int(y) for y in _YEAR.findall(text)} | {int(y) for y in _DATE_YEAR.findall(text)})
            outside = [y for y in years if not start <= y <= end]
            if outside:
                said.append(
                    _("the year %(years)s is outside the term %(start)d–%(end)d")
                    % {"years": ", ".join(str(y) for y in outside), "start": start, "end": end}
                )
            for number in _NATIONAL.findall(text):
                year = NATIONAL_CONGRESS_YEAR.get(number)
                if year is not None and not start - 1 <= year <= end:
                    said.append(
                        _("the congress “lần thứ %(number)s” (%(year)d) is another term's")
                        % {"number": number, "year": year}
                    )
        numbered = [m.group(0) for m in _CONGRESS_NUMBER.finditer(text) if not _NATIONAL.match(text, m.start())]
        for words in dict.fromkeys(numbered):
            said.append(
                _("“%(words)s” names one superior's congress by its number: write {dai_hoi_cap_tren}")
                % {"words": words}
            )
        district = sorted(set(_DISTRICT.findall(text)))
        if district:
            said.append(
                _("“%(words)s” are one level's bodies, printed for every unit whatever its level: write {cap_tren}")
                % {"words": ", ".join(district)}
            )
        if said:
            warnings.append(
                _("Line %(line)s (“%(text)s”): %(what)s.")
                % {"line": line_no, "text": _excerpt(raw), "what": "; ".join(said)}
            )
    return warnings


def version_warnings(nodes, *, term: tuple[int, int] | None) -> list[str]:
    """``stale_references`` of an outline version's lines (stored or parsed nodes, with ``raw`` and
    ``line_no``), prefixed by the version's name where one is given."""
    return stale_references(((n.line_no + 1, n.raw) for n in nodes), term=term)
