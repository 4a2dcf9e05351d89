"""Rounds set up on the site (issue 13): the one-page form, opening with its confirmation and the
drafters' mails, and the round the dashboard, the report list and the roll-ups show."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reports.models import EventWording, IndicatorValue, Notification, Report, Round
from reports.selectors import rollup
from reports.services import round_open, round_save
from tests.conftest import build_world
from tests.indicators.factories import make_catalogue
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import BulkJob, Role, Unit

pytestmark = pytest.mark.django_db


def province_admin(world):
    """An administrator of the province who is not a superuser: rounds are all the role gives them."""
    return MembershipFactory(unit=world.province, role=Role.ADMIN, user=UserFactory(is_staff=False)).user


def queued_mail_tasks() -> int:
    """How many round-opening e-mail tasks wait for the background worker."""
    return DBTaskResult.objects.ready().filter(task_path="reports.tasks.send_round_open_mails").count()


def run_background_tasks():
    """Run the queued tasks inside the test's transaction (the worker itself closes the connection, so
    it runs only in a transactional test: see test_the_worker_sends_the_opening_mails)."""
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()


def form_data(world, **changes):
    data = {
        "code": "GNK-2025-2030",
        "name": "Báo cáo giữa nhiệm kỳ 2025–2030",
        "outline_version": world.round.outline_version.pk,
        "superior_outline_version": "",
        "organising_unit": world.province.pk,
        "term_start_year": "2025",
        "term_end_year": "2030",
        "data_years": ["2025", "2026", "2027"],
        "cutoff_date": "30/06/2027",
        "deadline": "15/08/2027",
        "event_wording": EventWording.DELEGATES,
        "header_line": "",
    }
    data.update(changes)
    return data


def test_an_admin_creates_a_round_on_one_page(client, world):
    client.force_login(province_admin(world))
    page = client.get(reverse("reports:round_create")).content.decode()
    # Each year of the initial term is a box to tick; no JSON anywhere.
    assert 'name="data_years" value="2023"' in page and "[20" not in page
    assert "Hội nghị đại biểu" in page and "Đại hội" in page
    response = client.post(reverse("reports:round_create"), form_data(world, data_years=["2027", "2025", "2026"]))
    assert response.status_code == 302
    round_ = Round.objects.get(code="GNK-2025-2030")
    assert response["Location"] == reverse("reports:round_edit", args=[round_.code])
    assert round_.data_years == [2025, 2026, 2027]
    assert (round_.term_start_year, round_.term_end_year) == (2025, 2030)
    assert round_.cutoff_date == datetime.date(2027, 6, 30)
    assert round_.deadline == datetime.date(2027, 8, 15)
    assert round_.event_wording == "Hội nghị đại biểu"
    assert round_.opened_at is None and not Report.objects.filter(round=round_).exists()
    # The round's page shows it, dates as dd/mm/yyyy, the boxes of its term with its years ticked.
    page = client.get(response["Location"]).content.decode()
    assert 'value="30/06/2027"' in page
    for year in range(2025, 2031):
        assert f'value="{year}"' in page
    assert page.count("checked") >= 3
    assert "Mở đợt" in page


def test_bad_input_is_said_in_vietnamese_and_nothing_typed_is_lost(client, world):
    client.force_login(province_admin(world))
    data = form_data(world, cutoff_date="31/02/2027", data_years=["2025", "2031"], term_end_year="2030")
    response = client.post(reverse("reports:round_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhập một ngày hợp lệ." in page
    assert not Round.objects.filter(code="GNK-2025-2030").exists()
    # What was typed is all still there, the bad date and the year outside the term included.
    assert 'value="Báo cáo giữa nhiệm kỳ 2025–2030"' in page
    assert 'value="31/02/2027"' in page and 'value="15/08/2027"' in page
    assert 'value="2031"' in page
    assert "Chưa gửi đi. Xin sửa những chỗ sau:" in page
    # With the date right, the year outside the term is refused, by name, in Vietnamese.
    response = client.post(reverse("reports:round_create"), form_data(world, data_years=["2025", "2031"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2031 không thuộc nhiệm kỳ 2025–2030" in page
    assert "Enter a valid JSON" not in page and "valid choice" not in page
    assert not Round.objects.filter(code="GNK-2025-2030").exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"term_end_year": "2024"}, "Năm cuối nhiệm kỳ phải sau năm đầu nhiệm kỳ."),
        ({"term_end_year": "2045"}, "Một nhiệm kỳ dài nhiều nhất 10 năm."),
        ({"data_years": []}, "Trường này là bắt buộc."),
        ({"data_years": ["hai nghìn"]}, "“hai nghìn” không phải là một năm."),
        ({"deadline": ""}, "Trường này là bắt buộc."),
        ({"code": ""}, "Trường này là bắt buộc."),
    ],
)
def test_each_rule_has_its_words(client, world, changes, words):
    client.force_login(province_admin(world))
    response = client.post(reverse("reports:round_create"), form_data(world, **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert not Round.objects.filter(name="Báo cáo giữa nhiệm kỳ 2025–2030").exists()


def test_the_term_as_sent_gives_the_boxes_without_javascript(client, world):
    """Without the page's script, changing the term and sending shows the new term's years to tick."""
    client.force_login(province_admin(world))
    data = form_data(world, term_start_year="2023", term_end_year="2028", data_years=[])
    page = client.post(reverse("reports:round_create"), data).content.decode()
    for year in range(2023, 2029):
        assert f'value="{year}"' in page
    assert 'value="2029"' not in page


def test_the_organising_unit_is_one_the_admin_oversees(client, world):
    admin = MembershipFactory(unit=world.superior, role=Role.ADMIN, user=UserFactory()).user
    client.force_login(admin)
    page = client.get(reverse("reports:round_create")).content.decode()
    assert world.superior.name in page
    assert world.other_superior.name not in page and world.province.name not in page
    response = client.post(reverse("reports:round_create"), form_data(world, organising_unit=world.province.pk))
    assert response.status_code == 200 and not Round.objects.filter(code="GNK-2025-2030").exists()
    # Their rounds list shows the round organised in their unit, not one organised above it.
    above = RoundFactory(organising_unit=world.province, name="Đợt của tỉnh")
    page = client.get(reverse("reports:round_list")).content.decode()
    assert world.round.name in page and above.name not in page
    assert client.get(reverse("reports:round_edit", args=[above.code])).status_code == 404
    assert client.get(reverse("reports:round_open", args=[above.code])).status_code == 404


def test_reviewers_and_drafters_do_not_set_up_rounds(client, world):
    for user in (world.reviewer, world.drafter_a):
        client.force_login(user)
        assert client.get(reverse("reports:round_list")).status_code == 403
        assert client.post(reverse("reports:round_create"), form_data(world)).status_code == 403
    assert not Round.objects.filter(code="GNK-2025-2030").exists()


def test_editing_keeps_what_is_not_changed(client, world):
    client.force_login(province_admin(world))
    url = reverse("reports:round_edit", args=[world.round.code])
    data = form_data(
        world,
        code=world.round.code,
        organising_unit=world.superior.pk,
        term_start_year="2018",
        term_end_year="2023",
        data_years=["2018", "2019", "2020"],
        event_wording=EventWording.CONGRESS,
        deadline="31/12/2030",
    )
    assert client.post(url, data).status_code == 302
    world.round.refresh_from_db()
    assert world.round.deadline == datetime.date(2030, 12, 31)
    assert world.round.data_years == [2018, 2019, 2020]
    assert world.round.event_wording == "Đại hội"


def test_the_admin_form_has_year_boxes_and_vietnamese_errors(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("admin:reports_round_add")).content.decode()
    assert 'type="checkbox" name="data_years"' in page and 'textarea name="data_years"' not in page
    data = form_data(world, cutoff_date="2027-06-30", deadline="2027-08-15", data_years=["2024", "2026"])
    response = client.post(reverse("admin:reports_round_add"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2024 không thuộc nhiệm kỳ 2025–2030" in page
    assert "Enter a valid JSON" not in page
    data["data_years"] = ["2026", "2025"]
    assert client.post(reverse("admin:reports_round_add"), data).status_code == 302
    assert Round.objects.get(code="GNK-2025-2030").data_years == [2025, 2026]


def test_opening_creates_the_reports_below_and_tells_their_drafters(client, world, django_capture_on_commit_callbacks):
    """A new round organised by the province: every active unit below it gets its report (grassroots
    unions, and superior unions their own), none outside it nor inactive; each drafter gets a mail."""
    outside = UnitFactory(name="Công đoàn cơ sở ngoài tỉnh")
    MembershipFactory(unit=outside, role=Role.DRAFTER)
    asleep = UnitFactory(name="Công đoàn cơ sở đã giải thể", parent=world.superior)
    Unit.objects.filter(pk=asleep.pk).update(is_active=False)
    MembershipFactory(unit=asleep, role=Role.DRAFTER)
    round_ = RoundFactory(
        organising_unit=world.province, outline_version=make_outline(), name="Giữa nhiệm kỳ 2023–2028"
    )
    admin = province_admin(world)
    client.force_login(admin)
    url = reverse("reports:round_open", args=[round_.code])
    page = client.get(url).content.decode()
    # Province, its two superiors, their three grassroots unions: 3 CĐCS, 3 superiors' own.
    assert 'data-open-count="6"' in page
    assert "3 báo cáo của CĐCS" in page and "3 báo cáo của chính công đoàn cấp trên" in page
    assert "2 cán bộ soạn thảo" in page
    assert "Thư điện tử được gửi trong nền sau khi mở đợt" in page
    assert not Report.objects.filter(round=round_).exists()  # the confirmation page writes nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    # The request answers at once with the job's page; the background worker does the work.
    job = BulkJob.objects.get()
    assert (job.kind, job.status, job.created_by, job.unit) == ("round_open", "queued", admin, world.province)
    assert response.status_code == 302 and response["Location"] == reverse("units:job_detail", args=[job.pk])
    assert not Report.objects.filter(round=round_).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Mở đợt báo cáo" in page and "Đang chờ tiến trình nền" in page
    assert 'http-equiv="refresh"' in page  # follows itself without its script too
    run_background_tasks()
    assert set(Report.objects.filter(round=round_).values_list("unit", flat=True)) == {
        world.province.pk,
        world.superior.pk,
        world.other_superior.pk,
        world.unit_a.pk,
        world.unit_b.pk,
        world.unit_c.pk,
    }
    round_.refresh_from_db()
    assert round_.opened_at is not None
    # The two drafters (units A and B) are told, in Vietnamese, with the link to their own report.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.drafter_a.email, world.drafter_b.email])
    message = next(m for m in mail.outbox if m.to == [world.drafter_a.email])
    report_a = Report.objects.get(round=round_, unit=world.unit_a)
    assert "Đợt báo cáo “Giữa nhiệm kỳ 2023–2028” đã mở" in message.body
    assert reverse("reports:report_detail", args=[report_a.pk]) in message.body
    assert Notification.objects.filter(user=world.drafter_a, report=report_a, kind="round_open").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Đã xong" in page and 'http-equiv="refresh"' not in page
    assert "Đã mở đợt báo cáo “Giữa nhiệm kỳ 2023–2028”: tạo 6 báo cáo." in page
    assert "Đã gửi 2 thư điện tử cho cán bộ soạn thảo." in page
    # Opening again creates nothing and tells nobody again.
    mail.outbox.clear()
    page = client.get(url).content.decode()
    assert "mở lại đợt sẽ không tạo thêm báo cáo nào" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
    run_background_tasks()
    assert Report.objects.filter(round=round_).count() == 6
    assert mail.outbox == []
    assert "Mọi đơn vị đã có báo cáo trong đợt “Giữa nhiệm kỳ 2023–2028”: không tạo thêm báo cáo nào" in (
        client.get(again["Location"]).content.decode()
    )
    # A unit added later: opening again creates its report only, and tells its drafter only.
    late = UnitFactory(name="Công đoàn cơ sở mới thành lập", parent=world.other_superior)
    late_drafter = MembershipFactory(unit=late, role=Role.DRAFTER).user
    assert 'data-open-count="1"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    run_background_tasks()
    assert Report.objects.filter(round=round_).count() == 7
    assert [m.to for m in mail.outbox] == [[late_drafter.email]]


def test_opening_keeps_the_rollup_totals_right(world):
    round_ = RoundFactory(organising_unit=world.province, outline_version=world.round.outline_version)
    round_open(round=round_, actor=world.admin)
    result = rollup(round=round_, unit=world.province)
    assert result.not_counted == 3  # three grassroots reports, none submitted yet


def two_rounds(world):
    """The world's round, and a later one organised by the province, opened."""
    later = RoundFactory(
        organising_unit=world.province,
        outline_version=world.round.outline_version,
        name="Đợt sau 2023–2028",
        code="SAU",
        deadline=world.round.deadline + datetime.timedelta(days=400),
    )
    round_open(round=later, tell_drafters=False)
    return later


