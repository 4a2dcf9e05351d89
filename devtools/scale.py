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
    hashed once, since hashing 10,000 times would take longer than building everything else.
    Returns the accounts by (unit pk, role)."""
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
    return {(unit.pk, role): user for user, (unit, role) in zip(users, grants, strict=True)}


def parts_after_wholes(indicators):
    """Typed indicators, each after the one it is part of (its value is drawn as a share of that one's)."""
    done, ordered, pending = set(), [], list(indicators)
    while pending:
        rest = [
            i
            for i in pending
            if i.part_of_id is not None and i.part_of_id not in done and i.part_of_id in {p.pk for p in pending}
        ]
        for indicator in pending:
            if indicator not in rest:
                ordered.append(indicator)
                done.add(indicator.pk)
        if len(rest) == len(pending):  # a loop the catalogue's validation forbids; keep them all anyway
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def draw_figures(rng, indicators, ratios, years, size, *, grassroots):
    """A unit's figures as {indicator: {column: value}}, varied the way real returns are: the first count
    is the unit's size (workers for a CĐCS, its CĐCS for a superior union), other counts scaled to it,
    each part a share of its whole (women and members well under the workers), each ratio's numerator a
    share of its denominator (so ratios fall far from 100 %), some denominators zero, some rows and some
    cells left blank. ``ratios`` maps a numerator's pk to its denominator's pk."""
    columns = ["start", *years]
    figures = {}
    first = True
    for indicator in indicators:
        if indicator.kind == "ratio" or indicator.superior_only == grassroots:
            # A CĐCS is not asked for superior-only rows; a superior union types those and takes the rest
            # from its units' roll-up.
            continue
        if rng.random() < 0.05:  # a row the unit did not fill in
            continue
        whole = figures.get(indicator.part_of_id) or figures.get(ratios.get(indicator.pk))
        places = Decimal(1).scaleb(-indicator.decimals)
        latest = indicator.over_years == "latest"
        if whole is not None:
            low, high = (0.3, 0.95) if indicator.part_of_id else (0.45, 1.05)
            share = rng.uniform(low, high)
            row = {c: Decimal(int(v * Decimal(share))) if v is not None else None for c, v in whole.items()}
            if indicator.part_of_id:
                row = {c: (min(v, whole[c]) if v is not None and whole[c] is not None else v) for c, v in row.items()}
        elif indicator.kind == "percentage":
            row = {
                c: Decimal(str(round(rng.uniform(35, 100), 1))).quantize(places) for c in [*columns, "target", "prev"]
            }
        else:
            is_size = indicator.kind == "count" and latest and first
            if indicator.kind == "count" and latest:
                base = size if first else rng.randint(1, max(1, round(size**0.5 / 3)))
                first = False
            elif indicator.kind == "count":
                base = rng.randint(0, max(1, size // rng.choice([5, 20, 100])))
            else:
                base = round(size * rng.uniform(0.05, 0.6))
            if not is_size and indicator.pk in set(ratios.values()) and rng.random() < 0.06:
                base = 0  # a denominator of zero: nothing due, no enterprise, no award
            row, value = {}, Decimal(base)
            for column in columns:
                if latest:
                    value = (value * Decimal(str(1 + rng.uniform(-0.08, 0.12)))).quantize(places)
                    row[column] = value
                else:
                    row[column] = (Decimal(base) * Decimal(str(rng.uniform(0.6, 1.4)))).quantize(places)
            last = row[years[-1]] if latest else sum(row[y] for y in years)
            span = len(years) if not latest else 1
            row["target"] = (last * Decimal(str(rng.uniform(0.95, 1.35) * (1 if latest else 5 / span)))).quantize(
                places
            )
            row["prev"] = (last * Decimal(str(rng.uniform(0.7, 1.05) * (1 if latest else 5 / span)))).quantize(places)
        for column in list(row):
            if rng.random() < 0.03:  # a cell left blank
                row[column] = None
        figures[indicator.pk] = row
    return figures


def _tree(rng, *, units, code_prefix, seed):
    """A province; under it district federations and industrial-zone unions, alternately, of up to 50
    CĐCS each. Every unit is given its path."""
    province = Unit.objects.create(
        code=f"{code_prefix}-TINH",
        name=f"Liên đoàn Lao động tỉnh Thử {seed}",
        kind="LĐLĐ tỉnh",
        congress_number="XI",
        doc_prefix="BC-LĐLĐ",
    )
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    n_superiors = max(1, -(-units // UNITS_PER_SUPERIOR))
    superiors = Unit.objects.bulk_create(
        Unit(
            code=f"{code_prefix}-CT{i:03d}",
            name=(
                f"Công đoàn Khu công nghiệp số {i // 2 + 1}"
                if i % 2 == 0
                else f"Liên đoàn Lao động huyện {NAMES[(i // 2) % len(NAMES)]}"
                + (f" {i // 2 // len(NAMES) + 1}" if i // 2 >= len(NAMES) else "")
            ),
            kind="Công đoàn cấp trên trực tiếp cơ sở" if i % 2 == 0 else "LĐLĐ huyện",
            doc_prefix="BC-CĐKCN" if i % 2 == 0 else "BC-LĐLĐ",
            congress_number=rng.choice(["III", "IV", "IX", "X"]),
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
    for unit in grassroots:
        unit.path = f"{unit.parent.path}{unit.pk}/"
    Unit.objects.bulk_update(grassroots, ["path"], batch_size=2000)
    return province, superiors, grassroots


def _document(rng, report, users, *, seed):
    """What the Word file prints: number, place, signer (the unit's drafter), recipients."""
    unit = report.unit
    report.doc_number = f"{rng.randint(1, 120)}/{unit.document_suffix}"
    report.place = f"Thử {seed}"
    drafter = users.get((unit.pk, Role.DRAFTER))
    report.signer_name = f"{drafter.last_name} {drafter.first_name}" if drafter else ""


@transaction.atomic
def build_scale(*, units: int, seed: int, version, code_prefix="SC", superior_version=None) -> Round:
    """Create ``units`` grassroots unions under district federations and industrial-zone unions of 50 in
    a new province, with an account for each (a drafter per unit, a reviewer and a drafter per superior
    union, a reviewer, a drafter and an admin for the province; user name = unit code + role, password
    ``scale_password(seed)``), a round opened on it, and reports in every status with texts, figures that
    vary from unit to unit (ratios far from 100 %, blanks, zero denominators; superior unions type their
    superior-only rows), document details, submission and approval dates. Bulk writes: minutes for 10,000."""
    rng = random.Random(seed)
    province, superiors, grassroots = _tree(rng, units=units, code_prefix=code_prefix, seed=seed)
    users = _users(
        rng,
        seed,
        [(province, role) for role in (Role.REVIEWER, Role.DRAFTER, Role.ADMIN)]
        + [(superior, role) for superior in superiors for role in (Role.REVIEWER, Role.DRAFTER)]
        + [(unit, Role.DRAFTER) for unit in grassroots],
    )

    today = timezone.localdate()
    years = [2018, 2019, 2020]
    round_ = Round.objects.create(
        code=f"{code_prefix}-{seed}",
        name=f"Đợt báo cáo thử quy mô {units} đơn vị",
        outline_version=version,
        organising_unit=province,
        term_start_year=2018,
        term_end_year=2023,
        data_years=years,
        cutoff_date=today.replace(month=1, day=1),
        deadline=today + timezone.timedelta(days=30),
        superior_outline_version=superior_version,
    )
    now = timezone.now()
    reports = [Report(round=round_, unit=u, status=ReportStatus.DRAFTING) for u in [province, *superiors]] + [
        Report(round=round_, unit=u, status=rng.choice(STATUSES), congress_number=u.congress_number) for u in grassroots
    ]
    submitted = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED)
    for report in reports:
        if report.status in submitted or (report.status == ReportStatus.DRAFTING and rng.random() < 0.5):
            _document(rng, report, users, seed=seed)
        if report.status in submitted:
            report.submitted_at = now - timezone.timedelta(days=rng.randint(2, 25), minutes=rng.randint(0, 600))
            report.printed = report.document_fields()
        if report.status == ReportStatus.APPROVED:
            report.approved_at = report.submitted_at + timezone.timedelta(
                days=rng.randint(0, 1), hours=rng.randint(1, 20)
            )
            report.approved_by = users[(report.unit.parent_id, Role.REVIEWER)]
    reports = Report.objects.bulk_create(reports, batch_size=2000)
    nodes = list(OutlineNode.objects.filter(version=version, is_writable=True))
    indicators = parts_after_wholes([i for i in Indicator.objects.filter(outline_version=version) if not i.is_computed])
    ratios = {
        i.numerator_id: i.denominator_id
        for i in Indicator.objects.filter(outline_version=version, kind="ratio")
        if i.numerator_id and i.denominator_id
    }
    children = {superior.pk: 0 for superior in superiors}
    for unit in grassroots:
        children[unit.parent_id] += 1
    children[province.pk] = len(grassroots)
    year_columns = [str(y) for y in years]
    texts, values, submissions = [], [], []
    for report in reports:
        if report.status == ReportStatus.NOT_STARTED:
            continue
        for node in nodes:
            texts.append(SectionText(report=report, node=node, content=_text(rng), version=1, is_done=True))
        grassroots_unit = report.unit.is_grassroots
        size = rng.randint(80, 3000) if grassroots_unit else children[report.unit_id]
        figures = draw_figures(rng, indicators, ratios, year_columns, size, grassroots=grassroots_unit)
        values.extend(
            IndicatorValue(report=report, indicator_id=pk, column=column, value=value)
            for pk, row in figures.items()
            for column, value in row.items()
            if value is not None
        )
        if report.status in submitted:
            submissions.append(
                Submission(
                    report=report,
                    number=1,
                    submitted_at=report.submitted_at,
                    submitted_by=users[(report.unit_id, Role.DRAFTER)],
                    sections={},
                    figures={},
                )
            )
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
