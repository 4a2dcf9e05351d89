"""The synthesis panel of a superior union's own report: what its counted grassroots unions wrote under
the same section (searched accent-free, filtered, paged in the database, marked passages first) and
sentences that count their figures, for the union to quote into its own text."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from core.db import Folded, Vietnamese
from core.paging import PagePaginator, bounded_count
from core.richtext import paragraph_texts
from core.text import fold, format_number, nfc
from indicators.derived import BLANK, definitions, elapsed_share
from indicators.figures import show_pct
from indicators.selectors import catalogue
from outline.models import OutlineNode
from units.models import Unit, subtree_q

from ..models import IndicatorValue, PassageMark, Report, SectionText
from .rollup import DEFAULT_ROLLUP_STATUSES

SYNTHESIS_PAGE_SIZE = 20


class SynthesisPaginator(PagePaginator):
    """The panel's pages, unfiltered: texts counted exactly up to 200 (ten pages), estimated past.
    Counting the first 1,000 of a country's texts took PostgreSQL 26 ms (it hashed every report below
    before stopping), the first 200 about 3 ms. A search or a filter keeps PagePaginator's 1,000: the
    planner's estimate of a word's matches can be far off, and its pages would run out early."""

    exact_up_to = 200


# The reports a superior quotes and counts: those its roll-up adds up (submitted or approved).
SYNTHESIS_STATUSES = DEFAULT_ROLLUP_STATUSES
# How many of the units not yet counted the sentence names before "and N others".
MISSING_NAMED = 10
SEARCH_MAX_CHARS = 100

_GRASSROOTS_PREFIX = re.compile(r"^(công đoàn cơ sở|cđcs)\s+", re.IGNORECASE)


def attribution(unit_name: str) -> str:
    """How a quote names its unit, as union reports do: "CĐCS Công ty May Á" (the long "Công đoàn cơ sở"
    shortened; a name without it gets the "CĐCS" before it)."""
    name = " ".join((unit_name or "").split())
    return f"CĐCS {_GRASSROOTS_PREFIX.sub('', name)}"


def counted_reports(report: Report):
    """The reports whose texts and figures ``report``'s panel shows: those of the grassroots unions below
    its unit that count in the round (``Report.objects.counted_below``) and are submitted or approved,
    as the roll-up adds them up. Never ``report`` itself, nor anything outside its unit's subtree."""
    return Report.objects.counted_below(report.round, report.unit).filter(status__in=SYNTHESIS_STATUSES)


def synthesis_channels(report: Report) -> list[Unit]:
    """The superior unions directly below ``report``'s unit (a province's district and industrial-zone
    unions), through which its grassroots unions report: the panel's "through" filter. One query."""
    return list(
        Unit.objects.filter(parent=report.unit, is_grassroots=False)
        .only("pk", "code", "name", "path")
        .order_by(Vietnamese("name"), "pk")
    )


@dataclass(frozen=True)
class SynthesisFilter:
    """What the panel is asked for: words to find (accents and capitals aside), a status, a channel."""

    query: str = ""
    status: str = ""
    via: Unit | None = None

    @classmethod
    def from_params(cls, params, channels: list[Unit]) -> "SynthesisFilter":
        """Read ``tim`` (words), ``trang_thai`` (submitted / approved) and ``qua`` (a channel's code)
        from a request's GET; what is not one of the choices is ignored, never an error."""
        # NFC, without control characters: PostgreSQL refuses a NUL in a parameter.
        query = " ".join(nfc(params.get("tim") or "").split())[:SEARCH_MAX_CHARS]
        status = params.get("trang_thai") or ""
        if status not in SYNTHESIS_STATUSES:
            status = ""
        code = params.get("qua") or ""
        via = next((c for c in channels if c.code == code), None)
        return cls(query=query, status=status, via=via)

    @property
    def is_set(self) -> bool:
        return bool(self.query or self.status or self.via)


