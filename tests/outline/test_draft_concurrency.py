"""Two administrators saving one outline draft at once: one is saved, the other is told, nothing is lost
silently (PostgreSQL: the draft's row lock; SQLite: the database's write lock)."""

import pytest
from django.core.exceptions import ValidationError

from outline.models import OutlineDraft
from outline.services import outline_draft_create, outline_draft_save, outline_version_publish
from tests.outline.test_draft_editor import SMALL
from tests.test_concurrency import together
from tests.units.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_saves_from_the_same_page_one_wins_the_other_is_told():
    admin, other = UserFactory(is_superuser=True), UserFactory(is_superuser=True)
    base = outline_version_publish(code="dc-goc", name="Gốc", source=SMALL, actor=admin)
    draft = outline_draft_create(base=base, code="dc-moi", name="Đề cương 2025–2030", actor=admin)
    mine = SMALL.replace("I. TÌNH HÌNH", "I. TÌNH HÌNH CỦA TÔI")
    theirs = SMALL.replace("II. BÀI HỌC", "II. BÀI HỌC CỦA HỌ")
    results = together(
        lambda: outline_draft_save(draft=OutlineDraft.objects.get(pk=draft.pk), text=mine, revision=1, actor=admin),
        lambda: outline_draft_save(draft=OutlineDraft.objects.get(pk=draft.pk), text=theirs, revision=1, actor=other),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    saved = [r for r in results if isinstance(r, OutlineDraft)]
    assert len(refused) == 1 and len(saved) == 1, results
    assert "đã lưu bản nháp" in refused[0].messages[0]
    stored = OutlineDraft.objects.get(pk=draft.pk)
    assert stored.revision == 2 and stored.text in (mine, theirs) and stored.text == saved[0].text
