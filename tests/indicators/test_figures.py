from decimal import Decimal

import pytest

from indicators.figures import NotANumber, check_cell, check_parts, compute_rows, parse_number
from tests.indicators.factories import make_catalogue
from tests.outline.factories import make_outline

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", D("1234.5")),
        ("1234.5", D("1234.5")),
        ("1234,5", D("1234.5")),
        ("1.250", D("1250")),
        ("1.234.567", D("1234567")),
        ("1,234,567", D("1234567")),
        ("1,234.5", D("1234.5")),
        (" 1 250 ", D("1250")),
        ("12,5%", D("12.5")),
        ("0", D("0")),
        ("-3", D("-3")),
        ("", None),
        ("   ", None),
        (42, D("42")),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.2.3,4,5", "1e5", "=1+1", "12a", "--1", "inf", "1" * 20])
def test_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_number(text)


@pytest.mark.django_db
def test_cell_rules_in_vietnamese():
    cat = make_catalogue(make_outline(2))
    assert "âm" in check_cell(cat["CNVCLD"], D(-1))
    assert "số nguyên" in check_cell(cat["CNVCLD"], D("1.5"))
    assert "100" in check_cell(cat["TL_HOC"], D("100.5"))
    assert check_cell(cat["TL_HOC"], D("100")) == ""
    assert "tự tính" in check_cell(cat["TL_DV"], D(50))
    assert "thập phân" in check_cell(cat["THU_NHAP"], D("7.25"))
    clashes = check_parts(list(cat.values()), {(cat["CNVCLD"].pk, "2019"): D(100), (cat["NU"].pk, "2019"): D(101)})
    assert [(c.part.code, c.column) for c in clashes] == [("NU", "2019")]
    assert "Lớn hơn" in clashes[0].message(on_part=True)


@pytest.mark.django_db
def test_ratios_results_and_comparisons():
    cat = make_catalogue(make_outline(2))
    ind = list(cat.values())
    values = {
        (cat["CNVCLD"].pk, "start"): D(1000),
        (cat["CNVCLD"].pk, "2020"): D(1200),
        (cat["DV"].pk, "target"): D(1200),
        (cat["DV"].pk, "start"): D(800),
        (cat["DV"].pk, "2020"): D(900),
        (cat["DV"].pk, "prev"): D(850),
        (cat["DV_MOI"].pk, "2018"): D(100),
        (cat["DV_MOI"].pk, "2019"): D(120),
        (cat["DV_MOI"].pk, "2020"): D(130),
        (cat["DV_MOI"].pk, "target"): D(500),
    }
    rows = {r.indicator.code: r for r in compute_rows(ind, [2018, 2019, 2020], values)}
    members = rows["DV"]
    assert members.result == D(900)
    assert members.pct_of_target == D(75)
    assert members.change_since_start == D(100)
    assert members.change_since_start_pct == D("12.5")
    assert members.change_since_previous == D(50)
    ratio = rows["TL_DV"]
    assert ratio.value("start") == D(80)
    assert ratio.value("2020") == D(75)
    assert ratio.result == D(75)
    # A flow adds its years up.
    assert rows["DV_MOI"].result == D(350)
    assert rows["DV_MOI"].pct_of_target == D(70)
    assert rows["DV_MOI"].shown(D(1234567)) == "1.234.567"


@pytest.mark.django_db
def test_warnings_for_jumps_and_targets():
    cat = make_catalogue(make_outline(2))
    values = {
        (cat["CNVCLD"].pk, "start"): D(1000),
        (cat["CNVCLD"].pk, "2018"): D(1100),
        (cat["CNVCLD"].pk, "2019"): D(2400),
        (cat["CNVCLD"].pk, "2020"): D(2500),
        (cat["CNVCLD"].pk, "target"): D(1200),
    }
    row = compute_rows(list(cat.values()), [2018, 2019, 2020], values)[0]
    warnings = row.warnings()
    assert any("2019" in w and "118,2" in w for w in warnings)
    assert any("208,3%" in w and "chỉ tiêu" in w for w in warnings)


def test_a_change_that_rounds_to_nothing_has_no_sign():
    from decimal import Decimal

    from indicators.figures import show_change_pct, show_signed

    assert show_signed(Decimal("-0.4")) == "0" and show_signed(Decimal("0.4")) == "0"
    assert show_signed(Decimal("2")) == "+2" and show_signed(Decimal("-2.5"), 1) == "-2,5"
    assert show_change_pct(Decimal("0.04")) == "0,0%" and show_change_pct(Decimal("-0.04")) == "0,0%"
    assert show_change_pct(Decimal("8")) == "+8,0%"