class MarkedFirst:
    """The panel's texts as the page lists them: those with a reviewer's mark first, then the rest, each
    part in Vietnamese order of the units. Two queries the database answers from the units' name index
    (``unit_name_vi``) and stops after a page, where one ORDER BY "marked first" made PostgreSQL sort
    every text of the country (0,8 s at 121,000 units). Sliced and counted by ``SynthesisPaginator``."""

    def __init__(self, texts, node: OutlineNode):
        marked = Exists(PassageMark.objects.filter(report_id=OuterRef("report_id"), node=node))
        texts = texts.select_related("report__unit").only(
            "pk", "content", "report_id", "report__status", "report__unit__name", "report__unit__path"
        )
        order = (Vietnamese("report__unit__name"), "report__unit_id")
        self.marked = texts.filter(marked).order_by(*order)
        self.rest = texts.exclude(marked).order_by(*order)

    @cached_property
    def marked_count(self) -> int:
        return self.marked.count()

    def paged_count(self, exact_up_to: int) -> tuple[int, bool]:
        """How many texts, exact up to ``exact_up_to`` unmarked ones, else estimated (``bounded_count``)."""
        rest, estimated = bounded_count(self.rest, exact_up_to)
        return self.marked_count + rest, estimated

    def __getitem__(self, index: slice) -> list[SectionText]:
        start, stop = index.start or 0, index.stop
        first = list(self.marked[start:stop]) if start < self.marked_count else []
        skip = max(start - self.marked_count, 0)
        wanted = stop - start - len(first)
        return first + (list(self.rest[skip : skip + wanted]) if wanted > 0 else [])


def synthesis_texts(report: Report, node: OutlineNode, wanted: SynthesisFilter = SynthesisFilter()) -> MarkedFirst:
    """The counted units' texts under ``node`` (``counted_reports``), as the page slices them
    (``MarkedFirst``): texts with a reviewer's mark first, then in Vietnamese order of the units.
    ``wanted.query``'s words must each be in the text, accent- and case-free (``core.db.Folded``; not in
    the units' names, which all say "Công đoàn cơ sở")."""
    texts = SectionText.objects.filter(
        report__in=counted_reports(report).values("pk"),
        node=node,
    ).exclude(content="")
    if wanted.status:
        texts = texts.filter(report__status=wanted.status)
    if wanted.via is not None:
        texts = texts.filter(subtree_q(wanted.via, "report__unit"))
    words = fold(wanted.query).split()
    if words:
        texts = texts.alias(folded_text=Folded("content"))
        for word in words:
            texts = texts.filter(folded_text__contains=word)
    return MarkedFirst(texts, node)


@dataclass
class Passage:
    """One paragraph of a unit's text, with its place (what a mark names) and its mark if any."""

    number: int
    text: str
    mark: PassageMark | None = None


@dataclass
class UnitText:
    """One unit's text in the panel, cut into quotable paragraphs."""

    section: SectionText
    attribution: str
    via: str
    passages: list[Passage]
    section_mark: PassageMark | None = None
    # Marks whose paragraph a later edit rewrote: the words marked are shown as they were.
    lost_marks: list[PassageMark] = field(default_factory=list)

    @property
    def marks(self) -> list[PassageMark]:
        held = [p.mark for p in self.passages if p.mark is not None]
        return ([self.section_mark] if self.section_mark else []) + held + self.lost_marks


def _place_marks(passages: list[Passage], marks: list[PassageMark]) -> list[PassageMark]:
    """Put each paragraph mark on its paragraph: where it was when its words are still there, else on
    the paragraph that now holds those words (an edit above moved it); the rest are returned."""
    lost = []
    for mark in marks:
        at = passages[mark.paragraph - 1] if 0 < mark.paragraph <= len(passages) else None
        if at is None or (mark.quote and at.text != mark.quote):
            at = next((p for p in passages if p.text == mark.quote and p.mark is None), None)
        if at is None or at.mark is not None:
            lost.append(mark)
        else:
            at.mark = mark
    return lost


def synthesis_page(
    report: Report, node: OutlineNode, wanted: SynthesisFilter, number, channels: list[Unit]
) -> tuple[Page, list[UnitText]]:
    """One page (``SYNTHESIS_PAGE_SIZE`` texts) of ``synthesis_texts``, each text cut into paragraphs with
    the reviewers' marks placed on them and the channel it comes through. Three queries whatever the
    number of units: the count, the page, the page's marks with who marked them."""
    # Counted exactly up to 200 texts (1,000 when searched or filtered), estimated past that: a province's
    # exact count costs more than the page.
    paginator_class = PagePaginator if wanted.is_set else SynthesisPaginator
    page = paginator_class(synthesis_texts(report, node, wanted), SYNTHESIS_PAGE_SIZE).get_page(number)
    texts = list(page.object_list)
    marks = defaultdict(list)
    if texts:
        for mark in (
            PassageMark.objects.filter(report_id__in=[t.report_id for t in texts], node=node)
            .select_related("marked_by")
            .order_by("paragraph", "pk")
        ):
            marks[mark.report_id].append(mark)
    by_pk = {str(c.pk): c.name for c in channels}
    depth = report.unit.path.count("/") - 1
    shown = []
    for text in texts:
        passages = [Passage(n, words) for n, words in enumerate(paragraph_texts(text.content), start=1)]
        held = marks.get(text.report_id, [])
        section_mark = next((m for m in held if m.paragraph == 0), None)
        lost = _place_marks(passages, [m for m in held if m.paragraph])
        # The unit's path "/province/district/unit/": the part after the superior's own is its channel.
        segments = text.report.unit.path.strip("/").split("/")
        via = by_pk.get(segments[depth], "") if len(segments) > depth + 1 else ""
        shown.append(
            UnitText(
                section=text,
                attribution=attribution(text.report.unit.name),
                via=via,
                passages=passages,
                section_mark=section_mark,
                lost_marks=lost,
            )
        )
    return page, shown


