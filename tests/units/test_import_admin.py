"""The admin's "Nhập từ Excel": upload, preview, confirm (which checks the kept file again)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import run_queued_tasks
from tests.units.factories import UnitFactory, UserFactory
from tests.units.test_imports import province, workbook
from units.models import Invitation, Membership, Unit

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def upload(client, data, name="don-vi.xlsx"):
    return client.post(reverse("admin:units_unit_import"), {"file": SimpleUploadedFile(name, data)})


def test_the_changelist_links_to_the_import_and_the_template_downloads(admin_client):
    page = admin_client.get(reverse("admin:units_unit_changelist")).content.decode()
    assert reverse("admin:units_unit_import") in page and "Nhập từ Excel" in page
    page = admin_client.get(reverse("admin:units_unit_import")).content.decode()
    template = admin_client.get(reverse("admin:units_unit_import_template"))
    assert template.status_code == 200 and template["Content-Type"].endswith("sheet")
    assert reverse("admin:units_unit_import_template") in page


def test_preview_then_confirm_imports_and_invites(admin_client, django_capture_on_commit_callbacks):
    preview = upload(admin_client, workbook(province(3)))
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Đơn vị sẽ tạo mới (5)" in text and "CS-00002" in text
    assert not Unit.objects.exists()  # the preview writes nothing
    digest = preview.context["digest"]
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1", "invite": "now"}
        )
    assert done.status_code == 302
    assert Unit.objects.count() == 5 and Membership.objects.count() == 3
    assert Invitation.objects.count() == 3 and len(mail.outbox) == 3
    # The same file again: nothing to confirm.
    again = upload(admin_client, workbook(province(3)))
    assert again.context["digest"] == "" and "không thay đổi gì" in again.content.decode()


def test_invitations_can_wait_for_the_round_to_open(admin_client, django_capture_on_commit_callbacks):
    """ "Gửi khi đợt báo cáo mở": nothing leaves at import; when a round opens on the units, its
    background task invites each drafter it tells (then the round's e-mail), and only them, once."""
    from reports.services import round_open
    from tests.outline.factories import make_outline
    from tests.reports.factories import RoundFactory
    from tests.reports.test_rounds import run_background_tasks

    preview = upload(admin_client, workbook(province(3)))
    page = preview.content.decode()
    assert "Gửi ngay thư mời đặt mật khẩu cho các tài khoản mới" in page and "Gửi khi đợt báo cáo mở" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            reverse("admin:units_unit_import"),
            {"digest": preview.context["digest"], "confirm": "1", "invite": "round"},
            follow=True,
        )
    assert "cán bộ soạn thảo sẽ nhận thư mời khi đợt báo cáo của đơn vị mở" in done.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []
    # One drafter set a password meanwhile (invited by hand and accepted): not invited again.
    User.objects.filter(username="soan00002").update(password="pbkdf2_sha256$1$x$y")
    round_ = RoundFactory(organising_unit=Unit.objects.get(code="LDLD-T"), outline_version=make_outline())
    with django_capture_on_commit_callbacks(execute=True):
        round_open(round=round_)
    with django_capture_on_commit_callbacks(execute=True):
        run_background_tasks()
    invited = sorted(Invitation.objects.values_list("user__username", flat=True))
    assert invited == ["soan00000", "soan00001"]
    invitations = [m for m in mail.outbox if "mật khẩu" in m.subject]
    assert sorted(m.to[0] for m in invitations) == ["soan00000@congdoan.example", "soan00001@congdoan.example"]
    assert len(mail.outbox) == 5  # two invitations, three round e-mails
    # Opening again, or another round: nobody is invited twice.
    with django_capture_on_commit_callbacks(execute=True):
        round_open(round=RoundFactory(organising_unit=Unit.objects.get(code="LDLD-T"), outline_version=make_outline()))
    with django_capture_on_commit_callbacks(execute=True):
        run_background_tasks()
    assert Invitation.objects.count() == 2


def test_the_confirmation_checks_the_file_again(admin_client):
    rows = [("N1", "Đơn vị mới", "CĐCS", "CHA", "Có", "")]
    UnitFactory(code="CHA")
    preview = upload(admin_client, workbook(rows))
    digest = preview.context["digest"]
    assert digest
    Unit.objects.filter(code="CHA").update(code="CHA-KHAC")  # the parent went away meanwhile
    again = admin_client.post(reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1"})
    assert again.status_code == 200 and "CHA" in again.content.decode()
    assert not Unit.objects.filter(code="N1").exists()
    # A digest that was never uploaded (or someone else's) is not read.
    other = admin_client.post(reverse("admin:units_unit_import"), {"digest": "0" * 64, "confirm": "1"})
    assert other.status_code == 302 and not Unit.objects.filter(code="N1").exists()


def test_bad_rows_are_listed_and_nothing_can_be_confirmed(admin_client):
    rows = [("A", "Đơn vị A", "CĐCS", "KHONG-CO", "Có", ""), ("B", "Đơn vị B", "CĐCS", "", "Không biết", "")]
    response = upload(admin_client, workbook(rows))
    text = response.content.decode()
    assert "2 lỗi" in text and "KHONG-CO" in text and "Không biết" in text
    assert response.context["digest"] == "" and 'name="confirm"' not in text


def test_a_file_that_is_not_a_workbook_is_refused_in_words(admin_client):
    response = upload(admin_client, b"PK\x03\x04 not really")
    assert response.status_code == 200 and "Excel" in response.content.decode()


def test_adding_a_person_in_the_admin_sends_an_invitation(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:auth_user_add"),
            {"username": "moi", "last_name": "Trần Văn", "first_name": "Mới", "email": "moi@congdoan.example"},
        )
    assert response.status_code == 302
    user = User.objects.get(username="moi")
    assert not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["moi@congdoan.example"]]
    # Nobody sets it for them.
    page = admin_client.get(reverse("admin:auth_user_password_change", args=[user.pk]))
    assert page.status_code == 302
    changelist = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Đã mời" in changelist


