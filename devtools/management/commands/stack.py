"""`make stack`: the production shape under load, and a node and a worker lost mid-run.

nginx in front of two gunicorn nodes and two task workers on one PostgreSQL and one Redis, export files in
one shared folder (devtools.stack). On a province built afresh by build_scale, drafters autosave their own
section (sending a save again after a 502/503/504 or a dropped connection, as the page does), reviewers
read the province's pages and its units' reports, and a reviewer makes consolidated exports and watches
their pages. Once two exports are being made (one on each worker), one node and one worker are killed
with SIGKILL. Afterwards it counts:

- errors users saw: a reader's page that did not answer 200, an autosave the page could not store in the
  end, an export that failed;
- acknowledged writes lost: a drafter's last save answered 200 whose text is not what the database holds;
- jobs not finished: every export started must end done (the surviving worker takes over the lost one).

The summary goes to .bench/stack.json and its keys into .bench/summary.json (`two_node_lost_writes`, ...).
"""

import json
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from devtools.bench_load import CSRF_FIELD, VERSION_FIELD, Client, percentile
from devtools.management.commands.bench import Tree, analyze, session_key, two_node_lost_writes
from devtools.scale import national_version
from devtools.stack import Stack
from exports.models import ExportJob, JobStatus
from reports.models import Report, ReportStatus, SectionText
from units.models import Membership, Role

BUSY = (502, 503, 504, 599)  # answers that stored nothing: the page sends the same again (599: no answer)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict = field(default_factory=dict)
    ms: dict = field(default_factory=dict)
    seen_errors: list = field(default_factory=list)

    def add(self, kind, status, ms):
        with self.lock:
            key = f"{kind}:{status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            if status == 200:
                self.ms.setdefault(kind, []).append(ms)

    def error(self, what):
        with self.lock:
            self.seen_errors.append(what)


class Drafter:
    """A drafter's page: an autosave every ``interval`` seconds, each a new text with a mark of its own;
    a save that got no answer or a busy one is sent again, unchanged, until it is stored."""

    def __init__(self, client, path, section_pk, interval):
        self.client, self.path, self.section_pk, self.interval = client, path, section_pk, interval
        self.acknowledged = None  # the mark of the last text the server said it stored
        self.retried = 0

    def prepare(self):
        status, page, _h, _ms = self.client.request("GET", self.path)
        if status != 200:
            raise CommandError(f"{self.path}: HTTP {status}")
        self.token = CSRF_FIELD.search(page).group(1).decode()
        self.version = int(VERSION_FIELD.search(page).group(1))

    def run(self, tally: Tally, stop: float):
        rng = random.Random(self.section_pk)
        n = 0
        time.sleep(rng.uniform(0, self.interval))
        while time.monotonic() < stop:
            n += 1
            mark = f"moc-{self.section_pk}-{n}"
            form = {
                "content": f"<p>Công đoàn cơ sở tổ chức phong trào thi đua, lần lưu {mark}.</p>",
                "version": self.version,
                "is_done": "",
                "go": "stay",
            }
            headers = {
                "X-CSRFToken": self.client.cookies.get("csrftoken", self.token),
                "X-Autosave": "1",
                "Accept": "application/json",
            }
            deadline = time.monotonic() + 120
            while True:
                status, data, response_headers, ms = self.client.request("POST", self.path, body=form, headers=headers)
                tally.add("autosave", status, ms)
                if status == 200:
                    self.version = json.loads(data)["version"]
                    self.acknowledged = mark
                    break
                if status in BUSY and time.monotonic() < deadline:
                    self.retried += 1
                    wait = int(response_headers.get("Retry-After", "1") or 1) if status == 503 else 1
                    time.sleep(min(wait, 5) + rng.random())
                    continue
                tally.error(f"autosave {self.path}: HTTP {status}")
                return
            time.sleep(self.interval * rng.uniform(0.75, 1.25))


class Reader:
    def __init__(self, client, pages, seed):
        self.client, self.pages, self.seed = client, pages, seed

    def run(self, tally: Tally, stop: float):
        rng = random.Random(self.seed)
        while time.monotonic() < stop:
            kind, path = rng.choice(self.pages)
            status, _data, _h, ms = self.client.request("GET", path)
            tally.add(kind, status, ms)
            if status != 200:
                tally.error(f"{kind} {path}: HTTP {status}")
            time.sleep(rng.uniform(0.5, 1.5))


