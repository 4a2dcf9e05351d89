"""Copying an indicator catalogue to a new version, for a new round to use and edit."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from indicators.services import catalogue_copy
from outline.models import OutlineNode, OutlineVersion
from outline.services import outline_version_publish
from tests.outline.factories import make_outline
from tests.units.factories import UserFactory

pytestmark = pytest.mark.django_db

V2 = "gnk-cdcs-2018-2023-v2"
URL = "indicators:catalogue_copy"


@pytest.fixture
def v2(db):
    call_command("loaddata", "outline_gnk_2018_2023_v2", "indicators_gnk_2018_2023_v2", verbosity=0)
    return OutlineVersion.objects.get(code=V2)


def snapshot(version):
    return list(Indicator.objects.filter(outline_version=version).order_by("pk").values_list())


def test_copy_to_a_new_version_remaps_every_link(v2):
    before = snapshot(v2)
    copy = catalogue_copy(source=v2, code="gnk-2023-2028", name="Đề cương 2023–2028", actor=None)
    assert snapshot(v2) == before
    assert copy.source_text == v2.source_text
    assert OutlineNode.objects.filter(version=copy).count() == OutlineNode.objects.filter(version=v2).count()
    assert OutlineNode.objects.get(version=copy, key="p1.II.4").parent.version == copy
    originals = {i.code: i for i in Indicator.objects.filter(outline_version=v2)}
    copies = {
        i.code: i
        for i in Indicator.objects.filter(outline_version=copy).select_related(
            "node", "numerator", "denominator", "part_of"
        )
    }
    assert set(copies) == set(originals)
    for code, made in copies.items():
        original = originals[code]
        assert made.node.version == copy and made.node.key == original.node.key
        assert (made.name, made.kind, made.rollup, made.superior_only, made.position) == (
            original.name,
            original.kind,
            original.rollup,
            original.superior_only,
            original.position,
        )
        for link in ("numerator", "denominator", "part_of"):
            theirs, ours = getattr(original, link), getattr(made, link)
            assert (ours.code if ours else None) == (theirs.code if theirs else None)
            assert ours is None or ours.outline_version_id == copy.pk
    # The copy is the new round's to edit: the earlier catalogue does not move.
    Indicator.objects.filter(outline_version=copy, code="DV").update(name="Số đoàn viên (sửa)")
    assert Indicator.objects.get(outline_version=v2, code="DV").name == "Tổng số đoàn viên công đoàn"


def test_copy_into_an_uploaded_outline_by_key_or_heading(v2):
    lines = v2.source_text.split("\n")
    # Item I.1 dropped: I.2 becomes I.1 (found by its heading); II.7 reworded (found by its place).
    first = lines.index("1. Bối cảnh hoạt động công đoàn")
    del lines[first : first + 3]
    text = "\n".join(lines).replace("2. Tình hình công nhân", "1. Tình hình công nhân")
    text = text.replace("7. Công tác kiểm tra và", "7. Công tác kiểm tra, giám sát và")
    uploaded = outline_version_publish(code="tai-len", name="Đề cương mới", source=text, actor=None)
    catalogue_copy(source=v2, target=uploaded, actor=None)
    nodes = dict(Indicator.objects.filter(outline_version=uploaded).values_list("code", "node__key"))
    assert nodes["CNVCLD"] == "p1.I.1" and nodes["KIEM_TRA"] == "p1.II.7"
    assert (
        Indicator.objects.filter(outline_version=uploaded).count()
        == Indicator.objects.filter(outline_version=v2).count()
    )
    with pytest.raises(ValidationError, match="đã có danh mục chỉ tiêu"):
        catalogue_copy(source=v2, target=uploaded, actor=None)


def test_an_outline_without_the_sections_is_refused_and_nothing_is_written(v2):
    small = make_outline(2)
    with pytest.raises(ValidationError) as refused:
        catalogue_copy(source=v2, target=small, actor=None)
    assert "không có mục này" in refused.value.messages[0]
    assert not Indicator.objects.filter(outline_version=small).exists()
    with pytest.raises(ValidationError):
        catalogue_copy(source=v2, code=V2, name="Trùng mã", actor=None)
    assert OutlineVersion.objects.count() == 2


def test_the_page_copies_and_opens_the_copy_in_the_admin(v2):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse(URL)).content.decode()
    assert "Sao chép danh mục chỉ tiêu từ đợt/phiên bản trước" in page and v2.name in page
    response = client.post(reverse(URL), {"source": v2.pk, "target": "", "code": "", "name": ""})
    assert "Cần điền khi tạo phiên bản mới" in response.content.decode()
    response = client.post(reverse(URL), {"source": v2.pk, "code": "dc-2023", "name": "Đề cương 2023–2028"})
    copy = OutlineVersion.objects.get(code="dc-2023")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?outline_version__id__exact={copy.pk}")
    assert "Sao chép danh mục chỉ tiêu" in client.get(reverse("admin:indicators_indicator_changelist")).content.decode()


def test_only_those_who_may_add_indicators_open_the_page(v2):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), {"source": v2.pk, "code": "x", "name": "y"}).status_code == 403
    assert OutlineVersion.objects.count() == 1


def test_page_query_count_does_not_grow_with_the_versions(v2):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    counts = []
    for extra in (1, 20):
        for _ in range(extra):
            make_outline(1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(URL)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