def test_a_years_jump_is_the_change_in_percent_of_derived_py():
    """The checks' year-on-year jump and the appendix's change columns are one rule (derived.percent_change)."""
    from indicators.derived import change_pct

    assert change_pct(Decimal("110"), Decimal("100")) == Decimal("10")
    assert change_pct(Decimal("45"), Decimal("60")) == Decimal("-25")
    assert change_pct(Decimal("5"), Decimal("0")) is None
    assert change_pct(None, Decimal("5")) is None and change_pct(Decimal("5"), None) is None


@pytest.mark.django_db
def test_a_change_of_a_percentage_is_in_percentage_points():
    """60 % → 51,7 %: "-8,3 điểm %", not the -13,8 % a percent of a percent would say; page, Word and
    sentences share Row.comparisons and figure_sentence."""
    from indicators.sentences import figure_sentence

    cat = make_catalogue(make_outline(2))
    values = {
        (cat["TL_HOC"].pk, "start"): D("60"),
        (cat["TL_HOC"].pk, "2020"): D("51.7"),
        (cat["TL_HOC"].pk, "prev"): D("50"),
        (cat["CNVCLD"].pk, "start"): D(1000),
        (cat["CNVCLD"].pk, "2020"): D(1100),
    }
    rows = {r.indicator.code: r for r in compute_rows(list(cat.values()), [2018, 2019, 2020], values)}
    share = rows["TL_HOC"]
    assert share.in_points and share.change_since_start_pct == D("-8.3")
    assert share.comparisons["csp"] == "-8,3 điểm\u00a0%"  # "điểm %" never split over two lines
    assert share.comparisons["cpp"] == "+1,7 điểm\u00a0%"
    assert "giảm 8,3 điểm % so với đầu nhiệm kỳ" in figure_sentence(share)
    # A count's change stays in percent.
    assert rows["CNVCLD"].comparisons["csp"] == "+10,0%"
    assert "tăng 10%" in figure_sentence(rows["CNVCLD"])


@pytest.mark.django_db
def test_a_cumulative_target_is_judged_against_the_share_of_the_term_elapsed():
    """After 2 of 5 years, 45 % of a whole-term target is on pace: no "bất thường" flag; 10 % is not."""
    from indicators.derived import Period

    cat = make_catalogue(make_outline(2))
    five_years = Period(term_years=5)

    def warnings(done):
        values = {
            (cat["DV_MOI"].pk, "target"): D(1000),
            (cat["DV_MOI"].pk, "2018"): D(done // 2),
            (cat["DV_MOI"].pk, "2019"): D(done - done // 2),
        }
        rows = compute_rows(list(cat.values()), [2018, 2019], values, period=five_years)
        return next(r for r in rows if r.indicator.code == "DV_MOI").warnings()

    for on_pace in (400, 450, 490):
        assert warnings(on_pace) == [], on_pace
    assert warnings(100) == ["Kết quả lũy kế đạt 10% chỉ tiêu cả nhiệm kỳ, khi thời gian đã qua 40% nhiệm kỳ."]
    # Without the term's length it is judged against the whole target, as before.
    values = {(cat["DV_MOI"].pk, "target"): D(1000), (cat["DV_MOI"].pk, "2018"): D(450)}
    row = next(r for r in compute_rows(list(cat.values()), [2018, 2019], values) if r.indicator.code == "DV_MOI")
    assert row.warnings() == ["Kết quả đạt 45% chỉ tiêu Nghị quyết."]
    # A level (members at the end of 2019) is judged against its target itself, whatever the term.
    values = {(cat["DV"].pk, "target"): D(1000), (cat["DV"].pk, "2019"): D(450)}
    row = next(
        r for r in compute_rows(list(cat.values()), [2018, 2019], values, period=five_years) if r.indicator.code == "DV"
    )
    assert row.warnings() == ["Kết quả đạt 45% chỉ tiêu Nghị quyết."]


@pytest.mark.django_db
def test_the_previous_term_is_worded_as_the_round_says():
    from indicators.derived import Period
    from indicators.figures import column_label, previous_labels
    from indicators.sentences import figure_sentence

    cat = make_catalogue(make_outline(2))
    values = {(cat["DV_MOI"].pk, "2018"): D(100), (cat["DV_MOI"].pk, "prev"): D(200)}
    for whole, words in ((False, "so với cùng kỳ nhiệm kỳ trước"), (True, "so với cả nhiệm kỳ trước")):
        period = Period(term_years=5, previous_whole_term=whole)
        row = next(
            r for r in compute_rows(list(cat.values()), [2018], values, period=period) if r.indicator.code == "DV_MOI"
        )
        assert f"giảm 50% {words}." in figure_sentence(row)
        labels = previous_labels(previous_whole_term=whole)
        assert labels["against"].lower() == words
        assert column_label("prev", previous_whole_term=whole) == labels["prev"]
