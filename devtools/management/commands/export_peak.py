"""Time, peak memory and SQL statements of one consolidated export, in a process of its own (so that the
peak is this export's): what `make bench` runs for each export and its baseline, and what one can run by
hand on a real database.

    python manage.py seed_demo --units 10000        # on PostgreSQL: DATABASE_URL=postgres://…
    python manage.py export_peak docx               # the largest round, unless --round CODE
    python manage.py export_peak xlsx --json

``docx-fair`` and ``xlsx-fair`` run the baselines of devtools.bench_fair instead; ``xlsx-fair`` needs
the recording ``xlsx-record`` makes of the site's workbook (``--recording FILE``). ``dashboard-xlsx`` is
the dashboard's workbook, fetched as the organising unit's reviewer gets it (``dashboard_workbook``).
"""

import json
import resource
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from devtools import bench_fair
from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from exports.xlsx import build_consolidated_xlsx
from reports.models import Report, Round
from units.models import Membership, Role


def dashboard_workbook(round_) -> bytes:
    """The dashboard's workbook of ``round_`` as the organising unit's reviewer gets it, the whole request
    (session, access, selector, workbook). Today one GET of ``?format=xlsx``; when the workbook becomes an
    export job, this is the one place to change: start the job, run or poll it until done, download."""
    reviewer = Membership.objects.filter(unit=round_.organising_unit, role=Role.REVIEWER).select_related("user").first()
    if reviewer is None:
        raise CommandError(f"{round_.code}: its organising unit has no reviewer to ask for the dashboard.")
    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer.user)
    response = client.get(reverse("reports:dashboard", args=[round_.code]), {"format": "xlsx"})
    if response.status_code != 200:
        raise CommandError(f"dashboard workbook of {round_.code}: HTTP {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _peak_mb() -> float:
    """The peak resident memory of this process's own image (VmHWM). Not getrusage's ru_maxrss: Linux
    keeps that across fork and exec, so a process started by a large one (make bench) reported its
    parent's size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes, elsewhere than Linux


class Command(BaseCommand):
    help = "Time, peak memory (RSS) and queries of one consolidated Word or Excel file (or its baseline)."

    def add_arguments(self, parser):
        parser.add_argument(
            "format", choices=["docx", "xlsx", "docx-fair", "xlsx-fair", "xlsx-record", "dashboard-xlsx"]
        )
        parser.add_argument(
            "--round", dest="round_code", help="the round's code (default: the round with the most reports)"
        )
        parser.add_argument("--recording", help="where xlsx-record writes and xlsx-fair reads the calls")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one line of JSON")
        parser.add_argument(
            "--to-file",
            action="store_true",
            help="write the file to a temporary file, as the export job does, rather than into memory",
        )

    def handle(self, *args, format, round_code=None, recording=None, as_json=False, to_file=False, **options):
        rounds = Round.objects.all()
        round_ = (
            rounds.filter(code=round_code).first()
            if round_code
            else rounds.annotate(units=Count("reports")).order_by("-units").first()
        )
        if round_ is None:
            raise CommandError("Chưa có đợt báo cáo nào: chạy seed_demo --units 10000 trước.")
        own = Report.objects.select_related("round", "unit", "unit__parent").get(
            round=round_, unit=round_.organising_unit
        )
        if format in ("xlsx-record", "xlsx-fair") and not recording:
            raise CommandError("--recording FILE is needed")
        loaded = bench_fair.load_recording(Path(recording)) if format == "xlsx-fair" else None

        before = _peak_mb()
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        extra = {}
        file_bytes = None
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            if format in ("docx", "xlsx") and to_file:
                build = build_consolidated_docx if format == "docx" else build_consolidated_xlsx
                with tempfile.TemporaryFile() as out:
                    build(consolidated(own, proposals=format == "docx"), out=out)
                    file_bytes = out.tell()
                made = b""
            elif format == "docx":
                made = build_consolidated_docx(consolidated(own))
            elif format == "xlsx":
                made = build_consolidated_xlsx(consolidated(own, proposals=False))
            elif format == "dashboard-xlsx":
                made = dashboard_workbook(round_)
            elif format == "docx-fair":
                made = bench_fair.fair_docx(consolidated(own))
            elif format == "xlsx-record":
                bench_fair.record_xlsx(
                    lambda: build_consolidated_xlsx(consolidated(own, proposals=False)), Path(recording)
                )
                made = b""
            else:
                extra["rows_read"] = bench_fair.fetch_rows(own)
                fetched = time.perf_counter()
                made = bench_fair.replay_xlsx(loaded)
                extra["replay_seconds"] = round(time.perf_counter() - fetched, 3)
            elapsed = time.perf_counter() - started
        figures = {
            "format": format,
            "round": round_.code,
            "units": Report.objects.filter(round=round_, unit__is_grassroots=True).count(),
            "seconds": round(elapsed, 3),
            "peak_rss_mb": round(_peak_mb()),
            "rss_before_mb": round(before),
            "queries": statements[0],
            "file_mb": round((len(made) if file_bytes is None else file_bytes) / 1e6, 2),
            "to_file": to_file,
            **extra,
        }
        if as_json:
            self.stdout.write(json.dumps(figures))
        else:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in figures.items()))
