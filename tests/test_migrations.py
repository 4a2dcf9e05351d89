"""A deployed site upgrades with `migrate` alone: from the last schema that landed before the apps were
rearranged, with data in it, forward to today's, every row where the moved models now live."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# What main held before the units and the reports moved to apps of their own.
LANDED = [
    ("reportsite", "0002_document_format"),
    ("outline", "0009_backfill_printed"),
    ("indicators", "0003_verbose_names"),
    ("exports", "0002_consolidated_options"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]
MOVED_TABLES = {
    "reportsite_unit": "units_unit",
    "reportsite_membership": "units_membership",
    "outline_round": "reports_round",
    "outline_report": "reports_report",
    "outline_sectiontext": "reports_sectiontext",
    "outline_submission": "reports_submission",
    "outline_comment": "reports_comment",
    "outline_auditentry": "reports_auditentry",
    "outline_notification": "reports_notification",
    "outline_extensionrequest": "reports_extensionrequest",
    "outline_returnrequest": "reports_returnrequest",
    "outline_returnitem": "reports_returnitem",
    "indicators_indicatornote": "reports_indicatornote",
    "indicators_indicatorvalue": "reports_indicatorvalue",
    "indicators_appendix": "reports_appendix",
}


def _migrate(targets, unapply=()):
    """Migrate to ``targets`` (and back out of every migration of the apps in ``unapply``)."""
    executor = MigrationExecutor(connection)
    executor.migrate([*targets, *((app, None) for app in unapply)])
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_upgrade_from_the_landed_schema_keeps_every_row():
    old = _migrate(LANDED, unapply=("units", "reports"))
    try:
        _upgrade(old)
    finally:
        _migrate(_latest())  # whatever happened, the next test finds today's schema


def _upgrade(old):
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert set(MOVED_TABLES) <= tables and not set(MOVED_TABLES.values()) & tables

    # Data as a site running the landed code had it: a unit with a drafter, a round, a report with a
    # section text, a figure, a submission, a comment, a consolidated export job, a group allowed to
    # change reports (permissions point at content types, which must follow the models).
    User = old.get_model("auth", "User")
    Group = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")
    ContentType = old.get_model("contenttypes", "ContentType")
    Unit = old.get_model("reportsite", "Unit")
    Membership = old.get_model("reportsite", "Membership")
    OutlineVersion = old.get_model("outline", "OutlineVersion")
    OutlineNode = old.get_model("outline", "OutlineNode")
    Round = old.get_model("outline", "Round")
    Report = old.get_model("outline", "Report")
    SectionText = old.get_model("outline", "SectionText")
    Submission = old.get_model("outline", "Submission")
    Comment = old.get_model("outline", "Comment")
    Indicator = old.get_model("indicators", "Indicator")
    IndicatorValue = old.get_model("indicators", "IndicatorValue")
    ExportJob = old.get_model("exports", "ExportJob")

    user = User.objects.create(username="lan", first_name="Nguyễn Thị Lan")
    superior = Unit.objects.create(code="CDKCN", name="Công đoàn các Khu công nghiệp", kind="cấp trên", path="1/")
    unit = Unit.objects.create(
        code="CDCS-MHB", name="Công đoàn cơ sở Công ty May Hòa Bình", kind="CĐCS", parent=superior, path="1/2/"
    )
    unit.is_grassroots = True
    unit.save()
    Membership.objects.create(user=user, unit=unit, role="drafter")
    version = OutlineVersion.objects.create(code="v1", name="Đề cương", source_text="1. Kết quả")
    node = OutlineNode.objects.create(
        version=version, key="p1", kind="section", number="1.", text="Kết quả", raw="1. Kết quả", line_no=0, position=1
    )
    round_ = Round.objects.create(
        code="GNK",
        name="Giữa nhiệm kỳ",
        outline_version=version,
        organising_unit=superior,
        term_start_year=2018,
        term_end_year=2023,
        data_years=[2018],
        cutoff_date=datetime.date(2020, 11, 30),
        deadline=datetime.date(2020, 12, 31),
    )
    report = Report.objects.create(round=round_, unit=unit, status="submitted", congress_number="V")
    # Stored before every page stopped cleaning on the way out: the upgrade cleans it once.
    unclean = '<p onclick="x()">Đoàn viên tăng 8%.<script>alert(1)</script></p>'
    SectionText.objects.create(report=report, node=node, content=unclean, updated_by=user)
    Submission.objects.create(
        report=report,
        number=1,
        submitted_by=user,
        submitted_at=datetime.datetime(2020, 12, 1, tzinfo=datetime.UTC),
        sections={"p1": "<p>Đoàn viên<img src=x onerror=alert(1)></p>"},
    )
    Comment.objects.create(report=report, anchor="report", author=user, body="Rõ ràng.")
    indicator = Indicator.objects.create(
        outline_version=version,
        code="CNVCLD",
        name="Số CNVCLĐ",
        unit_of_measure="người",
        kind="count",
        rollup="sum",
        node=node,
        position=1,
    )
    IndicatorValue.objects.create(report=report, indicator=indicator, column="2018", value=1030)
    ExportJob.objects.create(round=round_, unit=superior, format="docx", created_by=user)
    group = Group.objects.create(name="Thẩm định")
    report_type = ContentType.objects.get_or_create(app_label="outline", model="report")[0]
    change = Permission.objects.get_or_create(content_type=report_type, codename="change_report")[0]
    group.permissions.add(change)

    new = _migrate(_latest())

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert set(MOVED_TABLES.values()) <= tables and not set(MOVED_TABLES) & tables
    report = new.get_model("reports", "Report").objects.get(unit__code="CDCS-MHB")
    assert report.round.code == "GNK" and report.unit.parent.code == "CDKCN" and report.status == "submitted"
    assert new.get_model("reports", "SectionText").objects.get(report=report).content == "<p>Đoàn viên tăng 8%.</p>"
    assert new.get_model("reports", "Submission").objects.get(report=report).sections == {"p1": "<p>Đoàn viên</p>"}
    assert new.get_model("reports", "Comment").objects.get(report=report).body == "Rõ ràng."
    value = new.get_model("reports", "IndicatorValue").objects.get(report=report)
    assert (value.indicator.code, value.value) == ("CNVCLD", 1030)
    assert new.get_model("units", "Membership").objects.get(user__username="lan").unit.code == "CDCS-MHB"
    job = new.get_model("exports", "ExportJob").objects.get()
    assert (job.round.code, job.unit.code) == ("GNK", "CDKCN")
    # The group keeps its permission, now on the reports app's model: same content type row.
    kept = new.get_model("auth", "Group").objects.get(name="Thẩm định").permissions.get()
    assert (kept.content_type.app_label, kept.content_type.model, kept.codename) == (
        "reports",
        "report",
        "change_report",
    )
    assert kept.content_type_id == report_type.pk
    # The indexes take the new tables' names (a later migration that alters them finds them).
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "reports_comment")
    assert "reports_com_report__58dd69_idx" in constraints
    # Foreign keys still hold in the database: a new row pointing at a moved row is accepted.
    new.get_model("reports", "SectionText").objects.filter(report=report).delete()
    new.get_model("reports", "SectionText").objects.create(report=report, node_id=node.pk, content="<p>Lại</p>")
