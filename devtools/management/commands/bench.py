"""`make bench`: the speed and memory goals measured on a throw-away PostgreSQL database, as users meet
them. docs/performance.md says what each figure means; the summary goes to .bench/summary.json, the rest
to .bench/details.json.

1. National trees (build_national: the federation over provinces over unions over CĐCS) of 10 units and
   of each ``--sizes`` (10,000 in two provinces and 30,000 in all 34 by default; 120,000 when asked);
   how fast each was built (units per second).
2. Consolidated Word and Excel of the federation at every size, each run in a process of its own (time,
   peak memory, statements), alternated with the fair baselines of devtools.bench_fair; the dashboard's
   workbook the same way (no baseline: its time and peak); median of ``--runs``; each file's peak memory
   and its growth per unit between the smallest and the largest size.
3. The pages the federation's reviewer lands on (the report list, dashboard, roll-up, its own section
   page) uncached and cached, against a bare view, median of ``--runs`` alternated runs, at every size.
4. Queries of every page and download at 10 units and at the largest size (they must be equal).
5. Autosave against a bare write, 20 drafters on 20 reports, alternated phases; then a mixed load of
   drafters and reviewers over many reports, cache misses and hits apart (gunicorn, devtools.bench_load).
6. The roll-up selector at the largest size, and the worst input shapes (CPU time to check and clean).
"""

import gc
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import richtext
from devtools import bench_load
from devtools.scale import build_national, national_provinces, national_version
from outline.models import OutlineNode
from reports.models import Report, ReportStatus, Round, SectionText
from reports.selectors import rollup
from reports.xlsx import HEADER_ROW, MAX_PART_BYTES, UploadRefused, check_workbook_limits
from units.models import Membership, Role

LUA = Path(__file__).with_name("wrk_page.lua")
PARTS = ("exports", "pages", "queries", "load", "rollup", "shapes")
GOALS = {
    "p95_ms": ("≤", 200),
    "throughput_ratio_vs_bare": ("≥", 0.5),
    "docx_ratio_vs_fair": ("≤", 2),
    "docx_linearity": ("≤", 1.1),
    "xlsx_ratio_vs_xlsxwriter": ("≤", 1.2),
    "autosave_p95_ratio": ("≤", 5),
    "dashboard_10k_ratio": ("≤", 20),
    "rollup_10k_ratio": ("≤", 20),
    "section_page_10k_ratio": ("≤", 20),
    "section_page_10k_kb": ("≤", 1024),
    "rollup_10k_s": ("≤", 1),
    "worst_input_cpu_s": ("≤", 1),
}
# At the largest size measured (the country's 120,000 units when asked): issue "The whole country".
PEAK_GOALS_MB = {"docx": 300, "xlsx": 200}
# Figures of the national scale, each stored with the size it was measured at ({"units", "value"}).
NATIONAL_KEYS = (
    "report_list_ratio",
    "report_list_ms",
    "dashboard_xlsx_s",
    "docx_peak_mb_largest",
    "xlsx_peak_mb_largest",
    "dashboard_xlsx_peak_mb_largest",
    "seed_units_per_s",
    "two_node_lost_writes",
)


def two_node_lost_writes() -> dict:
    """What the last `make stack` run found (.bench/stack.json): acknowledged writes lost while a node
    and a worker were killed, with the size it ran at; null with a note before any run."""
    stack = Path(settings.BASE_DIR) / ".bench" / "stack.json"
    if not stack.exists():
        return {"units": None, "value": None, "note": "not measured yet: run `make stack`"}
    run = json.loads(stack.read_text())
    return {
        "units": run["two_node_units"],
        "value": run["two_node_lost_writes"],
        "note": f"make stack: {run['two_node_killed']}; errors users saw {run['two_node_user_errors']}, "
        f"exports unfinished {run['two_node_jobs_unfinished']}",
    }


def measured(units, value) -> dict:
    """A figure with the size of the tree it was measured on."""
    return {"units": units, "value": value}


def met(value, goal):
    sign, limit = goal
    return value is not None and (value <= limit if sign == "≤" else value >= limit)


def median(values):
    return statistics.median(values) if values else None


