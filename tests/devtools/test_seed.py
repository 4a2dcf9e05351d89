import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from reports.models import Report, ReportStatus, SectionText
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_what_it_made_and_runs_twice():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "round GNK-2018-2023" and lines[1] == "superior CDKCN-BA"
    assert "unit CDCS-DTAD submitted" in lines and "unit CDCS-GDBA not_started" in lines
    assert {"user canbo drafter", "user captren reviewer", "user quantri admin"} <= set(lines)
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert again.getvalue() == out.getvalue()
    assert Report.objects.filter(unit__code="CDCS-DTAD", status=ReportStatus.SUBMITTED).count() == 1


def test_scale_data_is_realistic_and_deterministic():
    call_command("seed_demo", "--units", "120", "--seed", "5", stdout=io.StringIO())
    reports = Report.objects.filter(round__code="SC-5", unit__is_grassroots=True)
    assert reports.count() == 120
    assert Unit.objects.filter(code__startswith="SC-CT").count() == 3  # 50 per superior union
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    # Every unit has its drafter, every superior union its reviewer, who can sign in and see their units.
    from django.test import Client

    drafters = Membership.objects.filter(role=Role.DRAFTER, unit__in=reports.values("unit"))
    assert drafters.count() == 120
    assert Membership.objects.filter(role=Role.REVIEWER, unit__code__startswith="SC-CT").count() == 3
    client = Client()
    listing = client.post(
        "/dang-nhap/", {"username": "sc-ct001-reviewer", "password": "thu-nghiem-5"}, follow=True
    ).content.decode()
    second = Unit.objects.get(code="SC-CT001")
    assert reports.filter(unit__parent=second).first().unit.name in listing
    assert reports.exclude(unit__parent=second).first().unit.name not in listing
    text = SectionText.objects.filter(report__round__code="SC-5").first().content
    assert "Công đoàn" in text or "công đoàn" in text
    names = list(reports.order_by("unit__code").values_list("unit__name", flat=True)[:5])
    # Same seed, same names (a fresh database would give the same codes too).
    from devtools.scale import build_scale
    from outline.models import OutlineVersion

    again = build_scale(
        units=120, seed=5, version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023"), code_prefix="SD"
    )
    assert (
        list(
            Report.objects.filter(round=again, unit__is_grassroots=True)
            .order_by("unit__code")
            .values_list("unit__name", flat=True)[:5]
        )
        == names
    )