def test_the_admin_action_sends_invitations_to_the_selected(admin_client, django_capture_on_commit_callbacks):
    waiting = UserFactory(username="cho")
    waiting.set_unusable_password()
    waiting.save()
    has_password = UserFactory(username="co-mat-khau")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_invitations", "_selected_action": [waiting.pk, has_password.pk]},
        )
    assert mail.outbox == []  # in the background
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_tasks() == 1
    assert [m.to for m in mail.outbox] == [[waiting.email]]


def test_only_those_who_may_add_and_change_units_import(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:units_unit_import")).status_code == 403
    assert client.get(reverse("admin:units_unit_import_template")).status_code == 403
    client.logout()
    assert client.get(reverse("admin:units_unit_import")).status_code == 302


def _preview_queries(client, size):
    data = workbook(province(size, top=f"TOP{size}", p=f"S{size}"))
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, data)
    assert response.status_code == 200 and response.context["plan"].ok
    return len(queries)


def test_the_preview_takes_the_same_queries_at_any_size(admin_client):
    UnitFactory(code="TOP10")
    UnitFactory(code="TOP100")
    assert _preview_queries(admin_client, 10) == _preview_queries(admin_client, 100)


def test_a_user_page_shows_the_invitations(admin_client, django_capture_on_commit_callbacks):
    lan = UserFactory(username="lan")
    lan.set_unusable_password()
    lan.save()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:auth_user_changelist"), {"action": "send_invitations", "_selected_action": [lan.pk]}
        )
        run_queued_tasks()
    page = admin_client.get(reverse("admin:auth_user_change", args=[lan.pk]))
    assert page.status_code == 200
    assert "Thư mời" in page.content.decode() and "Không ai gõ mật khẩu" in page.content.decode()


def test_an_imported_administrator_opens_the_admin_at_once(admin_client, client):
    """The role is the access: no staff status to tick. The preview says what each role will do."""
    rows = province(1)
    rows[0] = (*rows[0], "quantri-tinh", "Lê Minh Tuấn", "quantri@congdoan.example", "Quản trị")
    preview = upload(admin_client, workbook(rows))
    text = preview.content.decode()
    assert "vào trang quản trị ngay (không cần đánh dấu quyền nhân viên)" in text
    assert "viết và nộp báo cáo của đơn vị" in text
    done = admin_client.post(reverse("admin:units_unit_import"), {"digest": preview.context["digest"], "confirm": "1"})
    assert done.status_code == 302
    officer = User.objects.get(username="quantri-tinh")
    assert not officer.is_staff and not officer.is_superuser
    officer.set_password("mat-khau-tinh-2026")
    officer.save()
    # Through the admin's own log-in page too.
    login = client.post(
        reverse("admin:login"),
        {"username": "quantri-tinh", "password": "mat-khau-tinh-2026", "next": reverse("admin:index")},
    )
    assert login.status_code == 302
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and reverse("admin:units_unit_changelist") in index.content.decode()
    assert client.get(reverse("outline:outline_upload")).status_code == 200  # a top-level unit's administrator
    # A drafter still cannot.
    drafter = User.objects.get(username="soan00000")
    client.force_login(drafter)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_unit_list_is_the_tree_and_folds_by_level(admin_client):
    """Each unit under the one above it, indented by its depth; "Theo cấp" → "Đến cấp 2" hides the CĐCS."""
    top = UnitFactory(code="TINH", name="Liên đoàn Lao động tỉnh Thử")
    district = UnitFactory(code="HUYEN", name="Liên đoàn Lao động huyện Thử", parent=top)
    UnitFactory(code="CS-1", name="Công đoàn cơ sở Trường Tiểu học Thử", parent=district, is_grassroots=True)
    url = reverse("admin:units_unit_changelist")
    page = admin_client.get(url).content.decode()
    assert "Theo cấp" in page and "Đến cấp 2" in page
    depths = [page.index(f'data-depth="{d}"') for d in (1, 2, 3)]
    assert depths == sorted(depths)  # the tree in order: province, district, CĐCS
    folded = admin_client.get(url, {"cap": "2"}).content.decode()
    assert "Liên đoàn Lao động huyện Thử" in folded and "Trường Tiểu học Thử" not in folded
