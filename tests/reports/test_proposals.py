"""The units' proposals of a superior union's report: cut, grouped by what they ask, worded by the
superior's office, put into its own report."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.proposals import group_proposals, pairwise_scores, split_proposals
from outline.models import NodeKind, OutlineNode
from reports import proposals as grouping
from reports.models import ProposalWording, Report, ReportStatus, SectionText
from reports.selectors import unit_proposals
from reports.services import round_open
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.reports.proposal_data import unit_texts
from tests.units.factories import MembershipFactory, UnitFactory
from units.models import Role

PROPOSALS_KEY = "p2.2"


def add_proposals_section(version):
    """The seed's "PHẦN THỨ HAI … 2. Kiến nghị của cán bộ, đoàn viên…" at the end of an outline."""
    last = OutlineNode.objects.filter(version=version).order_by("-position").first().position
    part = OutlineNode.objects.create(
        version=version, key="p2", kind=NodeKind.PART, text="PHẦN THỨ HAI", raw="PHẦN THỨ HAI", line_no=900,
        position=last + 1,
    )  # fmt: skip
    text = "Kiến nghị của cán bộ, đoàn viên công đoàn, công nhân, viên chức, lao động và các cấp công đoàn"
    return OutlineNode.objects.create(
        version=version, key=PROPOSALS_KEY, kind=NodeKind.ITEM, number="2", text=text, raw=f"2. {text}",
        parent=part, line_no=901, position=last + 2, is_writable=True, is_required=True,
    )  # fmt: skip


def proposals_round(units: int, *, seed: int = 2026):
    """A superior union with ``units`` grassroots unions whose submitted reports hold generated proposals
    (tests/reports/proposal_data.py); its drafter and reviewer. Returns (own report, node, data, users)."""
    province = UnitFactory(name="Liên đoàn Lao động huyện Thử", is_grassroots=False, kind="LĐLĐ huyện")
    superior = UnitFactory(name="Công đoàn KCN Thử", is_grassroots=False, parent=province, kind="CĐ KCN")
    for n in range(units):
        UnitFactory(name=f"Công đoàn cơ sở Công ty {n:04d}", parent=superior)
    version = make_outline(1)
    node = add_proposals_section(version)
    round_ = RoundFactory(outline_version=version, organising_unit=province)
    round_open(round=round_)
    reports = list(
        Report.objects.filter(round=round_, unit__parent=superior).order_by("unit__name").select_related("unit")
    )
    data = unit_texts(units, seed=seed)
    SectionText.objects.bulk_create(
        SectionText(report=r, node=node, content=html, version=1)
        for r, (html, _themes) in zip(reports, data, strict=True)
    )
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(status=ReportStatus.SUBMITTED)
    own = Report.objects.select_related("round", "unit").get(round=round_, unit=superior)
    users = {
        "drafter": MembershipFactory(unit=superior, role=Role.DRAFTER).user,
        "reviewer": MembershipFactory(unit=province, role=Role.REVIEWER).user,
    }
    return own, node, data, users


def measure(units: int, seed: int = 2026):
    """Pairwise precision and recall of the grouping of ``units`` units' generated proposals."""
    texts, truth = [], []
    for html, themes in unit_texts(units, seed=seed):
        found = split_proposals(html)
        assert len(found) == len(themes), (html, found)
        texts += found
        truth += themes
    started = time.perf_counter()
    groups = group_proposals(texts)
    seconds = time.perf_counter() - started
    label = [0] * len(texts)
    for number, group in enumerate(groups):
        for i in group.members:
            label[i] = number
    precision, recall = pairwise_scores(label, truth)
    print(
        f"{units} units, {len(texts)} proposals, {len(groups)} groups: P={precision:.3f} R={recall:.3f} {seconds:.2f}s"
    )
    return precision, recall, groups


# --- Cutting and grouping (no database) ---


