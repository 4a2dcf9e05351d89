"""A country's consolidated files are written as their parts are read: the annex holds a chunk of the
units' texts at a time, never a section of all of them, and the file goes to disk, not to memory."""

import tempfile
import tracemalloc

import pytest
from docx import Document

from core.text import vietnamese_sort_key
from documents import word
from exports import selectors
from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from outline.models import OutlineNode
from reports.models import Report, ReportStatus, SectionText
from reports.services import round_open
from tests.units.factories import UnitFactory

pytestmark = pytest.mark.django_db

# Names whose Vietnamese order is not the code points' (Ă after A, Đ after D): the database's collation
# orders the texts as the annex prints them.
FIRSTS = ["Ánh", "Ăn", "Bình", "Dệt", "Đông", "Ê", "Ơn", "Ư"]
# About 30 KB a text (two bytes a character in memory): 1.2 MB of texts in one section at 40 units.
BODY = "Đoàn viên tăng, việc làm ổn định. " * 450


def _add_units(world, node, first, count):
    for n in range(first, first + count):
        UnitFactory(parent=world.superior, name=f"Công đoàn cơ sở {FIRSTS[n % len(FIRSTS)]} {n:03d}")
    round_open(round=world.round)
    reports = Report.objects.filter(round=world.round, unit__is_grassroots=True).exclude(sections__node=node)
    reports = reports.exclude(unit__in=[world.unit_a, world.unit_b]).select_related("unit")
    reports.update(status=ReportStatus.SUBMITTED)
    SectionText.objects.bulk_create(
        SectionText(report=r, node=node, content=f"<p>{r.unit.name} viết.</p><p>{BODY}</p>") for r in reports
    )


def _annex_peak(own) -> tuple[int, list[str]]:
    """The most memory (bytes, Python's) building ``own``'s annex took, and its paragraphs."""
    data = consolidated(own, part="annex")
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            assert build_consolidated_docx(data, part="annex", out=out) is None
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        out.seek(0)
        return peak, [p.text for p in Document(out).paragraphs]


def test_the_annex_holds_a_chunk_of_the_units_texts_never_a_whole_section(world, monkeypatch):
    # Small chunks and a small in-memory body, so that what the builder holds shows at this size.
    monkeypatch.setattr(selectors, "TEXT_CHUNK_ROWS", 10)
    monkeypatch.setattr(word, "BODY_SPOOL_BYTES", 64 * 1024)
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")[0]
    own = Report.objects.select_related("round", "unit", "unit__parent").get(round=world.round, unit=world.superior)
    _add_units(world, node, 0, 40)
    few, _paragraphs = _annex_peak(own)
    _add_units(world, node, 40, 120)  # three times the units, 4.9 MB of texts in the one section
    many, paragraphs = _annex_peak(own)
    # Holding one section's texts (sorted in memory, as the annex once did) grows with the units.
    assert many < few * 1.25, (few, many)
    # Every unit's text is there once, the units in Vietnamese order (the database's collation).
    written = [p.removesuffix(" viết.") for p in paragraphs if p.endswith(" viết.")]
    assert len(written) == 160
    assert written == sorted(written, key=vietnamese_sort_key)
    assert written.index("Công đoàn cơ sở Ăn 001") > written.index("Công đoàn cơ sở Ánh 000")
    assert written.index("Công đoàn cơ sở Đông 004") > written.index("Công đoàn cơ sở Dệt 003")
