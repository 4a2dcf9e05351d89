"""The figures as Excel: one report's appendix with formulas for what is computed, and a superior
union's consolidated workbook (roll-up with formulas, every unit's figures, every unit's status),
written in openpyxl's write-only mode so memory stays flat whatever the number of units."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList

from indicators.figures import column_label
from indicators.models import OverYears
from indicators.selectors import DEFAULT_ROLLUP_STATUSES, catalogue, report_appendix
from indicators.xlsx import BORDER, FONT, number_format, ratio_formula
from outline.models import Report
from reportsite.text import vietnamese_sort_key

Progress = Callable[[int, int], None]


@dataclass
class _Line:
    """A roll-up row of the consolidated workbook: its figures are formulas, it has no note."""

    indicator: object
    note: str = ""


HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


def _workbook():
    """A write-only workbook whose default font is Times New Roman, so the many unstyled cells of the
    large sheets print in it too (styling each cell is what makes writing slow)."""
    wb = Workbook(write_only=True)
    wb._fonts = IndexedList([Font(name=FONT, size=12)])  # the stylesheet's first font is the default
    return wb


def _sheet_setup(ws, widths, header_row):
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


class Cells:
    """Styled cells for a write-only sheet; any text is written as text, never as a formula."""

    def __init__(self, ws):
        self.ws = ws
        self.normal = Font(name=FONT, size=12)
        self.bold = Font(name=FONT, size=12, bold=True)

    def text(self, value, *, bold=False, header=False, wrap=False):
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # "=HYPERLINK(…)" typed by someone stays text
        cell.font = self.bold if (bold or header) else self.normal
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        elif wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = BORDER
        return cell

    def plain(self, value):
        """A value without its own style (fast, for the large sheets); text that a spreadsheet
        would take for a formula is still written as text."""
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.data_type = "s"
            return cell
        return float(value) if isinstance(value, Decimal) else value

    def number(self, value, decimals=0, *, fmt=None):
        cell = WriteOnlyCell(self.ws, value=None if value is None else float(value))
        cell.font = self.normal
        cell.number_format = fmt or number_format(decimals)
        cell.border = BORDER
        return cell

    def formula(self, text, decimals=1):
        cell = WriteOnlyCell(self.ws, value=text)
        cell.font = self.normal
        cell.number_format = number_format(decimals)
        cell.border = BORDER
        return cell


def _computed_formulas(row_number, first_col, years, over_years, *, has_prev=True):
    """% of target, change against the start (absolute and %), change against the previous term
    (absolute and %), as formulas over the row's own cells."""
    letter = {
        name: get_column_letter(first_col + i)
        for i, name in enumerate(["target", "start", *[str(y) for y in years], "prev"])
    }
    first_year, last_year = letter[str(years[0])], letter[str(years[-1])]
    latest = f"{last_year}{row_number}"
    if over_years == OverYears.SUM:
        result = f"SUM({first_year}{row_number}:{last_year}{row_number})"
        has_result = f"COUNT({first_year}{row_number}:{last_year}{row_number})>0"
    else:
        result, has_result = latest, f"ISNUMBER({latest})"
    target, start, prev = (f"{letter[k]}{row_number}" for k in ("target", "start", "prev"))
    return [
        f'=IF(AND({has_result},ISNUMBER({target}),{target}<>0),{result}/{target}*100,"")',
        f'=IF(AND(ISNUMBER({latest}),ISNUMBER({start})),{latest}-{start},"")',
        f'=IF(AND(ISNUMBER({latest}),ISNUMBER({start}),{start}<>0),({latest}-{start})/{start}*100,"")',
        f'=IF(AND({has_result},ISNUMBER({prev})),{result}-{prev},"")',
        f'=IF(AND({has_result},ISNUMBER({prev}),{prev}<>0),({result}-{prev})/{prev}*100,"")',
    ]


def _appendix_header(years):
    return [
        _("No."),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *[column_label(c) for c in ["target", "start", *map(str, years), "prev"]],
        _("Share of target (%)"),
        _("Against start of term"),
        _("Against start of term (%)"),
        _("Against previous term"),
        _("Against previous term (%)"),
        _("Note"),
    ]