def test_a_units_text_is_cut_into_its_proposals():
    html = (
        "<p>Công đoàn cơ sở có một số kiến nghị sau:</p>"
        "<ul><li><p>Đề nghị UBND huyện xây dựng nhà ở xã hội cho công nhân.</p></li>"
        "<li><p>2. Kiến nghị tăng lương tối thiểu vùng</p></li></ul>"
        "<p>- Đề xuất mở lớp đào tạo nghề cho người lao động. Đề nghị xử lý doanh nghiệp nợ bảo hiểm xã hội.</p>"
        "<p>Không có.</p><p>Ý kiến khác</p>"
    )
    assert split_proposals(html) == [
        "Đề nghị UBND huyện xây dựng nhà ở xã hội cho công nhân.",
        "Kiến nghị tăng lương tối thiểu vùng",
        "Đề xuất mở lớp đào tạo nghề cho người lao động.",
        "Đề nghị xử lý doanh nghiệp nợ bảo hiểm xã hội.",
    ]
    assert split_proposals("<p>Không có kiến nghị.</p>") == []


def test_the_groups_recover_the_themes_of_200_units():
    """Eight themes, each worded four ways, with openings, addressees, endings, typos, lost accents and
    words reordered: the groups are the themes (measured: P=1,000 R=1,000 at 200 units)."""
    precision, recall, groups = measure(200)
    assert precision >= 0.97
    assert recall >= 0.97
    assert len(groups) <= 10


@pytest.mark.parametrize("seed", [1, 2])
def test_the_groups_recover_the_themes_of_1000_units(seed):
    """Other draws and five times the size (measured: P≥0,993 R≥0,994, about a second)."""
    precision, recall, _groups = measure(1000, seed)
    assert precision >= 0.95
    assert recall >= 0.95


def test_different_requests_stay_apart_and_the_same_one_meets_whatever_its_typing():
    texts = [
        "Đề nghị tăng lương tối thiểu vùng cho người lao động.",
        "De nghi tang luong toi thieu vung cho nguoi lao dong",
        "Kiến nghị UBND huyện điều chỉnh tăng lương tối thỉeu vùng.",
        "Đề nghị xây dựng nhà trẻ cho con công nhân khu công nghiệp.",
        "Xây dựng nhà trẻ, trường mầm non cho con công nhân.",
    ]
    groups = group_proposals(texts)
    assert sorted(g.members for g in groups) == [[0, 1, 2], [3, 4]]


