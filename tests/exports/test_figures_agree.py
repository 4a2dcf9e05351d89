"""One computation of every figure: for random figures of every indicator kind, the page, the Word
appendix and the Excel file recalculated by LibreOffice show the same numbers, for one report and for
the consolidated roll-up (Word for figures Hypothesis draws, Excel for fixed seeds: LibreOffice is slow).

The catalogue holds PER_KIND indicators of each kind × over-years rule (counts, amounts and typed
percentages as levels; counts and amounts as flows; ratios of levels and ratios of flows), filled
with random figures, blanks and zeros (a zero denominator is blank everywhere). The Excel files go
through LibreOffice with "always recalculate" (tests/exports/conftest.py), so what is compared is
what each formula computes, not the value the site cached beside it.
"""

import io
import os
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exports.docx import build_consolidated_docx, build_report_docx
from exports.selectors import consolidated, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from indicators.derived import is_percentage
from indicators.figures import show, show_change, show_share, show_signed
from indicators.models import Indicator, Kind, OverYears, Rollup
from outline.models import OutlineNode
from reports import totals
from reports.models import IndicatorNote, IndicatorValue, Report, ReportStatus

pytestmark = pytest.mark.django_db

PER_KIND = 50
EXAMPLES = settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
# (kind, over years, decimals, roll-up)
TYPED_KINDS = [
    (Kind.COUNT, OverYears.LATEST, 0, Rollup.SUM),
    (Kind.COUNT, OverYears.SUM, 0, Rollup.SUM),
    (Kind.AMOUNT, OverYears.SUM, 1, Rollup.SUM),
    (Kind.AMOUNT, OverYears.LATEST, 2, Rollup.SUM),
    (Kind.PERCENTAGE, OverYears.LATEST, 1, Rollup.NONE),
]


def build_catalogue(version):
    """PER_KIND indicators of every typed kind, and PER_KIND ratios over levels and over flows."""
    node = OutlineNode.objects.filter(version=version, is_writable=True).order_by("position").first()
    made = []

    def add(**fields):
        made.append(
            Indicator(
                outline_version=version,
                code=f"I{len(made):04d}",
                name=f"Chỉ tiêu {len(made)}",
                unit_of_measure="%" if fields["kind"] in (Kind.PERCENTAGE, Kind.RATIO) else "người",
                node=node,
                position=len(made) + 1,
                jump_warning_pct=Decimal(99_999),
                target_warning_pct=Decimal(99_999),
                **fields,
            )
        )
        return made[-1]

    for kind, over, decimals, roll in TYPED_KINDS:
        for _ in range(PER_KIND):
            add(kind=kind, over_years=over, decimals=decimals, rollup=roll)
    Indicator.objects.bulk_create(made)
    levels = [i for i in made if i.kind == Kind.COUNT and i.over_years == OverYears.LATEST]
    flows = [i for i in made if i.kind == Kind.AMOUNT and i.over_years == OverYears.SUM]
    ratios = []
    for parts, over in ((levels, OverYears.LATEST), (flows, OverYears.SUM)):
        for n in range(PER_KIND):
            ratios.append(
                Indicator(
                    outline_version=version,
                    code=f"R{over}{n:03d}",
                    name=f"Tỷ lệ {over} {n}",
                    unit_of_measure="%",
                    kind=Kind.RATIO,
                    rollup=Rollup.RATIO_OF_SUMS,
                    over_years=over,
                    decimals=1,
                    node=node,
                    position=len(made) + len(ratios) + 1,
                    numerator=parts[n],
                    denominator=parts[(n * 7 + 3) % PER_KIND],
                    jump_warning_pct=Decimal(99_999),
                    target_warning_pct=Decimal(99_999),
                )
            )
    Indicator.objects.bulk_create(ratios)
    return list(Indicator.objects.filter(outline_version=version).order_by("position"))


