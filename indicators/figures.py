"""Appendix arithmetic, without the database: parse numbers, compute ratios and comparisons,
check the rules the catalogue carries. Used by the grid, the roll-up, the charts and the exports."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import format_number

from .derived import (
    HUNDRED,
    NUMERATOR,
    UNKNOWN_PERIOD,
    Definitions,
    Lookup,
    Period,
    change_pct,
    definitions,
    elapsed_share,
    paired_column,
)
from .models import PREVIOUS, START, TARGET, Indicator, Kind, OverYears, Rollup

_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3}){2,}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MAX_ABS = Decimal("1e15")


class NotANumber(ValueError):
    pass


def parse_number(text) -> Decimal | None:
    """Read a figure typed the Vietnamese way (1.234,5) or the plain way (1234.5).

    "" is None. With both separators the last one is the decimal mark; a lone dot followed by
    exactly three digits groups thousands (1.250 = 1250), as Vietnamese writing does.
    Raises NotANumber for anything else.
    """
    if text is None:
        return None
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        value = Decimal(str(text))
    else:
        raw = str(text).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
        if not raw:
            return None
        if raw.startswith("+"):
            raw = raw[1:]
        if "," in raw and "." in raw:
            if raw.rfind(",") > raw.rfind("."):
                raw = raw.replace(".", "").replace(",", ".")
            else:
                raw = raw.replace(",", "")
        elif "," in raw:
            raw = raw.replace(",", "") if _THOUSANDS_COMMA.match(raw) else raw.replace(",", ".")
        elif _THOUSANDS_DOT.match(raw):
            raw = raw.replace(".", "")
        if not _NUMBER.match(raw):
            raise NotANumber(text)
        value = Decimal(raw)
    if not value.is_finite() or abs(value) >= MAX_ABS:
        raise NotANumber(text)
    return value


def show(value: Decimal | None, decimals: int = 0) -> str:
    """A figure the Vietnamese way, "" for none."""
    return "" if value is None else format_number(value, decimals)


def show_pct(value: Decimal | None) -> str:
    """A percentage with at most one decimal and none when it is whole: 104, 12,5 (for sentences)."""
    text = show(value, 1)
    return text[:-2] if text.endswith(",0") else text


def show_share(value: Decimal | None) -> str:
    """A share of a target, one decimal always: "98,7%", "100,0%"; "" for none."""
    return "" if value is None else f"{show(value, 1)}%"


def show_change_pct(value: Decimal | None) -> str:
    """A change in percent, signed, one decimal always: "+8,0%", "-2,5%", "0,0%"."""
    if value is None:
        return ""
    text = show(value, 1)
    return f"+{text}%" if text not in ("0,0", "-0,0") and value > 0 else f"{text.replace('-0,0', '0,0')}%"


def show_change_points(value: Decimal | None) -> str:
    """A change of a percentage, in percentage points, signed, one decimal always: "+2,5 điểm %" (a
    no-break space keeps "điểm %" on one line of a narrow column)."""
    if value is None:
        return ""
    text = show(value, 1)
    if text in ("0,0", "-0,0"):
        return _("%(points)s points") % {"points": "0,0"}
    return _("%(points)s points") % {"points": f"+{text}" if value > 0 else text}


def show_change(value: Decimal | None, *, in_points: bool) -> str:
    """A change as the computed columns show it: in percentage points for a percentage, else in percent."""
    return show_change_points(value) if in_points else show_change_pct(value)


def show_signed(value: Decimal | None, decimals: int = 0) -> str:
    """A change in the indicator's own unit, signed: "+120", "-3,5"."""
    if value is None:
        return ""
    text = show(value, decimals)
    if not text.strip("-0,."):
        return text.lstrip("-")  # -0,4 shows as 0: no sign on a figure that rounds to nothing
    return f"+{text}" if value > 0 else text


