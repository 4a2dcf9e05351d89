"""`make bench`: the speed goals of the site measured on a throw-away database (PostgreSQL by default).

1. Queries per page and export at 10 and at 500 units (must be equal).
2. Load: gunicorn on loopback, 50 users for 60 s spread over the pages (wrk, with a think time), the
   95th percentile per page; then the report page's requests per second against a bare template view.
3. Consolidated DOCX and XLSX times against raw writers of the same content, at several sizes.
4. The appendix roll-up over 10,000 units.

Prints a table and writes .bench/summary.json (the goals' figures) and .bench/details.json."""

import io
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import richtext
from core.richtext import plain_text
from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from exports.xlsx import build_consolidated_xlsx
from indicators.selectors import catalogue
from outline.models import OutlineNode, OutlineVersion
from reports.models import IndicatorValue, Report, ReportStatus, SectionText
from reports.selectors import rollup
from reports.xlsx import HEADER_ROW, MAX_PART_BYTES, UploadRefused, check_workbook_limits
from reportsite.scale import build_scale
from units.models import Membership, Role

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


GOALS = {
    "p95_ms": ("≤", 200),
    "throughput_ratio_vs_bare": ("≥", 0.4),
    "docx_ratio_vs_raw": ("≤", 5),
    "docx_linearity": ("≤", 2.2),
    "xlsx_ratio_vs_xlsxwriter": ("≤", 1.5),
    "rollup_10k_s": ("≤", 1),
}
# How the 50 users of the load run are spread over the pages.
LOAD_SHARE = {
    "dashboard": 8,
    "report": 10,
    "section_edit": 10,
    "rollup": 8,
    "export_report_docx": 7,
    "export_report_xlsx": 7,
}
LUA = Path(__file__).with_name("wrk_page.lua")


def met(value, goal):
    sign, limit = goal
    return value <= limit if sign == "≤" else value >= limit


class Tree:
    """A scale tree and the people who use it, for the pages measured."""

    def __init__(self, units, version):
        self.units = units
        self.round = build_scale(units=units, seed=units, version=version, code_prefix=f"Q{units}")
        self.province = self.round.organising_unit
        members = Membership.objects.select_related("user")
        self.reviewer = members.get(unit=self.province, role=Role.REVIEWER).user
        self.writer = members.get(unit=self.province, role=Role.DRAFTER).user
        reports = Report.objects.select_related("round", "unit", "unit__parent").filter(round=self.round)
        self.own = reports.get(unit=self.province)
        # A grassroots union still drafting: the page most people open at the deadline.
        self.unit_report = reports.filter(unit__is_grassroots=True, status=ReportStatus.DRAFTING).order_by("pk")[0]
        self.drafter = members.get(unit=self.unit_report.unit, role=Role.DRAFTER).user
        self.key = (
            OutlineNode.objects.filter(version=self.round.outline_version, is_writable=True)
            .order_by("position")
            .values_list("key", flat=True)[0]
        )

    def pages(self):
        """(name, user, path) of every page and download whose query count is watched."""
        own, unit = self.own.pk, self.unit_report.pk
        return [
            ("dashboard", self.reviewer, reverse("reports:dashboard", args=[self.round.code])),
            ("report", self.writer, reverse("reports:report_detail", args=[own])),
            ("section_edit", self.writer, reverse("reports:section_edit", args=[own, self.key])),
            ("rollup", self.reviewer, reverse("reports:rollup", args=[self.round.code, self.province.code])),
            ("export_report_docx", self.writer, reverse("exports:report_docx", args=[own])),
            ("export_report_xlsx", self.writer, reverse("exports:report_xlsx", args=[own])),
            ("export_outline_docx", self.writer, reverse("exports:outline_docx", args=[own])),
            ("export_appendix_template", self.writer, reverse("reports:appendix_xlsx", args=[own])),
            (
                "export_dashboard_xlsx",
                self.reviewer,
                reverse("reports:dashboard", args=[self.round.code]) + "?format=xlsx",
            ),
            ("unit_report", self.drafter, reverse("reports:report_detail", args=[unit])),
            ("unit_section_edit", self.drafter, reverse("reports:section_edit", args=[unit, self.key])),
        ]

    def load_pages(self):
        """(name, user, path) of the pages under load: the province's overview pages over all units,
        and a grassroots union's own report, section and downloads."""
        unit = self.unit_report.pk
        return {
            "dashboard": (self.reviewer, reverse("reports:dashboard", args=[self.round.code])),
            "report": (self.drafter, reverse("reports:report_detail", args=[unit])),
            "section_edit": (self.drafter, reverse("reports:section_edit", args=[unit, self.key])),
            "rollup": (
                self.reviewer,
                reverse("reports:rollup", args=[self.round.code, self.province.code]),
            ),
            "export_report_docx": (self.drafter, reverse("exports:report_docx", args=[unit])),
            "export_report_xlsx": (self.drafter, reverse("exports:report_xlsx", args=[unit])),
        }