def test_the_dashboard_picks_the_latest_opened_round_or_the_one_chosen(client, world):
    later = two_rounds(world)
    RoundFactory(organising_unit=world.province, code="CHUA-MO", deadline=later.deadline + datetime.timedelta(days=9))
    client.force_login(world.reviewer)
    pick = reverse("reports:dashboard_pick")
    # The newest round that is open, not the one not yet opened.
    assert client.get(pick)["Location"] == reverse("reports:dashboard", args=["SAU"])
    assert client.get(pick, {"dot": world.round.code})["Location"] == reverse(
        "reports:dashboard", args=[world.round.code]
    )
    assert client.get(pick, {"dot": "khong-co"}).status_code == 404
    page = client.get(reverse("reports:dashboard", args=["SAU"])).content.decode()
    assert 'name="dot"' in page and f'value="{world.round.code}"' in page
    assert page.count(world.unit_a.name) == 1  # this round's report of unit A, once


def test_the_report_list_shows_one_round(client, world):
    later = two_rounds(world)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert later.name in page
    assert reverse("reports:report_read", args=[world.report_a.pk]) not in page
    page = client.get(reverse("reports:report_list"), {"dot": world.round.code}).content.decode()
    assert reverse("reports:report_read", args=[world.report_a.pk]) in page
    assert reverse("reports:report_read", args=[Report.objects.get(round=later, unit=world.unit_a).pk]) not in page
    assert client.get(reverse("reports:report_list"), {"dot": "khong-co"}).status_code == 404
    # A drafter still goes straight to their report (one in each round: they see both).
    client.force_login(world.drafter_a)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert later.name in page and world.round.name in page