def _appendix_rows(ws, cells, rows, years, first_row, values_for):
    """Write the indicator rows from ``first_row``; ``values_for(row, column)`` gives each value
    (a number, or a formula for the consolidated roll-up). Ratios are formulas over their parts."""
    columns = ["target", "start", *[str(y) for y in years], "prev"]
    row_of = {row.indicator.pk: first_row + i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        r = first_row + i
        indicator = row.indicator
        out = [
            cells.number(i + 1),
            cells.text(indicator.code),
            cells.text(indicator.name, wrap=True),
            cells.text(indicator.unit_of_measure),
        ]
        for offset, column in enumerate(columns):
            letter = get_column_letter(5 + offset)
            if indicator.is_computed:
                num, den = row_of.get(indicator.numerator_id), row_of.get(indicator.denominator_id)
                formula = ratio_formula(letter, num, den, indicator.scale) if num and den else None
                out.append(cells.formula(formula, indicator.decimals) if formula else cells.text(""))
            else:
                value = values_for(row, column, r, letter)
                if isinstance(value, str):
                    out.append(cells.formula(value, indicator.decimals))
                else:
                    out.append(cells.number(value, indicator.decimals))
        out.extend(cells.formula(f, 1) for f in _computed_formulas(r, 5, years, indicator.over_years))
        out.append(cells.text(getattr(row, "note", "") or "", wrap=True))
        ws.append(out)


def build_report_xlsx(report: Report) -> bytes:
    """One report's appendix: the figures typed, formulas for ratios and comparisons."""
    appendix = report_appendix(report)
    years = report.round.data_years
    wb = _workbook()
    ws = wb.create_sheet(_("Appendix"))
    header = _appendix_header(years)
    _sheet_setup(ws, [5, 16, 48, 14] + [13] * (len(header) - 5) + [30], header_row=4)
    cells = Cells(ws)
    ws.append([cells.text(_("APPENDIX: RESULTS ON THE TARGETS"), bold=True)])
    ws.append([cells.text(_("Unit: %(unit)s") % {"unit": report.unit.name})])
    ws.append(
        [
            cells.text(
                _("%(round)s — figures up to %(cutoff)s")
                % {
                    "round": report.round.name,
                    "cutoff": formats.date_format(report.round.cutoff_date, "d/m/Y"),
                }
            )
        ]
    )
    ws.append([cells.text(h, header=True) for h in header])
    _appendix_rows(ws, cells, appendix.rows, years, 5, lambda row, column, r, letter: row.value(column))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_consolidated_xlsx(
    report: Report, *, statuses=DEFAULT_ROLLUP_STATUSES, progress: Progress | None = None
) -> bytes:
    """A superior union's workbook: "Tổng hợp" (the roll-up as SUMIFS formulas over "Chi tiết"),
    "Chi tiết" (every unit × indicator) and "Trạng thái" (every unit's status and dates)."""
    from indicators.models import IndicatorValue

    round_ = report.round
    years = round_.data_years
    columns = ["target", "start", *[str(y) for y in years], "prev"]
    indicators = catalogue(round_.outline_version_id)
    reports = sorted(
        Report.objects.filter(round=round_, unit__path__startswith=report.unit.path, unit__is_grassroots=True)
        .select_related("unit")
        .only(
            "pk",
            "status",
            "submitted_at",
            "approved_at",
            "updated_at",
            "extended_until",
            "unit__name",
            "unit__code",
            "round_id",
        ),
        key=lambda r: vietnamese_sort_key(r.unit.name),
    )
    counted = {r.pk for r in reports if r.status in statuses}
    values: dict[tuple[int, int, str], object] = {}
    for report_id, indicator_id, column, value in (
        IndicatorValue.objects.filter(
            report__round=round_,
            report__unit__path__startswith=report.unit.path,
            report__unit__is_grassroots=True,
        )
        .values_list("report_id", "indicator_id", "column", "value")
        .iterator(chunk_size=5000)
    ):
        values[(report_id, indicator_id, column)] = value
    total = len(reports) + 1

    wb = _workbook()
    summary = wb.create_sheet(_("Roll-up"))
    detail = wb.create_sheet(_("Details"))
    status = wb.create_sheet(_("Status"))

    # Chi tiết: one row per unit and indicator; column F on is the figures; the last says whether
    # the unit counts in the roll-up (its status is among those chosen).
    detail_header = [
        pgettext("organisation", "Unit code"),
        pgettext("organisation", "Unit"),
        _("Code"),
        _("Indicator"),
        _("Unit"),
        *[column_label(c) for c in columns],
        _("Counted"),
    ]
    _sheet_setup(detail, [14, 40, 16, 40, 12] + [13] * len(columns) + [10], header_row=1)
    dc = Cells(detail)
    detail.append([dc.text(h, header=True) for h in detail_header])
    typed = [i for i in indicators if not i.is_computed]
    # The indicator's three text cells are the same on every unit's rows: made once.
    described = [
        (indicator.pk, [dc.plain(indicator.code), dc.plain(indicator.name), dc.plain(indicator.unit_of_measure)])
        for indicator in typed
    ]
    get = values.get
    for index, r in enumerate(reports, 1):
        flag = 1 if r.pk in counted else 0
        unit_cells = [dc.plain(r.unit.code), dc.plain(r.unit.name)]
        for indicator_id, text_cells in described:
            figures = [get((r.pk, indicator_id, c)) for c in columns]
            detail.append(
                [
                    *unit_cells,
                    *text_cells,
                    *[float(v) if v is not None else None for v in figures],
                    flag,
                ]
            )
        if progress and index % 100 == 0:
            progress(index, total)
    last_detail = 1 + len(reports) * len(typed)
    counted_col = get_column_letter(6 + len(columns))
    sheet_name = _("Details")

    def rollup_formula(row, column, r, letter):
        if row.indicator.rollup != "sum":
            return None
        source = get_column_letter(6 + columns.index(column))
        values_rng, codes, flags = (f"'{sheet_name}'!${c}$2:${c}${last_detail}" for c in (source, "C", counted_col))
        criteria = f"{codes},$B{r},{flags},1"
        # Blank, like the site, when no counted unit has the figure; otherwise the sum.
        return f'=IF(COUNTIFS({criteria},{values_rng},"<>")=0,"",SUMIFS({values_rng},{criteria}))'

    header = _appendix_header(years)
    _sheet_setup(summary, [5, 16, 48, 14] + [13] * (len(header) - 5) + [30], header_row=4)
    sc = Cells(summary)
    summary.append([sc.text(_("APPENDIX ROLL-UP: RESULTS ON THE TARGETS"), bold=True)])
    summary.append([sc.text(report.unit.name)])
    summary.append(
        [
            sc.text(
                _("%(counted)s of %(total)s grassroots unions counted (statuses: %(statuses)s).")
                % {
                    "counted": len(counted),
                    "total": len(reports),
                    "statuses": ", ".join(str(Report(status=s).get_status_display()) for s in statuses),
                }
            )
        ]
    )
    summary.append([sc.text(h, header=True) for h in header])
    _appendix_rows(summary, sc, [_Line(i) for i in indicators], years, 5, rollup_formula)

    _sheet_setup(status, [14, 48, 16, 18, 18, 18, 14], header_row=1)
    tc = Cells(status)
    status.append(
        [
            tc.text(h, header=True)
            for h in [
                pgettext("organisation", "Unit code"),
                pgettext("organisation", "Unit"),
                _("Status"),
                _("Submitted"),
                _("Approved"),
                _("Last change"),
                _("Deadline"),
            ]
        ]
    )

    def when(moment):
        return formats.date_format(timezone.localtime(moment), "H:i d/m/Y") if moment else ""

    for r in reports:
        r.round = round_
        status.append(
            [
                tc.text(r.unit.code),
                tc.text(r.unit.name),
                tc.text(str(r.get_status_display())),
                tc.text(when(r.submitted_at)),
                tc.text(when(r.approved_at)),
                tc.text(when(r.updated_at)),
                tc.text(formats.date_format(r.deadline, "d/m/Y")),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    if progress:
        progress(total, total)
    return buffer.getvalue()
