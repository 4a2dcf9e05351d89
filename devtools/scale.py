"""Realistic demo data at any size: one province (``build_scale``) or the whole country
(``build_national``: the federation, provinces, unions of every kind and size, CĐCS), a round, reports in
every status with Vietnamese text and figures. Deterministic for a seed. Written in bulk (``Bulk``: COPY on
PostgreSQL), the totals made once at the end: 120,000 CĐCS in minutes."""

import io
import json
import math
import random
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from indicators.models import Indicator, Kind
from indicators.services import catalogue_copy
from outline.models import OutlineNode, OutlineVersion
from reports import totals
from reports.models import (
    IndicatorValue,
    Report,
    ReportStatus,
    RollupMembers,
    RollupTotal,
    Round,
    SectionText,
    Submission,
)
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


def draw_cells(rng, catalogue, denominators, years, size, *, grassroots):
    """``draw_figures`` in floats, several times faster, for the bulk builders: the same rules (the first
    count is the unit's size, parts a share of their whole, numerators of their denominator, some
    denominators zero, rows and cells left blank), rounded to each indicator's decimals. ``catalogue``
    and ``denominators`` come from ``prepare_catalogue``. Returns {indicator pk: {column: value}}."""
    uniform, chance = rng.uniform, rng.random
    columns = ["start", *years]
    every = [*columns, "target", "prev"]
    span = 5 / len(years)
    figures: dict[int, dict] = {}
    first = True
    for pk, kind, superior_only, part_of, denominator, decimals, latest in catalogue:
        if kind == "ratio" or superior_only == grassroots or chance() < 0.05:
            continue
        whole = figures.get(part_of) or figures.get(denominator)
        if whole is not None:
            share = uniform(0.3, 0.95) if part_of else uniform(0.45, 1.05)
            row = {c: float(int(v * share)) if v is not None else None for c, v in whole.items()}
            if part_of:
                row = {c: min(v, whole[c]) if v is not None and whole[c] is not None else v for c, v in row.items()}
        elif kind == "percentage":
            row = {c: round(round(uniform(35, 100), 1), decimals) for c in every}
        else:
            is_size = kind == "count" and latest and first
            if kind == "count" and latest:
                base = size if first else rng.randint(1, max(1, round(size**0.5 / 3)))
                first = False
            elif kind == "count":
                base = rng.randint(0, max(1, size // rng.choice([5, 20, 100])))
            else:
                base = round(size * uniform(0.05, 0.6))
            if not is_size and pk in denominators and chance() < 0.06:
                base = 0  # a denominator of zero: nothing due, no enterprise, no award
            row, value = {}, float(base)
            for column in columns:
                if latest:
                    value = round(value * (1 + uniform(-0.08, 0.12)), decimals)
                    row[column] = value
                else:
                    row[column] = round(base * uniform(0.6, 1.4), decimals)
            last = row[years[-1]] if latest else sum(row[y] for y in years)
            row["target"] = round(last * uniform(0.95, 1.35) * (1 if latest else span), decimals)
            row["prev"] = round(last * uniform(0.7, 1.05) * (1 if latest else span), decimals)
        for column in row:
            if chance() < 0.03:  # a cell left blank
                row[column] = None
        figures[pk] = row
    return figures


def prepare_catalogue(version):
    """The typed indicators of ``version`` as plain tuples for ``draw_cells``, each part after its whole
    (pk, kind, superior-only, whole's pk, ratio's denominator's pk, decimals, latest-year level), the
    denominators' pks, and how each indicator's value is written ({pk: "%.0f"})."""
    ratios = {
        i.numerator_id: i.denominator_id
        for i in Indicator.objects.filter(outline_version=version, kind="ratio")
        if i.numerator_id and i.denominator_id
    }
    typed = parts_after_wholes([i for i in Indicator.objects.filter(outline_version=version) if not i.is_computed])
    catalogue = [
        (i.pk, i.kind, i.superior_only, i.part_of_id, ratios.get(i.pk), i.decimals, i.over_years == "latest")
        for i in typed
    ]
    return catalogue, set(ratios.values()), {i.pk: f"%.{i.decimals}f" for i in typed}


# National data --------------------------------------------------------------------------------------
# The 34 provinces and cities since the 2025 reorganisation, the largest first (a build of fewer provinces
# takes the first ones): code, name after "Liên đoàn Lao động", relative size (its share of the CĐCS).
PROVINCES = [
    ("HCM", "thành phố Hồ Chí Minh", 14),
    ("HNI", "thành phố Hà Nội", 10),
    ("DNI", "tỉnh Đồng Nai", 6),
    ("BNH", "tỉnh Bắc Ninh", 5),
    ("HPG", "thành phố Hải Phòng", 5),
    ("TNH", "tỉnh Tây Ninh", 4),
    ("HYN", "tỉnh Hưng Yên", 3),
    ("THA", "tỉnh Thanh Hóa", 3),
    ("PTO", "tỉnh Phú Thọ", 3),
    ("NAN", "tỉnh Nghệ An", 2.5),
    ("NBH", "tỉnh Ninh Bình", 2.5),
    ("QNH", "tỉnh Quảng Ninh", 2),
    ("TNN", "tỉnh Thái Nguyên", 2),
    ("DNG", "thành phố Đà Nẵng", 2),
    ("CTO", "thành phố Cần Thơ", 2),
    ("AGG", "tỉnh An Giang", 1.5),
    ("VLG", "tỉnh Vĩnh Long", 1.5),
    ("DTP", "tỉnh Đồng Tháp", 1.5),
    ("QNI", "tỉnh Quảng Ngãi", 1.2),
    ("GLI", "tỉnh Gia Lai", 1.2),
    ("KHA", "tỉnh Khánh Hòa", 1.2),
    ("LDG", "tỉnh Lâm Đồng", 1.2),
    ("DLK", "tỉnh Đắk Lắk", 1.2),
    ("HUE", "thành phố Huế", 1),
    ("HTH", "tỉnh Hà Tĩnh", 1),
    ("QTI", "tỉnh Quảng Trị", 1),
    ("LCI", "tỉnh Lào Cai", 1),
    ("CMU", "tỉnh Cà Mau", 1),
    ("TQG", "tỉnh Tuyên Quang", 0.8),
    ("SLA", "tỉnh Sơn La", 0.6),
    ("LSN", "tỉnh Lạng Sơn", 0.5),
    ("CBG", "tỉnh Cao Bằng", 0.4),
    ("DBN", "tỉnh Điện Biên", 0.4),
    ("LCU", "tỉnh Lai Châu", 0.3),
]
PLACES = [
    *NAMES,
    "An Phú",
    "Bình Minh",
    "Cẩm Giàng",
    "Diên Hồng",
    "Gia Lâm",
    "Hải An",
    "Kim Sơn",
    "Long Thành",
    "Mỹ Hào",
    "Nam Sách",
    "Ngọc Lặc",
    "Phù Cừ",
    "Quế Võ",
    "Sông Công",
    "Tam Điệp",
    "Thuận An",
    "Tiên Du",
    "Văn Lâm",
    "Xuân Trường",
    "Yên Phong",
    "Đông Hưng",
    "Đức Hòa",
    "Hòa Vang",
    "Cái Răng",
]
SECTORS = ["Giáo dục", "Y tế", "Công Thương", "Xây dựng", "Giao thông vận tải", "Nông nghiệp và Môi trường"]
# The unions right above the CĐCS: kind, name, document suffix, how common, how many CĐCS (fewest, most).
SUPERIOR_KINDS = [
    ("LĐLĐ huyện", "Liên đoàn Lao động huyện {place}", "BC-LĐLĐ", 3, (20, 250)),
    ("Công đoàn cấp trên trực tiếp cơ sở", "Công đoàn Khu công nghiệp {place}", "BC-CĐKCN", 1.5, (80, 900)),
    ("Công đoàn ngành", "Công đoàn ngành {sector}", "BC-CĐN", 1, (30, 400)),
    ("Công đoàn xã, phường", "Công đoàn {ward} {place}", "BC-CĐ", 2.5, (4, 60)),
]
GRASSROOTS_NAMES = {
    "LĐLĐ huyện": ["company", "company", "school", "office"],
    "Công đoàn cấp trên trực tiếp cơ sở": ["company"],
    "Công đoàn ngành": ["company", "office"],
    "Công đoàn xã, phường": ["company", "school", "office", "cooperative"],
    "LĐLĐ tỉnh": ["company", "office"],
}
SECTOR_NAMES = {"Giáo dục": ["school"], "Y tế": ["hospital"]}
MORE_SENTENCES = [
    *SENTENCES,
    "Công đoàn đã phối hợp tổ chức khám sức khỏe định kỳ cho 100% đoàn viên, hỗ trợ kịp thời đoàn viên có "
    "hoàn cảnh khó khăn, ốm đau, tai nạn lao động.",
    "Việc thực hiện quy chế dân chủ ở cơ sở còn hình thức; một số tổ công đoàn chưa chủ động đối thoại với "
    "người sử dụng lao động.",
    "Tiền lương bình quân của người lao động năm sau cao hơn năm trước; doanh nghiệp đóng bảo hiểm xã hội "
    "đầy đủ, đúng hạn.",
    "Đơn hàng sụt giảm khiến nhiều lao động phải nghỉ luân phiên; công đoàn đã đề xuất phương án bố trí việc "
    "làm và hỗ trợ thu nhập.",
    "Chương trình “Tết Sum vầy”, “Mái ấm Công đoàn” được triển khai rộng khắp, trao 12 nhà và hàng trăm suất "
    "quà cho đoàn viên.",
    "Công tác kiểm tra, giám sát được tiến hành theo kế hoạch; thu, chi tài chính công đoàn công khai, đúng quy định.",
    "Tỷ lệ nữ tham gia Ban Chấp hành đạt thấp so với chỉ tiêu; cần quan tâm hơn đến công tác cán bộ nữ.",
]
SUPERIOR_STATUSES = [
    (ReportStatus.NOT_STARTED, 1),
    (ReportStatus.DRAFTING, 6),
    (ReportStatus.SUBMITTED, 2),
    (ReportStatus.APPROVED, 1),
]
SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED)
# Above this many units the loader drops the tables' indexes and constraints and makes them again at the end.
DEFER_INDEXES_FROM = 5_000


def national_text(rng: random.Random) -> str:
    """A section's HTML for the national tree: one to three paragraphs from a wider choice of sentences."""
    paragraphs = ["<p>" + " ".join(rng.sample(MORE_SENTENCES, rng.randint(2, 3))) + "</p>"]
    for _ in range(rng.choice([0, 0, 1, 2])):
        paragraphs.append("<p>" + " ".join(rng.sample(MORE_SENTENCES, rng.randint(1, 3))) + "</p>")
    if rng.random() < 0.25:
        paragraphs.append(
            "<ul><li><p>Thuận lợi: được cấp ủy, chính quyền quan tâm.</p></li>"
            f"<li><p>Khó khăn: {rng.choice(['đơn hàng giảm', 'lao động biến động', 'kinh phí hạn chế'])}.</p></li></ul>"
        )
    return "".join(paragraphs)


def _grassroots_name(rng, style, number) -> str:
    place = rng.choice(PLACES)
    if style == "company":
        form = rng.choice(["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH", "Chi nhánh Công ty"])
        return f"Công đoàn cơ sở {form} {rng.choice(COMPANIES)} {rng.choice(NAMES)} {number}"
    if style == "school":
        school = rng.choice(["Trường Mầm non", "Trường Tiểu học", "Trường Trung học cơ sở", "Trường THPT"])
        return f"Công đoàn cơ sở {school} {place} {number}"
    if style == "hospital":
        return f"Công đoàn cơ sở {rng.choice(['Bệnh viện Đa khoa', 'Trung tâm Y tế', 'Trạm Y tế'])} {place} {number}"
    if style == "office":
        office = rng.choice(["Ủy ban nhân dân xã", "Ủy ban nhân dân phường", "Kho bạc Nhà nước", "Chi cục Thuế"])
        return f"Công đoàn cơ sở {office} {place} {number}"
    return f"Công đoàn cơ sở Hợp tác xã {rng.choice(['Nông nghiệp', 'Dịch vụ', 'Vận tải'])} {place} {number}"


def _shares(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, each share at least 1 while there are enough (largest
    remainders)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [max(1 if total >= len(weights) else 0, int(x)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(shares) < total:
        shares[order[i % len(order)]] += 1
        i += 1
    while sum(shares) > total:  # the minimum of 1 overshot: take from the largest
        shares[shares.index(max(shares))] -= 1
    return shares


# A unit to be made: its index in the plan, its parent's index (None: a root), code, name, kind, document
# suffix, congress number, whether it is a CĐCS.
Planned = tuple[int | None, str, str, str, str, str, bool]


def plan_province(rng, *, units: int, code_prefix: str, seed: int) -> list[Planned]:
    """The one-province tree of ``build_scale``: a province; under it district federations and
    industrial-zone unions, alternately, of 50 CĐCS each."""
    plan: list[Planned] = [
        (None, f"{code_prefix}-TINH", f"Liên đoàn Lao động tỉnh Thử {seed}", "LĐLĐ tỉnh", "BC-LĐLĐ", "XI", False)
    ]
    n_superiors = max(1, -(-units // UNITS_PER_SUPERIOR))
    for i in range(n_superiors):
        zone = i % 2 == 0
        name = (
            f"Công đoàn Khu công nghiệp số {i // 2 + 1}"
            if zone
            else f"Liên đoàn Lao động huyện {NAMES[(i // 2) % len(NAMES)]}"
            + (f" {i // 2 // len(NAMES) + 1}" if i // 2 >= len(NAMES) else "")
        )
        kind = "Công đoàn cấp trên trực tiếp cơ sở" if zone else "LĐLĐ huyện"
        congress = rng.choice(["III", "IV", "IX", "X"])
        plan.append((0, f"{code_prefix}-CT{i:03d}", name, kind, "BC-CĐKCN" if zone else "BC-LĐLĐ", congress, False))
    for i in range(units):
        congress = rng.choice(["III", "IV", "V", "VI"])
        name = f"Công đoàn cơ sở Công ty {rng.choice(COMPANIES)} {rng.choice(NAMES)} {i + 1}"
        plan.append((1 + i // UNITS_PER_SUPERIOR, f"{code_prefix}-CS{i:05d}", name, "CĐCS", "", congress, True))
    return plan


def plan_national(rng, *, provinces: int, units: int, code_prefix: str = "") -> list[Planned]:
    """The national tree: Tổng Liên đoàn Lao động Việt Nam; under it ``provinces`` provincial federations
    (the largest first, sized as the real ones roughly are); under each, unions of four kinds and very
    different sizes (district federations, industrial-zone unions of hundreds of CĐCS, sector unions,
    commune and ward unions of a handful), and a few CĐCS right under the province; ``units`` CĐCS in all.
    Codes: the province's code, then -CT001 for its unions and -CS00001 for its CĐCS (unique in the
    province, so unique in the country); ``code_prefix`` goes before every code."""
    plan: list[Planned] = [
        (None, f"{code_prefix}TLDLDVN", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn", "BC-TLĐ", "XIII", False)
    ]
    chosen = [
        PROVINCES[i] if i < len(PROVINCES) else (f"T{i + 1:02d}", f"tỉnh Thử {i + 1}", 1) for i in range(provinces)
    ]
    kinds = [kind for kind, *_rest in SUPERIOR_KINDS]
    kind_weights = [weight for *_rest, weight, _sizes in SUPERIOR_KINDS]
    for (code, name, _weight), share in zip(chosen, _shares(units, [w for *_rest, w in chosen]), strict=True):
        province = len(plan)
        code = f"{code_prefix}{code}"
        plan.append((0, code, f"Liên đoàn Lao động {name}", "LĐLĐ tỉnh", "BC-LĐLĐ", rng.choice(["XI", "XII"]), False))
        # A few CĐCS answer to the province itself (since 2025 it is the superior of many).
        direct = share // 200
        sizes, parents, left = [], [], share - direct
        while left > 0:
            i = rng.choices(range(len(kinds)), kind_weights)[0]
            low, high = SUPERIOR_KINDS[i][4]
            size = min(left, round(math.exp(rng.uniform(math.log(low), math.log(high)))))
            sizes.append((i, size))
            left -= size
        used: dict[str, int] = {}
        for n, (i, size) in enumerate(sizes, 1):
            kind, template, suffix, _w, _s = SUPERIOR_KINDS[i]
            sector = rng.choice(SECTORS)
            title = template.format(place=rng.choice(PLACES), sector=sector, ward=rng.choice(["phường", "xã"]))
            used[title] = used.get(title, 0) + 1
            if used[title] > 1:
                title = f"{title} {used[title]}"
            styles = GRASSROOTS_NAMES[kind]
            if kind == "Công đoàn ngành":  # a sector's own: schools for education, hospitals for health
                styles = SECTOR_NAMES.get(sector, styles)
            parents.append((len(plan), styles, size))
            congress = rng.choice(["III", "IV", "IX", "X", "I"])
            plan.append((province, f"{code}-CT{n:03d}", title, kind, suffix, congress, False))
        parents.append((province, GRASSROOTS_NAMES["LĐLĐ tỉnh"], direct))
        number = 0
        for parent, styles, size in parents:
            for _ in range(size):
                number += 1
                name = _grassroots_name(rng, rng.choice(styles), number)
                congress = rng.choice(["I", "II", "III", "IV", "V", "VI", "VII"])
                plan.append((parent, f"{code}-CS{number:05d}", name, "CĐCS", "", congress, True))
    return plan


# Bulk writing ---------------------------------------------------------------------------------------
def _copy_text(value: str) -> str:
    """A string as COPY's text format spells it (str.replace: translate() took a millisecond a row)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_format(field):
    """How COPY's text format spells a value of ``field``."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return lambda v: r"\N" if v is None else ("t" if v else "f")
    if kind in ("DateTimeField", "DateField"):
        return lambda v: r"\N" if v is None else v.isoformat()
    if kind == "JSONField":
        return lambda v: r"\N" if v is None else _copy_text(json.dumps(v, cls=field.encoder, ensure_ascii=False))
    if kind in ("CharField", "TextField", "EmailField", "SlugField"):
        return lambda v: r"\N" if v is None else _copy_text(v)
    return lambda v: r"\N" if v is None else str(v)


class Bulk:
    """Rows of one model written in big batches, with no save(), no signal and no statement per row:
    PostgreSQL's COPY, bulk_create elsewhere. ``fields`` are the attnames given to ``add`` in that order;
    every other column takes its default (now for auto_now), worked out once. ``plain``: every value
    given is a number or a string with no tab, newline or backslash, never None (the fastest path)."""

    def __init__(self, model, fields, *, now, plain=False, batch=100_000):
        self.model, self.fields, self.batch, self.plain = model, list(fields), batch, plain
        self.postgres = connection.vendor == "postgresql"
        given = set(self.fields)
        self.fixed = {}
        for field in model._meta.concrete_fields:
            if field.attname in given or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.fixed[field.attname] = now
            elif field.has_default() or not field.null:
                # Django's own default: the field's, or "" for a text column that may be blank.
                self.fixed[field.attname] = field.get_default()
                if self.fixed[field.attname] is None:
                    raise ValueError(f"{model.__name__}.{field.name} needs a value")
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        columns = ", ".join(quote(by_name[name].column) for name in [*self.fields, *self.fixed])
        self.sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        self.formats = [_copy_format(by_name[name]) for name in self.fields]
        self.tail = "".join("\t" + _copy_format(by_name[name])(value) for name, value in self.fixed.items()) + "\n"
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, *values) -> None:
        self.rows.append(values)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.postgres:
            tail, formats = self.tail, self.formats
            if self.plain:
                lines = ["\t".join(map(str, row)) + tail for row in self.rows]
            else:
                lines = ["\t".join([f(v) for f, v in zip(formats, row, strict=True)]) + tail for row in self.rows]
            with connection.cursor() as cursor:
                cursor.copy_expert(self.sql, io.StringIO("".join(lines)))
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.fields, row, strict=True)), **self.fixed) for row in self.rows],
                batch_size=2000,
            )
        self.written += len(self.rows)
        self.rows = []


def reserve_ids(model, n: int) -> int:
    """The first of ``n`` consecutive primary keys of ``model`` that nothing else will be given (the
    rows are written later, by COPY, which returns no ids)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if n > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
        else:
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
            first = cursor.fetchone()[0] + 1
    return first


@contextmanager
def indexes_deferred(models, *, enabled=True):
    """Drop the secondary indexes and the unique and foreign-key constraints of these models' tables,
    and make them again on leaving: PostgreSQL then builds each index once, from sorted rows, and checks
    each foreign key with one join, instead of keeping them up row by row (and queueing a deferred check
    per row). Nothing happens elsewhere than on PostgreSQL, or when not ``enabled``."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
            "AND c.contype IN ('p', 'u')) ORDER BY indexname",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:  # foreign keys ('f') before uniques ('u')
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _table, name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _table, _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _kind in reversed(constraints):  # uniques first
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def totals_in_sql(round) -> None:
    """``reports.totals.rebuild`` for a round just loaded in bulk, in two statements on PostgreSQL (the
    figures added up by the database per parent, then carried to every union above it along the paths),
    where rebuild carries some millions of sums through Python at the national size; ``rebuild`` itself
    elsewhere. tests/devtools holds the two equal."""
    if connection.vendor != "postgresql":
        totals.rebuild(round)
        return
    quote = connection.ops.quote_name
    values, reports, units = IndicatorValue._meta.db_table, Report._meta.db_table, Unit._meta.db_table
    chains = (
        f"SELECT p.id AS parent, x::bigint AS unit FROM {units} p, "
        f"regexp_split_to_table(trim(both '/' from p.path), '/') AS x WHERE p.is_grassroots = false"
    )
    counted = "(u.merged_on IS NULL OR u.merged_on > %s)"
    RollupTotal.objects.filter(round=round).delete()
    RollupMembers.objects.filter(round=round).delete()
    with connection.cursor() as cursor:
        # Millions of groups at the national size: hashed in memory rather than spilled to disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            f"INSERT INTO {RollupTotal._meta.db_table} "
            f"(round_id, unit_id, status, indicator_id, {quote('column')}, total, figures) "
            f"SELECT %s, c.unit, s.status, s.indicator_id, s.col, SUM(s.total), SUM(s.figures) FROM ("
            f"SELECT u.parent_id, r.status, v.indicator_id, v.{quote('column')} AS col, SUM(v.value) AS total, "
            f"COUNT(*) AS figures FROM {values} v JOIN {reports} r ON r.id = v.report_id "
            f"JOIN {units} u ON u.id = r.unit_id WHERE r.round_id = %s AND u.is_grassroots "
            f"AND u.parent_id IS NOT NULL AND {counted} GROUP BY 1, 2, 3, 4) s "
            f"JOIN ({chains}) c ON c.parent = s.parent_id GROUP BY 2, 3, 4, 5",
            [round.pk, round.pk, round.cutoff_date],
        )
        # The ratios' paired sums (numerators and denominators over the units that gave both parts,
        # reports.totals.paired_sums), carried up the same way, under the ratio's id and "n:"/"d:" columns.
        counted_reports = Report.objects.filter(
            round=round, unit__is_grassroots=True, unit__parent__isnull=False
        ).counted(round)
        reports_sql, reports_params = counted_reports.order_by().values("pk").query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {RollupTotal._meta.db_table} "
            f"(round_id, unit_id, status, indicator_id, {quote('column')}, total, figures) "
            f"SELECT %s, c.unit, s.status, s.indicator_id, s.col, SUM(s.total), SUM(s.figures) FROM ("
            f"SELECT u.parent_id, rep.status, p.indicator_id, p.col, SUM(p.value) AS total, COUNT(*) AS figures "
            f"FROM ({totals._paired_select(f'vn.report_id IN ({reports_sql})')}) p "
            f"JOIN {reports} rep ON rep.id = p.report_id JOIN {units} u ON u.id = rep.unit_id GROUP BY 1, 2, 3, 4) s "
            f"JOIN ({chains}) c ON c.parent = s.parent_id GROUP BY 2, 3, 4, 5",
            [round.pk, Kind.RATIO, *reports_params, Kind.RATIO, *reports_params],
        )
        cursor.execute(
            f"INSERT INTO {RollupMembers._meta.db_table} "
            f"(round_id, unit_id, status, reports, id_sum, id_square_sum, revision) "
            f"SELECT %s, c.unit, s.status, SUM(s.n), SUM(s.ids), SUM(s.squares), %s FROM ("
            f"SELECT u.parent_id, r.status, COUNT(*) AS n, SUM(r.id) AS ids, SUM(r.id * r.id) AS squares "
            f"FROM {reports} r JOIN {units} u ON u.id = r.unit_id WHERE r.round_id = %s AND u.is_grassroots "
            f"AND u.parent_id IS NOT NULL AND {counted} GROUP BY 1, 2) s "
            f"JOIN ({chains}) c ON c.parent = s.parent_id GROUP BY 2, 3",
            [round.pk, totals.fresh_revision(), round.pk, round.cutoff_date],
        )


# The builder ----------------------------------------------------------------------------------------
def _document(rng, report, signer, *, place):
    """What the Word file prints: number, place, signer (the unit's drafter), recipients."""
    report.doc_number = f"{rng.randint(1, 120)}/{report.unit.document_suffix}"
    report.place = place
    report.signer_name = f"{signer.last_name} {signer.first_name}" if signer else ""


class _Person:
    """An account as the builder knows it (the row is written by COPY)."""

    __slots__ = ("first_name", "last_name", "pk")

    def __init__(self, pk, first_name, last_name):
        self.pk, self.first_name, self.last_name = pk, first_name, last_name


def build(
    plan: list[Planned],
    *,
    seed: int,
    version,
    round_code: str,
    round_name: str,
    years=(2018, 2019, 2020),
    term=(2018, 2023),
    superior_version=None,
    place: str,
    national: bool = False,
    defer_indexes: bool | None = None,
    progress=None,
) -> Round:
    """Write the units of ``plan``, an account for each (a drafter per CĐCS, a reviewer and a drafter per
    union above, and an administrator, staff, for the root and each union under it; user name = unit code
    + role, password ``scale_password(seed)``), a round opened on the root, reports in every status with
    texts, figures that vary from unit to unit (``draw_figures``), document details, submissions and
    approvals, then the roll-up totals once. Everything by ``Bulk`` (COPY on PostgreSQL); the indexes
    made once at the end above DEFER_INDEXES_FROM units. ``national``: superior unions' reports in every
    status too, and drafts with some sections only."""
    rng = random.Random(seed)
    say = progress or (lambda message: None)
    now = timezone.now()
    first = reserve_ids(Unit, len(plan))
    units: list[Unit] = []
    for i, (parent, code, name, kind, suffix, congress, grassroots) in enumerate(plan):
        above = units[parent] if parent is not None else None
        pk = first + i
        units.append(
            Unit(
                pk=pk,
                code=code,
                name=name,
                kind=kind,
                doc_prefix=suffix,
                congress_number=congress,
                is_grassroots=grassroots,
                parent=above,
                path=f"{above.path if above else '/'}{pk}/",
            )
        )
    grassroots = [u for u in units if u.is_grassroots]
    if defer_indexes is None:
        defer_indexes = len(grassroots) >= DEFER_INDEXES_FROM
    User = get_user_model()
    loaded = [Unit, User, Membership, Report, SectionText, IndicatorValue, Submission]
    with indexes_deferred(loaded, enabled=defer_indexes):
        rows = Bulk(
            Unit,
            ["id", "code", "name", "kind", "doc_prefix", "congress_number", "is_grassroots", "parent_id", "path"],
            now=now,
        )
        for u in units:
            rows.add(
                u.pk, u.code, u.name, u.kind, u.doc_prefix, u.congress_number, u.is_grassroots, u.parent_id, u.path
            )
        rows.flush()
        say(f"units {len(units)}")

        grants = [(u, Role.DRAFTER) for u in grassroots]
        for u in units:
            if not u.is_grassroots:
                # An administrator for the root, and in the country for each province too.
                roles = (Role.REVIEWER, Role.DRAFTER) + ((Role.ADMIN,) if u.depth <= (2 if national else 1) else ())
                grants += [(u, role) for role in roles]
        people = _accounts(rng, seed, grants, now=now)
        say(f"accounts {len(grants)}")

        organiser = units[0]
        today = timezone.localdate()
        round_ = Round.objects.create(
            code=round_code,
            name=round_name,
            outline_version=version,
            organising_unit=organiser,
            term_start_year=term[0],
            term_end_year=term[1],
            data_years=list(years),
            cutoff_date=today.replace(month=1, day=1),
            deadline=today + timezone.timedelta(days=30),
            superior_outline_version=superior_version,
            opened_at=now - timezone.timedelta(days=30),
        )
        reports = _reports(rng, round_, units, people, national=national, now=now, place=place)
        say(f"reports {len(reports)}")
        _contents(rng, round_, reports, units, people, years=years, national=national, now=now, say=say)
    say("indexes made" if defer_indexes else "written")
    totals_in_sql(round_)
    say("totals")
    return round_


def _accounts(rng, seed, grants, *, now) -> dict:
    """One account per (unit, role), a Vietnamese name; administrators are staff (the admin is theirs).
    The password is hashed once: hashing it per account would take longer than everything else."""
    User = get_user_model()
    password = make_password(scale_password(seed))
    first = reserve_ids(User, len(grants))
    users = Bulk(
        User,
        ["id", "username", "first_name", "last_name", "email", "password", "is_staff", "is_active", "is_superuser"],
        now=now,
    )
    members = Bulk(Membership, ["user_id", "unit_id", "role"], now=now, plain=True)
    people = {}
    for n, (unit, role) in enumerate(grants):
        pk = first + n
        person = _Person(pk, f"{rng.choice(MIDDLE)} {rng.choice(GIVEN)}", rng.choice(FAMILY))
        name = f"{unit.code.lower()}-{role}"
        staff = role == Role.ADMIN
        users.add(pk, name, person.first_name, person.last_name, f"{name}@example.org", password, staff, True, False)
        members.add(pk, unit.pk, role)
        people[(unit.pk, role)] = person
    users.flush()
    members.flush()
    return people


def _reports(rng, round_, units, people, *, national, now, place) -> list[Report]:
    """A report per unit, in every status: document details, submission and approval dates, what was
    printed on submission."""
    first = reserve_ids(Report, len(units))
    reports = []
    statuses, weights = zip(*SUPERIOR_STATUSES, strict=True)
    for n, unit in enumerate(units):
        if unit.is_grassroots:
            status = rng.choice(STATUSES)
        elif national and unit.depth >= 3:
            status = rng.choices(statuses, weights)[0]
        else:
            status = ReportStatus.DRAFTING
        report = Report(
            pk=first + n,
            round=round_,
            unit=unit,
            status=status,
            congress_number=unit.congress_number if unit.is_grassroots or national else "",
        )
        if report.status in SUBMITTED or (report.status == ReportStatus.DRAFTING and rng.random() < 0.5):
            _document(rng, report, people.get((unit.pk, Role.DRAFTER)), place=place)
        if report.status in SUBMITTED:
            report.submitted_at = now - timezone.timedelta(days=rng.randint(2, 25), minutes=rng.randint(0, 600))
            report.printed = report.document_fields()
        if report.status == ReportStatus.APPROVED:
            report.approved_at = report.submitted_at + timezone.timedelta(
                days=rng.randint(0, 1), hours=rng.randint(1, 20)
            )
            report.approved_by_id = people[(unit.parent_id, Role.REVIEWER)].pk
        reports.append(report)
    fields = [
        "id",
        "round_id",
        "unit_id",
        "status",
        "congress_number",
        "doc_number",
        "place",
        "signer_name",
        "submitted_at",
        "printed",
        "approved_at",
        "approved_by_id",
    ]
    rows = Bulk(Report, fields, now=now)
    for r in reports:
        rows.add(*(getattr(r, name) for name in fields))
        r.printed = None  # written; kept, 120,000 of them would hold hundreds of MB
    rows.flush()
    return reports


def _contents(rng, round_, reports, units, people, *, years, national, now, say) -> None:
    """Section texts, figures and submissions of the reports, streamed to the database in batches. Texts
    are drawn from a pool of a few thousand (each report its own mix), figures per unit (``draw_cells``)."""
    version = round_.outline_version
    nodes = list(OutlineNode.objects.filter(version=version, is_writable=True).order_by("position"))
    catalogue, denominators, formats = prepare_catalogue(version)
    below: dict[int, int] = {}  # CĐCS under each union (directly for a superior union, in all above it)
    for unit in units:
        if unit.is_grassroots:
            for pk in unit.ancestor_ids():
                below[pk] = below.get(pk, 0) + 1
    year_columns = [str(y) for y in years]
    write_text = national_text if national else _text
    pool = [write_text(rng) for _ in range(min(4000, 20 * len(reports) + 20))]
    texts = Bulk(SectionText, ["report_id", "node_id", "content", "version", "is_done"], now=now)
    values = Bulk(IndicatorValue, ["report_id", "indicator_id", "column", "value"], now=now, plain=True)
    submissions = Bulk(
        Submission, ["report_id", "number", "submitted_at", "submitted_by_id", "sections", "figures"], now=now
    )
    add_text, add_value, chance, pick = texts.add, values.add, rng.random, rng.choice
    node_pks = [node.pk for node in nodes]
    for n, report in enumerate(reports, 1):
        if report.status == ReportStatus.NOT_STARTED:
            continue
        report_pk, unit = report.pk, report.unit
        if not national or report.status in SUBMITTED:
            for node in node_pks:
                add_text(report_pk, node, pick(pool), rng.randint(1, 6) if national else 1, True)
        else:  # a draft: some sections written, some of them marked done
            share = rng.uniform(0.15, 1)
            for node in node_pks:
                if chance() < share:
                    add_text(report_pk, node, pick(pool), rng.randint(1, 6), chance() < 0.6)
        grassroots = unit.is_grassroots
        size = rng.randint(80, 3000) if grassroots else below.get(unit.pk, 0)
        for pk, row in draw_cells(rng, catalogue, denominators, year_columns, size, grassroots=grassroots).items():
            spell = formats[pk]
            for column, value in row.items():
                if value is not None:
                    add_value(report_pk, pk, column, spell % value)
        if report.status in SUBMITTED:
            drafter = people.get((unit.pk, Role.DRAFTER))
            submissions.add(report_pk, 1, report.submitted_at, drafter.pk if drafter else None, {}, {})
        if n % 20_000 == 0:
            say(f"contents {n}/{len(reports)}")
    for rows in (texts, values, submissions):
        rows.flush()


@transaction.atomic
def build_scale(*, units: int, seed: int, version, code_prefix="SC", superior_version=None) -> Round:
    """Create ``units`` grassroots unions under district federations and industrial-zone unions of 50 in
    a new province, with an account for each (a drafter per unit, a reviewer and a drafter per superior
    union, a reviewer, a drafter and an admin for the province; user name = unit code + role, password
    ``scale_password(seed)``), a round opened on it, and reports in every status with texts, figures that
    vary from unit to unit (ratios far from 100 %, blanks, zero denominators; superior unions type their
    superior-only rows), document details, submission and approval dates (``build``)."""
    plan = plan_province(random.Random(seed), units=units, code_prefix=code_prefix, seed=seed)
    return build(
        plan,
        seed=seed,
        version=version,
        superior_version=superior_version,
        round_code=f"{code_prefix}-{seed}",
        round_name=f"Đợt báo cáo thử quy mô {units} đơn vị",
        place=f"Thử {seed}",
    )


# The 2025–2030 outline (one for every level, the round's facts as placeholders) and the catalogue it
# takes from the second seed catalogue (what superior unions count too): what the national round uses.
NATIONAL_OUTLINE_FIXTURES = ("outline_gnk_2018_2023_v2", "indicators_gnk_2018_2023_v2", "outline_gnk_2025_2030")
NATIONAL_OUTLINE_CODE = "gnk-2025-2030"
NATIONAL_CATALOGUE_SOURCE = "gnk-cdcs-2018-2023-v2"


def national_version():
    """The outline version of the national round with its catalogue, loaded and copied if need be (as
    seed_demo and the catalogue page do)."""
    if not OutlineVersion.objects.filter(code=NATIONAL_OUTLINE_CODE).exists():
        call_command("loaddata", *NATIONAL_OUTLINE_FIXTURES, verbosity=0)
    version = OutlineVersion.objects.get(code=NATIONAL_OUTLINE_CODE)
    if not Indicator.objects.filter(outline_version=version).exists():
        catalogue_copy(source=OutlineVersion.objects.get(code=NATIONAL_CATALOGUE_SOURCE), target=version, actor=None)
    return version


def national_provinces(units: int) -> int:
    """How many provinces a national tree of ``units`` CĐCS has in the bench: one for a small one, two at
    10,000 (a large province and a second), all 34 above."""
    return 1 if units <= 2_000 else 2 if units <= 10_000 else len(PROVINCES)


@transaction.atomic
def build_national(
    *,
    provinces: int,
    units: int,
    seed: int,
    version,
    code_prefix: str = "",
    round_code=None,
    progress=None,
    defer_indexes: bool | None = None,
) -> Round:
    """The country on one site (``plan_national``: the federation, ``provinces`` provinces, their unions,
    ``units`` CĐCS) with a 2025–2030 round opened by the federation on ``version`` (one outline for every
    level), everything ``build`` writes. 120,000 CĐCS in a few minutes on PostgreSQL."""
    plan = plan_national(random.Random(seed), provinces=provinces, units=units, code_prefix=code_prefix)
    return build(
        plan,
        seed=seed,
        version=version,
        round_code=round_code or f"{code_prefix}QG-{seed}",
        round_name="Báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội công đoàn các cấp, "
        f"nhiệm kỳ 2025–2030 ({units} CĐCS)",
        years=(2025, 2026),
        term=(2025, 2030),
        national=True,
        place="Hà Nội",
        progress=progress,
        defer_indexes=defer_indexes,
    )
