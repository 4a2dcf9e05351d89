"""Appendix arithmetic, without the database: parse numbers, compute ratios and comparisons,
check the rules the catalogue carries. Used by the grid, the roll-up, the charts and the exports."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from reportsite.text import format_number

from .models import PREVIOUS, START, TARGET, Indicator, Kind, OverYears

HUNDRED = Decimal(100)
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
    """A percentage with at most one decimal and none when it is whole: 104, 12,5."""
    text = show(value, 1)
    return text[:-2] if text.endswith(",0") else text


def ratio(numerator, denominator, scale=HUNDRED):
    if numerator is None or denominator in (None, 0):
        return None
    return numerator * scale / denominator


def change_pct(new, old):
    if new is None or old in (None, 0):
        return None
    return (new - old) * HUNDRED / old


@dataclass
class Row:
    """One indicator's figures for one report or one roll-up, with everything derived."""

    indicator: Indicator
    years: list[int]
    values: dict[str, Decimal | None]
    note: str = ""
    explanation: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self):
        return [TARGET, START, *[str(y) for y in self.years], PREVIOUS]

    def value(self, column):
        return self.values.get(column)

    @property
    def year_values(self):
        return [self.values.get(str(y)) for y in self.years]

    @property
    def latest(self):
        return self.values.get(str(self.years[-1])) if self.years else None

    @property
    def result(self):
        """The mid-term result: the latest level, or the sum of the years for a flow."""
        if self.indicator.kind == Kind.RATIO:
            return self.values.get("result")
        if self.indicator.over_years == OverYears.SUM:
            known = [v for v in self.year_values if v is not None]
            return sum(known, Decimal(0)) if known else None
        return self.latest

    @property
    def pct_of_target(self):
        return ratio(self.result, self.value(TARGET))

    @property
    def change_since_start(self):
        latest, start = self.latest, self.value(START)
        return None if latest is None or start is None else latest - start

    @property
    def change_since_start_pct(self):
        return change_pct(self.latest, self.value(START))

    @property
    def change_since_previous(self):
        result, previous = self.result, self.value(PREVIOUS)
        return None if result is None or previous is None else result - previous

    @property
    def change_since_previous_pct(self):
        return change_pct(self.result, self.value(PREVIOUS))

    @property
    def shown_columns(self) -> list[str]:
        """Every column's figure as shown: 1.250, 62,5."""
        return [self.shown(self.value(c)) for c in self.columns]

    @property
    def comparisons(self) -> dict[str, str]:
        """The computed columns as shown: % of target, change against start and previous term."""

        def signed(value, text):
            return "" if value is None else ("+" if value > 0 else "") + text

        def pct(value):
            return "" if value is None else f"{signed(value, show_pct(value))}%"

        return {
            "pct": "" if self.pct_of_target is None else f"{show_pct(self.pct_of_target)}%",
            "cs": signed(self.change_since_start, self.shown(self.change_since_start)),
            "csp": pct(self.change_since_start_pct),
            "cp": signed(self.change_since_previous, self.shown(self.change_since_previous)),
            "cpp": pct(self.change_since_previous_pct),
        }

    @property
    def is_empty(self):
        return all(self.values.get(c) is None for c in self.columns)

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
        if reached is not None and abs(reached - HUNDRED) > margin:
            out.append(_("The result is %(pct)s%% of the resolution's target.") % {"pct": show_pct(reached)})
        return out


def compute_rows(indicators, years, values, notes=None) -> list[Row]:
    """Rows for ``indicators`` from typed ``values`` {(indicator_id, column): Decimal}; ratio rows
    are computed column by column from their numerator and denominator, never typed."""
    notes = notes or {}
    by_id = {}
    columns = [TARGET, START, *[str(y) for y in years], PREVIOUS]

    def make(indicator, row_values):
        note = notes.get(indicator.pk)
        by_id[indicator.pk] = Row(
            indicator,
            list(years),
            row_values,
            note=note.note if note else "",
            explanation=note.explanation if note else "",
        )

    # Typed rows first: the ratios are computed from them.
    for indicator in indicators:
        if indicator.kind != Kind.RATIO:
            make(indicator, {c: values.get((indicator.pk, c)) for c in columns})
    for indicator in indicators:
        if indicator.kind == Kind.RATIO:
            num, den = by_id.get(indicator.numerator_id), by_id.get(indicator.denominator_id)
            row_values = {
                c: ratio(num.value(c) if num else None, den.value(c) if den else None, indicator.scale) for c in columns
            }
            row_values["result"] = ratio(num.result if num else None, den.result if den else None, indicator.scale)
            make(indicator, row_values)
    return [by_id[indicator.pk] for indicator in indicators]


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


def column_label(column: str) -> str:
    return {
        TARGET: _("Resolution target"),
        START: _("Start of term"),
        PREVIOUS: _("Previous term"),
    }.get(column, column)
