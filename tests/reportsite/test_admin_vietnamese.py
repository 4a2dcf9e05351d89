"""Every admin page a union administrator can reach is in Vietnamese; the plumbing is out of sight.

The crawl follows what the administrator sees: the index, every app index, and for every model
listed there its list (plain, searched, filtered), add form (blank and sent empty, with its errors),
change form (sent, with the message and the history it leaves), delete and history pages, the
"delete selected" confirmation, and a user's password form. Visible text and the words in title,
placeholder, aria-label, alt and button attributes are checked against common English words of a
user interface; what is data (values in inputs and text areas) is left alone.
"""

import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import django
import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.views.i18n import JSONCatalog

from core.text import vietnamese_sort_key
from reportsite.permissions import UNION_APPS
from tests.units.factories import MembershipFactory, UserFactory
from units.models import Role

ADMIN = "/quan-tri/"

# Whole words, any case. Left out: words that are Vietnamese too once the accents are gone ("do",
# "in", "an", "to", "no", "go", "con", "hoa", "ban"...), since data and labels are accent-full.
ENGLISH = """
add change changed delete deleted deletion save search history filter filters choose chosen select
selected password passwords action actions home log logout view site remove show hide counts count yes
all today now clear users user groups group permissions permission staff status active superuser
username email address first last name date joined login enabled disabled authentication toggle theme
skip main content sidebar navigation breadcrumbs entry object objects the and of by for with this that
your you are is not be will can please enter valid field required unknown none results result total
page previous next recent my nothing available close calendar clock midnight noon cancel yesterday
tomorrow unit units report reports round rounds appendix appendixs outline outlines indicator
indicators submission submissions note notes code kind parent role membership memberships drafter
reviewer administrator administration created updated submitted approved version versions position
key number text writable data years deadline opened organising value values column access attempts
attempt task tasks database backend another continue sure confirm edit more options set reset raw
stored there way see information important personal dates node section done line source order type
at
"""
ENGLISH_WORDS = re.compile(
    # Not before "*": a password's salt and hash show their first letters then stars ("My*****"), by chance.
    r"(?<![\w-])(" + "|".join(sorted(set(ENGLISH.split()), key=len, reverse=True)) + r")(?![\w*-])",
    re.I,
)
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def english_in(html: str) -> list[str]:
    """The English words a person sees on the page, each with the text around it."""
    tree = lxml.html.document_fromstring(html)
    for element in tree.xpath("//script | //style | //textarea | //noscript"):
        element.drop_tree()
    texts = [t for t in tree.xpath("//body//text()") if t.strip()]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        texts += [element.get(name) for name in ATTRIBUTES if element.get(name)]
        if element.tag in ("input", "button") and element.get("type") in ("submit", "button", "reset"):
            texts += [element.get("value") or ""]
    found = []
    for text in texts:
        for match in ENGLISH_WORDS.finditer(text):
            found.append(f"{match.group(0)!r} in {' '.join(text.split())[:120]!r}")
    return found


class Crawl:
    def __init__(self, client):
        self.client = client
        self.seen: dict[str, list[str]] = {}
        self.statuses: dict[str, int] = {}

    def get(self, url, *, note=""):
        response = self.client.get(url, follow=True)
        self.record(url + note, response)
        return response

    def post(self, url, data, *, note=""):
        response = self.client.post(url, data, follow=True)
        self.record(f"POST {url}{note}", response)
        return response

    def record(self, key, response):
        self.statuses[key] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            self.seen[key] = english_in(response.content.decode())

    def failures(self):
        bad = [f"{url}: {status}" for url, status in self.statuses.items() if status != 200]
        bad += [f"{url}: {phrase}" for url, found in self.seen.items() for phrase in found]
        return bad


def form_values(response, form_id=None):
    tree = lxml.html.document_fromstring(response.content.decode())
    forms = [f for f in tree.forms if f.method.upper() == "POST" and (form_id is None or f.get("id") == form_id)]
    return dict(forms[0].form_values()) if forms else {}


def crawl_admin(client, user):
    """Every page ``user`` reaches in the admin by its links and buttons."""
    crawl = Crawl(client)
    client.force_login(user)
    index = crawl.get(ADMIN)
    app_list = index.context["app_list"]
    for app in app_list:
        crawl.get(app["app_url"])
        for model in app["models"]:
            changelist = model["admin_url"]
            listed = crawl.get(changelist)
            crawl.get(changelist + "?q=cong+doan", note=" (search)")
            tree = lxml.html.document_fromstring(listed.content.decode())
            filters = tree.xpath('//*[@id="changelist-filter"]//a/@href')
            if filters:
                crawl.get(urljoin(changelist, filters[-1]), note=" (filter)")
            model_admin = admin.site._registry[model["model"]]
            if model.get("add_url"):
                blank = crawl.get(model["add_url"])
                # Sent as it comes (required boxes empty): the page again, with its errors.
                crawl.post(
                    model["add_url"],
                    form_values(blank, f"{model['model']._meta.model_name}_form"),
                    note=" (sent blank)",
                )
            request = listed.wsgi_request
            obj = model_admin.get_queryset(request).order_by("-pk").first()
            if obj is None:
                continue
            info = (model["model"]._meta.app_label, model["model"]._meta.model_name)
            change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            form = crawl.get(change)
            crawl.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
            if model_admin.has_delete_permission(request, obj):
                crawl.get(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]))
                crawl.post(
                    changelist,
                    {"action": "delete_selected", "_selected_action": [obj.pk]},
                    note=" (delete selected)",
                )
            if model_admin.has_change_permission(request, obj):
                values = form_values(form, f"{info[1]}_form")
                if values:
                    crawl.post(change, values, note=" (saved)")
                    crawl.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]), note=" (after saving)")
            if info == ("auth", "user"):
                crawl.get(reverse("admin:auth_user_password_change", args=[obj.pk]))
    crawl.get(ADMIN, note=" (recent actions)")
    return crawl