def random_figures(rng, indicators, columns, report):
    """Stored figures for ``report``: blanks, zeros and figures of every size, as the rules allow."""
    out = []
    for indicator in indicators:
        if indicator.is_computed:
            continue
        for column in columns:
            draw = rng.random()
            if draw < 0.15:
                continue
            if draw < 0.25:
                value = Decimal(0)
            elif indicator.kind == Kind.PERCENTAGE:
                value = Decimal(rng.randint(0, 1000)) / 10
            else:
                value = Decimal(rng.randint(1, 10 ** rng.randint(1, 7))) / Decimal(10**indicator.decimals)
            out.append(IndicatorValue(report=report, indicator=indicator, column=column, value=value))
    IndicatorValue.objects.bulk_create(out)
    IndicatorNote.objects.bulk_create(
        [IndicatorNote(report=report, indicator=i, note=f"Ghi chú {i.code}") for i in indicators[:3]]
    )


def decimal_of(number) -> Decimal:
    """A spreadsheet's double as the decimal it stands for: binary noise below 1e-9 rounded away."""
    return Decimal(repr(float(number))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)


def shown_from_excel(indicator, name, number) -> str:
    """A recalculated cell as the page shows the same figure."""
    if number in (None, ""):
        return ""
    value = decimal_of(number)
    if name == "pct":
        return show_share(value)
    if name in ("csp", "cpp"):
        # A percentage's change is in percentage points ("+2,5 điểm %"), as derived.py defines it.
        return show_change(value, in_points=is_percentage(indicator))
    if name in ("cs", "cp"):
        return show_signed(value, indicator.decimals)
    return show(value, indicator.decimals)


def page_figures(html: str) -> dict[tuple[int, str], str]:
    """Every figure of a read-only grid, by indicator id and column (typed, result, computed)."""
    return {
        (int(pk), key): unescape(text).strip() for pk, key, text in re.findall(r'data-out="(\d+):(\w+)">([^<]*)<', html)
    }


def word_figures(data: bytes, indicators, columns) -> dict[tuple[int, str], str]:
    """The Word appendix table's figures, by indicator id and column."""
    document = Document(io.BytesIO(data))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT" and len(t.rows[0].cells) > 10)
    names = [*columns, "result", "pct", "csp", "cpp"]
    out = {}
    for indicator, row in zip(indicators, table.rows[1:], strict=True):
        cells = [c.text for c in row.cells]
        for offset, name in enumerate(names):
            out[(indicator.pk, name)] = cells[3 + offset]
    return out


def excel_figures(path, sheet, indicators, columns, soffice) -> dict[tuple[int, str], str]:
    """The workbook's figures after LibreOffice recalculated every formula, as the page shows them."""
    recalculated = soffice(path, "xlsx")
    ws = load_workbook(recalculated, data_only=True, read_only=True)[sheet]
    by_code = {i.code: i for i in indicators}
    names = [*columns, "result", "pct", "cs", "csp", "cp", "cpp"]
    out = {}
    for values in ws.iter_rows(min_row=5, values_only=True):
        indicator = by_code.get(values[1])
        if indicator is None:
            continue
        for offset, name in enumerate(names):
            out[(indicator.pk, name)] = shown_from_excel(indicator, name, values[4 + offset])
    return out


def _last_place_apart_at_15_digits(a: str | None, b: str | None) -> bool:
    """Two shown figures of 15 significant digits, one unit apart in the last: a tie at the 16th digit,
    which the site decides exactly and a spreadsheet in binary floating point (15 digits, no more) cannot.
    Any real error (a formula off by 0.1 %, say) differs by far more than this."""
    if not a or not b:
        return False

    def parse(text):
        digits = text.removesuffix(" điểm\u00a0%").strip("+%").replace(".", "").replace(",", ".").lstrip("-")
        return Decimal(digits) * (-1 if text.lstrip("+").startswith("-") else 1), digits

    (x, dx), (y, dy) = parse(a), parse(b)
    significant = len(dx.replace(".", "").lstrip("0"))
    places = len(dx.split(".")[1]) if "." in dx else 0
    return significant >= 15 and len(dy.replace(".", "").lstrip("0")) >= 15 and abs(x - y) == Decimal(1).scaleb(-places)


