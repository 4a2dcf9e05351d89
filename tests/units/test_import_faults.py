"""Issue 23: the Excel import under a scoped administrator and a full disk. Its refusals name the row and
the rule, never what is stored outside the importer's scope; the file kept between the preview and the
confirmation is whole or absent."""

import errno
import hashlib
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.units.factories import MembershipFactory, UserFactory
from tests.units.test_imports import workbook
from units.imports import import_plan
from units.models import Role, Unit

pytestmark = pytest.mark.django_db


def _admin_of(unit, username):
    return MembershipFactory(unit=unit, role=Role.ADMIN, user=UserFactory(username=username, is_staff=True)).user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preview(client, rows_or_data):
    data = rows_or_data if isinstance(rows_or_data, bytes) else workbook(rows_or_data)
    return client.post(reverse("admin:units_unit_import"), {"file": SimpleUploadedFile("f.xlsx", data)})


# --- 3. Nothing stored outside the scope in the preview ---


def test_the_preview_shows_nothing_stored_outside_the_importers_scope(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cdcs_admin = _admin_of(world.unit_c, "quantri_c")
    su = world.admin
    su.email, su.first_name, su.last_name = "sieu.quan.tri@congdoan.example", "Tối", "Cao Văn"
    su.save()
    reviewer = world.reviewer_elsewhere
    reviewer.email, reviewer.first_name, reviewer.last_name = "kin.dao@congdoan.example", "Kín", "Đào Văn"
    reviewer.save()
    world.drafter_a.email = "lan.a@congdoan.example"  # an address that does not spell the user name
    world.drafter_a.save()
    world.superior.congress_number = "XIV"
    world.superior.save()
    c = world.unit_c.code
    rows = [
        # The superuser's and an outside reviewer's user names, with and without a name and an e-mail.
        (c, "", "", "", "", "", su.username, "", "", "Người soạn"),
        (c, "", "", "", "", "", reviewer.username, "Người Khác", "khac@congdoan.example", "Người soạn"),
        # An outside drafter's e-mail given to a new account.
        (c, "", "", "", "", "", "moi", "Trần Mới", world.drafter_a.email, "Người soạn"),
        # Units outside the scope, named alone and described again.
        (world.unit_a.code, "", "", "", "", ""),
        (world.superior.code, "Tên khác", "CĐCS", world.province.code, "Có", "I"),
    ]
    page = preview(client_for(cdcs_admin), rows).content.decode()
    assert 'name="confirm"' not in page
    stored = [
        su.email,
        "Cao Văn Tối",
        reviewer.email,
        "Đào Văn Kín",
        world.drafter_a.username,
        world.unit_a.name,
        world.superior.name,
        world.superior.kind,
        "XIV",
    ]
    assert [value for value in stored if value in page] == []
    # Every row is still refused, and says why.
    plan = import_plan(workbook(rows), actor=cdcs_admin)
    assert {e.row for e in plan.errors} == {2, 3, 4, 5, 6}


def test_within_the_scope_a_refusal_names_the_rule_not_the_stored_values(world):
    district_admin = _admin_of(world.superior, "quantri_s")
    drafter = world.drafter_a
    rows = [(world.unit_a.code, "", "", "", "", "", drafter.username, "Tên Sai", "sai@congdoan.example", "Người soạn")]
    messages = [str(e) for e in import_plan(workbook(rows), actor=district_admin).errors]
    assert messages and not [m for m in messages if drafter.email in m or drafter.last_name in m]
    assert any("tên" in m.lower() or "e-mail" in m.lower() for m in messages)


# --- 4. The file kept between the preview and the confirmation: whole, or not at all ---


@pytest.fixture
def small_disk(tmp_path):
    """A real 64 KB file system (tmpfs) for the media folder, filled up by ``fill()`` and emptied by
    ``free()``. Mounting needs root: elsewhere the test is skipped."""
    root = tmp_path / "media"
    root.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small file system needs root to mount a tmpfs")
    filler = root / "filler"

    class Disk:
        path = root

        @staticmethod
        def fill():
            with open(filler, "wb", buffering=0) as handle:
                try:
                    while True:
                        handle.write(b"\0" * 4096)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC

        @staticmethod
        def free():
            filler.unlink()

    try:
        yield Disk
    finally:
        subprocess.run(["umount", str(root)], check=True)


def _kept_files(root) -> list[tuple[str, int]]:
    return (
        sorted((str(p.relative_to(root)), p.stat().st_size) for p in (root / "unit-imports").rglob("*") if p.is_file())
        if (root / "unit-imports").exists()
        else []
    )


ROWS = [("CS-DIA", "Công đoàn cơ sở Đĩa Đầy", "CĐCS", "", "Có", "V")]


def test_a_full_disk_during_the_upload_is_said_in_words_and_leaves_nothing(world, small_disk, settings):
    settings.MEDIA_ROOT = str(small_disk.path)
    su = client_for(world.admin)
    data = workbook(ROWS)
    small_disk.fill()
    page = preview(su, data)
    assert page.status_code == 200 and page.context["digest"] == ""
    assert "không lưu được" in page.content.decode()
    assert _kept_files(small_disk.path) == []
    # Once there is room again, the same file is previewed and imported at once, not a day later.
    small_disk.free()
    page = preview(su, data)
    digest = page.context["digest"]
    assert digest and _kept_files(small_disk.path) == [(f"unit-imports/{world.admin.pk}/{digest}.xlsx", len(data))]
    done = su.post(reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1"})
    assert done.status_code == 302 and Unit.objects.filter(code="CS-DIA").exists()


def test_an_empty_or_damaged_kept_file_is_not_trusted(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    su = client_for(world.admin)
    data = workbook(ROWS)
    digest = hashlib.sha256(data).hexdigest()
    kept = tmp_path / "unit-imports" / str(world.admin.pk) / f"{digest}.xlsx"
    for left in (b"", data[:100]):  # what an earlier full disk left: nothing, or the file's beginning
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(left)
        page = preview(su, data)
        assert page.context["digest"] == digest and kept.read_bytes() == data
        kept.write_bytes(left)
    kept.write_bytes(data)
    done = su.post(reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1"})
    assert done.status_code == 302 and Unit.objects.filter(code="CS-DIA").exists()