# --- Counts as sentences ---


@dataclass
class CountSentence:
    indicator: object
    text: str


@dataclass
class SynthesisCounts:
    counted: int
    missing: int
    sentences: list[CountSentence]
    missing_sentence: str
    # Past SYNTHESIS_COUNTS_INLINE_UNITS the worker counts: ``pending`` while nothing is counted yet,
    # ``stale`` when these are the last counts made and newer ones are being made.
    pending: bool = False
    stale: bool = False


def _figure_name(indicator) -> str:
    name = indicator.name.removeprefix("Trong đó: ").strip()
    return name[:1].lower() + name[1:]


def _units(count: int) -> str:
    return format_number(count)


@dataclass
class _Tally:
    """What the counted units' figures say of one indicator."""

    compared: int = 0  # units with both a target and a result
    reached: int = 0
    behind: int = 0  # a cumulative result behind the share of the term elapsed
    high: tuple[Decimal, int] | None = None  # (share of target, report id)
    low: tuple[Decimal, int] | None = None

    def add(self, report_id: int, pct: Decimal | None, pace: Decimal | None, higher_is_better: bool):
        if pct is None:
            return
        self.compared += 1
        if (pct >= 100) if higher_is_better else (pct <= 100):
            self.reached += 1
        if pace is not None and ((pace < 100) if higher_is_better else (pace > 100)):
            self.behind += 1
        if self.high is None or pct > self.high[0]:
            self.high = (pct, report_id)
        if self.low is None or pct < self.low[0]:
            self.low = (pct, report_id)