# --- The page, the wording, the insertion ---


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_page_shows_each_group_with_its_count_and_units(fresh_cache):
    own, _node, data, users = proposals_round(40)
    client = Client()
    client.force_login(users["reviewer"])
    response = client.get(reverse("reports:proposals", args=[own.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    found = unit_proposals(own)
    themes = {}
    for n, (_html, names) in enumerate(data):
        for theme in names:
            themes.setdefault(theme, set()).add(f"Công đoàn cơ sở Công ty {n:04d}")
    # One group per theme, counting the units that asked it, largest first.
    assert sorted(g.count for g in found.groups) == sorted(len(units) for units in themes.values())
    assert [g.count for g in found.groups] == sorted((g.count for g in found.groups), reverse=True)
    for group in found.groups:
        assert set(group.units) in themes.values()
        assert f'<td class="text-end">{group.count}</td>' in page
        assert ", ".join(group.units) in page
    assert "Số CĐCS" in page and "Các CĐCS" in page


@pytest.mark.django_db
def test_the_page_and_its_grouping_cost_the_same_queries_at_any_size(fresh_cache):
    counts = []
    for units in (6, 30):
        own, _node, _data, users = proposals_round(units)
        client = Client()
        client.force_login(users["reviewer"])
        url = reverse("reports:proposals", args=[own.pk])
        cold = CaptureQueriesContext(connection)
        with cold:
            assert client.get(url).status_code == 200
        warm = CaptureQueriesContext(connection)
        with warm:
            assert client.get(url).status_code == 200
        counts.append((len(cold), len(warm)))
    assert counts[0] == counts[1], counts
    # The warm page reads no section text: the groups come from the cache.
    assert counts[0][1] == counts[0][0] - 1


@pytest.mark.django_db
def test_a_large_round_is_grouped_in_the_background_and_the_page_says_so(
    fresh_cache, django_capture_on_commit_callbacks
):
    own, _node, _data, users = proposals_round(12)
    client = Client()
    client.force_login(users["reviewer"])
    url = reverse("reports:proposals", args=[own.pk])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.selectors.proposals.INLINE_TEXTS", 5)
        with django_capture_on_commit_callbacks() as queued_on_commit:
            response = client.get(url)
        assert len(queued_on_commit) == 1
        queued_on_commit[0]()
        assert "đang được nhóm" in response.content.decode()
        queued = list(DBTaskResult.objects.filter(task_path="reports.tasks.group_unit_proposals"))
        assert len(queued) == 1 and queued[0].args_kwargs["args"] == [own.pk]
        client.get(url)  # asked again meanwhile: not queued twice
        assert DBTaskResult.objects.filter(task_path="reports.tasks.group_unit_proposals").count() == 1
        # The worker's run, then the page shows the groups.
        assert grouping.group_now(own) >= 1
        response = client.get(url)
    assert "đang được nhóm" not in response.content.decode()
    assert 'id="kien-nghi-1"' in response.content.decode()


@pytest.mark.django_db
def test_the_superior_words_a_group_and_the_wording_follows_it_when_more_units_write(fresh_cache):
    own, node, _data, users = proposals_round(40)
    client = Client()
    client.force_login(users["reviewer"])
    group = unit_proposals(own).groups[0]
    response = client.post(
        reverse("reports:proposal_wording", args=[own.pk]),
        {"group": group.key, "text": "  Đề nghị   tăng lương tối thiểu vùng <b>sớm</b>  "},
    )
    assert response.status_code == 302
    wording = ProposalWording.objects.get(report=own)
    assert wording.text == "Đề nghị tăng lương tối thiểu vùng <b>sớm</b>"
    assert wording.updated_by == users["reviewer"]
    assert set(wording.members) == set(group.members)
    page = client.get(reverse("reports:proposals", args=[own.pk])).content.decode()
    # Shown as typed, escaped: no tag reaches the page.
    assert "Đề nghị tăng lương tối thiểu vùng &lt;b&gt;sớm&lt;/b&gt;" in page
    # Another unit submits a proposal of the same group: the groups are made again, the wording stays.
    late = UnitFactory(name="Công đoàn cơ sở Ánh Dương", parent=own.unit)
    report = Report.objects.create(round=own.round, unit=late, status=ReportStatus.SUBMITTED)
    SectionText.objects.create(report=report, node=node, content=f"<p>{group.proposals[0][1]}</p>", version=1)
    again = unit_proposals(own).groups
    worded = next(g for g in again if g.wording is not None)
    assert worded.text == wording.text
    assert set(group.members) <= set(worded.members)
    assert "Công đoàn cơ sở Ánh Dương" in worded.units
    assert worded.count == group.count + 1


@pytest.mark.django_db
def test_an_empty_or_too_long_wording_is_refused_and_what_was_typed_stays(fresh_cache):
    own, _node, _data, users = proposals_round(8)
    client = Client()
    client.force_login(users["drafter"])
    group = unit_proposals(own).groups[0]
    url = reverse("reports:proposal_wording", args=[own.pk])
    response = client.post(url, {"group": group.key, "text": "   "})
    assert response.status_code == 400
    assert "Hãy viết nội dung kiến nghị." in response.content.decode()
    long = "Đề nghị " * 200
    response = client.post(url, {"group": group.key, "text": long})
    assert response.status_code == 400
    assert long.strip() in response.content.decode()
    assert not ProposalWording.objects.exists()
    # A group that is no longer there (the units wrote meanwhile): said, nothing stored.
    response = client.post(url, {"group": "khong-con", "text": "Đề nghị"})
    assert response.status_code == 409
    assert not ProposalWording.objects.exists()


@pytest.mark.django_db
def test_the_superior_inserts_the_groups_into_its_own_report_in_one_action(fresh_cache):
    own, node, _data, users = proposals_round(16)
    SectionText.objects.create(report=own, node=node, content="<p>Ý kiến của Ban Thường vụ.</p>", version=1)
    client = Client()
    client.force_login(users["drafter"])
    groups = unit_proposals(own).groups
    client.post(
        reverse("reports:proposal_wording", args=[own.pk]),
        {"group": groups[0].key, "text": "Tăng lương <script>alert(1)</script> tối thiểu vùng"},
    )
    response = client.post(reverse("reports:proposals_insert", args=[own.pk]), {"group": [g.key for g in groups[:2]]})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:section_edit", args=[own.pk, PROPOSALS_KEY])
    section = SectionText.objects.get(report=own, node=node)
    assert section.content.startswith("<p>Ý kiến của Ban Thường vụ.</p><ol><li><p>Tăng lương &lt;script&gt;")
    assert "<script>" not in section.content
    assert f"({groups[0].count} CĐCS)" in section.content
    assert section.content.count("<li>") == 2
    assert section.updated_by == users["drafter"] and section.version == 2
    # The reviewer above reads the page but does not write the superior's report.
    reviewer = Client()
    reviewer.force_login(users["reviewer"])
    assert (
        reviewer.post(reverse("reports:proposals_insert", args=[own.pk]), {"group": [groups[0].key]}).status_code == 403
    )
    # Nothing ticked: said, nothing changed.
    response = client.post(reverse("reports:proposals_insert", args=[own.pk]), {})
    assert response.status_code == 400
    assert SectionText.objects.get(report=own, node=node).version == 2


@pytest.mark.django_db
def test_a_grassroots_report_has_no_proposals_page(fresh_cache):
    own, _node, _data, _users = proposals_round(3)
    unit_report = Report.objects.filter(round=own.round, unit__is_grassroots=True).first()
    drafter = MembershipFactory(unit=unit_report.unit, role=Role.DRAFTER).user
    client = Client()
    client.force_login(drafter)
    assert client.get(reverse("reports:proposals", args=[unit_report.pk])).status_code == 404
    assert client.get(reverse("reports:proposals", args=[own.pk])).status_code == 404


@pytest.mark.django_db
def test_the_page_counts_its_groups_and_names_the_section_as_the_report_does(fresh_cache):
    """ "… gộp thành 3 nhóm" says how many groups the table lists (it once said 0), and the section's
    heading has its placeholders filled ("… và Liên đoàn Lao động huyện Thử", not "… và {cap_tren}")."""
    own, node, _data, users = proposals_round(12)
    node.text = "Kiến nghị của cán bộ, đoàn viên đối với cấp ủy, chính quyền cùng cấp và {cap_tren}"
    node.save(update_fields=["text"])
    client = Client()
    client.force_login(users["drafter"])
    page = client.get(reverse("reports:proposals", args=[own.pk])).content.decode()
    groups = unit_proposals(own).groups
    assert len(groups) > 1
    assert f"gộp thành {len(groups)} nhóm." in page
    filled = "2. Kiến nghị của cán bộ, đoàn viên đối với cấp ủy, chính quyền cùng cấp và Liên đoàn Lao động huyện Thử"
    assert page.count(filled) == 2  # the explanation and the insert button
    assert "{cap_tren}" not in page
    response = client.post(reverse("reports:proposals_insert", args=[own.pk]), {"group": [groups[0].key]}, follow=True)
    assert f"cuối mục “{filled}”" in response.content.decode()


def test_repeated_texts_share_one_vector_equal_to_the_one_worked_out_text_by_text():
    """The vectors worked out once per distinct text (what keeps a country's proposals in memory) are
    the TF-IDF vectors of every text given, repeats counted in the document frequencies."""
    import math
    from collections import Counter

    from core.proposals import KINDS, MAX_SHARE, _vectors, features

    texts = [
        "Đề nghị tăng lương tối thiểu vùng cho công nhân",
        "Kiến nghị xây nhà ở xã hội cho công nhân khu công nghiệp",
        "Đề nghị tăng lương tối thiểu vùng cho công nhân",
        "Đề nghị hỗ trợ nhà trẻ cho con công nhân",
        "Đề nghị tăng lương tối thiểu vùng cho công nhân",
        "Kiến nghị xây nhà ở xã hội cho công nhân khu công nghiệp",
    ]
    counted = [features(t, KINDS) for t in texts]
    df = Counter(f for c in counted for f in c)
    n = len(texts)
    idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items() if d <= max(5, MAX_SHARE * n)}
    expected = []
    for c in counted:
        v = {f: (1 + math.log(tf)) * idf[f] for f, tf in c.items() if f in idf}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        expected.append({f: w / norm for f, w in v.items()})

    vectors = _vectors(texts, KINDS)
    assert vectors == expected
    assert vectors[0] is vectors[2] is vectors[4] and vectors[1] is vectors[5]
    assert vectors[0] is not vectors[3]
