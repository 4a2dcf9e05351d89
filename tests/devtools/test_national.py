"""The national tree of seed_demo --provinces: the federation over provinces over unions of every kind and
size over CĐCS, written in bulk (COPY on PostgreSQL), with totals equal to what the site would add up."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from reports import totals
from reports.models import IndicatorValue, Report, ReportStatus, RollupMembers, RollupTotal, Round, SectionText
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


def national(provinces=3, units=60, seed=1):
    out = io.StringIO()
    call_command("seed_demo", "--provinces", str(provinces), "--units", str(units), "--seed", str(seed), stdout=out)
    return out.getvalue().splitlines()


def stored_totals(round_):
    return {
        "totals": set(
            RollupTotal.objects.filter(round=round_).values_list(
                "unit_id", "status", "indicator_id", "column", "total", "figures"
            )
        ),
        "members": set(
            RollupMembers.objects.filter(round=round_).values_list(
                "unit_id", "status", "reports", "id_sum", "id_square_sum"
            )
        ),
    }


def test_a_small_country_has_the_shape_of_the_real_one():
    lines = national()
    assert lines[:4] == ["round QG-1", "federation TLDLDVN", "provinces 3", "units 60"]
    top = Unit.objects.get(code="TLDLDVN")
    assert top.parent is None and top.name == "Tổng Liên đoàn Lao động Việt Nam"
    provinces = list(top.children.order_by("code"))
    assert [p.code for p in provinces] == ["DNI", "HCM", "HNI"]  # the largest three
    assert {p.name for p in provinces} >= {"Liên đoàn Lao động thành phố Hồ Chí Minh"}
    grassroots = Unit.objects.filter(is_grassroots=True)
    assert grassroots.count() == 60
    sizes = Counter(grassroots.values_list("parent_id", flat=True))
    superiors = Unit.objects.filter(parent__in=provinces)
    # Unions of several kinds and sizes between the provinces and their CĐCS; each province has some.
    assert len({u.kind for u in superiors}) >= 3 and all(p.children.exists() for p in provinces)
    assert len(set(sizes.values())) >= 3
    # Codes: the province's, then CT… for its unions and CS… for its CĐCS, numbered within the province.
    for unit in Unit.objects.exclude(pk=top.pk).select_related("parent"):
        province = next(p for p in provinces if unit.is_within(p))
        assert unit.code == province.code or unit.code.startswith(f"{province.code}-C"), unit.code
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
    assert Unit.objects.count() == len(set(Unit.objects.values_list("code", flat=True)))
    hcm = Unit.objects.filter(is_grassroots=True, code__startswith="HCM-").order_by("code")
    assert hcm.first().code == "HCM-CS00001"
    # A round opened by the federation: a report for every unit, in every status.
    round_ = Round.objects.get(code="QG-1")
    assert round_.organising_unit == top and round_.data_years == [2025, 2026] and round_.opened_at
    assert Report.objects.filter(round=round_).count() == Unit.objects.count()
    statuses = Counter(Report.objects.filter(round=round_, unit__is_grassroots=True).values_list("status", flat=True))
    assert set(statuses) == set(ReportStatus.values)
    # Every account: a drafter per unit, a reviewer per union, an administrator (staff) for the top and
    # each province; they sign in with the password printed and see their own part of the country.
    assert Membership.objects.filter(role=Role.DRAFTER).count() == Unit.objects.count()
    admins = Membership.objects.filter(role=Role.ADMIN).select_related("user", "unit")
    assert {m.unit.code for m in admins} == {"TLDLDVN", "DNI", "HCM", "HNI"} and all(m.user.is_staff for m in admins)
    assert any("password thu-nghiem-1" in line for line in lines)
    client = Client()
    client.post("/dang-nhap/", {"username": "hni-reviewer", "password": "thu-nghiem-1"})
    listing = client.get("/bao-cao/").content.decode()
    hanoi = Unit.objects.filter(is_grassroots=True, code__startswith="HNI-").first()
    saigon = Unit.objects.filter(is_grassroots=True, code__startswith="HCM-").first()
    assert hanoi.name in listing and saigon.name not in listing


def test_the_country_varies_like_real_returns():
    national(provinces=2, units=300, seed=4)
    round_ = Round.objects.get(code="QG-4")
    values = IndicatorValue.objects.filter(report__round=round_, column="2026")
    by_report = {}
    for report_id, code, value in values.values_list("report_id", "indicator__code", "value"):
        by_report.setdefault(report_id, {})[code] = value
    written = Report.objects.filter(round=round_, unit__is_grassroots=True).exclude(status="not_started")
    rows = [by_report.get(pk, {}) for pk in written.values_list("pk", flat=True)]
    shares = [r["DV"] / r["CNVCLD"] for r in rows if r.get("DV") is not None and r.get("CNVCLD")]
    assert len(set(shares)) > len(shares) * 0.9 and min(shares) < Decimal("0.6") and max(shares) < 1
    assert all(r["CNVCLD_NU"] <= r["CNVCLD"] for r in rows if r.get("CNVCLD_NU") and r.get("CNVCLD"))
    assert any("DV" not in r for r in rows)  # some rows left blank
    assert not any("SO_CDCS" in r for r in rows)  # a CĐCS is not asked for superior-only rows
    unions = Report.objects.filter(round=round_, unit__is_grassroots=False).exclude(status="not_started")
    own = [by_report.get(pk, {}) for pk in unions.values_list("pk", flat=True)]
    assert any("SO_CDCS" in r for r in own) and not any("CNVCLD" in r for r in own)
    # Superior unions' own reports in several statuses, approved by the province's reviewer.
    below_provinces = Report.objects.filter(round=round_, unit__is_grassroots=False, unit__parent__parent__isnull=False)
    assert len(set(below_provinces.values_list("status", flat=True))) >= 2
    # Texts: drafts part-written, submitted reports whole; not all the same.
    texts = SectionText.objects.filter(report__round=round_)
    assert texts.values("content").distinct().count() > 50
    whole = texts.filter(report__status="submitted").values("report").distinct().count()
    assert whole and texts.filter(report__status="submitted", is_done=False).count() == 0
    per_draft = Counter(texts.filter(report__status="drafting").values_list("report_id", flat=True))
    assert len(set(per_draft.values())) > 3
    for report in Report.objects.filter(round=round_, status__in=["submitted", "approved", "returned"]).select_related(
        "unit", "approved_by"
    ):
        assert report.submitted_at and report.signer_name and report.doc_number.endswith(report.unit.document_suffix)
        assert report.printed["number"] == report.doc_number and report.printed["unit"] == report.unit.name
        assert report.submissions.get().submitted_at == report.submitted_at
        if report.status == "approved":
            assert report.approved_at > report.submitted_at
            assert report.approved_by.memberships.filter(unit=report.unit.parent, role=Role.REVIEWER).exists()


def test_the_totals_made_in_sql_are_those_the_site_makes():
    """The builder's totals (two statements on PostgreSQL) equal reports.totals.rebuild's, row for row."""
    national(units=80, seed=6)
    round_ = Round.objects.get(code="QG-6")
    assert totals.in_step(round_)
    built = stored_totals(round_)
    assert len(built["totals"]) > 500
    totals.rebuild(round_)
    assert stored_totals(round_) == built


def test_the_same_seed_builds_the_same_country_and_a_second_run_adds_nothing():
    national(units=40, seed=3)
    names = list(Unit.objects.order_by("code").values_list("code", "name"))
    assert "already built" in national(units=40, seed=3)[0]
    assert Unit.objects.count() == len(names)
    from devtools.scale import build_national
    from outline.models import OutlineVersion

    with transaction.atomic():
        again = build_national(
            provinces=3, units=40, seed=3, version=OutlineVersion.objects.get(code="gnk-2025-2030"), code_prefix="B"
        )
    copy = list(Unit.objects.filter(code__startswith="B").order_by("code").values_list("code", "name"))
    assert [(code[1:], name) for code, name in copy] == names
    assert Report.objects.filter(round=again).count() == len(names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are deferred on PostgreSQL only")
def test_indexes_and_constraints_dropped_for_the_load_are_made_again():
    from devtools.scale import build_national
    from outline.models import OutlineVersion

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('units_unit', 'reports_report', 'reports_indicatorvalue', 'reports_sectiontext', 'auth_user')"
            )
            indexes = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN "
                "('units_unit'::regclass, 'reports_report'::regclass, 'reports_indicatorvalue'::regclass)"
            )
            return indexes, set(cursor.fetchall())

    national(units=5, seed=2)  # the catalogues
    before = schema()
    with transaction.atomic():
        round_ = build_national(
            provinces=2,
            units=30,
            seed=8,
            version=OutlineVersion.objects.get(code="gnk-2025-2030"),
            code_prefix="X",
            defer_indexes=True,
        )
    assert schema() == before
    assert totals.in_step(round_)
    unit = Unit.objects.filter(code__startswith="X", is_grassroots=True).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code=unit.code, name="Trùng mã", kind="CĐCS", parent=unit.parent)


def test_bulk_rows_keep_every_character_and_take_the_model_defaults():
    """What COPY's text format must escape (backslash, tab, line breaks) comes back as written; columns not
    given take their defaults; the ids reserved are the ids stored."""
    from django.utils import timezone

    from devtools.scale import Bulk, reserve_ids

    first = reserve_ids(Unit, 2)
    rows = Bulk(Unit, ["id", "code", "name", "kind", "path"], now=timezone.now())
    rows.add(first, "BK-1", "Tab\there \\ back\nslash\r\nĐoàn", "CĐCS", f"/{first}/")
    rows.add(first + 1, "BK-2", "Công đoàn cơ sở", "CĐCS", f"/{first + 1}/")
    rows.flush()
    stored = Unit.objects.get(code="BK-1")
    assert stored.pk == first and stored.name == "Tab\there \\ back\nslash\r\nĐoàn"
    assert stored.is_active and not stored.is_grassroots and stored.doc_prefix == "" and stored.parent is None
    assert Unit.objects.get(code="BK-2").pk == first + 1
    assert Unit.objects.create(code="BK-3", name="Sau", kind="CĐCS").pk > first + 1
