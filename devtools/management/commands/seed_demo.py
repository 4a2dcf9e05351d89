"""Build the demo: a province, one superior union, five CĐCS, a round from the seed outline,
three demo accounts, reports in several states; beside it a 2025–2030 round organised by the province
on the outline that names the round's facts by placeholder. Safe to run again."""

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from devtools.scale import (
    SENTENCES,
    build_national,
    build_scale,
    draw_figures,
    national_version,
    parts_after_wholes,
    scale_password,
)
from indicators.models import Indicator
from indicators.services import catalogue_copy
from outline.models import OutlineNode, OutlineVersion
from reports import totals
from reports.models import IndicatorNote, IndicatorValue, Report, ReportStatus, Round
from reports.review import report_approve
from reports.selectors import report_appendix
from reports.services import report_submit, round_open, section_save
from units import services
from units.models import Role, Unit

OUTLINE_FIXTURE = "outline_gnk_2018_2023"
INDICATOR_FIXTURE = "indicators_gnk_2018_2023"
# The same outline worded for a superior union's own report (no "CĐCS" before its name).
SUPERIOR_OUTLINE_FIXTURE = "outline_gnk_2018_2023_cap_tren"
CATALOGUE_V2_FIXTURES = ("outline_gnk_2018_2023_v2", "indicators_gnk_2018_2023_v2")
OUTLINE_CODE = "gnk-cdcs-2018-2023"
# The 2025–2030 outline, made from the seed through the upload page's parser (fixtures/seed/…-2025-2030.txt,
# build_outline_fixture): the round's facts and the levels' bodies as placeholders, one outline for every level.
NEXT_TERM_OUTLINE_FIXTURE = "outline_gnk_2025_2030"
NEXT_TERM_OUTLINE_CODE = "gnk-2025-2030"
NEXT_TERM_CATALOGUE_SOURCE = "gnk-cdcs-2018-2023-v2"
NEXT_TERM_ROUND_CODE = "GNK-2025-2030"
SUPERIOR_OUTLINE_CODE = "gnk-cdct-2018-2023"

PROVINCE = ("LDLD-BA", "Liên đoàn Lao động tỉnh Bình An", "LĐLĐ tỉnh")
SUPERIOR = (
    "CDKCN-BA",
    "Công đoàn các Khu công nghiệp tỉnh Bình An",
    "Công đoàn cấp trên trực tiếp cơ sở",
)
# Beside the industrial-zone union, a district federation with its own CĐCS (in the 2025–2030 round only:
# the 2018–2023 round is the industrial-zone union's, and the golden exports are made from it).
DISTRICT = ("LDLD-PT", "Liên đoàn Lao động huyện Phú Thịnh", "LĐLĐ huyện")
DISTRICT_GRASSROOTS = [
    ("CDCS-THPT", "Công đoàn cơ sở Trường Trung học phổ thông Phú Thịnh", "VII"),
    ("CDCS-GDHL", "Công đoàn cơ sở Công ty TNHH Gỗ Hưng Long", "III"),
    ("CDCS-XDTT", "Công đoàn cơ sở Công ty Cổ phần Xây dựng Tân Tiến", "IV"),
]
GRASSROOTS = [
    ("CDCS-MHB", "Công đoàn cơ sở Công ty TNHH May Hòa Bình", "V"),
    ("CDCS-CKDA", "Công đoàn cơ sở Công ty Cổ phần Cơ khí Đông Á", "IV"),
    ("CDCS-DTAD", "Công đoàn cơ sở Công ty TNHH Điện tử Ánh Dương", "III"),
    ("CDCS-GDBA", "Công đoàn cơ sở Công ty TNHH Giày da Bình An", "VI"),
    ("CDCS-TPSV", "Công đoàn cơ sở Công ty Cổ phần Thực phẩm Sao Việt", "II"),
]
# Demo accounts: user name, password (demo only), full name, role, unit code.
ACCOUNTS = [
    ("canbo", "canbo-demo-2026", "Nguyễn Thị Lan", Role.DRAFTER, "CDCS-MHB"),
    ("captren", "captren-demo-2026", "Trần Văn Hùng", Role.REVIEWER, "CDKCN-BA"),
    ("quantri", "quantri-demo-2026", "Lê Minh Tuấn", Role.ADMIN, "LDLD-BA"),
    ("huyen", "huyen-demo-2026", "Bùi Thanh Sơn", Role.REVIEWER, "LDLD-PT"),
]
# The reviewer also writes the superior union's own report.
EXTRA_ROLES = [("captren", Role.DRAFTER, "CDKCN-BA"), ("huyen", Role.DRAFTER, "LDLD-PT")]
ROUND_CODE = "GNK-2018-2023"
EXPLANATION = "Số liệu đã đối chiếu với sổ sách của đơn vị; biến động do sắp xếp lại sản xuất."
SIGNERS = {
    "CDKCN-BA": "Trần Văn Hùng",
    "CDCS-MHB": "Nguyễn Thị Lan",
    "CDCS-CKDA": "Phạm Quốc Việt",
    "CDCS-DTAD": "Hoàng Thu Hà",
    "CDCS-GDBA": "Đỗ Văn Nam",
    "CDCS-TPSV": "Vũ Thị Mai",
    "LDLD-PT": "Bùi Thanh Sơn",
    "CDCS-THPT": "Ngô Thị Thảo",
    "CDCS-GDHL": "Dương Văn Dũng",
    "CDCS-XDTT": "Hồ Ngọc Ánh",
}

