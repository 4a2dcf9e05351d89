"""The figures as Excel: one report's appendix, and a superior union's consolidated workbook (the
roll-up, every unit's figures, every unit's status).

Every computed cell is a live formula generated from the same Definitions (indicators/derived.py)
that the page and the Word file evaluate, and carries the value the site computed, so a viewer that
does not recalculate shows the right number too. Written with the site's workbook writer
(documents.xlsx), whose rows go to disk as they are written.
"""

import datetime
import itertools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from documents.xlsx import Book, fit_row, number_format, signed_format, write_formula, write_number, write_text
from indicators.derived import DENOMINATOR, NUMERATOR, UNKNOWN_PERIOD, Period, excel_formula, paired_column
from indicators.figures import column_label, previous_labels
from reports.models import ReportStatus
from reports.selectors import DEFAULT_ROLLUP_STATUSES, rolls_up

from .selectors import Consolidated, ReportDocument

Progress = Callable[[int, int], None]
FIRST_VALUE_COL = 4  # E: the typed columns start here (0-based index)
DERIVED = ["result", "pct", "cs", "csp", "cp", "cpp"]
# The signed columns are rounded to what is shown, so that the sign is the shown figure's.
ROUNDED = {"cs": lambda i: i.decimals, "cp": lambda i: i.decimals, "csp": lambda i: 1, "cpp": lambda i: 1}


def _rounded(value, places: int):
    """``value`` as Excel's ROUND gives it: half away from zero (None stays None)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _derived_format(book: Book, name: str, decimals: int, *, in_points: bool = False):
    if name in ("pct",):
        return book.fmt(border=1, num_format=f'{number_format(1)}"%"')
    if name in ("csp", "cpp"):
        # A percentage's change is in percentage points, as the page shows it (figures.show_change).
        suffix = '" ' + _("points").replace('"', "") + '"' if in_points else '"%"'
        return book.fmt(border=1, num_format=signed_format(1, suffix))
    if name in ("cs", "cp"):
        return book.fmt(border=1, num_format=signed_format(decimals))
    return book.figure(decimals)


def _columns(years) -> list[str]:
    return ["target", "start", *[str(y) for y in years], "prev"]


def appendix_header(years, period: Period = UNKNOWN_PERIOD) -> list[str]:
    """The appendix's headings; those about the previous term worded as the round says (``period``)."""
    previous = previous_labels(previous_whole_term=period.previous_whole_term)
    return [
        _("No."),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *[column_label(c, previous_whole_term=period.previous_whole_term) for c in _columns(years)],
        _("Mid-term result"),
        _("Share of target (%)"),
        _("Against start of term"),
        _("Against start of term (% or points)"),
        previous["against"],
        previous["against_pct"],
        _("Note"),
        _("Explanation"),
    ]


def appendix_widths(years) -> list[int]:
    """No., code, indicator, unit, the typed columns, the result and comparisons, note, explanation."""
    return [5, 16, 48, 14] + [13] * (len(years) + 3) + [14, 11, 13, 13, 13, 13, 30, 30]


def indicator_label(row, units_total: int | None = None) -> str:
    """The indicator's name, saying what its result is when the years add up, and for a roll-up's row
    how many units it counts ("(122/300 CĐCS)")."""
    label = row.indicator.name
    if row.is_cumulative:
        label += f" ({row.result_label})"
    if counted := row.units_counted_label(units_total):
        label += f" ({counted})"
    return label


