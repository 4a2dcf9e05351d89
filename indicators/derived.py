"""One definition of every figure the appendix derives from what was typed.

Each derived figure (a ratio's column, a result over the years, the share of the target, the
changes against the start of the term and against the previous term) is an expression tree built
here once from the indicator's kind and over-years rule. The same tree is evaluated in Python
(Decimal) for the page, the Word file, the sentences, the charts and the roll-up, and written as an
Excel formula for the workbooks, so that no two places can work a figure out by different rules.

Blank propagates: a figure needs every figure it is made from, and a ratio a denominator that is
not zero; otherwise it is blank (None in Python, "" in Excel).

A roll-up adds a ratio up over the units that gave both of its parts (``paired``): Σ numerators ÷ Σ
denominators of those units only, read from the paired sums kept under the ratio's own id
(``paired_column``: "n:2020", "d:2020"), so that a unit that typed its members but not its workers does
not push the ratio up.

A change of a percentage is a difference in percentage points ("-8,3 điểm %"), never a percent of a
percent. A result that adds the years up is judged against the share of the term elapsed: after 2 of 5
years, 40 % of a whole-term target is on pace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .models import PREVIOUS, START, TARGET, Indicator, Kind, OverYears

HUNDRED = Decimal(100)
# (indicator id, column) -> the typed figure, or None
Lookup = Callable[[int, str], Decimal | None]
# (indicator id, column) -> the Excel reference of that typed figure ("E12", "'Tổng hợp'!E12")
Reference = Callable[[int, str], str]


class Expr:
    def value(self, lookup: Lookup) -> Decimal | None:
        raise NotImplementedError

    def excel(self, ref: Reference) -> str:
        """The expression as an Excel formula body (without "="): a number, or "" when blank."""
        raise NotImplementedError


class Blank(Expr):
    """A figure that cannot be made (a ratio whose numerator or denominator is not in the catalogue)."""

    def value(self, lookup):
        return None

    def excel(self, ref):
        return '""'


BLANK = Blank()


@dataclass(frozen=True)
class Number(Expr):
    """A constant (the share of the term elapsed)."""

    number: Decimal

    def value(self, lookup):
        return self.number

    def excel(self, ref):
        return format(self.number.normalize(), "f")


@dataclass(frozen=True)
class Typed(Expr):
    """A figure as typed (or summed, in a roll-up)."""

    indicator_id: int
    column: str

    def value(self, lookup):
        return lookup(self.indicator_id, self.column)

    def excel(self, ref):
        return ref(self.indicator_id, self.column)


@dataclass(frozen=True)
class Total(Expr):
    """The sum of the figures that are there; blank when none is."""

    terms: tuple[Expr, ...]

    def value(self, lookup):
        known = [v for v in (t.value(lookup) for t in self.terms) if v is not None]
        return sum(known, Decimal(0)) if known else None

    def excel(self, ref):
        cells = ",".join(t.excel(ref) for t in self.terms)
        return f'IF(COUNT({cells})>0,SUM({cells}),"")'


@dataclass(frozen=True)
class Difference(Expr):
    new: Expr
    old: Expr

    def value(self, lookup):
        new, old = self.new.value(lookup), self.old.value(lookup)
        return None if new is None or old is None else new - old

    def excel(self, ref):
        new, old = self.new.excel(ref), self.old.excel(ref)
        return f'IF(AND(ISNUMBER({new}),ISNUMBER({old})),{new}-{old},"")'


@dataclass(frozen=True)
class Ratio(Expr):
    """numerator × scale ÷ denominator; blank when either is blank or the denominator is zero."""

    numerator: Expr
    denominator: Expr
    scale: Decimal = HUNDRED

    def value(self, lookup):
        num, den = self.numerator.value(lookup), self.denominator.value(lookup)
        if num is None or den is None or den == 0:
            return None
        return num * self.scale / den

    def excel(self, ref):
        num, den = self.numerator.excel(ref), self.denominator.excel(ref)
        scale = format(self.scale.normalize(), "f") if isinstance(self.scale, Decimal) else str(self.scale)
        return f'IF(AND(ISNUMBER({num}),ISNUMBER({den})),IF({den}<>0,{num}*{scale}/{den},""),"")'


def percent_change(new: Expr, old: Expr) -> Expr:
    """A change in percent: (new − old) × 100 ÷ old; blank when either is blank or ``old`` is zero."""
    return Ratio(Difference(new, old), old)


_NEW, _OLD = Typed(0, "new"), Typed(0, "old")
_CHANGE = percent_change(_NEW, _OLD)


def change_pct(new: Decimal | None, old: Decimal | None) -> Decimal | None:
    """``percent_change`` of two figures in hand (a year against the one before, for the checks)."""
    figures = {_NEW.column: new, _OLD.column: old}
    return _CHANGE.value(lambda _indicator_id, column: figures[column])


def excel_formula(expr: Expr, ref: Reference) -> str:
    """A cell's formula (with "="). A bare reference is wrapped: "=E5" shows 0 for an empty E5,
    where the site shows nothing."""
    body = expr.excel(ref)
    if isinstance(expr, Typed):
        body = f'IF(ISNUMBER({body}),{body},"")'
    return "=" + body


@dataclass(frozen=True)
class Definitions:
    """Every figure of one indicator's row, as expressions over typed figures."""

    columns: dict[str, Expr]  # target, start, each year, prev: typed, or a ratio of its parts
    latest: Expr
    result: Expr  # the mid-term result: the latest level, or the years added up for a flow
    pct_of_target: Expr
    change_since_start: Expr
    change_since_start_pct: Expr
    change_since_previous: Expr
    change_since_previous_pct: Expr
    # A percentage's changes are in percentage points (the difference), not in percent of a percent.
    in_points: bool = False
    # The share of the target against the share of the term elapsed (100: on pace), for a result that
    # adds the years up; blank for a level, which is judged against the target itself.
    pace: Expr = BLANK
    # A roll-up's ratio over the units that gave both parts: its columns read the paired sums.
    paired: bool = False

    def derived(self) -> dict[str, Expr]:
        """The computed columns, in the order the workbooks print them."""
        return {
            "pct": self.pct_of_target,
            "cs": self.change_since_start,
            "csp": self.change_since_start_pct,
            "cp": self.change_since_previous,
            "cpp": self.change_since_previous_pct,
        }