def test_the_rollup_index_shows_one_round(client, world):
    later = two_rounds(world)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:rollup_index")).content.decode()
    assert reverse("reports:rollup", args=[later.code, world.superior.code]) in page
    assert reverse("reports:rollup", args=[world.round.code, world.superior.code]) not in page
    page = client.get(reverse("reports:rollup_index"), {"dot": world.round.code}).content.decode()
    assert reverse("reports:rollup", args=[world.round.code, world.superior.code]) in page
    assert client.get(reverse("reports:rollup_index"), {"dot": "khong-co"}).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, units: int, rounds: int):
    for _ in range(units):
        unit = UnitFactory(parent=world.superior)
        MembershipFactory(unit=unit, role=Role.DRAFTER)
    for _ in range(rounds):
        RoundFactory(organising_unit=world.superior, outline_version=world.round.outline_version)


@pytest.mark.parametrize("page", ["round_list", "round_open", "round_edit", "report_list", "rollup_index"])
def test_query_counts_do_not_grow(client, page):
    counts = []
    for units, rounds in ((2, 1), (30, 12)):
        world = build_world(sections=2)
        _grow(world, units, rounds)
        user = province_admin(world) if page.startswith("round") else world.reviewer
        client.force_login(user)
        args = [] if page in ("round_list", "report_list", "rollup_index") else [world.round.code]
        counts.append(_queries(client, reverse(f"reports:{page}", args=args)))
    assert counts[0] == counts[1], counts


