"""The admin's reorganisation pages: a form, a confirmation saying what will happen, then the change;
refusals in Vietnamese with nothing typed lost; the same number of queries whatever the number of units."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Report
from tests.units.factories import UnitFactory
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    return client


def test_the_unit_list_offers_the_three_actions_in_vietnamese(world, admin_client):
    page = admin_client.get(reverse("admin:units_unit_changelist")).content.decode()
    for label in (
        "Hợp nhất các đơn vị đã chọn…",
        "Chuyển đơn vị đã chọn sang đơn vị cấp trên khác…",
        "Ngừng hoạt động các đơn vị đã chọn…",
    ):
        assert label in page
    response = admin_client.post(
        reverse("admin:units_unit_changelist"),
        {"action": "merge_units", "_selected_action": [world.unit_a.pk, world.unit_b.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:units_unit_merge')}?ids={world.unit_a.pk},{world.unit_b.pk}"
    form = admin_client.get(response["Location"])
    assert "Các đơn vị hợp nhất" in form.content.decode() and "Ngày hợp nhất có hiệu lực" in form.content.decode()
    # The new unit is offered the place of the merged ones.
    assert form.context["form"]["parent"].initial == world.superior.pk


def test_merge_into_a_new_unit_is_confirmed_then_done(world, admin_client):
    data = {
        "sources": [world.unit_a.pk, world.unit_b.pk],
        "into": "new",
        "code": "CDCS-AB",
        "name": "Công đoàn cơ sở Công ty Á Bình",
        "kind": "CĐCS",
        "parent": world.superior.pk,
        "is_grassroots": "on",
        "congress_number": "I",
        "effective": "01/07/2025",
    }
    confirm = admin_client.post(reverse("admin:units_unit_merge"), data).content.decode()
    assert "Các đơn vị dưới đây ngừng hoạt động và được hợp nhất vào “Công đoàn cơ sở Công ty Á Bình”" in confirm
    assert world.unit_a.name in confirm and "Đồng ý, thực hiện" in confirm
    assert not Unit.objects.filter(code="CDCS-AB").exists()  # nothing done before the confirmation
    # Back to the form keeps what was typed.
    back = admin_client.post(reverse("admin:units_unit_merge"), {**data, "confirm": "1", "back": "1"}).content.decode()
    assert 'value="CDCS-AB"' in back and not Unit.objects.filter(code="CDCS-AB").exists()
    done = admin_client.post(reverse("admin:units_unit_merge"), {**data, "confirm": "1"})
    assert done.status_code == 302
    successor = Unit.objects.get(code="CDCS-AB")
    world.unit_a.refresh_from_db()
    assert world.unit_a.merged_into == successor and not world.unit_a.is_active
    assert Report.objects.filter(round=world.round, unit=successor).exists()
    assert "Đã hợp nhất vào Công đoàn cơ sở Công ty Á Bình" in admin_client.get(done["Location"]).content.decode()


def test_a_merge_form_with_errors_says_what_is_wrong_and_keeps_the_input(world, admin_client):
    page = admin_client.post(
        reverse("admin:units_unit_merge"),
        {"sources": [world.unit_a.pk], "into": "new", "name": "Tên mới gõ dở", "effective": "31/02/2025"},
    ).content.decode()
    assert "Cần điền mục này cho đơn vị mới." in page
    assert "Tên mới gõ dở" in page
    page = admin_client.post(
        reverse("admin:units_unit_merge"),
        {"sources": [world.superior.pk], "into": "existing", "target": world.unit_a.pk, "effective": "01/07/2025"},
    ).content.decode()
    assert "Không thể hợp nhất một đơn vị vào chính nó hoặc vào đơn vị trực thuộc" in page


def test_move_into_its_own_subtree_is_refused_on_the_form(world, admin_client):
    page = admin_client.post(
        reverse("admin:units_unit_move"), {"unit": world.superior.pk, "new_parent": world.unit_a.pk}
    ).content.decode()
    assert "Không thể chuyển một đơn vị vào dưới chính nó hoặc đơn vị trực thuộc của nó." in page
    done = admin_client.post(
        reverse("admin:units_unit_move"),
        {"unit": world.unit_b.pk, "new_parent": world.other_superior.pk, "confirm": "1"},
    )
    assert done.status_code == 302
    world.unit_b.refresh_from_db()
    assert world.unit_b.parent == world.other_superior


def test_changing_the_parent_on_the_units_page_is_a_move(world, admin_client):
    page = admin_client.get(reverse("admin:units_unit_change", args=[world.unit_b.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("merged_into", "heir")}
    data.update({"parent": world.other_superior.pk, "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    data["is_grassroots"] = "on"
    data["is_active"] = "on"
    response = admin_client.post(reverse("admin:units_unit_change", args=[world.unit_b.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    world.unit_b.refresh_from_db()
    assert world.unit_b.path == f"{world.other_superior.path}{world.unit_b.pk}/"


def test_deactivate_is_refused_while_active_units_are_below(world, admin_client):
    page = admin_client.post(reverse("admin:units_unit_deactivate"), {"units": [world.superior.pk]}).content.decode()
    assert "còn đơn vị trực thuộc đang hoạt động" in page
    # With the units below chosen too, it goes through (deepest first).
    data = {"units": [world.superior.pk, world.unit_a.pk, world.unit_b.pk], "confirm": "1"}
    assert admin_client.post(reverse("admin:units_unit_deactivate"), data).status_code == 302
    assert not Unit.objects.filter(
        pk__in=[world.superior.pk, world.unit_a.pk, world.unit_b.pk], is_active=True
    ).exists()


def _confirm_queries(client, sources, target) -> int:
    data = {"sources": [u.pk for u in sources], "into": "existing", "target": target.pk, "effective": "01/07/2025"}
    client.post(reverse("admin:units_unit_merge"), data)
    with CaptureQueriesContext(connection) as ctx:
        assert "Đồng ý, thực hiện" in client.post(reverse("admin:units_unit_merge"), data).content.decode()
    return len(ctx)


def test_the_confirmation_costs_the_same_queries_for_two_or_many_units(world, admin_client):
    few = _confirm_queries(admin_client, [world.unit_a, world.unit_b], world.superior)
    many = [UnitFactory(parent=world.other_superior) for _ in range(8)]
    assert _confirm_queries(admin_client, [world.unit_a, world.unit_b, *many], world.superior) == few


def test_unit_boxes_search_as_you_type(world, admin_client):
    page = admin_client.get(reverse("admin:units_unit_merge")).content.decode()
    # No list of every unit in the page: only what is chosen, the rest is searched.
    assert "admin-autocomplete" in page and world.unit_c.name not in page
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Bình", "app_label": "units", "model_name": "unit", "field_name": "parent"},
    ).json()
    assert world.unit_b.name in [r["text"] for r in found["results"]]


def _unit_page_data(client, unit, **changes):
    form = client.get(reverse("admin:units_unit_change", args=[unit.pk])).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0, **changes})
    for flag in ("is_grassroots", "formed_by_merger"):
        if flag in data and not data[flag]:
            del data[flag]
    return data


def test_a_parent_below_the_unit_on_its_page_is_refused_on_the_field(world, admin_client):
    url = reverse("admin:units_unit_change", args=[world.superior.pk])
    data = _unit_page_data(admin_client, world.superior, parent=world.unit_a.pk, name="Công đoàn KCN Thử mới")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["parent"] == ["Không thể chuyển một đơn vị vào dưới chính nó hoặc đơn vị trực thuộc của nó."]
    assert 'value="Công đoàn KCN Thử mới"' in response.content.decode()  # nothing typed is lost
    world.superior.refresh_from_db()
    assert world.superior.parent_id == world.province.pk and world.superior.name == "Công đoàn KCN Thử"


def test_active_is_changed_only_through_the_actions(world, admin_client):
    url = reverse("admin:units_unit_change", args=[world.superior.pk])
    page = admin_client.get(url)
    assert "is_active" not in page.context["adminform"].form.fields
    # A post without the box (what unticking sends) leaves the unit and the units below it active.
    data = _unit_page_data(admin_client, world.superior, name="Công đoàn KCN Thử")
    data.pop("is_active", None)
    assert admin_client.post(url, data).status_code == 302
    world.superior.refresh_from_db()
    assert world.superior.is_active
    # A merged unit does not come back by a tick.
    from reports.reorganisation import unit_merge

    unit_merge(sources=[world.unit_a], target=world.unit_b, actor=world.admin)
    url = reverse("admin:units_unit_change", args=[world.unit_a.pk])
    data = _unit_page_data(admin_client, world.unit_a, is_active="on", is_grassroots="on")
    assert admin_client.post(url, data).status_code == 302
    world.unit_a.refresh_from_db()
    assert not world.unit_a.is_active and world.unit_a.merged_into_id == world.unit_b.pk


def test_the_unit_page_offers_only_active_units_as_parent(world, admin_client):
    closed = Unit.objects.get(pk=world.unit_c.pk)
    closed.is_active = False
    closed.is_grassroots = False
    closed.save(update_fields=["is_active", "is_grassroots"])
    url = reverse("admin:units_unit_change", args=[world.unit_b.pk])
    data = _unit_page_data(admin_client, world.unit_b, parent=closed.pk, is_grassroots="on")
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "parent" in response.context["adminform"].form.errors
    world.unit_b.refresh_from_db()
    assert world.unit_b.parent_id == world.superior.pk
    # An inactive unit under an inactive parent still saves its other fields.
    below = UnitFactory(parent=closed, name="CĐCS cũ")
    Unit.objects.filter(pk=below.pk).update(is_active=False)
    data = _unit_page_data(admin_client, below, name="CĐCS cũ (đổi tên)")
    if not below.is_grassroots:
        data.pop("is_grassroots", None)
    else:
        data["is_grassroots"] = "on"
    assert admin_client.post(reverse("admin:units_unit_change", args=[below.pk]), data).status_code == 302
    below.refresh_from_db()
    assert below.name == "CĐCS cũ (đổi tên)"


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("admin:units_unit_changelist")).status_code == 200
    return len(ctx)


def test_the_unit_list_costs_the_same_queries_with_few_or_many_merged_units(world, admin_client):
    from reports.reorganisation import unit_merge

    def merges(n):
        for _ in range(n):
            source, target = UnitFactory(parent=world.superior), UnitFactory(parent=world.superior)
            unit_merge(sources=[source], target=target)

    merges(2)
    few = _changelist_queries(admin_client)
    merges(10)
    assert _changelist_queries(admin_client) == few


def test_merging_grassroots_unions_offers_a_grassroots_union(world, admin_client):
    """Two CĐCS merged make a CĐCS: the box is ticked for them, not for superior unions."""
    import re

    def ticked(*units):
        url = f"{reverse('admin:units_unit_merge')}?ids={','.join(str(u.pk) for u in units)}"
        page = admin_client.get(url).content.decode()
        box = re.search(r'<input[^>]*name="is_grassroots"[^>]*>', page).group(0)
        return "checked" in box

    assert ticked(world.unit_a, world.unit_b)
    assert not ticked(world.superior, world.other_superior)
