"""Realistic demo data at any size: a province, superior unions, grassroots unions, a round, reports
in every status with Vietnamese text in every section and figures. Deterministic for a seed."""

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator
from outline.models import OutlineNode
from reports import totals
from reports.models import IndicatorValue, Report, ReportStatus, Round, SectionText, Submission
from units.models import Membership, Role, Unit

UNITS_PER_SUPERIOR = 50
COMPANIES = [
    "May",
    "Dệt",
    "Cơ khí",
    "Điện tử",
    "Giày da",
    "Thực phẩm",
    "Xây dựng",
    "Vận tải",
    "Dược phẩm",
    "Nhựa",
    "Gỗ",
    "Thủy sản",
    "Bao bì",
    "Thép",
    "In",
    "Hóa chất",
]
NAMES = [
    "Hòa Bình",
    "Đông Á",
    "Ánh Dương",
    "Sao Việt",
    "Bình An",
    "Phú Thịnh",
    "Hưng Long",
    "Thành Công",
    "Đại Phát",
    "Trường Sơn",
    "Hồng Hà",
    "Minh Khai",
    "Quang Trung",
    "Lê Lợi",
    "Tân Tiến",
    "Việt Tiến",
]
SENTENCES = [
    "Ban Chấp hành công đoàn cơ sở đã phối hợp chặt chẽ với người sử dụng lao động trong việc chăm lo đời sống "
    "cho đoàn viên và người lao động.",
    "Tổ chức thành công Hội nghị người lao động, ký kết Thỏa ước lao động tập thể với nhiều điều khoản có lợi "
    "hơn so với quy định của pháp luật.",
    "Công tác phát triển đoàn viên được quan tâm, số đoàn viên tăng đều qua các năm, đạt và vượt chỉ tiêu Nghị "
    "quyết Đại hội đề ra.",
    "Phong trào thi đua lao động giỏi, lao động sáng tạo được triển khai sâu rộng, nhiều sáng kiến được công "
    "nhận và áp dụng vào sản xuất.",
    "Công tác tuyên truyền, phổ biến chính sách, pháp luật được đổi mới về hình thức, ứng dụng mạng xã hội và "
    "nhóm Zalo đến từng tổ sản xuất.",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Quốc", "Ngọc", "Đức", "Thanh", "Hữu", "Bích"]
GIVEN = ["Lan", "Hùng", "Tuấn", "Hà", "Nam", "Mai", "Việt", "Hương", "Dũng", "Yến", "Sơn", "Thảo", "Ánh"]
STATUSES = [
    ReportStatus.NOT_STARTED,
    ReportStatus.DRAFTING,
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.APPROVED,
]


def _text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        paragraphs.append("<p>" + " ".join(rng.sample(SENTENCES, 3)) + "</p>")
    if rng.random() < 0.3:
        paragraphs.append(
            "<ul><li><p>Thuận lợi: được lãnh đạo quan tâm.</p></li><li><p>Khó khăn: đơn hàng giảm.</p></li></ul>"
        )
    return "".join(paragraphs)


def scale_password(seed: int) -> str:
    """The password of every account ``build_scale`` makes (test data only)."""
    return f"thu-nghiem-{seed}"


def _users(rng, seed, grants):
    """One account per (unit, role): a Vietnamese name, user name from the unit code. The password is
    hashed once, since hashing 10,000 times would take longer than building everything else."""
    User = get_user_model()
    password = make_password(scale_password(seed))
    users = User.objects.bulk_create(
        [
            User(
                username=f"{unit.code.lower()}-{role}",
                first_name=f"{rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                last_name=rng.choice(FAMILY),
                email=f"{unit.code.lower()}-{role}@example.org",
                password=password,
            )
            for unit, role in grants
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, unit=unit, role=role) for user, (unit, role) in zip(users, grants, strict=True)],
        batch_size=2000,
    )