def test_a_delegates_conference_is_named_where_the_outline_names_the_congress(client, world):
    """ "Hội nghị đại biểu": the outline's "Đại hội" before the unit's blank reads so on the page and in
    the Word file; the default, "Đại hội", prints what it always printed."""
    import io
    import zipfile

    client.force_login(world.drafter_a)
    docx_url = reverse("exports:report_docx", args=[world.report_a.pk])
    before = zipfile.ZipFile(io.BytesIO(client.get(docx_url).content)).read("word/document.xml").decode()
    assert "NGHỊ QUYẾT ĐẠI HỘI CÔNG ĐOÀN CƠ SỞ" in before and "HỘI NGHỊ ĐẠI BIỂU" not in before
    Round.objects.filter(pk=world.round.pk).update(event_wording=EventWording.DELEGATES)
    page = client.get(reverse("reports:report_detail", args=[world.report_a.pk])).content.decode()
    assert "NGHỊ QUYẾT HỘI NGHỊ ĐẠI BIỂU CÔNG ĐOÀN CƠ SỞ" in page
    after = zipfile.ZipFile(io.BytesIO(client.get(docx_url).content)).read("word/document.xml").decode()
    assert "Nghị quyết Hội nghị đại biểu CĐCS Công ty May Á" in after
    assert "NGHỊ QUYẾT HỘI NGHỊ ĐẠI BIỂU CÔNG ĐOÀN CƠ SỞ" in after and "NGHỊ QUYẾT ĐẠI HỘI" not in after


