"""The outline fixture against the seed file, line by line."""

import io
import os
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from outline.models import NodeKind, OutlineNode, OutlineVersion
from outline.parsing import parse_outline

SEED = settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky.txt"
SHARED_SEED = settings.BASE_DIR.parent / "shared" / "seed" / SEED.name
CODE = "gnk-cdcs-2018-2023"


@pytest.fixture
def loaded(db):
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    return OutlineVersion.objects.get(code=CODE)


def seed_lines():
    return SEED.read_text(encoding="utf-8").split("\n")


def test_repo_copy_of_seed_is_the_shared_seed():
    if not SHARED_SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have the shared seed at {SHARED_SEED}")
        pytest.skip(f"no shared seed beside this clone ({SHARED_SEED})")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_every_seed_line_is_one_node_byte_exact(loaded):
    lines = seed_lines()
    nodes = list(OutlineNode.objects.filter(version=loaded).order_by("position"))
    content_lines = [i for i, line in enumerate(lines) if line.strip()]
    assert [n.line_no for n in nodes] == content_lines
    for node in nodes:
        assert node.raw == lines[node.line_no], node.key
        assert unicodedata.is_normalized("NFC", node.raw)
        stripped = node.raw.strip()
        if node.kind == NodeKind.GUIDANCE and stripped.startswith("-"):
            assert stripped.lstrip("-").strip() == node.text
        else:
            assert node.heading == stripped


def test_fixture_is_what_the_script_generates_from_the_seed(loaded):
    parsed = parse_outline(SEED.read_text(encoding="utf-8"))
    stored = list(OutlineNode.objects.filter(version=loaded).order_by("position"))
    assert [(p.key, p.kind, p.text, p.raw) for p in parsed] == [(n.key, n.kind, n.text, n.raw) for n in stored]
    assert loaded.source_text == SEED.read_text(encoding="utf-8")


def test_structure_and_writable_sections(loaded):
    nodes = {n.key: n for n in OutlineNode.objects.filter(version=loaded)}
    assert nodes["title"].text == "ĐỀ CƯƠNG BÁO CÁO"
    assert [k for k, n in nodes.items() if n.kind == NodeKind.PART] == ["p1", "p2"]
    sections = sorted((n for n in nodes.values() if n.kind == NodeKind.SECTION), key=lambda n: n.position)
    assert [s.number for s in sections] == ["I", "II", "III", "IV", "V", "VI"]
    writable = sorted((n for n in nodes.values() if n.is_writable), key=lambda n: n.position)
    assert [n.key for n in writable] == (
        ["p1.I.1", "p1.I.2"]
        + [f"p1.II.{i}" for i in range(1, 10)]
        + ["p1.III", "p1.IV", "p1.V", "p1.VI", "p2.1", "p2.2"]
    )
    # "Bài học kinh nghiệm (nếu có)": the only optional section.
    assert [n.key for n in writable if not n.is_required] == ["p1.VI"]
    assert nodes["p1.II.1"].parent == nodes["p1.II"]
    assert len([n for n in nodes.values() if n.parent_id == nodes["p1.II.1"].pk]) == 7
    assert nodes["closing"].text.startswith("(Báo cáo cần có số liệu minh họa")
    assert nodes["p1.I.n1"].text == "(Lưu ý giai đoạn từ đầu nhiệm kỳ đến hết 30/11/2020)."


def test_loading_twice_changes_nothing(loaded):
    before = list(OutlineNode.objects.order_by("pk").values_list("pk", "key", "raw"))
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    assert list(OutlineNode.objects.order_by("pk").values_list("pk", "key", "raw")) == before
    assert OutlineVersion.objects.count() == 1


def test_dotted_blanks_filled_from_round_and_unit(loaded):
    from outline.models import fill_blanks

    nodes = {n.key: n for n in OutlineNode.objects.filter(version=loaded)}
    fill = "Công đoàn cơ sở Công ty May lần thứ V"
    # After "CĐCS" the unit's own "Công đoàn cơ sở" is not repeated.
    assert nodes["summary"].text_filled(fill) == (
        "Đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS Công ty May lần thứ V"
    )
    assert nodes["p1.II"].heading_filled(fill) == (
        "II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI CÔNG ĐOÀN CƠ SỞ CÔNG TY MAY LẦN THỨ V"
    )
    # An ordinary ellipsis is not a blank.
    assert fill_blanks("nhà ở, nhà trẻ, giá điện, nước... ", fill) == "nhà ở, nhà trẻ, giá điện, nước... "


def test_generator_script_reproduces_the_committed_fixture(tmp_path):
    output = tmp_path / "outline.json"
    call_command("build_outline_fixture", output=output, seed=SEED, stdout=io.StringIO())
    committed = Path(settings.BASE_DIR / "fixtures" / "outline_gnk_2018_2023.json")
    assert output.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
