"""`make bench`: export times at two sizes against raw baseline writers of the same content, and the
roll-up time; prints a table and writes .bench/summary.json. Run on a throw-away database."""

import io
import json
import statistics
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from exports.docx import build_consolidated_docx
from exports.xlsx import build_consolidated_xlsx
from indicators.selectors import catalogue, rollup
from outline.models import OutlineNode, OutlineVersion, Report, SectionText
from reportsite.richtext import plain_text
from reportsite.scale import build_scale

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def raw_docx(report) -> bytes:
    """The baseline: the same headings and texts as paragraphs, written as XML strings and zipped."""
    nodes = list(OutlineNode.objects.filter(version_id=report.round.outline_version_id).order_by("position"))
    texts = SectionText.objects.filter(
        report__round_id=report.round_id, report__unit__path__startswith=report.unit.path
    ).select_related("report__unit")
    run = '<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/><w:sz w:val="28"/></w:rPr>'
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    ]
    for node in nodes:
        parts.append(f"<w:p>{run}<w:t>{escape(node.text)}</w:t></w:r></w:p>")
    for text in texts.iterator(chunk_size=2000):
        parts.append(f"<w:p>{run}<w:t>{escape(text.report.unit.name)}</w:t></w:r></w:p>")
        for paragraph in text.content.split("</p>"):
            words = plain_text(paragraph)
            if words:
                parts.append(f'<w:p>{run}<w:t xml:space="preserve">{escape(words)}</w:t></w:r></w:p>')
    parts.append("</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", "".join(parts))
    return buffer.getvalue()


def raw_xlsx(report) -> bytes:
    """The baseline: XlsxWriter in constant-memory mode writing the same three sheets' cells."""
    import xlsxwriter

    from indicators.models import IndicatorValue

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    indicators = catalogue(report.round.outline_version_id)
    reports = list(
        Report.objects.filter(
            round=report.round, unit__path__startswith=report.unit.path, unit__is_grassroots=True
        ).select_related("unit")
    )
    values = {
        (r, i, c): v
        for r, i, c, v in IndicatorValue.objects.filter(
            report__round=report.round, report__unit__path__startswith=report.unit.path
        )
        .values_list("report_id", "indicator_id", "column", "value")
        .iterator(chunk_size=5000)
    }
    columns = ["target", "start", "2018", "2019", "2020", "prev"]
    summary = wb.add_worksheet("Tổng hợp")
    for r, indicator in enumerate(indicators, 4):
        summary.write_row(r, 0, [r - 3, indicator.code, indicator.name, indicator.unit_of_measure])
        for c in range(6):
            summary.write_formula(r, 4 + c, "=SUM(1,1)")
    detail = wb.add_worksheet("Chi tiết")
    row = 1
    for rep in reports:
        for indicator in indicators:
            if indicator.is_computed:
                continue
            detail.write_row(
                row,
                0,
                [rep.unit.code, rep.unit.name, indicator.code, indicator.name, indicator.unit_of_measure],
            )
            for c, column in enumerate(columns):
                value = values.get((rep.pk, indicator.pk, column))
                if value is not None:
                    detail.write_number(row, 5 + c, float(value))
            row += 1
    status = wb.add_worksheet("Trạng thái")
    for r, rep in enumerate(reports, 1):
        status.write_row(r, 0, [rep.unit.code, rep.unit.name, rep.status])
    wb.close()
    return buffer.getvalue()


def timed(function, *args, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return min(times)


class Command(BaseCommand):
    help = "Measure exports and the roll-up at several sizes; write .bench/summary.json."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 600])
        parser.add_argument("--rollup-units", type=int, default=10_000)

    def handle(self, *args, sizes, rollup_units, **options):
        call_command("loaddata", "outline_gnk_2018_2023", "indicators_gnk_2018_2023", verbosity=0)
        version = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
        results = {}
        self.stdout.write(
            f"{'units':>6} {'docx s':>8} {'raw docx s':>10} {'ratio':>6} "
            f"{'xlsx s':>8} {'xlsxwriter s':>12} {'ratio':>6}"
        )
        for seed, size in enumerate(sizes, 100):
            round_ = build_scale(units=size, seed=seed, version=version, code_prefix=f"B{size}")
            own = Report.objects.select_related("round", "unit", "unit__parent").get(
                round=round_, unit=round_.organising_unit
            )
            docx = timed(build_consolidated_docx, own)
            docx_raw = timed(raw_docx, own)
            xlsx = timed(build_consolidated_xlsx, own)
            xlsx_raw = timed(raw_xlsx, own)
            results[size] = {"docx": docx, "docx_raw": docx_raw, "xlsx": xlsx, "xlsx_raw": xlsx_raw}
            self.stdout.write(
                f"{size:>6} {docx:>8.2f} {docx_raw:>10.2f} {docx / docx_raw:>6.2f} "
                f"{xlsx:>8.2f} {xlsx_raw:>12.2f} {xlsx / xlsx_raw:>6.2f}"
            )
        rollup_round = build_scale(units=rollup_units, seed=7, version=version, code_prefix="R10K")
        rollup_s = timed(lambda: rollup(round=rollup_round, unit=rollup_round.organising_unit))
        self.stdout.write(f"roll-up over {rollup_units} units: {rollup_s:.3f} s")

        middle = sorted(results)[len(results) // 2] if len(results) > 2 else max(results)
        largest = max(results)
        summary = {
            "docx_ratio_vs_raw": round(results[middle]["docx"] / results[middle]["docx_raw"], 2),
            "docx_linearity": round(results[largest]["docx"] / results[middle]["docx"], 2)
            if largest != middle
            else None,
            "xlsx_ratio_vs_xlsxwriter": round(statistics.mean(r["xlsx"] / r["xlsx_raw"] for r in results.values()), 2),
            "rollup_10k_s": round(rollup_s, 3),
            "export_seconds": {str(k): {n: round(v, 3) for n, v in r.items()} for k, r in results.items()},
        }
        out = Path(settings.BASE_DIR) / ".bench" / "summary.json"
        out.parent.mkdir(exist_ok=True)
        existing = json.loads(out.read_text()) if out.exists() else {}
        existing.update(summary)
        out.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(json.dumps(summary, indent=2))