@pytest.fixture
def union_admin(filled, world):
    """A union administrator of the province: staff, not superuser, the Administrator role."""
    user = UserFactory(username="quantri", is_staff=True, is_superuser=False, first_name="Tuấn", last_name="Lê Minh")
    MembershipFactory(user=user, unit=world.province, role=Role.ADMIN)
    return user


@pytest.mark.django_db
def test_every_admin_page_a_union_administrator_reaches_is_vietnamese(client, union_admin):
    crawl = crawl_admin(client, union_admin)
    assert len(crawl.statuses) > 40, sorted(crawl.statuses)
    assert not crawl.failures(), "\n".join(crawl.failures())


@pytest.mark.django_db
def test_a_union_administrator_sees_the_union_and_no_plumbing(client, union_admin):
    client.force_login(union_admin)
    app_list = client.get(ADMIN).context["app_list"]
    apps = {app["app_label"] for app in app_list}
    assert apps == {"units", "outline", "indicators", "reports", "auth"}
    assert [m["object_name"] for app in app_list if app["app_label"] == "auth" for m in app["models"]] == ["User"]
    plumbing = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label not in UNION_APPS and model is not get_user_model()
    ]
    assert {"/quan-tri/axes/accessattempt/", "/quan-tri/auth/group/"} <= set(plumbing)
    assert any("task" in url for url in plumbing)
    for url in [*plumbing, "/quan-tri/auth/group/add/"]:
        assert client.get(url).status_code == 403, url
    # Superusers are neither listed nor editable, and nobody is made one here.
    superuser = UserFactory(username="kythuat", is_staff=True, is_superuser=True)
    assert client.get(reverse("admin:auth_user_change", args=[superuser.pk])).status_code == 302
    page = client.get(reverse("admin:auth_user_change", args=[union_admin.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


@pytest.mark.django_db
def test_a_superuser_still_has_the_plumbing(client, world):
    client.force_login(world.admin)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_superusers_user_pages_are_vietnamese_too(client, world):
    """A superuser's user form has the groups and permissions pickers: their words too."""
    Group.objects.create(name="Cán bộ kỹ thuật")
    client.force_login(world.admin)
    crawl = Crawl(client)
    crawl.get(reverse("admin:auth_user_change", args=[world.drafter_a.pk]))
    crawl.get(reverse("admin:auth_user_add"))
    crawl.get(reverse("admin:auth_user_changelist"))
    assert not crawl.failures(), "\n".join(crawl.failures())


def test_the_admin_scripts_speak_vietnamese(rf):
    """The words the admin's scripts write (the groups picker's "Choose %s by selecting them…", the
    calendar, the actions bar) all have Vietnamese in the catalogue the admin page loads (jsi18n)."""
    catalog = json.loads(JSONCatalog.as_view(packages=["django.contrib.admin"])(rf.get("/")).content)["catalog"]
    source = Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po"
    missing = []
    for block in source.read_text(encoding="utf-8").split("\n\n")[1:]:
        match = re.search(r'^(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n?)+)', block, re.M)
        msgid = "".join(re.findall(r'"(.*)"', match.group(2))).replace('\\"', '"') if match else ""
        key = f"{match.group(1)}\x04{msgid}" if match and match.group(1) else msgid
        if msgid and key not in catalog:
            missing.append(key)
    assert not missing, missing
    assert catalog['Choose %s by selecting them and then select the "Choose" arrow button.'].startswith("Chọn")


def test_the_detector_finds_english():
    page = (
        '<html><body><h1>Chọn nhóm</h1><p>Choose Các nhóm by selecting them</p><input placeholder="Search">'
        '<textarea>Save the data</textarea><input type="text" value="Add"></body></html>'
    )
    found = english_in(page)
    assert any("'Choose'" in f for f in found) and any("'Search'" in f for f in found)
    assert not any("Save" in f or "'Add'" in f for f in found)
    assert english_in("<html><body><p>Thêm đơn vị · Lưu · Tìm kiếm · Xem bản in</p></body></html>") == []


@pytest.mark.django_db
def test_the_demo_administrator_is_a_union_administrator(client):
    """seed_demo's `quantri` signs in to the admin and gets the union's models, in Vietnamese."""
    call_command("seed_demo", stdout=io.StringIO())
    quantri = get_user_model().objects.get(username="quantri")
    assert quantri.is_staff and not quantri.is_superuser
    assert quantri.check_password("quantri-demo-2026")
    client.force_login(quantri)
    page = client.get(ADMIN)
    assert {app["app_label"] for app in page.context["app_list"]} == {
        "units",
        "outline",
        "indicators",
        "reports",
        "auth",
    }
    assert not english_in(page.content.decode())
    units = client.get(reverse("admin:units_unit_changelist"), {"q": "khu cong"})
    assert [unit.code for unit in units.context["cl"].result_list] == ["CDKCN-BA"]


@pytest.mark.django_db
def test_the_admin_lists_apps_and_models_in_vietnamese_order(client, union_admin):
    client.force_login(union_admin)
    app_list = client.get(ADMIN).context["app_list"]
    names = [str(app["name"]) for app in app_list]
    assert names == sorted(names, key=vietnamese_sort_key)
    assert names.index("Đề cương") < names.index("Xác thực và ủy quyền")
    for app in app_list:
        models = [str(model["name"]) for model in app["models"]]
        assert models == sorted(models, key=vietnamese_sort_key)