def edit_data(world, **changes):
    """The round of the world as its edit form sends it back unchanged."""
    unchanged = {
        "code": world.round.code,
        "organising_unit": world.superior.pk,
        "term_start_year": "2018",
        "term_end_year": "2023",
        "data_years": ["2018", "2019", "2020"],
    }
    return form_data(world, **{**unchanged, **changes})


def test_an_opened_round_keeps_its_outline_and_organising_unit(client, world):
    """Its reports are built on them: the catalogue holding their figures belongs to the outline."""
    assert world.round.opened_at is not None
    client.force_login(province_admin(world))
    url = reverse("reports:round_edit", args=[world.round.code])
    page = client.get(url).content.decode()
    for name in ("outline_version", "superior_outline_version", "organising_unit"):
        assert re.search(rf'<select name="{name}"[^>]*disabled', page), name
    assert "Đợt báo cáo đã mở và các báo cáo được lập theo mục này: không thể thay đổi nữa." in page
    other = make_outline(3)
    data = edit_data(world, outline_version=other.pk, organising_unit=world.province.pk, deadline="31/12/2030")
    assert client.post(url, data).status_code == 302
    world.round.refresh_from_db()
    # What else was changed is kept; the locked fields are what they were.
    assert world.round.deadline == datetime.date(2030, 12, 31)
    assert world.round.outline_version_id != other.pk
    assert world.round.organising_unit_id == world.superior.pk
    # The service refuses it too, in words, whoever calls it.
    for changes in (
        {"outline_version": other},
        {"organising_unit": world.province},
        {"superior_outline_version": other},
    ):
        with pytest.raises(ValidationError) as caught:
            round_save(round=world.round, data=changes, actor=world.admin)
        (name,) = changes
        assert caught.value.message_dict[name] == [
            "Đợt báo cáo đã mở và các báo cáo được lập theo mục này: không thể thay đổi nữa."
        ]
    world.round.refresh_from_db()
    assert world.round.outline_version_id != other.pk and world.round.superior_outline_version is None
    # Not yet opened: they can still be changed.
    draft = RoundFactory(organising_unit=world.province)
    round_save(round=draft, data={"outline_version": other}, actor=world.admin)
    draft.refresh_from_db()
    assert draft.outline_version_id == other.pk


def test_the_admin_keeps_an_opened_round_too(client, world):
    client.force_login(world.admin)
    url = reverse("admin:reports_round_change", args=[world.round.pk])
    page = client.get(url).content.decode()
    assert re.search(r'<select name="outline_version"[^>]*disabled', page)
    IndicatorValue.objects.create(
        report=world.report_a, indicator=make_catalogue(world.round.outline_version)["CNVCLD"], column="2019", value=5
    )
    data = edit_data(world, cutoff_date="30/11/2020", deadline="31/12/2030", data_years=["2018", "2020"])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Đã nhập số liệu năm 2019 trong 1 báo cáo: không thể bỏ năm này." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.data_years == [2018, 2019, 2020]


