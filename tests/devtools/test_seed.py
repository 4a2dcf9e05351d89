import io

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