NUMERATOR, DENOMINATOR = "n", "d"


def paired_column(part: str, column: str) -> str:
    """Where a roll-up keeps a ratio's paired sum of ``part`` (NUMERATOR, DENOMINATOR) for ``column``:
    "n:2020" is the sum of the numerators of the units that gave both parts for 2020."""
    return f"{part}:{column}"


def is_paired(indicator: Indicator, by_id: dict[int, Indicator]) -> bool:
    """Whether a roll-up adds ``indicator`` up over the units that gave both its parts: a ratio of two
    typed figures (a ratio of ratios, which no catalogue has, keeps its parts' own roll-ups)."""
    if not indicator.is_computed:
        return False
    num, den = by_id.get(indicator.numerator_id), by_id.get(indicator.denominator_id)
    return num is not None and den is not None and not num.is_computed and not den.is_computed


def _column(indicator: Indicator, column: str, by_id: dict[int, Indicator], paired: bool = False) -> Expr:
    if not indicator.is_computed:
        return Typed(indicator.pk, column)
    if paired and is_paired(indicator, by_id):
        return Ratio(
            Typed(indicator.pk, paired_column(NUMERATOR, column)),
            Typed(indicator.pk, paired_column(DENOMINATOR, column)),
            indicator.scale,
        )
    num, den = by_id.get(indicator.numerator_id), by_id.get(indicator.denominator_id)
    if num is None or den is None:
        return BLANK
    return Ratio(_column(num, column, by_id), _column(den, column, by_id), indicator.scale)


