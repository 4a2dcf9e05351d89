"""Background jobs on thousands of rows (units.jobs.BulkJob): opening a round, recalculating totals, a
large units import, invitations. Each action answers with the job's page; the worker's run ends done
with what was done, in Vietnamese, or failed with why; a dead worker is found; nothing is done twice."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports import jobs as report_jobs
from reports.models import Notification, Report, RollupMembers, Round
from reports.selectors import rollup
from reports.services import round_open_start
from reports.tasks import run_round_open
from tests.conftest import build_world, run_queued_tasks
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from tests.units.test_import_admin import upload
from tests.units.test_imports import province, workbook
from units.jobs import bulk_job_run, bulk_jobs_fail_stale
from units.models import BulkJob, BulkJobStatus, Invitation, Role, Unit

pytestmark = pytest.mark.django_db


def new_round(world, **fields):
    return RoundFactory(organising_unit=world.province, outline_version=make_outline(1), **fields)


def page(client, job) -> str:
    response = client.get(reverse("units:job_detail", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_round_opened_by_two_jobs_has_each_report_once(client, world, django_capture_on_commit_callbacks):
    """The same round opened twice at once (two administrators, or a task delivered twice): the second
    job finds every report made and says so; nobody is told twice."""
    round_ = new_round(world, name="Đợt cả tỉnh")
    with django_capture_on_commit_callbacks(execute=True):
        first = round_open_start(round=round_, actor=world.admin)
        second = round_open_start(round=round_, actor=world.admin)
    assert run_queued_tasks() == 2
    # The task delivered again for a job already done does nothing.
    run_round_open.call(job_id=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("done", "done")
    assert Report.objects.filter(round=round_).count() == 6
    assert Notification.objects.filter(kind="round_open", report__round=round_).count() == 2
    assert len(mail.outbox) == 2
    assert (first.done, first.total) == (6, 6)
    client.force_login(world.admin)
    assert "Đã mở đợt báo cáo “Đợt cả tỉnh”: tạo 6 báo cáo." in page(client, first)
    assert "Mọi đơn vị đã có báo cáo trong đợt “Đợt cả tỉnh”: không tạo thêm báo cáo nào." in page(client, second)


def test_a_worker_that_dies_mid_way_loses_one_chunk_and_the_next_job_finishes(world, monkeypatch):
    """Chunks of two units: the worker stops in the second chunk (its transaction rolls back); the job
    is failed with a reason; opening again makes exactly the missing reports, each drafter told once."""
    monkeypatch.setattr(report_jobs, "OPEN_CHUNK", 2)
    round_ = new_round(world)
    job = round_open_start(round=round_, actor=world.admin)
    real_chunk = report_jobs.round_open_chunk
    calls = []

    def dying_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            real_chunk(*args, **{**kwargs, "size": 2})
            raise SystemExit("the worker was stopped")
        return real_chunk(*args, **{**kwargs, "size": 2})

    monkeypatch.setattr(report_jobs, "round_open_chunk", dying_chunk)
    with pytest.raises(SystemExit):
        bulk_job_run(job_id=job.pk, work=report_jobs.round_open_work)
    job.refresh_from_db()
    assert job.status == BulkJobStatus.FAILED and job.done == 2
    assert Report.objects.filter(round=round_).count() == 2  # the first chunk only
    monkeypatch.setattr(report_jobs, "round_open_chunk", real_chunk)
    again = round_open_start(round=round_, actor=world.admin)
    again = bulk_job_run(job_id=again.pk, work=report_jobs.round_open_work)
    assert again.status == BulkJobStatus.DONE
    assert Report.objects.filter(round=round_).count() == 6
    assert sorted(Report.objects.filter(round=round_).values_list("unit_id", flat=True)) == sorted(
        Unit.objects.values_list("pk", flat=True)
    )
    for drafter in (world.drafter_a, world.drafter_b):
        assert Notification.objects.filter(user=drafter, kind="round_open", report__round=round_).count() == 1
    assert "tạo 4 báo cáo" in again.summary and "2 đơn vị đã có báo cáo từ trước" in again.summary
    assert rollup(round=round_, unit=world.province).not_counted == 3  # the totals hold every report


def test_a_job_whose_worker_died_is_shown_failed_with_why(client, world):
    job = round_open_start(round=new_round(world), actor=world.admin)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago)
    client.force_login(world.admin)
    text = page(client, job)
    assert "Bị lỗi" in text and "Tiến trình nền đã dừng giữa chừng" in text
    assert "không có gì bị làm hai lần: hãy thực hiện lại để hoàn tất" in text
    round_code = Round.objects.get(pk=job.params["round"]).code
    assert reverse("reports:round_open", args=[round_code]) in text  # to start it again
    job.refresh_from_db()
    assert job.status == BulkJobStatus.FAILED and job.failure == "worker" and job.finished_at
    # Its worker, were it only slow, stops at its next chunk: the job stays failed.
    assert bulk_job_run(job_id=job.pk, work=report_jobs.round_open_work).status == BulkJobStatus.FAILED
    assert not Report.objects.filter(round_id=job.params["round"]).exists()
    # A job alive a moment ago is left running, and its page says how far it got, in Vietnamese numbers.
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJobStatus.RUNNING, heartbeat_at=timezone.now(), done=2000, total=10201, finished_at=None
    )
    assert bulk_jobs_fail_stale() == 0
    text = page(client, job)
    assert "Đang thực hiện" in text and "2.000 / 10.201" in text and "20%" in text
    assert client.get(reverse("units:job_status", args=[job.pk])).json() == {
        "status": "running",
        "label": "Đang thực hiện",
        "percent": 20,
        "done": 2000,
        "total": 10201,
    }


def test_a_round_deleted_before_its_job_runs_fails_in_words(client, world, django_capture_on_commit_callbacks):
    round_ = new_round(world)
    with django_capture_on_commit_callbacks(execute=True):
        job = round_open_start(round=round_, actor=world.admin)
    round_.delete()
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == BulkJobStatus.FAILED and job.failure == "refused"
    client.force_login(world.admin)
    assert "Đợt báo cáo không còn nữa: không có gì được thực hiện." in page(client, job)


def test_recalculating_the_totals_from_the_round_page(client, world, django_capture_on_commit_callbacks):
    admin = MembershipFactory(unit=world.superior, role=Role.ADMIN, user=UserFactory()).user
    RollupMembers.objects.filter(round=world.round).delete()  # changed behind the services' back
    client.force_login(admin)
    edit = client.get(reverse("reports:round_edit", args=[world.round.code])).content.decode()
    assert "Tính lại số liệu tổng hợp" in edit
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:round_rebuild_totals", args=[world.round.code]))
    job = BulkJob.objects.get()
    assert response["Location"] == reverse("units:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.unit) == ("rebuild_totals", "queued", world.superior)
    assert "Đang chờ tiến trình nền" in page(client, job)
    run_queued_tasks()
    text = page(client, job)
    assert "Đã xong" in text
    assert f"Đã tính lại số liệu tổng hợp của đợt “{world.round.name}” từ 3 báo cáo." in text
    assert RollupMembers.objects.filter(round=world.round).exists()
    # Only who manages the round: a drafter may not.
    client.force_login(world.drafter_a)
    assert client.post(reverse("reports:round_rebuild_totals", args=[world.round.code])).status_code == 403
    assert BulkJob.objects.count() == 1


@pytest.fixture
def large_imports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UNITS_IMPORT_SYNC_BYTES = 0  # every file counts as large here


def test_a_large_units_import_runs_in_the_background(admin_client, large_imports, django_capture_on_commit_callbacks):
    preview = upload(admin_client, workbook(province(3)))
    digest = preview.context["digest"]
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1", "invite": "now"}
        )
    job = BulkJob.objects.get()
    assert done["Location"] == reverse("units:job_detail", args=[job.pk])
    assert (job.kind, job.params) == ("units_import", {"digest": digest, "invite": True})
    assert not Unit.objects.exists()  # nothing in the request
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    job.refresh_from_db()
    assert job.status == BulkJobStatus.DONE
    assert Unit.objects.count() == 5 and Invitation.objects.count() == 3 and len(mail.outbox) == 3
    text = page(admin_client, job)
    assert "Nhập đơn vị và người dùng từ Excel" in text
    assert "Đã nhập: 5 đơn vị tạo mới" in text and "Đã gửi 3 thư mời." in text
    # The same job run again (a task delivered twice) does nothing more.
    assert bulk_job_run(job_id=job.pk, work=report_jobs.units_import_work).status == BulkJobStatus.DONE
    assert Unit.objects.count() == 5 and Invitation.objects.count() == 3


def test_a_large_import_that_became_invalid_fails_with_its_rows(
    admin_client, large_imports, django_capture_on_commit_callbacks
):
    preview = upload(admin_client, workbook(province(3)))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:units_unit_import"), {"digest": preview.context["digest"], "confirm": "1"})
    UserFactory(username="khac", email="soan00001@congdoan.example")  # an account made meanwhile with the address
    run_queued_tasks()
    job = BulkJob.objects.get()
    assert job.status == BulkJobStatus.FAILED and job.failure == "refused"
    text = page(admin_client, job)
    assert "Chưa nhập gì: tệp hiện có lỗi" in text and "Dòng" in text
    assert not Unit.objects.exists()  # nothing written
    assert reverse("admin:units_unit_import") in text  # start it again from the import page


def test_a_small_import_stays_in_the_request(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    preview = upload(admin_client, workbook(province(3)))
    admin_client.post(reverse("admin:units_unit_import"), {"digest": preview.context["digest"], "confirm": "1"})
    assert Unit.objects.count() == 5 and not BulkJob.objects.exists()


def test_the_invitations_of_the_account_list_say_what_was_sent(admin_client, django_capture_on_commit_callbacks):
    waiting = [UserFactory(username=f"cho{i}") for i in range(3)]
    for user in waiting:
        user.set_unusable_password()
        user.save()
    has_password = UserFactory(username="co-mat-khau")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_invitations", "_selected_action": [u.pk for u in [*waiting, has_password]]},
        )
    assert mail.outbox == []  # not in the request
    job = BulkJob.objects.get()
    assert response["Location"] == reverse("units:job_detail", args=[job.pk])
    assert job.kind == "invite" and job.title == "4 tài khoản được chọn"
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in waiting)
    text = page(admin_client, job)
    assert "Đã gửi 3 thư mời." in text and "Không gửi cho 1 tài khoản: đã có mật khẩu." in text


def test_who_may_follow_a_job(client, world):
    """The one who started it, and the administrators of its unit (a round's managers); nobody else."""
    round_ = new_round(world)
    province_admin = MembershipFactory(unit=world.province, role=Role.ADMIN, user=UserFactory()).user
    superior_admin = MembershipFactory(unit=world.superior, role=Role.ADMIN, user=UserFactory()).user
    job = round_open_start(round=round_, actor=province_admin)
    invite = BulkJob.objects.create(kind="invite", created_by=superior_admin)
    url = reverse("units:job_detail", args=[job.pk])
    expected = {
        province_admin: 200,  # started it
        world.admin: 200,  # a superuser
        superior_admin: 404,  # administers below the organising unit only
        world.reviewer: 404,
        world.drafter_a: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.get(reverse("units:job_status", args=[job.pk])).status_code == status, user
    other_admin = MembershipFactory(unit=world.province, role=Role.ADMIN, user=UserFactory()).user
    client.force_login(other_admin)
    assert client.get(url).status_code == 200  # manages the round too
    assert client.get(reverse("units:job_detail", args=[invite.pk])).status_code == 404  # not theirs
    client.force_login(superior_admin)
    assert client.get(reverse("units:job_detail", args=[invite.pk])).status_code == 200
    # The list shows each person what they may follow, and nothing else.
    client.force_login(province_admin)
    listed = client.get(reverse("units:job_list")).content.decode()
    assert url in listed and reverse("units:job_detail", args=[invite.pk]) not in listed
    client.force_login(world.drafter_a)
    assert "Chưa có việc chạy nền nào." in client.get(reverse("units:job_list")).content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_job_page_reads_the_same_whatever_the_size_of_the_round(client, world):
    def queries_for(round_):
        job = round_open_start(round=round_, actor=world.admin)
        bulk_job_run(job_id=job.pk, work=report_jobs.round_open_work)
        client.force_login(world.admin)
        with CaptureQueriesContext(connection) as captured:
            assert "Đã xong" in page(client, job)
        with CaptureQueriesContext(connection) as status:
            client.get(reverse("units:job_status", args=[job.pk]))
        return len(captured), len(status)

    def list_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("units:job_list")).status_code == 200
        return len(captured)

    small = queries_for(new_round(world, code="NHO"))
    few_listed = list_queries()
    for i in range(30):
        MembershipFactory(unit=UnitFactory(parent=world.other_superior, name=f"Công đoàn cơ sở {i}"), role=Role.DRAFTER)
    large = queries_for(new_round(world, code="LON"))
    assert small == large
    for _ in range(5):
        round_open_start(round=world.round, actor=world.admin)
    assert list_queries() == few_listed


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_jobs_as_make_run_starts_it():
    """`db_worker`, as `make run` and production start it, picks the queued jobs up and ends them done."""
    world = build_world(sections=1)
    DBTaskResult.objects.all().delete()
    round_ = new_round(world, name="Đợt chạy nền")
    job = round_open_start(round=round_, actor=world.admin)
    assert DBTaskResult.objects.get().task_path == "reports.tasks.run_round_open"
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.status == BulkJobStatus.DONE and job.percent == 100
    assert Report.objects.filter(round=round_).count() == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.drafter_a.email, world.drafter_b.email])
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