def assert_same(page, other, what):
    differ = [
        (key, page.get(key), value)
        for key, value in other.items()
        if page.get(key) != value and not _last_place_apart_at_15_digits(page.get(key), value)
    ]
    assert not differ, f"{what} differs from the page in {len(differ)} figures, e.g. {differ[:5]}"


@pytest.fixture
def catalogue_world(world):
    return world, build_catalogue(world.round.outline_version)


def fill(world, indicators, seed):
    """Both reports of the world submitted with the figures drawn from ``seed``; the stored totals made
    again, as every bulk load of figures must (reports.totals). Returns the figures' columns."""
    rng = random.Random(seed)
    # Each example starts afresh: the figures are written in bulk, which no page cache would notice.
    cache.clear()
    IndicatorValue.objects.all().delete()
    IndicatorNote.objects.all().delete()
    Report.objects.filter(pk__in=[world.report_a.pk, world.report_b.pk]).update(status=ReportStatus.SUBMITTED)
    columns = ["target", "start", *[str(y) for y in world.round.data_years], "prev"]
    for report in (world.report_a, world.report_b):
        random_figures(rng, indicators, columns, report)
    totals.rebuild(world.round)
    return columns


def pages(world, indicators, columns):
    """The reviewer's read-only pages of report A and of the superior's roll-up, figure by figure, with
    the report and the superior's own report they show."""
    reviewer = Client()
    reviewer.force_login(world.reviewer)
    report = Report.objects.get(pk=world.report_a.pk)
    page = page_figures(reviewer.get(reverse("reports:appendix_edit", args=[report.pk])).content.decode())
    assert len(page) >= len(indicators) * (len(columns) + 6)
    own = Report.objects.get(round=world.round, unit=world.superior)
    url = reverse("reports:rollup", args=[world.round.code, world.superior.code])
    rollup_page = page_figures(reviewer.get(url).content.decode())
    assert len(rollup_page) >= len(indicators) * 6
    return (report, page), (own, rollup_page)


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1))
def test_page_and_word_show_the_same_figures(catalogue_world, seed):
    # Thousands of figures per example: Hypothesis draws the seed, a seeded generator the figures.
    world, indicators = catalogue_world
    columns = fill(world, indicators, seed)
    (report, page), (own, rollup_page) = pages(world, indicators, columns)
    assert_same(page, word_figures(build_report_docx(report_document(report)), indicators, columns), "Word")
    assert_same(
        rollup_page,
        word_figures(build_consolidated_docx(consolidated(own)), indicators, columns),
        "consolidated Word",
    )


# LibreOffice takes seconds per workbook: fixed seeds here, each thousands of figures of every kind (blanks,
# zeros, 1 to 10 million, ties at the 15th digit), where Hypothesis draws new ones for Word above.
EXCEL_SEEDS = [0, 1]


@pytest.mark.parametrize("seed", EXCEL_SEEDS)
def test_page_and_excel_recalculated_by_libreoffice_show_the_same_figures(catalogue_world, soffice, tmp_path, seed):
    world, indicators = catalogue_world
    columns = fill(world, indicators, seed)
    (report, page), (own, rollup_page) = pages(world, indicators, columns)
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(build_report_xlsx(report_document(report)))
    assert_same(page, excel_figures(source, "Phụ lục", indicators, columns, soffice), "Excel")
    source = tmp_path / "tong-hop.xlsx"
    source.write_bytes(build_consolidated_xlsx(consolidated(own)))
    assert_same(rollup_page, excel_figures(source, "Tổng hợp", indicators, columns, soffice), "consolidated Excel")
