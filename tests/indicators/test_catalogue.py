"""The real indicator catalogue, as the site loads it."""

import pytest
from django.core.management import call_command

from indicators.models import Indicator, Kind, Rollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    call_command("loaddata", "outline_gnk_2018_2023", "indicators_gnk_2018_2023", verbosity=0)
    return list(Indicator.objects.select_related("node", "numerator", "denominator", "part_of"))


def test_catalogue_loads_twice_and_covers_the_outline(catalogue):
    call_command("loaddata", "indicators_gnk_2018_2023", verbosity=0)
    assert Indicator.objects.count() == len(catalogue) >= 25
    sections = {i.node.key for i in catalogue}
    assert {
        "p1.I.2",
        "p1.II.1",
        "p1.II.2",
        "p1.II.3",
        "p1.II.4",
        "p1.II.5",
        "p1.II.6",
        "p1.II.7",
        "p1.II.8",
    } <= sections
    assert all(i.node.is_writable for i in catalogue)
    codes = {i.code for i in catalogue}
    assert {"DV", "DV_MOI", "CDCS_MOI", "TULDTT", "TL_TULDTT", "KPCD_DA_THU", "DOAN_PHI"} <= codes


def test_every_ratio_and_part_is_well_formed(catalogue):
    for indicator in catalogue:
        if indicator.kind == Kind.RATIO:
            assert indicator.rollup == Rollup.RATIO_OF_SUMS, indicator.code
            assert indicator.numerator and indicator.denominator, indicator.code
            assert not indicator.numerator.is_computed and not indicator.denominator.is_computed
        else:
            assert indicator.numerator is None and indicator.denominator is None
        if indicator.part_of:
            assert indicator.part_of.unit_of_measure == indicator.unit_of_measure, indicator.code
        if indicator.kind == Kind.PERCENTAGE:
            assert indicator.rollup == Rollup.NONE, "a typed percentage cannot be added up"
    assert [i.position for i in catalogue] == sorted(i.position for i in catalogue)