def _over_years(indicator: Indicator, years: list[str], by_id: dict[int, Indicator], paired: bool = False) -> Expr:
    """The years added up: for a ratio, the sum of its numerators over the sum of its
    denominators (never the sum, nor the average, of the yearly percentages)."""
    if not indicator.is_computed:
        return Total(tuple(Typed(indicator.pk, y) for y in years))
    if paired and is_paired(indicator, by_id):
        return Ratio(
            Total(tuple(Typed(indicator.pk, paired_column(NUMERATOR, y)) for y in years)),
            Total(tuple(Typed(indicator.pk, paired_column(DENOMINATOR, y)) for y in years)),
            indicator.scale,
        )
    num, den = by_id.get(indicator.numerator_id), by_id.get(indicator.denominator_id)
    if num is None or den is None:
        return BLANK
    return Ratio(_over_years(num, years, by_id), _over_years(den, years, by_id), indicator.scale)


@dataclass(frozen=True)
class Period:
    """What a round says about time, for its figures: how many years the term lasts (a result that adds
    the years up is judged against the share elapsed) and whether the "previous term" column holds the
    same period of the previous term (compared like for like) or the whole previous term."""

    term_years: int | None = None
    previous_whole_term: bool = False


UNKNOWN_PERIOD = Period()  # no term known: nothing judged by pace; the previous term's same period


def is_percentage(indicator: Indicator) -> bool:
    """Whether the indicator's figures are percentages (a typed percentage, or a ratio in %): their
    changes are in percentage points."""
    return indicator.unit_of_measure.strip() == "%" or indicator.kind == Kind.PERCENTAGE


def elapsed_share(years, term_years: int | None) -> Decimal | None:
    """The share of the term (in %) that the data ``years`` cover: 2 of 5 years is 40; None when the
    term's length is not known or the years cover it whole."""
    if not term_years or not years or len(years) >= term_years:
        return None
    return Decimal(len(years)) * HUNDRED / Decimal(term_years)


def definitions(
    indicator: Indicator, years, by_id: dict[int, Indicator], *, term_years: int | None = None, paired: bool = False
) -> Definitions:
    """The expressions of every figure of ``indicator``'s row for the data ``years``; ``by_id``
    holds the catalogue (a ratio refers to its numerator and denominator); ``term_years`` is the
    length of the term in years (the pace of a result that adds the years up); ``paired``: a roll-up's
    row, whose ratio reads the sums of the units that gave both parts (``paired_column``)."""
    year_columns = [str(y) for y in years]
    columns = {c: _column(indicator, c, by_id, paired) for c in [TARGET, START, *year_columns, PREVIOUS]}
    latest = columns[year_columns[-1]]
    if indicator.over_years == OverYears.SUM:
        result = _over_years(indicator, year_columns, by_id, paired)
    else:
        result = latest
    target, start, previous = columns[TARGET], columns[START], columns[PREVIOUS]
    in_points = is_percentage(indicator)
    change = Difference if in_points else percent_change
    pct_of_target = Ratio(result, target)
    # A percentage that adds its years up (a ratio of flows) is a rate: its target is a rate too.
    cumulative = indicator.over_years == OverYears.SUM and not in_points
    share = elapsed_share(year_columns, term_years) if cumulative else None
    return Definitions(
        columns=columns,
        latest=latest,
        result=result,
        pct_of_target=pct_of_target,
        change_since_start=Difference(latest, start),
        change_since_start_pct=change(latest, start),
        change_since_previous=Difference(result, previous),
        change_since_previous_pct=change(result, previous),
        in_points=in_points,
        pace=Ratio(pct_of_target, Number(share)) if share is not None else BLANK,
        paired=paired and is_paired(indicator, by_id),
    )
