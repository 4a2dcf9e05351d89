"""The scripted users of `make bench`'s load runs: drafters who autosave their own section every few
seconds and now and then open their report and download it, and reviewers who read the province's pages
and many units' reports. Plain threads and http.client against gunicorn on loopback; each response says
how many SQL statements it took (devtools.bench_middleware), which tells a cache hit from a miss.
Never used by the site."""

import http.client
import random
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(rb'name="version" value="(\d+)"')


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Sample:
    kind: str
    ms: float
    status: int
    queries: int


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def table(self, hit_queries: dict[str, int]) -> dict:
        """Per page: requests, errors, and p50/p95 of cache misses and hits apart (a response that took
        more statements than the page's cached answer did was a miss)."""
        out = {}
        for kind in sorted({s.kind for s in self.samples}):
            rows = [s for s in self.samples if s.kind == kind]
            ok = [s for s in rows if 200 <= s.status < 300]
            entry = {
                "requests": len(rows),
                "errors": len(rows) - len(ok),
                "p95_ms": round(percentile([s.ms for s in ok], 95), 1),
            }
            if kind in hit_queries:
                for state, part in (
                    ("miss", [s.ms for s in ok if s.queries > hit_queries[kind]]),
                    ("hit", [s.ms for s in ok if s.queries <= hit_queries[kind]]),
                ):
                    entry[state] = {
                        "n": len(part),
                        "p50_ms": round(percentile(part, 50), 1),
                        "p95_ms": round(percentile(part, 95), 1),
                    }
            else:
                # Not cached, or its cache saves no statement: misses and hits cannot be told apart.
                entry["p50_ms"] = round(percentile([s.ms for s in ok], 50), 1)
                entry["cache"] = "not told apart"
            out[kind] = entry
        return out


class Client:
    """One user's cookies on the bench server; a connection per request (gunicorn may close idle ones)."""

    def __init__(self, port: int, session_cookie: str):
        self.port = port
        self.cookies = {"sessionid": session_cookie}

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, *, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Cookie": self._cookie_header(), "Accept-Language": "vi", **(headers or {})}
        if body is not None:
            body = urllib.parse.urlencode(body).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        except OSError:
            return 599, b"", {}, (time.perf_counter() - started) * 1000
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders()), elapsed


def timed(results: Results, client: Client, kind: str, method: str, path: str, **kwargs):
    status, data, headers, ms = client.request(method, path, **kwargs)
    results.add(Sample(kind, ms, status, int(headers.get("X-Bench-Queries", "0"))))
    return status, data


@dataclass
class Drafter:
    """A unit's drafter on their own section: autosaves a text of about 1,000 words every
    ``interval`` seconds (± a quarter); in the mixed run also opens the report every 4th save and
    downloads its Word and Excel files every 8th (each a miss: the save changed the report)."""

    client: Client
    section_path: str
    report_path: str
    docx_path: str
    xlsx_path: str
    bare_path: str
    section_pk: int
    interval: float = 4.0

    def prepare(self) -> None:
        status, page, _h, _ms = self.client.request("GET", self.section_path)
        if status != 200:
            raise RuntimeError(f"{self.section_path}: HTTP {status}")
        self.token = CSRF_FIELD.search(page).group(1).decode()
        self.version = int(VERSION_FIELD.search(page).group(1))
        self.words = " ".join(["Công đoàn cơ sở tổ chức tốt phong trào thi đua lao động sản xuất"] * 80)

    def run(self, results: Results, stop: float, *, mode: str) -> None:
        """``mode``: "autosave", "bare" (the same posts to the bare write) or "mixed"."""
        rng = random.Random(self.section_pk)
        n = 0
        time.sleep(rng.uniform(0, self.interval))
        while time.monotonic() < stop:
            n += 1
            content = f"<p>{self.words} {n}</p>"
            headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", self.token), "X-Autosave": "1"}
            if mode == "bare":
                timed(
                    results,
                    self.client,
                    "bare_write",
                    "POST",
                    self.bare_path,
                    body={"pk": self.section_pk, "content": content},
                    headers=headers,
                )
            else:
                form = {"content": content, "version": self.version, "is_done": ""}
                status, data = timed(
                    results, self.client, "autosave", "POST", self.section_path, body=form, headers=headers
                )
                if status == 200:
                    self.version = int(re.search(rb'"version": (\d+)', data).group(1))
                if mode == "mixed" and n % 4 == 0:
                    timed(results, self.client, "report", "GET", self.report_path)
                if mode == "mixed" and n % 8 == 0:
                    timed(results, self.client, "export_report_docx", "GET", self.docx_path)
                    timed(results, self.client, "export_report_xlsx", "GET", self.xlsx_path)
            time.sleep(max(0.0, self.interval * rng.uniform(0.75, 1.25)))


@dataclass
class Reader:
    """A reviewer reading: each page drawn from ``pages`` ((kind, path) pairs, many units' reports
    among them), a think time of ``think`` seconds between two."""

    client: Client
    pages: list[tuple[str, str]]
    seed: int
    think: tuple[float, float] = (1.0, 3.0)

    def run(self, results: Results, stop: float) -> None:
        rng = random.Random(self.seed)
        time.sleep(rng.uniform(0, self.think[1]))
        while time.monotonic() < stop:
            kind, path = rng.choice(self.pages)
            timed(results, self.client, kind, "GET", path)
            time.sleep(rng.uniform(*self.think))


def run_users(seconds: float, drafters=(), readers=(), *, mode="mixed") -> Results:
    """Every user in a thread of its own for ``seconds``; returns what they measured."""
    results = Results()
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=d.run, args=(results, stop), kwargs={"mode": mode}) for d in drafters]
    threads += [threading.Thread(target=r.run, args=(results, stop)) for r in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def median(values):
    return statistics.median(values) if values else 0.0