class Exporter:
    """A reviewer making consolidated files: starts an annex in Word and the workbook at once, watches
    both pages until they end, then again, until the run stops."""

    def __init__(self, client, report_path, start_path):
        self.client, self.report_path, self.start_path = client, report_path, start_path
        self.jobs: list[int] = []

    def start(self, tally: Tally):
        status, page, _h, _ms = self.client.request("GET", self.report_path)
        token = CSRF_FIELD.search(page).group(1).decode()
        for form in ({"format": "docx", "part": "annex"}, {"format": "xlsx"}):
            status, _d, headers, ms = self.client.request(
                "POST",
                self.start_path,
                body={"csrfmiddlewaretoken": token, **form},
                headers={"Referer": "http://127.0.0.1" + self.report_path},
            )
            tally.add("export_start", status, ms)
            location = headers.get("Location", "")
            match = re.search(r"/viec/(\d+)/", location)
            if status != 302 or not match:
                tally.error(f"export start: HTTP {status}")
                continue
            self.jobs.append(int(match.group(1)))

    def watch(self, tally: Tally, jobs, until: float) -> dict:
        """Poll each job's status page (which also hands a lost job back to the queue) until it ends."""
        ended = {}
        while len(ended) < len(jobs) and time.monotonic() < until:
            for pk in jobs:
                if pk in ended:
                    continue
                status, data, _h, ms = self.client.request("GET", reverse("exports:job_status", args=[pk]))
                tally.add("job_status", status, ms)
                if status == 200 and json.loads(data)["status"] in ("done", "failed"):
                    ended[pk] = json.loads(data)["status"]
            time.sleep(1)
        return ended

    def run(self, tally: Tally, stop: float):
        while time.monotonic() < stop:
            first = len(self.jobs)
            self.start(tally)
            self.watch(tally, self.jobs[first:], stop)


