"""The demo, scale and bench code lives in devtools, which only the local, test and bench settings install
(issue 21): under the production settings `manage.py` has no demo, no bench and no command that drops a
database; the bench's own wipe refuses a database whose name does not say "bench"."""

import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.units.factories import UnitFactory
from units.models import Unit

DEVTOOLS_COMMANDS = sorted(
    path.stem for path in (Path(settings.BASE_DIR) / "devtools" / "management" / "commands").glob("[!_]*.py")
)


def manage(settings_module, *args, tmp_path, code=None):
    """`manage.py ARGS` (or `python -c CODE` after django.setup()) in a process of its own, with the
    environment `make check-deploy` gives the production settings and a database file nobody uses."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "SITE_URL")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="baocao.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-opened.sqlite3'}",
    )
    command = [sys.executable, "manage.py"]
    if code:
        command = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    return subprocess.run(
        [*command, *args], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def command_names(settings_module, tmp_path) -> set[str]:
    done = manage(settings_module, "help", "--commands", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_devtools_holds_the_demo_and_the_bench():
    assert {"bench", "export_peak", "seed_demo"} <= set(DEVTOOLS_COMMANDS)


def test_production_lists_no_demo_and_no_bench(tmp_path):
    names = command_names("reportsite.settings.production", tmp_path)
    # The product's own commands are there: the list is the real one.
    assert {"migrate", "export_report", "export_consolidated", "send_deadline_reminders", "invite_users"} <= names
    assert not names & set(DEVTOOLS_COMMANDS)
    assert "bench" not in names and "seed_demo" not in names


def test_the_other_settings_keep_their_tools(tmp_path):
    # `make run` loads the demo under the local settings; `make bench` runs under the bench settings.
    assert set(DEVTOOLS_COMMANDS) <= command_names("reportsite.settings.local", tmp_path)
    assert set(DEVTOOLS_COMMANDS) <= command_names("reportsite.settings.bench", tmp_path)


@pytest.mark.parametrize("name", ["bench", "seed_demo"])
def test_production_does_not_know_the_bench_or_the_demo(tmp_path, name):
    done = manage("reportsite.settings.production", name, tmp_path=tmp_path)
    assert done.returncode == 1
    assert f"Unknown command: '{name}'" in done.stderr
    assert not (tmp_path / "never-opened.sqlite3").exists()


def test_no_command_production_reaches_drops_a_database(tmp_path):
    """Every command the production settings offer, read from its source: none says DROP DATABASE (Django's
    own commands aside: flush empties tables, test makes and drops only its own test_ database)."""
    code = (
        "import importlib, json; from django.core.management import get_commands; "
        "print(json.dumps({n: importlib.import_module(f'{a}.management.commands.{n}').__file__ "
        "for n, a in get_commands().items() if a != 'django.core'}))"
    )
    done = manage("reportsite.settings.production", tmp_path=tmp_path, code=code)
    assert done.returncode == 0, done.stderr
    sources = {name: Path(path).read_text(encoding="utf-8") for name, path in json.loads(done.stdout).items()}
    assert "export_report" in sources and "axes_reset" in sources

    def drops(source):
        upper = source.upper()
        return "DROP DATABASE" in upper or "DROP SCHEMA" in upper or "DROPDB" in upper

    assert [name for name, source in sources.items() if drops(source)] == []
    # What the scan looks for is what the bench does.
    bench = Path(settings.BASE_DIR) / "devtools" / "management" / "commands" / "bench.py"
    assert drops(bench.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_the_bench_refuses_to_wipe_a_database_not_named_bench():
    name = str(settings.DATABASES["default"]["NAME"])
    assert "bench" not in Path(name).name, "this test must run on a database whose name lacks 'bench'"
    UnitFactory(code="GIU-LAI")
    with pytest.raises(CommandError, match=r"Refusing to wipe .*must contain 'bench'"):
        call_command("bench", "--sizes", "10", "--runs", "1", stdout=io.StringIO())
    assert connection.settings_dict["NAME"] == name
    assert Unit.objects.filter(code="GIU-LAI").exists()