def test_a_data_year_with_figures_stays(client, world):
    """Figures typed for a year would be left unreachable if the year went; a year without any may go."""
    catalogue = make_catalogue(world.round.outline_version)
    IndicatorValue.objects.create(report=world.report_a, indicator=catalogue["CNVCLD"], column="2018", value=5)
    IndicatorValue.objects.create(report=world.report_b, indicator=catalogue["CNVCLD"], column="2018", value=7)
    IndicatorValue.objects.create(report=world.report_b, indicator=catalogue["CNVCLD"], column="target", value=9)
    client.force_login(province_admin(world))
    url = reverse("reports:round_edit", args=[world.round.code])
    response = client.post(url, edit_data(world, data_years=["2019", "2020"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đã nhập số liệu năm 2018 trong 2 báo cáo: không thể bỏ năm này." in page
    # Nothing typed is lost: the boxes are as sent.
    assert 'value="2018"' in page
    world.round.refresh_from_db()
    assert world.round.data_years == [2018, 2019, 2020]
    # Nor may the term leave it out.
    response = client.post(url, edit_data(world, term_start_year="2019", term_end_year="2024"))
    assert "Đã nhập số liệu năm 2018 trong 2 báo cáo: nhiệm kỳ phải bao gồm năm này." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.term_start_year == 2018
    # 2020 has no figures: it may be removed.
    assert client.post(url, edit_data(world, data_years=["2018", "2019"])).status_code == 302
    world.round.refresh_from_db()
    assert world.round.data_years == [2018, 2019]
    with pytest.raises(ValidationError) as caught:
        round_save(round=world.round, data={"data_years": [2019]}, actor=world.admin)
    assert caught.value.message_dict["data_years"] == [
        "Đã nhập số liệu năm 2018 trong 2 báo cáo: không thể bỏ năm này."
    ]


def test_a_round_code_with_a_slash_is_refused(client, world):
    """A code appears in addresses: one with a slash could never be linked to."""
    words = "Mã không được chứa dấu gạch chéo (/) hay ký tự điều khiển: mã xuất hiện trong địa chỉ trang."
    client.force_login(province_admin(world))
    response = client.post(reverse("reports:round_create"), form_data(world, code="GNK/2025"))
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page and 'value="GNK/2025"' in page
    assert not Round.objects.filter(code="GNK/2025").exists()
    round_ = RoundFactory.build(
        term_start_year=2025,
        term_end_year=2030,
        data_years=[2025, 2026],
        code="GNK/2025",
        organising_unit=world.province,
        outline_version=world.round.outline_version,
    )
    with pytest.raises(ValidationError) as caught:
        round_.full_clean()
    assert caught.value.message_dict["code"] == [words]
    # Letters of any language, dots, dashes, spaces are fine: they are quoted in addresses.
    RoundFactory.build(
        code="ĐH.2025_GNK-1", organising_unit=world.province, outline_version=world.round.outline_version
    ).full_clean()


def test_the_round_list_shows_an_old_round_with_a_bad_code(client, world):
    """Stored before codes were checked: shown without links, the others still linked; never a 500."""
    old = RoundFactory(organising_unit=world.province, name="Đợt cũ nhập từ dữ liệu cũ")
    Round.objects.filter(pk=old.pk).update(code="CU/2020")
    client.force_login(province_admin(world))
    response = client.get(reverse("reports:round_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đợt cũ nhập từ dữ liệu cũ" in page and "CU/2020" in page
    assert "Mã của đợt có dấu gạch chéo" in page
    assert reverse("reports:round_edit", args=[world.round.code]) in page


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_opening_mails():
    """Opening queues one task; the worker, as `make run` starts it, sends the drafters' e-mails.
    When the opening is rolled back, nothing is queued and nobody is told."""
    world = build_world(sections=1)
    DBTaskResult.objects.all().delete()
    round_ = RoundFactory(organising_unit=world.superior, outline_version=make_outline(1), name="Đợt thử nền")
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        round_open(round=round_, actor=world.admin)
        raise RuntimeError("something after it failed")
    assert not Report.objects.filter(round=round_).exists() and not DBTaskResult.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    assert mail.outbox == []
    round_open(round=round_, actor=world.admin)
    assert Notification.objects.filter(kind="round_open", report__round=round_).count() == 2  # in the site at once
    assert mail.outbox == [] and queued_mail_tasks() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.drafter_a.email, world.drafter_b.email])
    assert all("Đợt báo cáo “Đợt thử nền” đã mở" in m.body for m in mail.outbox)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_deadline_before_the_figures_end_is_refused_in_words():
    """Reports cannot be due before the period their figures cover has ended."""
    import datetime

    from django.core.exceptions import ValidationError

    from tests.reports.factories import RoundFactory

    round_ = RoundFactory.build(
        term_start_year=2025,
        term_end_year=2030,
        data_years=[2025, 2026],
        cutoff_date=datetime.date(2027, 6, 30),
        deadline=datetime.date(2027, 5, 15),
    )
    with pytest.raises(ValidationError) as caught:
        round_.clean()
    assert "30/06/2027" in " ".join(caught.value.message_dict["deadline"])


def test_with_equal_deadlines_the_current_terms_round_is_the_default(client, world):
    """Two opened rounds due the same day: the dashboard's and the roll-ups' round is the newest term's,
    not the one whose code sorts first (GNK-2018-2023 before GNK-2025-2030), and every list shows it first."""
    from reports.selectors import pick_round, round_list, rounds_visible_to

    due = datetime.date.today() + datetime.timedelta(days=60)  # after the world's round's
    common = {"organising_unit": world.province, "deadline": due, "opened_at": datetime.datetime.now(datetime.UTC)}
    old = RoundFactory(code="GNK-2018-2023", **common)
    new = RoundFactory(
        code="GNK-2025-2030",
        name="Báo cáo giữa nhiệm kỳ 2025–2030",
        term_start_year=2025,
        term_end_year=2030,
        data_years=[2025, 2026],
        cutoff_date=datetime.date(2026, 11, 30),
        **common,
    )
    assert list(Round.objects.all()) == [new, old, world.round]
    assert pick_round(list(rounds_visible_to(world.admin)), None) == new
    assert [r.code for r in round_list(world.admin)] == ["GNK-2025-2030", "GNK-2018-2023", world.round.code]
    client.force_login(world.admin)
    page = client.get(reverse("reports:rollup_index")).content.decode()
    selected = re.search(r'<option value="([^"]+)"[^>]*selected', page)
    assert selected and selected.group(1) == "GNK-2025-2030"


def test_a_round_is_offered_where_it_has_reports_to_read_and_follows_a_unit_moved_into_another_tree(world):
    """The round selector's rounds (``rounds_visible_to``): the organiser's tree and those above it see the
    round; a superior union of another branch does not, until a unit with a report in it is moved there."""
    from reports.reorganisation import unit_move  # what the admin's "move" runs
    from reports.selectors import rounds_visible_to

    elsewhere = MembershipFactory(unit=world.other_superior, role=Role.REVIEWER).user
    above = MembershipFactory(unit=world.province, role=Role.REVIEWER).user
    another_tree = UnitFactory(name="Liên đoàn Lao động tỉnh Khác", kind="LĐLĐ tỉnh", is_grassroots=False)
    stranger = MembershipFactory(unit=another_tree, role=Role.REVIEWER).user
    assert list(rounds_visible_to(world.reviewer)) == [world.round]
    assert list(rounds_visible_to(above)) == [world.round]
    assert list(rounds_visible_to(elsewhere)) == []
    assert list(rounds_visible_to(stranger)) == []

    unit_move(unit=world.unit_a, new_parent=world.other_superior)
    assert list(rounds_visible_to(elsewhere)) == [world.round]  # unit A's report came with it
    assert list(rounds_visible_to(stranger)) == []