class Command(BaseCommand):
    help = "Two nodes and two workers behind nginx under load; one node and one worker killed mid-run."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=2000, help="the province's grassroots unions")
        parser.add_argument("--drafters", type=int, default=12)
        parser.add_argument("--readers", type=int, default=12)
        parser.add_argument("--seconds", type=int, default=90, help="how long the users work")
        parser.add_argument("--kill-after", type=int, default=20, help="kill once exports run, after this many s")
        parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if connection.vendor != "postgresql" or not re.search(r"bench|stack", str(db["NAME"])):
            raise CommandError("make stack needs a PostgreSQL database whose name contains 'bench' or 'stack'.")
        from devtools.management.commands.bench import Command as Bench

        bench = Bench(stdout=self.stdout, stderr=self.stderr)
        if not options["reuse"]:
            bench.fresh_database()
        version = national_version()
        began = time.monotonic()
        tree = Tree(options["units"], version, reuse=options["reuse"])
        analyze()
        self.stdout.write(f"{options['units']:,} units ready in {time.monotonic() - began:.0f} s")

        # Drafts that have written the section autosaved (a national tree's drafts have some sections only).
        drafting = list(
            Report.objects.filter(
                round=tree.round, unit__is_grassroots=True, status=ReportStatus.DRAFTING, sections__node=tree.node
            )
            .select_related("unit")
            .order_by("unit__code")
        )
        chosen = drafting[:: max(1, len(drafting) // options["drafters"])][: options["drafters"]]
        sections = dict(SectionText.objects.filter(report__in=chosen, node=tree.node).values_list("report_id", "pk"))
        members = Membership.objects.select_related("user")
        unit_pages = [
            ("unit_report", reverse("reports:report_detail", args=[r.pk]))
            for r in drafting[:: max(1, len(drafting) // 100)]
        ]
        province = [(name, path) for name, _user, path in tree.province_pages() if name != "section_page"]
        media = Path(settings.BASE_DIR) / ".bench" / "stack-media"
        media.mkdir(parents=True, exist_ok=True)
        env = {
            "DJANGO_SETTINGS_MODULE": "reportsite.settings.bench",
            "DATABASE_URL": _database_url(db),
            "DJANGO_MEDIA_ROOT": str(media),
            # A lost worker's job is noticed within this many seconds (production: 60).
            "EXPORT_STALE_SECONDS": "20",
        }
        tally = Tally()
        with Stack(Path(settings.BASE_DIR), env) as stack:
            self.stdout.write(
                f"nginx :{stack.port} → gunicorn nodes :{stack.node_ports[0]} and :{stack.node_ports[1]}, "
                f"2 workers, media in {media}"
            )
            drafters = []
            for report in chosen:
                user = members.get(unit=report.unit, role=Role.DRAFTER).user
                drafter = Drafter(
                    Client(stack.port, session_key(user)),
                    reverse("reports:section_edit", args=[report.pk, tree.key]),
                    sections[report.pk],
                    interval=3.0,
                )
                drafter.prepare()
                drafters.append(drafter)
            readers = [
                Reader(Client(stack.port, session_key(tree.reviewer)), province + unit_pages, seed=n)
                for n in range(options["readers"])
            ]
            exporter = Exporter(
                Client(stack.port, session_key(tree.reviewer)),
                reverse("reports:report_detail", args=[tree.own.pk]),
                reverse("exports:consolidated_start", args=[tree.own.pk]),
            )
            stop = time.monotonic() + options["seconds"]
            threads = [threading.Thread(target=d.run, args=(tally, stop)) for d in drafters]
            threads += [threading.Thread(target=r.run, args=(tally, stop)) for r in readers]
            threads.append(threading.Thread(target=exporter.run, args=(tally, stop)))
            for thread in threads:
                thread.start()
            killed = self.kill_mid_run(stack, options["kill_after"], stop)
            for thread in threads:
                thread.join()
            # Every export started must end, the lost one made by the surviving worker.
            ended = exporter.watch(tally, exporter.jobs, time.monotonic() + 300)

        stored = dict(SectionText.objects.filter(pk__in=[d.section_pk for d in drafters]).values_list("pk", "content"))
        lost = [
            d.section_pk
            for d in drafters
            if d.acknowledged and not re.search(rf"{d.acknowledged}\b", stored[d.section_pk])
        ]
        jobs = ExportJob.objects.filter(pk__in=exporter.jobs)
        unfinished = [pk for pk in exporter.jobs if ended.get(pk) != "done"]
        failed_exports = [pk for pk, state in ended.items() if state == "failed"]
        summary = {
            "two_node_units": options["units"],
            "two_node_seconds": options["seconds"],
            "two_node_killed": killed,
            "two_node_requests": sum(tally.counts.values()),
            "two_node_user_errors": len(tally.seen_errors) + len(failed_exports),
            "two_node_lost_writes": len(lost),
            "two_node_autosaves_acknowledged": sum(v for k, v in tally.counts.items() if k == "autosave:200"),
            "two_node_autosaves_sent_again": sum(d.retried for d in drafters),
            "two_node_jobs": len(exporter.jobs),
            "two_node_jobs_unfinished": len(unfinished),
            "two_node_jobs_taken_over": jobs.filter(attempts__gt=1, status=JobStatus.DONE).count(),
            "two_node_autosave_p95_ms": round(percentile(tally.ms.get("autosave", []), 95), 1),
        }
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Two nodes, two workers, one of each killed mid-run"))
        for key in sorted(tally.counts):
            self.stdout.write(f"  {key:<28} {tally.counts[key]:>6}")
        for error in tally.seen_errors[:10]:
            self.stdout.write(self.style.ERROR(f"  seen by a user: {error}"))
        for key, value in summary.items():
            self.stdout.write(f"  {key:<34} {value}")
        out = Path(settings.BASE_DIR) / ".bench"
        out.mkdir(exist_ok=True)
        (out / "stack.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        # The bench's summary names it with the size it was measured at, as its other keys.
        summary_file = out / "summary.json"
        earlier = json.loads(summary_file.read_text()) if summary_file.exists() else {}
        earlier["two_node_lost_writes"] = two_node_lost_writes()
        summary_file.write_text(json.dumps(earlier, indent=2, ensure_ascii=False) + "\n")
        if summary["two_node_user_errors"] or lost or unfinished:
            raise CommandError(
                f"errors seen {summary['two_node_user_errors']}, writes lost {len(lost)}, "
                f"jobs unfinished {len(unfinished)}"
            )

    def kill_mid_run(self, stack: Stack, after: int, stop: float) -> str:
        """Once ``after`` seconds have passed and two exports are being made (one on each worker, which
        take one task at a time), SIGKILL node 0 and worker 0."""
        started = time.monotonic()
        while time.monotonic() < stop:
            running = ExportJob.objects.filter(status=JobStatus.RUNNING).count()
            if time.monotonic() - started >= after and running >= 2:
                stack.kill_node(0)
                stack.kill_worker(0)
                at = time.monotonic() - started
                self.stdout.write(f"  killed node 0 and worker 0 at {at:.0f} s, {running} exports being made")
                connection.close()
                return f"node 0 and worker 0 at {at:.0f} s"
            connection.close()
            time.sleep(0.05)
        raise CommandError("no moment with two exports running: nothing was killed (more units make longer exports)")


def _database_url(db) -> str:
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