# A year's figures for a unit of 1.000 workers: target, start of term, 2018, 2019, 2020, previous term.
FIGURES = {
    "CNVCLD": (1100, 1000, 1030, 1060, 1080, 950),
    "CNVCLD_NU": (800, 720, 745, 770, 790, 690),
    "DV": (1050, 900, 940, 985, 1020, 850),
    "DN_CO_CD": (1, 1, 1, 1, 1, 1),
    "TULDTT": (1, 1, 1, 1, 1, 1),
    "HN_NLD": (5, 1, 1, 1, 1, 3),
    "DOI_THOAI": (20, 4, 4, 4, 5, 10),
    "DV_MOI": (300, 70, 60, 65, 70, 150),
    "SANG_KIEN": (40, 7, 8, 8, 9, 20),
    "KHEN_THUONG": (250, 45, 48, 50, 52, 120),
    "KT_LDTT": (180, 30, 32, 35, 38, 80),
    "KPCD_PHAI_THU": (2500, 450, 480, 500, 520, 1200),
    "KPCD_DA_THU": (2500, 430, 470, 495, 515, 1150),
}
FIGURE_COLUMNS = ("target", "start", "2018", "2019", "2020", "prev")

SAMPLE = {
    "p1.I.1": "<p>Công ty có 1.250 công nhân, lao động, trong đó nữ chiếm 78%. Năm 2020 đơn hàng "
    "giảm do ảnh hưởng của dịch Covid-19, <strong>thu nhập bình quân</strong> giảm 6% so với năm "
    "2019.</p><ul><li>Thuận lợi: được Đảng ủy, Ban Giám đốc quan tâm.</li><li>Khó khăn: việc làm "
    "không ổn định trong quý II/2020.</li></ul>",
    "p1.I.2": "<p>Đời sống, việc làm của người lao động cơ bản ổn định; không xảy ra tranh chấp lao động tập thể.</p>",
    "p1.II.1": "<p>Ký kết lại <em>Thỏa ước lao động tập thể</em> năm 2019 với 12 điều khoản có "
    "lợi hơn luật; tổ chức Hội nghị người lao động hằng năm.</p>",
}