@transaction.atomic
def build_scale(*, units: int, seed: int, version, code_prefix="SC", superior_version=None) -> Round:
    """Create ``units`` grassroots unions under superiors of 50 in a new province with an account for
    each (a drafter per unit, a reviewer per superior union, a reviewer, a drafter and an admin for the
    province;
    user name = unit code + role, password ``scale_password(seed)``), a round opened on it, and reports
    in every status with texts and figures. Bulk writes: minutes for 10,000."""
    rng = random.Random(seed)
    province = Unit.objects.create(
        code=f"{code_prefix}-TINH", name=f"Liên đoàn Lao động tỉnh Thử {seed}", kind="LĐLĐ tỉnh"
    )
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    n_superiors = max(1, -(-units // UNITS_PER_SUPERIOR))
    superiors = Unit.objects.bulk_create(
        Unit(
            code=f"{code_prefix}-CT{i:03d}",
            name=f"Công đoàn Khu công nghiệp số {i + 1}",
            kind="Công đoàn cấp trên trực tiếp cơ sở",
            parent=province,
        )
        for i in range(n_superiors)
    )
    for superior in superiors:
        superior.path = f"{province.path}{superior.pk}/"
    Unit.objects.bulk_update(superiors, ["path"])
    grassroots = Unit.objects.bulk_create(
        Unit(
            code=f"{code_prefix}-CS{i:05d}",
            parent=superiors[i // UNITS_PER_SUPERIOR],
            is_grassroots=True,
            kind="CĐCS",
            congress_number=rng.choice(["III", "IV", "V", "VI"]),
            name=f"Công đoàn cơ sở Công ty {rng.choice(COMPANIES)} {rng.choice(NAMES)} {i + 1}",
        )
        for i in range(units)
    )
    by_pk = {s.pk: s for s in superiors}
    for unit in grassroots:
        unit.path = f"{by_pk[unit.parent_id].path}{unit.pk}/"
    Unit.objects.bulk_update(grassroots, ["path"], batch_size=2000)
    _users(
        rng,
        seed,
        [(province, role) for role in (Role.REVIEWER, Role.DRAFTER, Role.ADMIN)]
        + [(superior, role) for superior in superiors for role in (Role.REVIEWER, Role.DRAFTER)]
        + [(unit, Role.DRAFTER) for unit in grassroots],
    )

    today = timezone.localdate()
    round_ = Round.objects.create(
        code=f"{code_prefix}-{seed}",
        name=f"Đợt báo cáo thử quy mô {units} đơn vị",
        outline_version=version,
        organising_unit=province,
        term_start_year=2018,
        term_end_year=2023,
        data_years=[2018, 2019, 2020],
        cutoff_date=today.replace(month=1, day=1),
        deadline=today + timezone.timedelta(days=30),
        superior_outline_version=superior_version,
    )
    reports = Report.objects.bulk_create(
        [Report(round=round_, unit=u, status=ReportStatus.DRAFTING) for u in [province, *superiors]]
        + [
            Report(round=round_, unit=u, status=rng.choice(STATUSES), congress_number=u.congress_number)
            for u in grassroots
        ],
        batch_size=2000,
    )
    nodes = list(OutlineNode.objects.filter(version=version, is_writable=True))
    indicators = [i for i in Indicator.objects.filter(outline_version=version) if not i.is_computed]
    texts, values, submissions = [], [], []
    now = timezone.now()
    for report in reports:
        if report.status == ReportStatus.NOT_STARTED:
            continue
        for node in nodes:
            texts.append(SectionText(report=report, node=node, content=_text(rng), version=1, is_done=True))
        scale = rng.randint(200, 3000)
        for indicator in indicators:
            base = Decimal(scale if indicator.over_years == "latest" else scale // 10)
            for offset, column in enumerate(["start", "2018", "2019", "2020"]):
                values.append(
                    IndicatorValue(
                        report=report,
                        indicator=indicator,
                        column=column,
                        value=(base * (100 + 3 * offset) / 100).quantize(Decimal(1)),
                    )
                )
            values.append(
                IndicatorValue(
                    report=report,
                    indicator=indicator,
                    column="target",
                    value=(base * Decimal("1.2")).quantize(Decimal(1)),
                )
            )
            values.append(
                IndicatorValue(
                    report=report,
                    indicator=indicator,
                    column="prev",
                    value=(base * Decimal("0.9")).quantize(Decimal(1)),
                )
            )
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED):
            submissions.append(Submission(report=report, number=1, submitted_at=now, sections={}, figures={}))
        if len(texts) > 20000:
            SectionText.objects.bulk_create(texts, batch_size=2000)
            texts = []
        if len(values) > 50000:
            IndicatorValue.objects.bulk_create(values, batch_size=5000)
            values = []
    SectionText.objects.bulk_create(texts, batch_size=2000)
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    Submission.objects.bulk_create(submissions, batch_size=2000)
    totals.rebuild(round_)
    return round_