def test_scale_data_varies_like_a_real_province():
    """Districts and industrial-zone unions under the province; each CĐCS its own figures (ratios far
    from 100 %, women fewer than workers, blanks, zero denominators); superior unions type only their
    superior-only rows; submitted reports carry their dates and document details."""
    from devtools.scale import build_scale
    from outline.models import OutlineVersion
    from reports.models import IndicatorValue

    call_command("seed_demo", stdout=io.StringIO())  # the catalogues
    round_ = build_scale(
        units=100, seed=7, version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023-v2"), code_prefix="VR"
    )
    superiors = Unit.objects.filter(parent__code="VR-TINH")
    assert {u.kind for u in superiors} == {"Công đoàn cấp trên trực tiếp cơ sở", "LĐLĐ huyện"}
    assert any(u.name.startswith("Liên đoàn Lao động huyện") for u in superiors)
    assert Unit.objects.filter(parent__in=superiors, is_grassroots=True).count() == 100

    values = IndicatorValue.objects.filter(report__round=round_, column="2020")
    by_report = {}
    for report_id, code, value in values.values_list("report_id", "indicator__code", "value"):
        by_report.setdefault(report_id, {})[code] = value
    grassroots = set(
        Report.objects.filter(round=round_, unit__is_grassroots=True)
        .exclude(status="not_started")
        .values_list("pk", flat=True)
    )
    rows = [by_report.get(pk, {}) for pk in grassroots]
    shares = [r["DV"] / r["CNVCLD"] for r in rows if r.get("DV") is not None and r.get("CNVCLD")]
    assert len(set(shares)) > len(shares) * 0.9 and min(shares) < Decimal("0.6") and max(shares) < 1
    assert all(r["CNVCLD_NU"] < r["CNVCLD"] for r in rows if r.get("CNVCLD_NU") and r.get("CNVCLD"))
    sizes = [r["CNVCLD"] for r in rows if r.get("CNVCLD") is not None]
    assert len(set(sizes)) > len(rows) * 0.8 and min(sizes) > 0  # units of different sizes
    assert any("DV" not in r for r in rows)  # some rows left blank
    assert any(r.get("KPCD_PHAI_THU") == 0 for r in rows)  # some denominators zero
    kpcd = [r["KPCD_DA_THU"] / r["KPCD_PHAI_THU"] for r in rows if r.get("KPCD_DA_THU") and r.get("KPCD_PHAI_THU")]
    assert min(kpcd) < Decimal("0.7")
    assert not any("SO_CDCS" in r for r in rows)  # a CĐCS is not asked for superior-only rows
    own = [by_report.get(r.pk, {}) for r in Report.objects.filter(round=round_, unit__in=superiors)]
    assert all("SO_CDCS" in r or "DN_25" in r for r in own) and not any("CNVCLD" in r for r in own)

    submitted = Report.objects.filter(round=round_, status__in=["submitted", "approved", "returned"])
    assert submitted.count() > 10
    for report in submitted.select_related("unit", "unit__parent", "approved_by"):
        assert report.submitted_at and report.doc_number.endswith("/BC-CĐCS") and report.signer_name
        assert report.printed["number"] == report.doc_number and report.printed["place"] == "Thử 7"
        assert report.submissions.get().submitted_at == report.submitted_at
        if report.status == "approved":
            assert report.approved_at > report.submitted_at
            assert report.approved_by.memberships.filter(unit=report.unit.parent, role=Role.REVIEWER).exists()
    assert len({r.submitted_at.date() for r in submitted}) > 5


def test_seed_demo_has_a_district_beside_the_industrial_zone_union():
    """The province's 2025–2030 round reaches a district federation and its CĐCS: figures of their own,
    reports submitted with their numbers and dates, one approved by the district's reviewer."""
    from reports.models import IndicatorValue

    call_command("seed_demo", stdout=io.StringIO())
    district = Unit.objects.get(code="LDLD-PT")
    assert district.parent.code == "LDLD-BA" and district.kind == "LĐLĐ huyện"
    assert set(district.children.values_list("code", flat=True)) == {"CDCS-THPT", "CDCS-GDHL", "CDCS-XDTT"}
    # The 2018–2023 round stays the industrial-zone union's alone.
    assert not Report.objects.filter(round__code="GNK-2018-2023", unit__path__startswith=district.path).exists()
    reports = Report.objects.filter(round__code="GNK-2025-2030", unit__path__startswith=district.path)
    approved = reports.get(unit__code="CDCS-THPT")
    assert approved.status == ReportStatus.APPROVED and approved.approved_by.username == "huyen"
    assert approved.approved_at >= approved.submitted_at and approved.printed["number"] == "08/BC-CĐCS"
    assert reports.get(unit__code="CDCS-GDHL").status == ReportStatus.SUBMITTED
    workers = dict(
        IndicatorValue.objects.filter(report__in=reports, indicator__code="CNVCLD", column="2026").values_list(
            "report__unit__code", "value"
        )
    )
    members = dict(
        IndicatorValue.objects.filter(report__in=reports, indicator__code="DV", column="2026").values_list(
            "report__unit__code", "value"
        )
    )
    assert len(set(workers.values())) == 3 and all(members[c] < workers[c] for c in members if c in workers)
    own = IndicatorValue.objects.filter(report__in=reports, report__unit=district)
    assert own.exists() and not own.exclude(indicator__superior_only=True).exists()
    count = IndicatorValue.objects.filter(report__in=reports).count()
    call_command("seed_demo", stdout=io.StringIO())
    assert IndicatorValue.objects.filter(report__in=reports).count() == count