def _write_appendix_rows(
    book: Book, ws, rows, years, first_row: int, typed_cell, paired_rows=None, units_total: int | None = None
) -> None:
    """The indicator rows from ``first_row`` (0-based). ``typed_cell(ws, r, col, row, column)``
    writes one typed figure (a number for a report, a SUMIFS formula for a roll-up); everything
    computed is a formula from the row's Definitions, with the row's own value cached. A roll-up's
    ratios read their paired sums ("n:2020") from the rows ``paired_rows`` {(ratio id, "n"/"d"): row}."""
    columns = _columns(years)
    row_of = {row.indicator.pk: first_row + i for i, row in enumerate(rows)}
    col_of = {column: FIRST_VALUE_COL + i for i, column in enumerate(columns)}
    paired_rows = paired_rows or {}

    def ref(indicator_id, column):
        if ":" in column:
            part, column = column.split(":", 1)
            if (indicator_id, part) not in paired_rows:
                return '""'
            return xl_rowcol_to_cell(paired_rows[(indicator_id, part)], col_of[column])
        if indicator_id not in row_of:
            return '""'
        return xl_rowcol_to_cell(row_of[indicator_id], col_of[column])

    after = FIRST_VALUE_COL + len(columns)
    widths = appendix_widths(years)
    for i, row in enumerate(rows):
        r = first_row + i
        indicator = row.indicator
        figure = book.figure(indicator.decimals)
        # As high as its wrapped name, unit, note and explanation: printed, they stay in their row.
        label = indicator_label(row, units_total)
        wrapped = ((label, 2), (indicator.unit_of_measure, 3), (row.note, -2), (row.explanation, -1))
        fit_row(ws, r, [(text, widths[col]) for text, col in wrapped])
        write_number(ws, r, 0, i + 1, book.fmt(border=1, align="center"))
        write_text(ws, r, 1, indicator.code, book.text)
        write_text(ws, r, 2, label, book.wrap)
        write_text(ws, r, 3, indicator.unit_of_measure, book.wrap)
        for column in columns:
            if indicator.is_computed:
                expr = row.definitions.columns[column]
                write_formula(ws, r, col_of[column], excel_formula(expr, ref), row.value(column), figure)
            else:
                typed_cell(ws, r, col_of[column], row, column, figure)
        derived = {"result": row.definitions.result, **row.definitions.derived()}
        values = {
            "result": row.result,
            "pct": row.pct_of_target,
            "cs": row.change_since_start,
            "csp": row.change_since_start_pct,
            "cp": row.change_since_previous,
            "cpp": row.change_since_previous_pct,
        }
        for offset, name in enumerate(DERIVED):
            fmt = _derived_format(book, name, indicator.decimals, in_points=row.in_points)
            if row.in_points and name in ("cs", "cp"):
                # A percentage's change is the points in the next column, as the page shows it once.
                ws.write_blank(r, after + offset, None, fmt)
                continue
            formula = excel_formula(derived[name], ref)
            if name in ROUNDED:
                # The sign is that of the figure as shown: +0,04% shows as 0,0%, not +0,0%. A spreadsheet
                # computes in binary floating point, so a tie the site computes exactly (40.829.768,75 → ,8)
                # may arrive a hair under it (…,7499999 → ,7): rounded first to 15 significant digits
                # (what a spreadsheet shows of any number), the tie is whole again and rounds as the site does.
                body, places = formula[1:], ROUNDED[name](indicator)
                exact = f"ROUND({body},14-INT(LOG10(ABS({body}))))"
                formula = f'=IF(ISNUMBER({body}),IF({body}=0,0,ROUND({exact},{places})),"")'
                # Cached as the formula gives it (rounded), so a viewer that does not recalculate shows
                # the same figure and sign as one that does.
                values[name] = _rounded(values[name], places)
            write_formula(ws, r, after + offset, formula, values[name], fmt)
        write_text(ws, r, after + len(DERIVED), row.note, book.wrap)
        write_text(ws, r, after + len(DERIVED) + 1, row.explanation, book.wrap)


