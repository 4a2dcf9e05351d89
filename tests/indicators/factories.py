from decimal import Decimal

from indicators.models import Indicator, Kind, OverYears, Rollup
from outline.models import OutlineNode


def make_catalogue(version) -> dict[str, Indicator]:
    """A small catalogue on ``version`` (from make_outline): levels, a part, a ratio, a flow,
    an average that cannot be added up and a typed percentage."""
    node = OutlineNode.objects.filter(version=version, is_writable=True).order_by("position").first()
    made = {}

    def add(code, name, kind=Kind.COUNT, rollup=Rollup.SUM, over=OverYears.LATEST, **extra):
        made[code] = Indicator.objects.create(
            outline_version=version,
            code=code,
            name=name,
            unit_of_measure=extra.pop("uom", "người"),
            kind=kind,
            rollup=rollup,
            over_years=over,
            node=node,
            position=len(made) + 1,
            decimals=extra.pop("decimals", 0),
            **extra,
        )
        return made[code]

    add("CNVCLD", "Tổng số công nhân, viên chức, lao động")
    add("NU", "Trong đó: lao động nữ", part_of=made["CNVCLD"])
    add("DV", "Tổng số đoàn viên công đoàn", part_of=made["CNVCLD"])
    add(
        "TL_DV",
        "Tỷ lệ đoàn viên",
        Kind.RATIO,
        Rollup.RATIO_OF_SUMS,
        numerator=made["DV"],
        denominator=made["CNVCLD"],
        uom="%",
        decimals=1,
    )
    add("DV_MOI", "Số đoàn viên kết nạp mới", over=OverYears.SUM)
    add("THU_NHAP", "Thu nhập bình quân", Kind.AMOUNT, Rollup.NONE, uom="triệu đồng", decimals=1)
    add(
        "TL_HOC",
        "Tỷ lệ đoàn viên được học nghị quyết",
        Kind.PERCENTAGE,
        Rollup.NONE,
        uom="%",
        decimals=1,
        jump_warning_pct=Decimal(1000),
    )
    return made