def national_round(units):
    """A round opened by a unit at the top over exactly ``units`` CĐCS (a copy of rs_national_120k, say)."""
    counted = Count("reports", filter=Q(reports__unit__is_grassroots=True))
    return (
        Round.objects.filter(organising_unit__parent=None).annotate(n=counted).filter(n=units).order_by("-pk").first()
    )


class Tree:
    """A national tree and the people who use it, for the pages measured. ``province`` is the unit at the
    top (the federation), whose reviewer, drafter and pages grow with the country."""

    def __init__(self, units, version, *, reuse=False):
        self.units = units
        code = f"Q{units}-{units}"
        existing = (Round.objects.filter(code=code).first() or national_round(units)) if reuse else None
        began = time.monotonic()
        self.round = existing or build_national(
            provinces=national_provinces(units),
            units=units,
            seed=units,
            version=version,
            code_prefix=f"Q{units}",
            round_code=code,
        )
        # How long the builder took (units per second in the summary); None when an earlier run's was reused.
        self.seed_seconds = None if existing else round(time.monotonic() - began, 1)
        self.province = self.round.organising_unit
        members = Membership.objects.select_related("user")
        self.reviewer = members.get(unit=self.province, role=Role.REVIEWER).user
        self.writer = members.get(unit=self.province, role=Role.DRAFTER).user
        reports = Report.objects.select_related("round", "unit", "unit__parent").filter(round=self.round)
        self.own = reports.get(unit=self.province)
        # A grassroots union still drafting: the page most people open at the deadline.
        self.unit_report = reports.filter(unit__is_grassroots=True, status=ReportStatus.DRAFTING).order_by("pk")[0]
        self.drafter = members.get(unit=self.unit_report.unit, role=Role.DRAFTER).user
        self.node = (
            OutlineNode.objects.filter(version=self.round.outline_version, is_writable=True)
            .order_by("position")
            .first()
        )
        self.key = self.node.key

    def pages(self):
        """(name, user, path) of every page and download whose query count is watched."""
        own, unit = self.own.pk, self.unit_report.pk
        return [
            ("report_list", self.reviewer, self.report_list_path()),
            ("dashboard", self.reviewer, reverse("reports:dashboard", args=[self.round.code])),
            ("report", self.writer, reverse("reports:report_detail", args=[own])),
            ("section_page", self.writer, reverse("reports:section_edit", args=[own, self.key])),
            ("rollup", self.reviewer, reverse("reports:rollup", args=[self.round.code, self.province.code])),
            ("export_report_docx", self.writer, reverse("exports:report_docx", args=[own])),
            ("export_report_xlsx", self.writer, reverse("exports:report_xlsx", args=[own])),
            ("export_outline_docx", self.writer, reverse("exports:outline_docx", args=[own])),
            ("export_appendix_template", self.writer, reverse("reports:appendix_xlsx", args=[own])),
            # The dashboard's workbook is an export job (exports.views.dashboard_start): timed with its peak
            # memory by `export_peak dashboard-xlsx`; its statements held flat by tests/exports/test_dashboard_job.py.
            ("unit_report", self.drafter, reverse("reports:report_detail", args=[unit])),
            ("unit_section_edit", self.drafter, reverse("reports:section_edit", args=[unit, self.key])),
        ]

    def report_list_path(self):
        return reverse("reports:report_list") + f"?dot={self.round.code}"

    def province_pages(self):
        """The pages that grow with the country: (name, user, path)."""
        return [
            ("report_list", self.reviewer, self.report_list_path()),
            ("dashboard", self.reviewer, reverse("reports:dashboard", args=[self.round.code])),
            ("rollup", self.reviewer, reverse("reports:rollup", args=[self.round.code, self.province.code])),
            ("section_page", self.writer, reverse("reports:section_edit", args=[self.own.pk, self.key])),
        ]


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
    return counts