def synthesis_counts(report: Report, node: OutlineNode) -> SynthesisCounts:
    """Sentences about the figures of the indicators that illustrate ``node``, counted over the units
    ``counted_reports`` holds, each saying what it counted: how many reached their own target, how many
    are behind the term's pace (a cumulative result against the share of the term elapsed,
    ``indicators.derived``), the highest and the lowest share of target; and which units below have not
    been counted yet. Five queries whatever the number of units (the figures are read as a stream)."""
    round_ = report.round
    indicators = catalogue(round_.outline_version_id, grassroots=True)
    by_id = {i.pk: i for i in indicators}
    shown = [i for i in indicators if i.node_id == node.pk and not i.superior_only]
    below = Report.objects.counted_below(round_, report.unit)
    tally = below.aggregate(
        counted=Count("pk", filter=Q(status__in=SYNTHESIS_STATUSES)),
        missing=Count("pk", filter=~Q(status__in=SYNTHESIS_STATUSES)),
    )
    counted, missing = tally["counted"], tally["missing"]
    term_years = round_.period.term_years
    defs = {i.pk: definitions(i, round_.data_years, by_id, term_years=term_years) for i in shown}
    tallies = {i.pk: _Tally() for i in shown}
    if shown and counted:
        needed = set()

        def parts(indicator):
            needed.add(indicator.pk)
            for part in (indicator.numerator_id, indicator.denominator_id):
                if part and part in by_id and part not in needed:
                    parts(by_id[part])

        for indicator in shown:
            parts(indicator)
        values = (
            IndicatorValue.objects.filter(
                report__in=counted_reports(report).values("pk"), indicator_id__in=sorted(needed)
            )
            .order_by("report_id")
            .values_list("report_id", "indicator_id", "column", "value")
            .iterator(chunk_size=5000)
        )
        for report_id, rows in groupby(values, key=lambda row: row[0]):
            figures = {(indicator_id, column): value for _r, indicator_id, column, value in rows}

            def lookup(indicator_id, column, figures=figures):
                return figures.get((indicator_id, column))

            for indicator in shown:
                expr = defs[indicator.pk]
                tallies[indicator.pk].add(
                    report_id, expr.pct_of_target.value(lookup), expr.pace.value(lookup), indicator.higher_is_better
                )
    extremes = {t.high[1] for t in tallies.values() if t.high} | {t.low[1] for t in tallies.values() if t.low}
    names = dict(Report.objects.filter(pk__in=sorted(extremes)).values_list("pk", "unit__name")) if extremes else {}
    share = elapsed_share([str(y) for y in round_.data_years], term_years)
    sentences = []
    # No unit counted yet: nothing to say of the figures, only who has not submitted.
    for indicator in shown if counted else []:
        t = tallies[indicator.pk]
        parts_ = [
            _("Of the %(counted)s grassroots unions whose reports are counted") % {"counted": _units(counted)},
        ]
        name = _figure_name(indicator)
        # A cumulative result of a term not yet over is judged against the share elapsed (its pace).
        if defs[indicator.pk].pace is not BLANK and share is not None:
            parts_.append(
                _(
                    "%(reached)s have already reached their whole-term target for %(name)s, %(behind)s are "
                    "behind the term's pace (%(share)s%% of the term elapsed)"
                )
                % {
                    "reached": _units(t.reached),
                    "name": name,
                    "behind": _units(t.behind),
                    "share": show_pct(share),
                }
            )
        else:
            parts_.append(
                _("%(reached)s reached their target for %(name)s, %(short)s have not yet")
                % {"reached": _units(t.reached), "name": name, "short": _units(t.compared - t.reached)}
            )
        if counted - t.compared:
            parts_.append(_("%(count)s have no target or result to compare") % {"count": _units(counted - t.compared)})
        text = ", ".join(parts_) + "."
        if t.high and t.low and t.high[1] != t.low[1]:
            text += " " + _(
                "The highest is %(high)s (%(high_pct)s%% of its target), the lowest %(low)s (%(low_pct)s%%)."
            ) % {
                "high": attribution(names.get(t.high[1], "")),
                "high_pct": show_pct(t.high[0]),
                "low": attribution(names.get(t.low[1], "")),
                "low_pct": show_pct(t.low[0]),
            }
        sentences.append(CountSentence(indicator=indicator, text=text))
    return SynthesisCounts(
        counted=counted,
        missing=missing,
        sentences=sentences,
        missing_sentence=_missing_sentence(below, counted, missing),
    )


def _missing_sentence(below, counted: int, missing: int) -> str:
    """Which units below have not been counted yet (not submitted, or returned): the first
    ``MISSING_NAMED`` of them in Vietnamese order, then how many more."""
    if not missing:
        return _("All %(count)s grassroots unions below have submitted their reports.") % {"count": _units(counted)}
    names = list(
        below.exclude(status__in=SYNTHESIS_STATUSES)
        .order_by(Vietnamese("unit__name"), "pk")
        .values_list("unit__name", flat=True)[:MISSING_NAMED]
    )
    listed = ", ".join(attribution(n) for n in names)
    if missing > len(names):
        return _("%(count)s grassroots unions have not submitted their reports yet: %(names)s and %(more)s others.") % {
            "count": _units(missing),
            "names": listed,
            "more": _units(missing - len(names)),
        }
    return _("%(count)s grassroots unions have not submitted their reports yet: %(names)s.") % {
        "count": _units(missing),
        "names": listed,
    }


def marked_passages(report: Report, outline) -> dict[str, UnitText]:
    """For the reading page of ``report`` (its ``report_outline``): each written section's paragraphs with
    the reviewers' marks on them, by outline key, for reviewers to mark and unmark. One query."""
    marks = defaultdict(list)
    for mark in PassageMark.objects.filter(report=report).select_related("marked_by").order_by("paragraph", "pk"):
        marks[mark.node_id].append(mark)
    shown = {}
    for row in outline.writable:
        if row.section is None or not row.section.content:
            continue
        passages = [Passage(n, words) for n, words in enumerate(paragraph_texts(row.section.content), start=1)]
        held = marks.get(row.node.pk, [])
        section_mark = next((m for m in held if m.paragraph == 0), None)
        lost = _place_marks(passages, [m for m in held if m.paragraph])
        shown[row.node.key] = UnitText(
            section=row.section, attribution="", via="", passages=passages, section_mark=section_mark, lost_marks=lost
        )
    return shown