@dataclass
class Row:
    """One indicator's figures for one report or one roll-up, with everything derived.

    Every derived figure is evaluated from the indicator's Definitions (indicators/derived.py), the
    same expressions the workbooks write as formulas."""

    indicator: Indicator
    years: list[int]
    lookup: Lookup
    definitions: Definitions
    note: str = ""
    explanation: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    period: Period = UNKNOWN_PERIOD  # the round's term and what its previous-term column holds
    # A roll-up's row: how many units its figures count (``compute_rows``' ``counts``); None elsewhere.
    units_counted: int | None = None

    @property
    def columns(self):
        return [TARGET, START, *[str(y) for y in self.years], PREVIOUS]

    @cached_property
    def values(self) -> dict[str, Decimal | None]:
        """Every column's figure: as typed, or computed for a ratio."""
        return {c: expr.value(self.lookup) for c, expr in self.definitions.columns.items()}

    def value(self, column):
        return self.values.get(column)

    @property
    def year_values(self):
        return [self.values.get(str(y)) for y in self.years]

    @property
    def latest(self):
        return self.definitions.latest.value(self.lookup)

    @cached_property
    def result(self):
        """The mid-term result: the latest level, or the years added up for a flow (for a ratio,
        the summed numerators over the summed denominators)."""
        return self.definitions.result.value(self.lookup)

    @property
    def is_cumulative(self) -> bool:
        """The result adds the years up ("lũy kế 2018–2020"), so it is compared as a total."""
        return self.indicator.over_years == OverYears.SUM

    @property
    def result_label(self) -> str:
        """What the result is, said where it is shown: "lũy kế 2018–2020" or "năm 2020"."""
        if not self.years:
            return ""
        if self.is_cumulative:
            return _("cumulative %(first)s–%(last)s") % {"first": self.years[0], "last": self.years[-1]}
        return _("in %(year)s") % {"year": self.years[-1]}

    @property
    def elapsed_share(self):
        return elapsed_share(self.years, self.period.term_years)

    @cached_property
    def pct_of_target(self):
        return self.definitions.pct_of_target.value(self.lookup)

    @property
    def in_points(self) -> bool:
        """The changes of a percentage are in percentage points (derived.is_percentage)."""
        return self.definitions.in_points

    @cached_property
    def pace(self):
        """The share of the target against the share of the term elapsed (100: on pace); None for a level."""
        return self.definitions.pace.value(self.lookup)

    @cached_property
    def change_since_start(self):
        return self.definitions.change_since_start.value(self.lookup)

    @cached_property
    def change_since_start_pct(self):
        return self.definitions.change_since_start_pct.value(self.lookup)

    @cached_property
    def change_since_previous(self):
        return self.definitions.change_since_previous.value(self.lookup)

    @cached_property
    def change_since_previous_pct(self):
        return self.definitions.change_since_previous_pct.value(self.lookup)

    @property
    def shown_columns(self) -> list[str]:
        """Every column's figure as shown: 1.250, 62,5."""
        return [self.shown(self.value(c)) for c in self.columns]

    @property
    def shown_result(self) -> str:
        return self.shown(self.result)

    @property
    def comparisons(self) -> dict[str, str]:
        """The computed columns as shown, one way everywhere: "98,7%", "+8,0%", "+120". A percentage's
        change shows once, in percentage points ("+11,1 điểm %"): its change in its own unit is the
        same difference, so "cs" and "cp" are left empty rather than print "+11,1" beside it."""
        return {
            "pct": show_share(self.pct_of_target),
            "cs": "" if self.in_points else show_signed(self.change_since_start, self.indicator.decimals),
            "csp": show_change(self.change_since_start_pct, in_points=self.in_points),
            "cp": "" if self.in_points else show_signed(self.change_since_previous, self.indicator.decimals),
            "cpp": show_change(self.change_since_previous_pct, in_points=self.in_points),
        }

    def units_counted_label(self, units_total) -> str:
        """How many units a roll-up's row counts, as the roll-up page says it: "122/300 CĐCS", or "từ 3
        công đoàn cấp trên" for a row only superior unions type; "" for a report's own row."""
        if self.units_counted is None:
            return ""
        if self.indicator.superior_only:
            return ngettext(
                "from %(counter)s superior union", "from %(counter)s superior unions", self.units_counted
            ) % {"counter": self.units_counted}
        return _("%(counted)s/%(total)s grassroots unions") % {"counted": self.units_counted, "total": units_total}

    @property
    def is_empty(self):
        return all(self.values.get(c) is None for c in self.columns)

    @property
    def shown_values(self) -> list[str]:
        """Every typed column's figure as the page and the Word appendix show it, in column order."""
        return [self.shown(self.value(c)) for c in self.columns]

    def shown(self, value):
        return show(value, self.indicator.decimals)

    def warnings(self) -> list[str]:
        """Figures that look wrong without being impossible; each needs an explanation."""
        out = []
        limit = self.indicator.jump_warning_pct
        previous_label, previous_value = _("the start of the term"), self.value(START)
        for year, value in zip(self.years, self.year_values, strict=True):
            jump = change_pct(value, previous_value)
            if jump is not None and abs(jump) > limit:
                out.append(
                    _("%(year)s changes by %(jump)s%% against %(before)s.")
                    % {"year": year, "jump": show_pct(jump), "before": previous_label}
                )
            if value is not None:
                previous_label, previous_value = str(year), value
        reached = self.pct_of_target
        margin = self.indicator.target_warning_pct
        if (pace := self.pace) is not None:
            # A whole-term target after part of the term: judged against the share elapsed.
            if reached is not None and abs(pace - HUNDRED) > margin:
                out.append(
                    _(
                        "The result so far is %(pct)s%% of the whole term's target, where %(share)s%% of the "
                        "term has elapsed."
                    )
                    % {"pct": show_pct(reached), "share": show_pct(self.elapsed_share)}
                )
        elif reached is not None and abs(reached - HUNDRED) > margin:
            out.append(_("The result is %(pct)s%% of the resolution's target.") % {"pct": show_pct(reached)})
        return out