def build_report_xlsx(doc: ReportDocument) -> bytes:
    """One report's appendix (exports.selectors.report_document): the figures as typed, every computed
    figure a formula with its value, the notes and the explanations of unusual figures."""
    years = doc.years
    book = Book()
    unit_name = doc.fields["unit"]
    book.properties(title=_("APPENDIX: RESULTS ON THE TARGETS").capitalize() + f" – {unit_name}", author=unit_name)
    header = appendix_header(years, doc.period)
    ws = book.sheet(_("Appendix"), appendix_widths(years), header_row=3, header=header)
    if doc.no_previous_term:
        # The previous term's columns are hidden, not removed: every formula keeps its cells.
        columns, widths = _columns(years), appendix_widths(years)
        after = FIRST_VALUE_COL + len(columns)
        for col in (FIRST_VALUE_COL + columns.index("prev"), after + DERIVED.index("cp"), after + DERIVED.index("cpp")):
            ws.set_column(col, col, widths[col], None, {"hidden": True})
    write_text(ws, 0, 0, _("APPENDIX: RESULTS ON THE TARGETS"), book.title)
    write_text(ws, 1, 0, _("Unit: %(unit)s") % {"unit": unit_name}, book.plain)
    if doc.no_previous_term:
        # Rows are written in order (the workbook streams them): the line goes with row 2.
        write_text(ws, 1, FIRST_VALUE_COL, _("No previous term"), book.plain)
    write_text(
        ws,
        2,
        0,
        _("%(round)s — figures up to %(cutoff)s")
        % {"round": doc.round_name, "cutoff": formats.date_format(doc.cutoff_date, "d/m/Y")},
        book.plain,
    )
    ws.write_row(3, 0, header, book.header)

    def typed(ws, r, col, row, column, fmt):
        write_number(ws, r, col, row.value(column), fmt)

    _write_appendix_rows(book, ws, doc.rows, years, 4, typed)
    return book.close()