def analyze():
    """Planner statistics for what was just bulk-loaded, as autovacuum makes them within a minute of a
    real load; without them PostgreSQL guesses one row per table and picks nested loops."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def count_queries(tree) -> dict:
    counts = {}
    for name, user, path in tree.pages():
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{name} {path}: HTTP {response.status_code}")
        counts[name] = len(queries)
    for name, builder in (
        ("export_consolidated_docx", lambda own: build_consolidated_docx(consolidated(own))),
        ("export_consolidated_xlsx", lambda own: build_consolidated_xlsx(consolidated(own))),
    ):
        with CaptureQueriesContext(connection) as queries:
            builder(tree.own)
        counts[name] = len(queries)
    return counts


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """The site served as in production (gunicorn.conf.py), on a loopback port, for the load runs."""

    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        gunicorn = shutil.which("gunicorn") or str(Path(os.sys.executable).with_name("gunicorn"))
        env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.process = subprocess.Popen(
            [gunicorn, "reportsite.wsgi", "-c", str(Path(settings.BASE_DIR) / "gunicorn.conf.py")],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + reverse("login"), timeout=2)
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise CommandError("gunicorn did not start") from None
                time.sleep(0.1)
        raise CommandError("gunicorn did not answer in 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def get(self, path, cookie):
        request = urllib.request.Request(self.base + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()

    def wrk(self, path, cookie, *, users, seconds, think=(0, 0)):
        """Start wrk on ``path``; returns the running process (read it with ``wrk_result``)."""
        env = {
            **os.environ,
            "BENCH_PATH": path,
            "BENCH_COOKIE": cookie,
            "BENCH_THINK_MIN_MS": str(think[0]),
            "BENCH_THINK_MAX_MS": str(think[1]),
        }
        return subprocess.Popen(
            ["wrk", "-t1", f"-c{users}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), self.base],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )


def wrk_result(process) -> dict:
    out, _ = process.communicate()
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise CommandError(f"wrk gave no result:\n{out}")
    result = json.loads(line[6:])
    result["errors"] = sum(result[k] for k in ("non_2xx", "connect", "read", "write", "timeout"))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _strings_elsewhere(size: int) -> bytes:
    """A workbook whose shared strings sit in a part not named .xml (openpyxl finds it anyway)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        item = "<si><t>Chuỗi {n}</t></si>"
        archive.writestr("xl/ss.dat", "<sst>" + "".join(item.format(n=n) for n in range(size // 24)) + "</sst>")
    return out.getvalue()


def _styles_bomb(entries: int, entry='<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>') -> bytes:
    """A workbook whose style table holds this many identical cell formats (a few KB zipped)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        xf = entry * entries
        archive.writestr("xl/styles.xml", f'<styleSheet><cellXfs count="{entries}">{xf}</cellXfs></styleSheet>')
    return out.getvalue()


def _padded_row(limit: int) -> bytes:
    """A workbook whose first data row carries as many cells as fit in a sheet part of ``limit``."""
    book = Workbook()
    book.active["A1"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    # Distinct values, so that the zip does not shrink it past the compression-ratio limit.
    cells, size, n = [], 2_000, 0
    while size < limit - 40:
        cell = f'<c r="A6"><v>{n * 7919 % 1_000_003}</v></c>'
        cells.append(cell)
        size += len(cell)
        n += 1
    row = '<row r="6">' + "".join(cells) + "</row>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", row.encode() + b"</sheetData>")
            archive.writestr(item, data)
    return out.getvalue()


def worst_shapes() -> dict:
    """The shapes of input that cost the most to check and clean, at the largest size a request
    may carry, whether refused or accepted; each a callable doing what the site does with it."""

    depth, elements, size = richtext.MAX_DEPTH, richtext.MAX_ELEMENTS, richtext.MAX_INPUT_CHARS

    def section(text):
        def run():
            try:
                richtext.clean_section_html(text[:size])
            except richtext.HtmlTooComplex:
                return "refused"
            return "cleaned"

        return run

    def workbook(data):
        def run():
            # What read_upload does before it looks at a single figure: the limits, then every row
            # it reads, parsed (a template's row padded with cells is the costliest one allowed).
            try:
                check_workbook_limits(data)
            except UploadRefused:
                return "refused"
            book = load_workbook(io.BytesIO(data), read_only=True)
            for _row in book.worksheets[0].iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + 500, max_col=13):
                pass
            book.close()
            return "read"

        return run

    return {
        # Before the scan, nested lists took 67 s of CPU and a deep base text 147 s:
        "nested lists": section("<ul><li>" * 80_000),
        "self-closed divs": section("<div/>" * 100_000),
        "stray closers": section("<div></span>" * 60_000),
        # At the limits:
        "plain text at the size limit": section("<p>" + "Đoàn viên công đoàn " * (size // 21) + "</p>"),
        "elements at the limit": section("<p>x</p>" * (elements - 1)),
        "depth at the limit, repeated": section(
            ("<ul><li>" * (depth // 2) + "x" + "</li></ul>" * (depth // 2)) * (elements // depth)
        ),
        "unfinished tags (<a × 300,000)": section("<a" * 300_000),
        "stray </p> × 150,000": section("</p>" * 150_000),
        "formatting re-opened by blocks": section(
            "<p>" + "".join(f'<strong id="{i}">' for i in range(38)) + "</p>" + "<p>x</p>" * 19_900
        ),
        "formatting re-opened": section(
            "<p>" + "".join(f'<strong id="{i}">' for i in range(8)) + "</p>" + "<p>x</p>" * 1_000
        ),
        # Workbooks (the 420,000-entry style table took 26 s and 270 MB before):
        "workbook, 420,000 styles": workbook(_styles_bomb(420_000)),
        "workbook, 16,000 styles in 1 MB": workbook(_styles_bomb(16_000)),
        "workbook, a row of cells at the part limit": workbook(_padded_row(MAX_PART_BYTES)),
        "workbook, 150,000 <xf/>": workbook(_styles_bomb(150_000, entry="<xf/>")),
        "workbook, 29 MB of strings in xl/ss.dat": workbook(_strings_elsewhere(29 * 1024 * 1024)),
    }


class Command(BaseCommand):
    help = "Measure the speed goals on a throw-away database; write .bench/summary.json."
    # The database is dropped and made again first: nothing may touch it before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 600])
        parser.add_argument("--rollup-units", type=int, default=10_000)
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--load-seconds", type=int, default=60)
        parser.add_argument("--throughput-seconds", type=int, default=15)
        parser.add_argument(
            "--worst-shapes-only",
            action="store_true",
            help="only the CPU time of the worst input shapes (no database needed)",
        )
        parser.add_argument(
            "--think-ms",
            type=int,
            nargs=2,
            default=[1000, 3000],
            help="each user's pause between two pages, drawn between these (ms)",
        )

    def handle(self, *args, **options):
        if options["worst_shapes_only"]:
            self.worst_shapes({})
            return
        self.fresh_database()
        call_command("loaddata", "outline_gnk_2018_2023", "indicators_gnk_2018_2023", verbosity=0)
        version = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
        details = {}

        small, large = Tree(10, version), Tree(500, version)
        analyze()
        counts = {10: count_queries(small), 500: count_queries(large)}
        queries = {name: {"10": counts[10][name], "500": counts[500][name]} for name in counts[10]}
        self.section("Queries per page (10 units → 500 units)")
        for name, pair in queries.items():
            mark = "=" if pair["10"] == pair["500"] else "≠  GROWS"
            self.stdout.write(f"  {name:<28} {pair['10']:>4} → {pair['500']:>4}  {mark}")

        p95, ratio = self.load(large, options, details)
        exports = self.exports(version, options["sizes"], details)
        self.section(f"Roll-up over {options['rollup_units']} units")
        rollup_round = build_scale(units=options["rollup_units"], seed=7, version=version, code_prefix="R10K")
        analyze()
        rollup_s = timed(lambda: rollup(round=rollup_round, unit=rollup_round.organising_unit))
        self.stdout.write(f"  {rollup_s:.3f} s")

        worst_cpu = self.worst_shapes(details)
        summary = {
            "worst_input_cpu_s": worst_cpu,
            "queries": queries,
            "p95_ms": p95,
            "throughput_ratio_vs_bare": ratio,
            **exports,
            "rollup_10k_s": round(rollup_s, 3),
        }
        out = Path(settings.BASE_DIR) / ".bench"
        out.mkdir(exist_ok=True)
        (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        details["database"] = connection.vendor
        (out / "details.json").write_text(json.dumps(details, indent=2, ensure_ascii=False) + "\n")
        self.verdict(summary)

    def worst_shapes(self, details) -> float:
        """CPU seconds (median of 5) of each worst input shape; returns the largest. Goal: about a
        second at most, whatever the shape (issue 12)."""
        self.section("Worst input shapes: CPU time to check and clean (median of 5)")
        figures = {}
        for name, run in worst_shapes().items():
            times = []
            for _ in range(5):
                start = time.process_time()
                outcome = run()
                times.append(time.process_time() - start)
            figures[name] = round(sorted(times)[2], 4)
            self.stdout.write(f"  {name:<52} {outcome:<8} {figures[name]:.4f} s")
        details["worst_input_cpu_s"] = figures
        worst = max(figures.values())
        self.stdout.write(f"  {'worst':<61} {worst:.4f} s  ({'met' if worst <= 1 else 'MISSED'}: goal ≤ 1 s)")
        return worst

    def section(self, title):
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(title))

    def fresh_database(self):
        """Drop and create the bench database (its name must say "bench"), then migrate."""
        db = settings.DATABASES["default"]
        name = str(db["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(f"Refusing to wipe {name!r}: the bench database's name must contain 'bench'.")
        if connection.vendor == "postgresql":
            import psycopg2

            admin = psycopg2.connect(
                dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
            )
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            admin.close()
        else:
            connections.close_all()
            Path(name).unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
        self.stdout.write(f"{connection.vendor} database {name}, made afresh")

    def load(self, tree, options, details):
        users, seconds, think = options["users"], options["load_seconds"], tuple(options["think_ms"])
        if not shutil.which("wrk"):
            raise CommandError("wrk is missing: make bench installs it (apt-get install wrk).")
        pages = tree.load_pages()
        cookies = {user.pk: session_cookie(user) for user, _path in pages.values()}
        total = sum(LOAD_SHARE.values())
        share = {name: max(1, round(users * n / total)) for name, n in LOAD_SHARE.items()}
        with Gunicorn() as server:
            for name, (user, path) in pages.items():
                status, body = server.get(path, cookies[user.pk])
                if status != 200 or not body:
                    raise CommandError(f"{name}: HTTP {status}")
            self.section(
                f"Load: {sum(share.values())} users for {seconds} s over {len(pages)} pages, "
                f"think time {think[0]}–{think[1]} ms (gunicorn, {connection.vendor}, loopback)"
            )
            running = {
                name: server.wrk(path, cookies[user.pk], users=share[name], seconds=seconds, think=think)
                for name, (user, path) in pages.items()
            }
            results = {name: wrk_result(process) for name, process in running.items()}
            self.stdout.write(f"  {'page':<22} {'users':>5} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
            for name, r in results.items():
                self.stdout.write(
                    f"  {name:<22} {share[name]:>5} {r['requests']:>8} {r['p50_us'] / 1000:>7.1f} "
                    f"{r['p95_us'] / 1000:>7.1f} {r['errors']:>6}"
                )
            details["load"] = {"users": share, "seconds": seconds, "think_ms": think, "results": results}
            if any(r["errors"] for r in results.values()):
                raise CommandError("Some requests failed under load; see the table.")

            # Throughput: as many requests as the server takes, the report page then the bare view,
            # twice each in turn so that a passing disturbance hits both.
            bare = reverse("bench_bare")
            report_user, report_path = pages["report"]
            cookie = cookies[report_user.pk]
            concurrency = 8
            runs = {"report": [], "bare": []}
            for _ in range(2):
                for name, path in (("report", report_path), ("bare", bare)):
                    process = server.wrk(path, cookie, users=concurrency, seconds=options["throughput_seconds"] // 2)
                    runs[name].append(wrk_result(process))
        rps = {
            name: sum(r["requests"] for r in rs) / sum(r["duration_us"] / 1e6 for r in rs) for name, rs in runs.items()
        }
        ratio = round(rps["report"] / rps["bare"], 2)
        self.section(f"Throughput, {concurrency} connections, no think time")
        self.stdout.write(f"  report page {rps['report']:.0f}/s, bare template view {rps['bare']:.0f}/s: ratio {ratio}")
        details["throughput"] = {"rps": rps, "runs": runs, "connections": concurrency}
        return {name: round(r["p95_us"] / 1000, 1) for name, r in results.items()}, ratio

    def exports(self, version, sizes, details):
        self.section("Consolidated exports (best of 3)")
        self.stdout.write(
            f"  {'units':>6} {'docx s':>8} {'raw docx s':>10} {'ratio':>6} "
            f"{'xlsx s':>8} {'xlsxwriter s':>12} {'ratio':>6}"
        )
        results = {}
        for seed, size in enumerate(sizes, 100):
            round_ = build_scale(units=size, seed=seed, version=version, code_prefix=f"B{size}")
            own = Report.objects.select_related("round", "unit", "unit__parent").get(
                round=round_, unit=round_.organising_unit
            )
            docx = timed(lambda own: build_consolidated_docx(consolidated(own)), own)
            docx_raw = timed(raw_docx, own)
            xlsx = timed(lambda own: build_consolidated_xlsx(consolidated(own)), own)
            xlsx_raw = timed(raw_xlsx, own)
            results[size] = {"docx": docx, "docx_raw": docx_raw, "xlsx": xlsx, "xlsx_raw": xlsx_raw}
            self.stdout.write(
                f"  {size:>6} {docx:>8.2f} {docx_raw:>10.2f} {docx / docx_raw:>6.2f} "
                f"{xlsx:>8.2f} {xlsx_raw:>12.2f} {xlsx / xlsx_raw:>6.2f}"
            )
        details["exports_seconds"] = {str(k): {n: round(v, 3) for n, v in r.items()} for k, r in results.items()}
        middle = 300 if 300 in results else sorted(results)[len(results) // 2]
        largest = max(results)
        return {
            "docx_ratio_vs_raw": round(results[middle]["docx"] / results[middle]["docx_raw"], 2),
            "docx_linearity": round(results[largest]["docx"] / results[middle]["docx"], 2)
            if largest != middle
            else None,
            # At the same size as the DOCX ratio; every size is in details.json.
            "xlsx_ratio_vs_xlsxwriter": round(results[middle]["xlsx"] / results[middle]["xlsx_raw"], 2),
        }

    def verdict(self, summary):
        self.section("Goals")
        rows = [("queries equal at 10 and 500 units", all(v["10"] == v["500"] for v in summary["queries"].values()))]
        worst = max(summary["p95_ms"].values())
        rows.append((f"p95 ≤ 200 ms on every page (worst {worst} ms)", met(worst, GOALS["p95_ms"])))
        for key in (
            "throughput_ratio_vs_bare",
            "docx_ratio_vs_raw",
            "docx_linearity",
            "xlsx_ratio_vs_xlsxwriter",
            "rollup_10k_s",
        ):
            sign, limit = GOALS[key]
            value = summary[key]
            rows.append((f"{key} = {value} (goal {sign} {limit})", value is not None and met(value, GOALS[key])))
        for text, ok in rows:
            self.stdout.write(f"  {'met   ' if ok else 'MISSED'} {text}")
        self.stdout.write("written: .bench/summary.json, .bench/details.json")