def shown_table(rows: list[Row], *, no_previous_term: bool) -> tuple[list[str], list[tuple[Row, list[str]]]]:
    """The typed columns a reading page or the print page shows, and each row with its figures in those
    columns: every column, but the previous term's when the union has none (``no_previous_term``)."""
    columns = rows[0].columns if rows else []
    if no_previous_term:
        columns = [c for c in columns if c != PREVIOUS]
    return columns, [(row, [row.shown(row.value(c)) for c in columns]) for row in rows]


def units_counted(definitions: Definitions, indicator: Indicator, years, counts: dict) -> int:
    """How many units a roll-up's row counts, from ``counts`` {(indicator id, column): units that gave
    the figure}: those that gave its latest year's figure (for a ratio, both its parts); for a result
    that adds the years up, the most of any year."""
    key = (
        (lambda column: (indicator.pk, paired_column(NUMERATOR, column)))
        if definitions.paired
        else (lambda column: (indicator.pk, column))
    )
    year_columns = [str(y) for y in years]
    if indicator.over_years == OverYears.SUM:
        return max((counts.get(key(c), 0) for c in year_columns), default=0)
    return counts.get(key(year_columns[-1]), 0) if year_columns else 0


def compute_rows(
    indicators, years, values, notes=None, *, period: Period = UNKNOWN_PERIOD, counts: dict | None = None
) -> list[Row]:
    """Rows for ``indicators`` from typed (or summed) ``values`` {(indicator_id, column): Decimal};
    everything else is derived by the indicators' Definitions. ``period``: the round's (``Round.period``).
    ``counts`` {(indicator_id, column): units}: a roll-up's, whose ratios then read the paired sums of the
    units that gave both parts (``derived.paired_column``) and whose rows say how many units they count."""
    notes = notes or {}
    paired = counts is not None
    by_id = {indicator.pk: indicator for indicator in indicators}

    def lookup(indicator_id, column):
        return values.get((indicator_id, column))

    rows = []
    for indicator in indicators:
        note = notes.get(indicator.pk)
        defs = definitions(indicator, years, by_id, term_years=period.term_years, paired=paired)
        rows.append(
            Row(
                indicator,
                list(years),
                lookup,
                defs,
                note=note.note if note else "",
                explanation=note.explanation if note else "",
                period=period,
                # A figure that is not added up (an average) counts no units: it says nothing.
                units_counted=units_counted(defs, indicator, years, counts)
                if paired and indicator.rollup != Rollup.NONE
                else None,
            )
        )
    return rows


def check_cell(indicator: Indicator, value: Decimal | None) -> str:
    """The error for one typed figure on its own, or ""."""
    if value is None:
        return ""
    if indicator.kind == Kind.RATIO:
        return _("This figure is computed; it cannot be typed.")
    if value < 0:
        return _("Cannot be negative.")
    if indicator.kind == Kind.COUNT and value != value.to_integral_value():
        return _("Must be a whole number.")
    if indicator.kind == Kind.PERCENTAGE and value > HUNDRED:
        return _("A percentage cannot be over 100.")
    if value != round(value, indicator.decimals):
        return _("At most %(decimals)s decimal places.") % {"decimals": indicator.decimals}
    return ""


@dataclass
class PartClash:
    part: Indicator
    whole: Indicator
    column: str
    part_value: Decimal
    whole_value: Decimal

    def message(self, *, on_part: bool) -> str:
        if on_part:
            return _("Larger than “%(whole)s” (%(value)s) in the same column.") % {
                "whole": self.whole.name,
                "value": show(self.whole_value, self.whole.decimals),
            }
        return _("Smaller than its part “%(part)s” (%(value)s) in the same column.") % {
            "part": self.part.name,
            "value": show(self.part_value, self.part.decimals),
        }


def check_parts(indicators, values) -> list[PartClash]:
    """Every cell where a part is larger than its whole (women > workers, members > workers)."""
    by_id = {i.pk: i for i in indicators}
    clashes = []
    for (indicator_id, column), value in values.items():
        part = by_id.get(indicator_id)
        whole = by_id.get(part.part_of_id) if part else None
        if whole is None or value is None:
            continue
        whole_value = values.get((whole.pk, column))
        if whole_value is not None and value > whole_value:
            clashes.append(PartClash(part, whole, column, value, whole_value))
    return clashes


def column_label(column: str, *, previous_whole_term: bool = False) -> str:
    """A typed column's heading. The previous term's says what it holds (``Period.previous_whole_term``):
    the same period of the previous term, or the whole previous term."""
    return {
        TARGET: _("Resolution target"),
        START: _("Start of term"),
        PREVIOUS: _("Whole previous term") if previous_whole_term else _("Same period of the previous term"),
    }.get(column, column)


def previous_labels(*, previous_whole_term: bool) -> dict[str, str]:
    """Every heading about the previous term, worded as the round says (one wording for the page, Word,
    Excel and the sentences): its column, the change against it, and the change in % or points."""
    if previous_whole_term:
        return {
            "prev": _("Whole previous term"),
            "against": _("Against the whole previous term"),
            "against_pct": _("Against the whole previous term (% or points)"),
        }
    return {
        "prev": _("Same period of the previous term"),
        "against": _("Against the same period of the previous term"),
        "against_pct": _("Against the same period of the previous term (% or points)"),
    }
