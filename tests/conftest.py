import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from reports.models import Report
from reports.services import round_open
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Role


@dataclass
class World:
    """Province → superior S (units A, B) and superior T (unit C); one round organised by S."""

    province: object
    superior: object
    other_superior: object
    unit_a: object
    unit_b: object
    unit_c: object
    round: object
    report_a: Report
    report_b: Report
    drafter_a: object
    drafter_b: object
    reviewer: object
    reviewer_elsewhere: object
    admin: object

    def users(self):
        return {
            "drafter_a": self.drafter_a,
            "drafter_b": self.drafter_b,
            "reviewer": self.reviewer,
            "reviewer_elsewhere": self.reviewer_elsewhere,
            "admin": self.admin,
        }


def build_world(sections=5) -> World:
    province = UnitFactory(name="Liên đoàn Lao động tỉnh Thử", kind="LĐLĐ tỉnh", is_grassroots=False)
    superior = UnitFactory(name="Công đoàn KCN Thử", kind="Công đoàn cấp trên", parent=province, is_grassroots=False)
    other = UnitFactory(
        name="Công đoàn ngành Giáo dục",
        kind="Công đoàn ngành",
        parent=province,
        is_grassroots=False,
    )
    unit_a = UnitFactory(name="Công đoàn cơ sở Công ty May Á", parent=superior)
    unit_b = UnitFactory(name="Công đoàn cơ sở Công ty Bình", parent=superior)
    unit_c = UnitFactory(name="Công đoàn cơ sở Trường Chu Văn An", parent=other)
    round_ = RoundFactory(outline_version=make_outline(sections), organising_unit=superior)
    round_open(round=round_)
    # A report is submitted with its number, place and signer (Report.REQUIRED_DOCUMENT_FIELDS).
    Report.objects.filter(round=round_).update(doc_number="1", place="Bình An", signer_name="Nguyễn Văn Ký")
    drafter_a = MembershipFactory(unit=unit_a, role=Role.DRAFTER).user
    drafter_b = MembershipFactory(unit=unit_b, role=Role.DRAFTER).user
    reviewer = MembershipFactory(unit=superior, role=Role.REVIEWER).user
    reviewer_elsewhere = MembershipFactory(unit=other, role=Role.REVIEWER).user
    admin = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=admin, unit=province, role=Role.ADMIN)
    return World(
        province=province,
        superior=superior,
        other_superior=other,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_c=unit_c,
        round=round_,
        report_a=Report.objects.get(round=round_, unit=unit_a),
        report_b=Report.objects.get(round=round_, unit=unit_b),
        drafter_a=drafter_a,
        drafter_b=drafter_b,
        reviewer=reviewer,
        reviewer_elsewhere=reviewer_elsewhere,
        admin=admin,
    )


# What a database engine can change: a test that uses none cannot depend on it. pytest-django refuses
# a query from a test without one of these, so the rule cannot mark a test that does use the database.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def run_queued_tasks() -> int:
    """Run the tasks waiting for the background worker, in the order queued, inside the test's
    transaction (the worker itself, `db_worker`, closes the connection: transactional tests only).
    Returns how many ran."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at", "pk"):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()
        ran += 1
    return ran


def pytest_sessionfinish(session):
    """The process's own media folder (settings/test.py: one per worker, in the temporary directory)
    goes with the process, so test runs do not pile folders up there."""
    media = Path(settings.MEDIA_ROOT)
    if media.parent == Path(tempfile.gettempdir()) and media.name.startswith("reportsite-test-media-"):
        shutil.rmtree(media, ignore_errors=True)


def pytest_collection_modifyitems(items):
    """Mark ``engine_independent`` every test that uses no database. .ci/run runs them once (on
    PostgreSQL), with the browser, LibreOffice and golden-file tests marked so by hand; what touches the
    database (locks, collation, concurrency, migrations, query counts, sums) runs on SQLite too."""
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        if not uses_database:
            item.add_marker(pytest.mark.engine_independent)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached (ids and timestamps may repeat between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


# The exports' fixture (a report with every section written, figures, document details) is used
# by the backup test too.
from tests.exports.conftest import filled  # noqa: E402, F401