def session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_cookie(user) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={session_key(user)}"


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
            [
                gunicorn,
                "reportsite.wsgi",
                "-c",
                str(Path(settings.BASE_DIR) / "gunicorn.conf.py"),
                "--log-level",
                "warning",
            ],
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
    help = "Measure the speed and memory goals on a throw-away database; write .bench/summary.json."
    # The database is dropped and made again first: nothing may touch it before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 30000], help="national trees' sizes (CĐCS)")
        parser.add_argument("--runs", type=int, default=5, help="alternated runs of each measure (median)")
        parser.add_argument("--drafters", type=int, default=20)
        parser.add_argument("--readers", type=int, default=30)
        parser.add_argument("--phase-seconds", type=int, default=20, help="each autosave / bare write phase")
        parser.add_argument("--load-seconds", type=int, default=60, help="the mixed load run")
        parser.add_argument("--throughput-seconds", type=int, default=16)
        parser.add_argument(
            "--parts",
            nargs="+",
            choices=PARTS,
            default=list(PARTS),
            help="measure only these (the summary then holds only their figures)",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="keep the bench database and the provinces an earlier run built (to measure again quickly)",
        )
        parser.add_argument(
            "--worst-shapes-only",
            action="store_true",
            help="only the CPU time of the worst input shapes (no database needed)",
        )

    def handle(self, *args, **options):
        if options["worst_shapes_only"]:
            self.worst_shapes({})
            return
        started = time.monotonic()
        parts = set(options["parts"])
        if not options["reuse"]:
            self.fresh_database()
        version = national_version()
        sizes = sorted(options["sizes"])
        runs = options["runs"]
        details = {"database": connection.vendor, "sizes": sizes, "runs": runs, "parts": sorted(parts)}

        self.section(f"National trees of 10, {', '.join(f'{n:,}' for n in sizes)} CĐCS (build_national)")
        small = Tree(10, version, reuse=options["reuse"])
        trees = {}
        for size in sizes:
            began = time.monotonic()
            trees[size] = Tree(size, version, reuse=options["reuse"])
            built = trees[size].seed_seconds
            self.stdout.write(
                f"  {size:,} units ready in {time.monotonic() - began:.0f} s"
                + (f" (built at {size / built:.0f} units/s)" if built else " (an earlier run's)")
            )
        details["seed_seconds"] = {str(size): tree.seed_seconds for size, tree in trees.items()}
        analyze()
        largest = trees[sizes[-1]]

        exports = self.exports(small, trees, runs, details) if "exports" in parts else None
        pages = self.province_pages(trees, runs, details) if "pages" in parts else {}
        queries = self.queries(small, largest, exports, details) if "queries" in parts else None
        load = self.load(largest, options, details) if "load" in parts else None
        rollup_s = self.rollup_time(largest, runs) if "rollup" in parts else None
        worst_cpu = self.worst_shapes(details) if "shapes" in parts else None

        at_10k = pages.get(10_000)
        largest_pages = pages.get(sizes[-1])
        built = [(size, tree.seed_seconds) for size, tree in trees.items() if tree.seed_seconds]

        def at_largest(page, figure):
            return measured(sizes[-1], largest_pages[page][figure]) if largest_pages else None

        def peak_largest(fmt):
            return measured(sizes[-1], exports["peak_mb"][fmt][str(sizes[-1])]) if exports else None

        summary = {
            "worst_input_cpu_s": worst_cpu,
            "queries": queries,
            "p95_ms": load["p95_ms"] if load else None,
            "throughput_ratio_vs_bare": load["throughput_ratio"] if load else None,
            # The old raw writer is gone (it left out the header, appendix and formatting): both keys hold
            # the ratio against the fair writer at the largest size.
            "docx_ratio_vs_raw": exports["docx_ratio"] if exports else None,
            "docx_ratio_vs_fair": exports["docx_ratio"] if exports else None,
            "docx_linearity": exports["docx_linearity"] if exports else None,
            "xlsx_ratio_vs_xlsxwriter": exports["xlsx_ratio"] if exports else None,
            "export_peak_mb": exports["peak_mb"] if exports else None,
            "autosave_p95_ratio": load["autosave_ratio"] if load else None,
            "dashboard_10k_ratio": at_10k["dashboard"]["miss_ratio"] if at_10k else None,
            "rollup_10k_ratio": at_10k["rollup"]["miss_ratio"] if at_10k else None,
            "section_page_10k_ratio": at_10k["section_page"]["miss_ratio"] if at_10k else None,
            "section_page_10k_kb": at_10k["section_page"]["kb"] if at_10k else None,
            "rollup_10k_s": rollup_s if largest.units == 10_000 else None,
            "largest_size": sizes[-1],
            # Each of these says the size it was measured at: {"units": …, "value": …}.
            "report_list_ratio": at_largest("report_list", "miss_ratio"),
            "report_list_ms": at_largest("report_list", "miss_ms"),
            "dashboard_xlsx_s": measured(sizes[-1], exports["dashboard_xlsx_s"]) if exports else None,
            "docx_peak_mb_largest": peak_largest("docx"),
            "xlsx_peak_mb_largest": peak_largest("xlsx"),
            "dashboard_xlsx_peak_mb_largest": peak_largest("dashboard-xlsx"),
            "export_peak_kb_per_unit": exports["kb_per_unit"] if exports else None,
            "seed_units_per_s": measured(built[-1][0], round(built[-1][0] / built[-1][1])) if built else None,
            "two_node_lost_writes": two_node_lost_writes(),
        }
        out = Path(settings.BASE_DIR) / ".bench"
        out.mkdir(exist_ok=True)
        details["minutes"] = round((time.monotonic() - started) / 60, 1)
        if parts != set(PARTS) and (out / "summary.json").exists():
            # A partial run updates what it measured and keeps the rest of the last run, saying so.
            earlier = json.loads((out / "summary.json").read_text())
            summary = {**earlier, **{k: v for k, v in summary.items() if v is not None}}
            earlier_details = json.loads((out / "details.json").read_text())
            details = {
                **earlier_details,
                **details,
                "partial_runs": [*earlier_details.get("partial_runs", []), sorted(parts)],
            }
        (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        (out / "details.json").write_text(json.dumps(details, indent=2, ensure_ascii=False) + "\n")
        self.verdict(summary)

    # Exports --------------------------------------------------------------------------------------
    def export_run(self, fmt, code, recording=None) -> dict:
        """One export in a process of its own (manage.py export_peak): its time, peak RSS, statements."""
        command = [sys.executable, "manage.py", "export_peak", fmt, "--round", code, "--json"]
        if recording:
            command += ["--recording", str(recording)]
        done = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True)
        if done.returncode:
            raise CommandError(f"export_peak {fmt} {code} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def exports(self, small, trees, runs, details) -> dict:
        self.section(
            f"Consolidated exports: the site's against the fair baselines, {runs} alternated runs, "
            "each in a process of its own (median)"
        )
        self.stdout.write(
            f"  {'units':>6} {'docx s':>7} {'fair s':>7} {'ratio':>6} {'peak MB':>8} │ "
            f"{'xlsx s':>7} {'xlsxwr s':>8} {'ratio':>6} {'peak MB':>8} │ {'dash s':>7} {'peak MB':>8}"
        )
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            for size, tree in [(10, small), *trees.items()]:
                code = tree.round.code
                recording = Path(tmp) / f"{size}.marshal"
                self.export_run("xlsx-record", code, recording)  # not timed: what the baseline replays
                rows = {name: [] for name in ("docx", "docx-fair", "xlsx", "xlsx-fair", "dashboard-xlsx")}
                for _ in range(runs if size != 10 else 1):
                    for name in rows:
                        rows[name].append(self.export_run(name, code, recording if name == "xlsx-fair" else None))
                recording.unlink()
                figures = {
                    name: {
                        "seconds": median([r["seconds"] for r in rs]),
                        "peak_rss_mb": median([r["peak_rss_mb"] for r in rs]),
                        "rss_before_mb": median([r["rss_before_mb"] for r in rs]),
                        "queries": rs[0]["queries"],
                        "file_mb": rs[0]["file_mb"],
                        "runs_seconds": [r["seconds"] for r in rs],
                    }
                    for name, rs in rows.items()
                }
                figures["xlsx-fair"]["replay_seconds"] = median([r["replay_seconds"] for r in rows["xlsx-fair"]])
                results[size] = figures
                f = figures
                self.stdout.write(
                    f"  {size:>6} {f['docx']['seconds']:>7.2f} {f['docx-fair']['seconds']:>7.2f} "
                    f"{f['docx']['seconds'] / f['docx-fair']['seconds']:>6.2f} {f['docx']['peak_rss_mb']:>8.0f} │ "
                    f"{f['xlsx']['seconds']:>7.2f} {f['xlsx-fair']['seconds']:>8.2f} "
                    f"{f['xlsx']['seconds'] / f['xlsx-fair']['seconds']:>6.2f} {f['xlsx']['peak_rss_mb']:>8.0f} │ "
                    f"{f['dashboard-xlsx']['seconds']:>7.2f} {f['dashboard-xlsx']['peak_rss_mb']:>8.0f}"
                )
        details["exports"] = {str(k): v for k, v in results.items()}
        sizes = sorted(trees)
        low, high = results[sizes[0]], results[sizes[-1]]
        per_unit = (high["docx"]["seconds"] / sizes[-1]) / (low["docx"]["seconds"] / sizes[0])
        files = ("docx", "xlsx", "dashboard-xlsx")
        # What each more unit costs in peak memory, between the smallest and the largest size.
        growth = {
            fmt: round((high[fmt]["peak_rss_mb"] - low[fmt]["peak_rss_mb"]) * 1024 / (sizes[-1] - sizes[0]), 2)
            for fmt in files
        }
        if len(sizes) > 1:
            self.stdout.write(
                f"  peak memory per more unit ({sizes[0]:,} → {sizes[-1]:,}): "
                + ", ".join(f"{fmt} {kb} KB" for fmt, kb in growth.items())
            )
        return {
            "docx_ratio": round(high["docx"]["seconds"] / high["docx-fair"]["seconds"], 2),
            "xlsx_ratio": round(high["xlsx"]["seconds"] / high["xlsx-fair"]["seconds"], 2),
            # Time per unit at the largest size ÷ at the smallest: 1.0 is linear.
            "docx_linearity": round(per_unit, 2) if len(sizes) > 1 else None,
            "peak_mb": {fmt: {str(size): results[size][fmt]["peak_rss_mb"] for size in sizes} for fmt in files},
            "kb_per_unit": {"units": [sizes[0], sizes[-1]], "value": growth} if len(sizes) > 1 else None,
            "dashboard_xlsx_s": high["dashboard-xlsx"]["seconds"],
            "queries": {fmt: {str(size): r[fmt]["queries"] for size, r in results.items()} for fmt in ("docx", "xlsx")},
        }

    # Pages ----------------------------------------------------------------------------------------
    def province_pages(self, trees, runs, details) -> dict:
        """Each province page uncached (the cache emptied first) then cached, and the bare view, in turn,
        ``runs`` times; medians, and the ratio of each to the bare view's."""
        self.section(f"Province pages, Django's test client, median of {runs} alternated runs (ms)")
        self.stdout.write(
            f"  {'units':>6} {'page':<14} {'miss':>8} {'× bare':>7} {'hit':>8} {'× bare':>7} {'HTML KB':>8}"
        )
        out = {}
        # What the bench itself holds (its trees, the catalogues it read) is set aside from the garbage
        # collector, as a gunicorn worker's is small: otherwise a full collection of this process's heap
        # lands in a timed request now and then (the federation's section page: 55 ms, or 115 ms when one
        # fell in it, which made two of three medians).
        gc.collect()
        gc.freeze()
        try:
            for size, tree in trees.items():
                pages = tree.province_pages()
                clients = {}
                for _name, user, _path in pages:
                    if user.pk not in clients:
                        clients[user.pk] = Client()
                        clients[user.pk].force_login(user)
                times = {name: {"miss": [], "hit": []} for name, *_rest in [*pages, ("bare",)]}
                sizes_kb = {}
                bare = ("bare", tree.reviewer, reverse("bench_bare"))
                for _ in range(runs):
                    for name, user, path in [*pages, bare]:
                        client = clients[user.pk]
                        cache.clear()
                        for state in ("miss", "hit"):
                            began = time.perf_counter()
                            response = client.get(path)
                            times[name][state].append((time.perf_counter() - began) * 1000)
                            if response.status_code != 200:
                                raise CommandError(f"{name} at {size}: HTTP {response.status_code}")
                        sizes_kb[name] = round(len(response.content) / 1024, 1)
                base = {state: median(times["bare"][state]) for state in ("miss", "hit")}
                out[size] = {}
                for name, *_rest in pages:
                    miss, hit = median(times[name]["miss"]), median(times[name]["hit"])
                    out[size][name] = {
                        "miss_ms": round(miss, 1),
                        "hit_ms": round(hit, 1),
                        "miss_ratio": round(miss / base["miss"], 1),
                        "hit_ratio": round(hit / base["hit"], 1),
                        "kb": sizes_kb[name],
                    }
                    row = out[size][name]
                    self.stdout.write(
                        f"  {size:>6} {name:<14} {row['miss_ms']:>8.1f} {row['miss_ratio']:>7.1f} "
                        f"{row['hit_ms']:>8.1f} {row['hit_ratio']:>7.1f} {row['kb']:>8.1f}"
                    )
                out[size]["bare"] = {"miss_ms": round(base["miss"], 1), "hit_ms": round(base["hit"], 1)}
                self.stdout.write(f"  {size:>6} {'bare view':<14} {base['miss']:>8.1f} {'':>7} {base['hit']:>8.1f}")
        finally:
            gc.unfreeze()
        details["province_pages"] = {str(k): v for k, v in out.items()}
        return out

    def queries(self, small, largest, exports, details) -> dict:
        """Statements of every page and download at 10 units and at the largest size (must be equal)."""
        counts = {10: count_queries(small), largest.units: count_queries(largest)}
        queries = {
            name: {"10": counts[10][name], str(largest.units): counts[largest.units][name]} for name in counts[10]
        }
        for fmt in ("docx", "xlsx") if exports else ():
            queries[f"export_consolidated_{fmt}"] = {
                "10": exports["queries"][fmt]["10"],
                str(largest.units): exports["queries"][fmt][str(largest.units)],
            }
        self.section(f"Queries per page (10 units → {largest.units:,} units)")
        for name, pair in queries.items():
            low, high = pair["10"], pair[str(largest.units)]
            self.stdout.write(f"  {name:<28} {low:>4} → {high:>4}  {'=' if low == high else '≠  GROWS'}")
        details["queries"] = queries
        return queries

    def rollup_time(self, tree, runs) -> float:
        self.section(f"Roll-up selector over {tree.units:,} units (stored totals; median of {runs})")
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            result = rollup(round=tree.round, unit=tree.province)
            list(result.rows)
            times.append(time.perf_counter() - began)
        value = round(median(times), 3)
        self.stdout.write(f"  {value:.3f} s")
        return value

    # Load -----------------------------------------------------------------------------------------
    def load(self, tree, options, details) -> dict:
        if not shutil.which("wrk"):
            raise CommandError("wrk is missing: make bench installs it (apt-get install wrk).")
        n_drafters, n_readers, runs = options["drafters"], options["readers"], options["runs"]
        # Drafts that have written the section autosaved (a national tree's drafts have some sections only).
        drafting = list(
            Report.objects.filter(
                round=tree.round, unit__is_grassroots=True, status=ReportStatus.DRAFTING, sections__node=tree.node
            )
            .select_related("unit")
            .order_by("unit__code")
        )
        chosen = drafting[:: max(1, len(drafting) // n_drafters)][:n_drafters]
        if len(chosen) < n_drafters:
            raise CommandError(f"only {len(chosen)} reports drafting at {tree.units} units")
        members = Membership.objects.select_related("user")
        sections = dict(SectionText.objects.filter(report__in=chosen, node=tree.node).values_list("report_id", "pk"))
        unit_pages = [
            ("unit_report", reverse("reports:report_detail", args=[r.pk]))
            for r in drafting[:: max(1, len(drafting) // 200)]
        ]
        # The report list is measured with the pages, not in the mixed load: unpaged, it takes seconds at
        # 10,000 units and would turn the load's timeouts into failures (the lists branch pages it).
        province = [
            (name, path) for name, _user, path in tree.province_pages() if name not in ("section_page", "report_list")
        ]
        own_pages = [
            ("province_report", reverse("reports:report_detail", args=[tree.own.pk])),
            ("section_page", reverse("reports:section_edit", args=[tree.own.pk, tree.key])),
        ]
        with Gunicorn() as server:
            port = server.port
            drafters = []
            for report in chosen:
                user = members.get(unit=report.unit, role=Role.DRAFTER).user
                drafter = bench_load.Drafter(
                    client=bench_load.Client(port, session_key(user)),
                    section_path=reverse("reports:section_edit", args=[report.pk, tree.key]),
                    report_path=reverse("reports:report_detail", args=[report.pk]),
                    docx_path=reverse("exports:report_docx", args=[report.pk]),
                    xlsx_path=reverse("exports:report_xlsx", args=[report.pk]),
                    bare_path=reverse("bench_bare_write"),
                    section_pk=sections[report.pk],
                )
                drafter.prepare()
                drafters.append(drafter)
            readers = []
            for n in range(n_readers):
                # Two reviewers in three read the province's pages and its units' reports; the
                # third reader is the province's own drafter, on its report and section page.
                if n % 3 < 2:
                    # One page in three is one of the province's own (dashboard, roll-up).
                    weighted = province * max(1, len(unit_pages) // (2 * len(province))) + unit_pages
                    client, pages = bench_load.Client(port, session_key(tree.reviewer)), weighted
                else:
                    client, pages = bench_load.Client(port, session_key(tree.writer)), own_pages
                readers.append(bench_load.Reader(client=client, pages=pages, seed=n))
            hit_queries = self.hit_queries(port, tree, drafters[0], province + unit_pages[:1], own_pages)

            self.section(
                f"Autosave against a bare write: {n_drafters} drafters on {n_drafters} reports, one save every "
                f"4 s each, {runs} alternated phases of {options['phase_seconds']} s (gunicorn)"
            )
            phases = {"autosave": [], "bare_write": []}
            for _ in range(runs):
                for mode, kind in (("autosave", "autosave"), ("bare", "bare_write")):
                    results = bench_load.run_users(options["phase_seconds"], drafters, mode=mode)
                    ok = [s.ms for s in results.samples if s.kind == kind and s.status == 200]
                    bad = [s for s in results.samples if s.kind == kind and s.status != 200]
                    if bad:
                        raise CommandError(f"{kind}: {len(bad)} failed, e.g. HTTP {bad[0].status}")
                    phases[kind].append(
                        {"n": len(ok), "p50_ms": bench_load.percentile(ok, 50), "p95_ms": bench_load.percentile(ok, 95)}
                    )
            autosave_p95 = median([p["p95_ms"] for p in phases["autosave"]])
            bare_p95 = median([p["p95_ms"] for p in phases["bare_write"]])
            ratio = round(autosave_p95 / bare_p95, 2)
            self.stdout.write(
                f"  autosave p95 {autosave_p95:.1f} ms (p50 {median([p['p50_ms'] for p in phases['autosave']]):.1f}), "
                f"bare write p95 {bare_p95:.1f} ms (p50 {median([p['p50_ms'] for p in phases['bare_write']]):.1f}): "
                f"ratio {ratio}"
            )

            self.section(
                f"Mixed load, {options['load_seconds']} s: {n_drafters} drafters autosaving (every 4th save they open "
                f"their report, every 8th they download it) and {n_readers} readers over {len(unit_pages)} reports "
                f"and the province's pages, think time 1–3 s; misses apart from hits"
            )
            mixed = bench_load.run_users(options["load_seconds"], drafters, readers, mode="mixed")
            table = mixed.table(hit_queries)
            self.stdout.write(
                f"  {'page':<22} {'requests':>8} {'errors':>6} {'p95 ms':>7} │ {'misses':>6} {'p50':>7} {'p95':>7} │ "
                f"{'hits':>5} {'p50':>7} {'p95':>7}"
            )
            for kind, row in table.items():
                miss, hit = row.get("miss", {}), row.get("hit", {})
                self.stdout.write(
                    f"  {kind:<22} {row['requests']:>8} {row['errors']:>6} {row['p95_ms']:>7.1f} │ "
                    f"{miss.get('n', '–'):>6} {miss.get('p50_ms', row.get('p50_ms', 0)):>7.1f} "
                    f"{miss.get('p95_ms', 0):>7.1f} │ "
                    f"{hit.get('n', '–'):>5} {hit.get('p50_ms', 0):>7.1f} {hit.get('p95_ms', 0):>7.1f}"
                )
            if any(row["errors"] for row in table.values()):
                raise CommandError("Some requests failed under load; see the table.")

            # Throughput: the unit's report page (cached) then the bare view, as fast as 8 connections go.
            bare = reverse("bench_bare")
            cookie = session_cookie(tree.drafter)
            report_path = reverse("reports:report_detail", args=[tree.unit_report.pk])
            throughput = {"report": [], "bare": []}
            for _ in range(2):
                for name, path in (("report", report_path), ("bare", bare)):
                    process = server.wrk(path, cookie, users=8, seconds=max(1, options["throughput_seconds"] // 4))
                    throughput[name].append(wrk_result(process))
        rps = {
            name: sum(r["requests"] for r in rs) / sum(r["duration_us"] / 1e6 for r in rs)
            for name, rs in throughput.items()
        }
        throughput_ratio = round(rps["report"] / rps["bare"], 2)
        self.section("Throughput, 8 connections, no think time (the report page is cached between writes)")
        self.stdout.write(
            f"  report page {rps['report']:.0f}/s, bare view {rps['bare']:.0f}/s: ratio {throughput_ratio}"
        )
        details["load"] = {
            "units": tree.units,
            "autosave_phases": phases,
            "hit_queries": hit_queries,
            "mixed": table,
            "throughput_rps": rps,
        }
        return {
            "p95_ms": {kind: row["p95_ms"] for kind, row in table.items()},
            "autosave_ratio": ratio,
            "throughput_ratio": throughput_ratio,
        }

    def hit_queries(self, port, tree, drafter, reviewer_pages, own_pages) -> dict[str, int]:
        """How many statements each page takes when its cached parts are there: asked with the cache emptied,
        then again. Pages whose cache saves no statement are left out: under load, their misses cannot be
        told from their hits, and the table says so instead of calling them all hits."""
        counts = {}
        reviewer = bench_load.Client(port, session_key(tree.reviewer))
        writer = bench_load.Client(port, session_key(tree.writer))
        targets = [(reviewer, kind, path) for kind, path in reviewer_pages]
        targets += [(writer, kind, path) for kind, path in own_pages]
        targets += [
            (drafter.client, "report", drafter.report_path),
            (drafter.client, "export_report_docx", drafter.docx_path),
            (drafter.client, "export_report_xlsx", drafter.xlsx_path),
        ]
        for client, kind, path in targets:
            cache.clear()  # the same Redis database as the server's
            seen = []
            for _ in range(2):
                status, _data, headers, _ms = client.request("GET", path)
                if status != 200:
                    raise CommandError(f"{kind} {path}: HTTP {status}")
                seen.append(int(headers.get("X-Bench-Queries", "0")))
            if seen[1] < seen[0]:
                counts[kind] = seen[1]
        return counts

    # Worst input shapes ---------------------------------------------------------------------------
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
        cache.clear()
        self.stdout.write(f"{connection.vendor} database {name}, made afresh")

    def verdict(self, summary):
        self.section("Goals")
        size = summary["largest_size"]
        queries = summary["queries"]
        rows = []
        if queries is not None:
            equal = all(len(set(v.values())) == 1 for v in queries.values())
            # The size the counts were taken at (a partial run may keep an earlier run's counts).
            counted = max(int(k) for v in queries.values() for k in v)
            rows.append((f"queries equal at 10 and {counted:,} units", equal))
        if summary["p95_ms"] is not None:
            worst = max(summary["p95_ms"].values())
            rows.append(
                (f"p95 ≤ 200 ms on every page of the mixed load (worst {worst} ms)", met(worst, GOALS["p95_ms"]))
            )
        for key, goal in GOALS.items():
            if key == "p95_ms":
                continue
            value = summary.get(key)
            if value is None:
                rows.append((f"{key}: not measured in this run (largest size {size:,})", False))
                continue
            rows.append((f"{key} = {value} (goal {goal[0]} {goal[1]})", met(value, goal)))
        for fmt, limit in PEAK_GOALS_MB.items() if summary["export_peak_mb"] else ():
            by_size = summary["export_peak_mb"][fmt] or {"0": None}
            largest = max(by_size, key=int)
            peak = by_size[largest]
            label = f"consolidated {fmt} peak memory at {int(largest):,} units = {peak} MB (goal ≤ {limit})"
            rows.append((label, peak is not None and peak <= limit))
        for text, ok in rows:
            self.stdout.write(f"  {'met   ' if ok else 'MISSED'} {text}")
        for key in NATIONAL_KEYS:
            figure = summary.get(key)
            if figure and figure.get("value") is not None:
                self.stdout.write(f"  {'measured':<6} {key} = {figure['value']} at {figure['units']:,} units")
            else:
                self.stdout.write(f"  {'–':<6} {key}: not measured in this run")
        self.stdout.write("written: .bench/summary.json, .bench/details.json")