def _local(moment):
    """An aware datetime as the naive local time a spreadsheet shows."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _detail_header(columns, period) -> list[str]:
    return [
        pgettext("organisation", "Unit code"),
        pgettext("organisation", "Unit"),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *[column_label(c, previous_whole_term=period.previous_whole_term) for c in columns],
        _("Counted"),
        _("Status"),
    ]


def _status_header() -> list[str]:
    return [
        _("Superior union"),
        pgettext("organisation", "Unit code"),
        pgettext("organisation", "Unit"),
        _("Status"),
        _("Submitted"),
        _("Approved"),
        _("Last change"),
        _("Deadline"),
    ]


def _write_paired_rows(book: Book, ws, paired, columns, paired_rows, *, row_of, typed, indicators, detail) -> None:
    """Under the roll-up, two rows per ratio: the sum of its numerators and of its denominators over the
    counted units that gave both in each column (a SUMPRODUCT over "Chi tiết"; a superior-only ratio's,
    from the superiors' own reports, as numbers), with the sums the site computed cached."""
    detail_name, last_detail, counted_col = detail
    position = {indicator.pk: index for index, indicator in enumerate(typed)}
    by_id = {indicator.pk: indicator for indicator in typed}
    first = min(paired_rows.values())
    write_text(
        ws, first - 1, 2, _("Ratios: their numerators and denominators over the units that gave both"), book.plain
    )
    for row in paired:
        ratio = row.indicator
        num, den = ratio.numerator_id, ratio.denominator_id
        for part, label in ((NUMERATOR, _("numerator")), (DENOMINATOR, _("denominator"))):
            r = paired_rows[(ratio.pk, part)]
            part_indicator = by_id.get(num if part == NUMERATOR else den)
            decimals = part_indicator.decimals if part_indicator else 0
            fmt = book.figure(decimals)
            # No code in column B: that column names the appendix's own rows.
            write_text(ws, r, 2, f"{ratio.code} – {ratio.name}: {label}", book.wrap)
            write_text(ws, r, 3, part_indicator.unit_of_measure if part_indicator else "", book.wrap)
            for offset, column in enumerate(columns):
                col = FIRST_VALUE_COL + offset
                value = row.lookup(ratio.pk, paired_column(part, column))
                if ratio.superior_only or num not in position or den not in position:
                    write_number(ws, r, col, value, fmt)
                    continue
                shift = position[den] - position[num]  # rows from a unit's numerator to its denominator
                start, end = 2 + max(0, -shift), last_detail - max(0, shift)
                if end < start:
                    ws.write_blank(r, col, None, fmt)
                    continue
                source = xl_col_to_name(5 + columns.index(column))

                def rng(c, delta=0, start=start, end=end):
                    return f"'{detail_name}'!${c}${start + delta}:${c}${end + delta}"

                numerators, denominators = rng(source), rng(source, shift)
                both = (
                    f"({rng('C')}=$B${row_of[num] + 1})*({rng(counted_col)}=1)"
                    f"*ISNUMBER({numerators})*ISNUMBER({denominators})"
                )
                summed = numerators if part == NUMERATOR else denominators
                formula = f'=IF(SUMPRODUCT({both})=0,"",SUMPRODUCT({both},{summed}))'
                write_formula(ws, r, col, formula, value, fmt)


def build_consolidated_xlsx(data: Consolidated, *, progress: Progress | None = None, out=None) -> bytes | None:
    """A superior union's workbook: "Tổng hợp" (the roll-up: SUMIFS over "Chi tiết" and every computed
    figure a formula, each with the value the site computed), "Chi tiết" (every unit × indicator,
    with whether it counts) and "Trạng thái" (every unit's status, with real dates). From
    exports.selectors.consolidated. Written to ``out`` (a binary file) when given, else returned as bytes."""
    statuses = data.statuses
    years = data.document.years
    columns = _columns(years)
    indicators = data.indicators
    summed = data.rollup
    grouped = data.units  # by superior union, for the status sheet
    by_pk = {r.pk: r for r in grouped}
    counted = data.detail_order  # the counted reports, by unit name, as the figures arrive
    # Grassroots unions are not asked for superior-only rows: the details list what they type.
    typed = [i for i in indicators if not i.is_computed and i.asked_of(grassroots=True)]
    total = len(counted) + 1

    book = Book(out)
    book.properties(title=_("APPENDIX ROLL-UP: RESULTS ON THE TARGETS").capitalize(), author=data.unit_name)
    summary_name, detail_name, status_name = _("Roll-up"), _("Details"), _("Status")
    summary = book.sheet(summary_name, appendix_widths(years), header_row=3, header=appendix_header(years))
    detail_widths = [14, 40, 16, 40, 12] + [13] * len(columns) + [10, 22]
    status_widths = [40, 14, 48, 16, 18, 18, 18, 14]
    detail = book.sheet(detail_name, detail_widths, header_row=0, header=_detail_header(columns, data.document.period))
    status = book.sheet(status_name, status_widths, header_row=0, header=_status_header())

    # Chi tiết: one row per unit and indicator; column F on holds the figures; the last says whether
    # the unit counts in the roll-up (its report's status is among those chosen).
    detail.write_row(0, 0, _detail_header(columns, data.document.period), book.header)
    # One report's figures at a time: they come in the order of ``counted`` (exports.selectors), so
    # memory holds a report's figures, not the province's.
    groups = itertools.groupby(data.values, key=lambda value: value[0])
    group = next(groups, None)
    r = 0
    for index, report_pk in enumerate(counted, 1):
        # Only the reports the file counts: a figure not submitted never stands in the workbook,
        # unless drafts were asked for, and then it says so on every row.
        unit_report = by_pk[report_pk]
        figures: dict[tuple[int, str], Decimal] = {}
        if group is not None and group[0] == report_pk:
            figures = {(indicator_id, column): value for _pk, indicator_id, column, value in group[1]}
            group = next(groups, None)
        get = figures.get
        flag = 1
        mark = "" if unit_report.status in DEFAULT_ROLLUP_STATUSES else "BẢN NHÁP – chưa nộp"
        for indicator in typed:
            r += 1
            detail.write_string(r, 0, unit_report.code)
            detail.write_string(r, 1, unit_report.name)
            detail.write_string(r, 2, indicator.code)
            detail.write_string(r, 3, indicator.name)
            detail.write_string(r, 4, indicator.unit_of_measure)
            for offset, column in enumerate(columns):
                value = get((indicator.pk, column))
                if value is not None:
                    detail.write_number(r, 5 + offset, float(value))
            detail.write_number(r, 5 + len(columns), flag)
            if mark:
                detail.write_string(r, 6 + len(columns), mark)
        if progress and index % 100 == 0:
            progress(index, total)
    last_detail = r + 1  # 1-based number of the last row
    counted_col = xl_col_to_name(5 + len(columns))

    # Tổng hợp: the typed figures summed from Chi tiết over the counted units; the rest derived.
    header = appendix_header(years, data.document.period)
    write_text(summary, 0, 0, _("APPENDIX ROLL-UP: RESULTS ON THE TARGETS"), book.title)
    write_text(summary, 1, 0, data.unit_name, book.plain)
    write_text(
        summary,
        2,
        0,
        _("%(counted)s of %(total)s grassroots unions counted (statuses: %(statuses)s).")
        % {
            "counted": len(counted),
            "total": len(grouped),
            "statuses": ", ".join(str(ReportStatus(s).label) for s in statuses),
        },
        book.plain,
    )
    summary.write_row(3, 0, header, book.header)

    def summed_cell(ws, row_number, col, row, column, fmt):
        if not rolls_up(row.indicator):
            ws.write_blank(row_number, col, None, fmt)
            return
        if row.indicator.superior_only:
            # From the superior unions' own reports (selectors.rollup), not from the CĐCS in "Chi tiết".
            write_number(ws, row_number, col, row.value(column), fmt)
            return
        source = xl_col_to_name(5 + columns.index(column))
        values_rng, codes, flags = (
            f"'{detail_name}'!${c}$2:${c}${max(last_detail, 2)}" for c in (source, "C", counted_col)
        )
        criteria = f"{codes},$B{row_number + 1},{flags},1"
        # Blank, like the site, when no counted unit has the figure; otherwise the sum.
        formula = f'=IF(COUNTIFS({criteria},{values_rng},"<>")=0,"",SUMIFS({values_rng},{criteria}))'
        write_formula(ws, row_number, col, formula, row.value(column), fmt)

    # The ratios over the units that gave both parts, as the site adds them up: below the table, the
    # sums of each ratio's numerators and denominators over those units ("Chi tiết" lists each unit's
    # indicators in the same order, so a unit's denominator is a fixed number of rows below or above its
    # numerator), which the ratio's formulas read.
    paired = [row for row in summed.rows if row.definitions.paired]
    first_helper = 4 + len(summed.rows) + 2
    paired_rows = {
        (row.indicator.pk, part): first_helper + 2 * n + offset
        for n, row in enumerate(paired)
        for offset, part in enumerate((NUMERATOR, DENOMINATOR))
    }
    _write_appendix_rows(book, summary, summed.rows, years, 4, summed_cell, paired_rows, summed.total)
    if paired:
        _write_paired_rows(
            book,
            summary,
            paired,
            columns,
            paired_rows,
            row_of={row.indicator.pk: 4 + i for i, row in enumerate(summed.rows)},
            typed=typed,
            indicators=indicators,
            detail=(detail_name, last_detail, counted_col),
        )

    # Trạng thái: every unit, under the superior union it belongs to, with real dates.
    status.write_row(0, 0, _status_header(), book.header)
    for n, unit_report in enumerate(grouped, 1):
        write_text(status, n, 0, unit_report.superior, book.text)
        write_text(status, n, 1, unit_report.code, book.text)
        write_text(status, n, 2, unit_report.name, book.text)
        write_text(status, n, 3, unit_report.status_label, book.text)
        for col, moment in ((4, unit_report.submitted_at), (5, unit_report.approved_at), (6, unit_report.updated_at)):
            if moment:
                status.write_datetime(n, col, _local(moment), book.moment)
            else:
                status.write_blank(n, col, None, book.moment)
        deadline = unit_report.deadline
        if isinstance(deadline, datetime.date):
            status.write_datetime(n, 7, datetime.datetime.combine(deadline, datetime.time()), book.date)
    data = book.close()
    if progress:
        progress(total, total)
    return data
