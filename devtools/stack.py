"""The production shape on one machine, for `make stack`: nginx in front of two gunicorn nodes, two task
workers (`db_worker`), one PostgreSQL, one Redis, and the export files in one folder every node and worker
reads (a shared disk here; object storage through django-storages on several hosts, docs/deploy.md).

Each process runs in a process group of its own, so that a node (gunicorn's master and its workers) or a
worker can be killed with SIGKILL mid-run, as a machine that dies would. Never used by the site."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream site {{
{servers}
        keepalive 32;
        # Shorter than gunicorn's keepalive (5 s): nginx never sends a request down a connection gunicorn is
        # closing at that moment (a reset, which would count as the node failing).
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        location / {{
            proxy_pass http://site;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A node that refuses or drops a connection: a GET goes to the other node (nginx never sends a
            # POST twice; the page sends its autosave again itself, and the same text again is no conflict).
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """``nodes`` gunicorn nodes and ``workers`` task workers behind one nginx; ``env`` is given to every
    process (DATABASE_URL, REDIS_URL, DJANGO_MEDIA_ROOT, the settings module)."""

    def __init__(
        self,
        base_dir: Path,
        env: dict,
        *,
        nodes: int = 2,
        workers: int = 2,
        web_concurrency: int = 2,
        run_dir: Path | None = None,
    ):
        self.base_dir = Path(base_dir)
        self.env = {**os.environ, **env}
        self.node_ports = [free_port() for _ in range(nodes)]
        self.port = free_port()
        self.n_workers = workers
        self.web_concurrency = web_concurrency
        # The logs of this run (nginx, each node and worker) stay here until the next run.
        self.tmp = Path(run_dir or self.base_dir / ".bench" / "stack-run")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self.nodes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.nginx = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log(self, name):
        return open(self.tmp / f"{name}.log", "ab")

    def _start_node(self, port: int) -> subprocess.Popen:
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(self.web_concurrency)}
        return subprocess.Popen(
            [gunicorn, "reportsite.wsgi", "-c", str(self.base_dir / "gunicorn.conf.py"), "--log-level", "warning"],
            env=env,
            cwd=self.base_dir,
            stdout=self._log(f"node-{port}"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _start_worker(self, n: int) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5", "--no-reload"]
        return subprocess.Popen(
            command,
            env=self.env,
            cwd=self.base_dir,
            stdout=self._log(f"worker-{n}"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is missing: make stack installs it (apt-get install nginx).")
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.tmp / folder).mkdir()
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;" for p in self.node_ports)
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, servers=servers, port=self.port))
        self.nodes = [self._start_node(port) for port in self.node_ports]
        self.workers = [self._start_worker(n) for n in range(self.n_workers)]
        self.nginx = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.tmp), "-e", str(self.tmp / "nginx-error.log")],
            stdout=self._log("nginx"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port in [*self.node_ports, self.port]:
            self._wait(f"http://127.0.0.1:{port}/dang-nhap/")
        return self

    def _wait(self, url: str, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer in {seconds:.0f} s; logs in {self.tmp}")

    @staticmethod
    def _kill(process: subprocess.Popen, sig=signal.SIGKILL):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def kill_node(self, n: int):
        """SIGKILL node ``n``'s master and all its workers at once, as a machine lost would."""
        self._kill(self.nodes[n])

    def kill_worker(self, n: int):
        self._kill(self.workers[n])

    def __exit__(self, *exc):
        for process in [self.nginx, *self.nodes, *self.workers]:
            if process is not None:
                self._kill(process, signal.SIGTERM)