class Command(BaseCommand):
    help = "Create (or complete) the demo data and print one line per thing made."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, help="also build a realistic tree of this many CĐCS")
        parser.add_argument(
            "--provinces",
            type=int,
            help="with --units: the whole country instead, the federation over this many provinces (34 today)",
        )
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")

    def handle(self, *args, units=None, provinces=None, seed=1, **options):
        call_command("loaddata", OUTLINE_FIXTURE, verbosity=0)
        call_command("loaddata", INDICATOR_FIXTURE, verbosity=0)
        call_command("loaddata", SUPERIOR_OUTLINE_FIXTURE, verbosity=0)
        # The second catalogue (what superior unions count), for a new round to choose; the demo's
        # rounds keep the seed's.
        call_command("loaddata", *CATALOGUE_V2_FIXTURES, verbosity=0)
        call_command("loaddata", NEXT_TERM_OUTLINE_FIXTURE, verbosity=0)
        if provinces:
            if not units:
                raise CommandError("--provinces needs --units (the number of CĐCS in the country).")
            self._national(provinces=provinces, units=units, seed=seed)
            return
        if units:
            if Round.objects.filter(code=f"SC-{seed}").exists():
                self.stdout.write(f"round SC-{seed} (already built)")
                return
            round_ = build_scale(
                units=units,
                seed=seed,
                version=OutlineVersion.objects.get(code=OUTLINE_CODE),
                superior_version=OutlineVersion.objects.get(code=SUPERIOR_OUTLINE_CODE),
            )
            self.stdout.write(f"round {round_.code}")
            self.stdout.write(f"superior {round_.organising_unit.code}")
            self.stdout.write(f"units {units}")
            top = round_.organising_unit.code.lower()
            self.stdout.write(
                f"accounts {top}-reviewer, {top}-admin, <unit code>-drafter, <superior code>-reviewer "
                f"(password {scale_password(seed)})"
            )
            return
        with transaction.atomic():
            lines = self._build()
            lines += self._build_next_term()
        for line in lines:
            self.stdout.write(line)

    def _national(self, *, provinces, units, seed):
        """The country on one site (``build_national``) with the 2025–2030 outline and its catalogue."""
        code = f"QG-{seed}"
        if Round.objects.filter(code=code).exists():
            self.stdout.write(f"round {code} (already built)")
            return
        version = national_version()
        began = time.monotonic()
        round_ = build_national(
            provinces=provinces,
            units=units,
            seed=seed,
            version=version,
            round_code=code,
            progress=lambda line: self.stderr.write(f"  {time.monotonic() - began:6.1f} s  {line}"),
        )
        seconds = time.monotonic() - began
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics, kept by every copy of the database
        top = round_.organising_unit
        self.stdout.write(f"round {round_.code}")
        self.stdout.write(f"federation {top.code}")
        self.stdout.write(f"provinces {top.children.count()}")
        self.stdout.write(f"units {units}")
        self.stdout.write(
            f"accounts <unit code>-drafter for every unit; <code>-reviewer for every union above the CĐCS; "
            f"<code>-admin (staff) for {top.code.lower()} and each province (password {scale_password(seed)})"
        )
        self.stdout.write(f"built in {seconds:.0f} s ({units / seconds:.0f} units/s)")

    def _unit(self, code, name, kind, parent, grassroots=False, congress=""):
        unit = Unit.objects.filter(code=code).first()
        return unit or services.unit_create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            is_grassroots=grassroots,
            congress_number=congress,
        )

    def _build(self):
        province = self._unit(*PROVINCE, parent=None)
        superior = self._unit(*SUPERIOR, parent=province)
        # The superior union numbers its documents with its own suffix (Số: 12/BC-CĐKCN).
        Unit.objects.filter(pk=superior.pk, doc_prefix="").update(doc_prefix="BC-CĐKCN")
        for code, name, congress in GRASSROOTS:
            self._unit(code, name, "CĐCS", superior, grassroots=True, congress=congress)
        district = self._unit(*DISTRICT, parent=province, congress="X")
        Unit.objects.filter(pk=district.pk, doc_prefix="").update(doc_prefix="BC-LĐLĐ")
        for code, name, congress in DISTRICT_GRASSROOTS:
            self._unit(code, name, "CĐCS", district, grassroots=True, congress=congress)

        User = get_user_model()
        users = {}
        for username, password, full_name, role, unit_code in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                last, first = full_name.rsplit(" ", 1)
                user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.org")
                user.set_password(password)
                user.is_staff = role == Role.ADMIN
                user.save()
            # The union administrator is staff with the Administrator role, not a superuser: the admin
            # shows them the union's data and keeps the plumbing for IT (reportsite/permissions.py).
            # Said again on every run, so a demo database seeded before this converges.
            User.objects.filter(pk=user.pk).update(is_staff=role == Role.ADMIN, is_superuser=False)
            services.membership_grant(user=user, unit=Unit.objects.get(code=unit_code), role=role)
            users[username] = (user, role)
        for username, role, unit_code in EXTRA_ROLES:
            services.membership_grant(user=users[username][0], unit=Unit.objects.get(code=unit_code), role=role)

        version = OutlineVersion.objects.get(code=OUTLINE_CODE)
        today = timezone.localdate()
        round_, _ = Round.objects.get_or_create(
            code=ROUND_CODE,
            defaults={
                "name": "Báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS, nhiệm kỳ 2018–2023",
                "outline_version": version,
                "organising_unit": superior,
                "term_start_year": 2018,
                "term_end_year": 2023,
                "data_years": [2018, 2019, 2020],
                "cutoff_date": datetime.date(2020, 11, 30),
                "deadline": today + datetime.timedelta(days=30),
            },
        )
        Round.objects.filter(pk=round_.pk, superior_outline_version=None).update(
            superior_outline_version=OutlineVersion.objects.get(code=SUPERIOR_OUTLINE_CODE)
        )
        round_.refresh_from_db()
        round_open(round=round_)
        # What the Word documents print in their header and signature block.
        for report in Report.objects.filter(round=round_, place=""):
            Report.objects.filter(pk=report.pk).update(place="Bình An", signer_name=SIGNERS.get(report.unit.code, ""))

        nodes = {n.key: n for n in OutlineNode.objects.filter(version=version, is_writable=True)}
        drafter = users["canbo"][0]
        reports = {r.unit.code: r for r in Report.objects.filter(round=round_).select_related("unit", "round")}
        # The officer's own unit and one more are part-written; one other is submitted.
        for code in ("CDCS-MHB", "CDCS-CKDA"):
            report = reports[code]
            if report.status == ReportStatus.NOT_STARTED:
                for key, html in SAMPLE.items():
                    section_save(
                        report=report,
                        node=nodes[key],
                        content=html,
                        base_version=0,
                        is_done=key == "p1.I.1",
                        actor=drafter if code == "CDCS-MHB" else None,
                    )
        indicators = {i.code: i for i in Indicator.objects.filter(outline_version=version)}
        for factor, code in ((1, "CDCS-MHB"), (3, "CDCS-DTAD"), (2, "CDCS-CKDA")):
            report = reports[code]
            if report.status != ReportStatus.SUBMITTED and not report.indicator_values.exists():
                IndicatorValue.objects.bulk_create(
                    IndicatorValue(
                        report=report,
                        indicator=indicators[key],
                        column=column,
                        value=Decimal(value * factor if indicators[key].kind != "ratio" else value),
                    )
                    for key, values in FIGURES.items()
                    for column, value in zip(FIGURE_COLUMNS, values, strict=True)
                )

        submitted = reports["CDCS-DTAD"]
        if submitted.status == ReportStatus.NOT_STARTED:
            for key, node in nodes.items():
                section_save(
                    report=submitted,
                    node=node,
                    is_done=True,
                    base_version=0,
                    actor=None,
                    content=SAMPLE.get(key, f"<p>{SENTENCES[int(node.position) % len(SENTENCES)]}</p>"),
                )
            # A report is submitted with its number (the place and signer are set above).
            Report.objects.filter(pk=submitted.pk).update(doc_number="12")
            submitted.refresh_from_db()
            report_submit(report=submitted, actor=None)

        totals.rebuild(round_)  # the figures above were loaded in bulk
        lines = [f"round {round_.code}", f"superior {superior.code}"]
        grassroots = Report.objects.filter(round=round_, unit__is_grassroots=True)
        for report in grassroots.select_related("unit").order_by("unit__code"):
            lines.append(f"unit {report.unit.code} {report.status}")
        for username, (_user, role) in users.items():
            lines.append(f"user {username} {role}")
        return lines

    def _build_next_term(self):
        """The 2025–2030 round, organised by the province (its own report, the superior union's and the
        CĐCS'), on the placeholder outline with the second catalogue copied to it (as the catalogue page
        copies one). Run after ``_build``: the units and accounts exist."""
        version = OutlineVersion.objects.get(code=NEXT_TERM_OUTLINE_CODE)
        if not Indicator.objects.filter(outline_version=version).exists():
            catalogue_copy(
                source=OutlineVersion.objects.get(code=NEXT_TERM_CATALOGUE_SOURCE), target=version, actor=None
            )
        cutoff = datetime.date(2026, 11, 30)
        round_, _ = Round.objects.get_or_create(
            code=NEXT_TERM_ROUND_CODE,
            defaults={
                "name": "Báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội công đoàn, nhiệm kỳ 2025–2030",
                "outline_version": version,
                "organising_unit": Unit.objects.get(code=PROVINCE[0]),
                "term_start_year": 2025,
                "term_end_year": 2030,
                "data_years": [2025, 2026],
                "cutoff_date": cutoff,
                "deadline": max(timezone.localdate(), cutoff) + datetime.timedelta(days=30),
            },
        )
        round_open(round=round_)
        for report in Report.objects.filter(round=round_, place="").select_related("unit"):
            Report.objects.filter(pk=report.pk).update(place="Bình An", signer_name=SIGNERS.get(report.unit.code, ""))
        self._district_reports(round_)
        return [f"round {round_.code}"]

    def _district_reports(self, round_):
        """The district's CĐCS in the 2025–2030 round: figures of their own (drawn as the scale builder
        draws them, seeded), the district's superior-only rows; two reports written whole with their
        document numbers and submitted, one of them approved by the district's reviewer."""
        reports = {
            r.unit.code: r
            for r in Report.objects.filter(round=round_, unit__path__startswith=Unit.objects.get(code=DISTRICT[0]).path)
            .select_related("unit", "unit__parent", "round")
            .order_by("unit__code")
        }
        if any(r.indicator_values.exists() for r in reports.values()):
            return
        rng = random.Random(2025)
        version = round_.outline_version
        indicators = parts_after_wholes(
            [i for i in Indicator.objects.filter(outline_version=version) if not i.is_computed]
        )
        ratios = {
            i.numerator_id: i.denominator_id
            for i in Indicator.objects.filter(outline_version=version, kind="ratio")
            if i.numerator_id and i.denominator_id
        }
        years = [str(y) for y in round_.data_years]
        for code, report in reports.items():
            grassroots = report.unit.is_grassroots
            size = rng.randint(60, 1800) if grassroots else len(DISTRICT_GRASSROOTS)
            figures = draw_figures(rng, indicators, ratios, years, size, grassroots=grassroots)
            IndicatorValue.objects.bulk_create(
                IndicatorValue(report=report, indicator_id=pk, column=column, value=value)
                for pk, row in figures.items()
                for column, value in row.items()
                if value is not None
            )
            if code in ("CDCS-THPT", "CDCS-GDHL"):
                number = {"CDCS-THPT": "08/BC-CĐCS", "CDCS-GDHL": "21/BC-CĐCS"}[code]
                Report.objects.filter(pk=report.pk).update(doc_number=number, place="Phú Thịnh")
                report.refresh_from_db()
                nodes = OutlineNode.objects.filter(version=version, is_writable=True)
                for node in nodes:
                    text = " ".join(rng.sample(SENTENCES, 2))
                    section_save(
                        report=report, node=node, content=f"<p>{text}</p>", base_version=0, is_done=True, actor=None
                    )
                # A figure far from last year's is explained, as a drafter would before submitting.
                for row, _warnings in report_appendix(report).unexplained_warnings():
                    IndicatorNote.objects.update_or_create(
                        report=report,
                        indicator=row.indicator,
                        defaults={"explanation": EXPLANATION},
                    )
                report_submit(report=report, actor=None)
        reviewer = get_user_model().objects.get(username="huyen")
        report_approve(report=Report.objects.get(pk=reports["CDCS-THPT"].pk), actor=reviewer)
