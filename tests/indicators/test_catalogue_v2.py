"""The second indicator catalogue (what superior unions count), as the site loads it."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from indicators.models import Indicator, Kind, Rollup
from indicators.selectors import catalogue
from outline.models import OutlineNode, OutlineVersion

pytestmark = pytest.mark.django_db

V1, V2 = "gnk-cdcs-2018-2023", "gnk-cdcs-2018-2023-v2"
FIXTURES = (
    "outline_gnk_2018_2023",
    "indicators_gnk_2018_2023",
    "outline_gnk_2018_2023_v2",
    "indicators_gnk_2018_2023_v2",
)


@pytest.fixture
def loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    return {
        i.code: i
        for i in Indicator.objects.filter(outline_version__code=V2).select_related(
            "node", "numerator", "denominator", "part_of"
        )
    }


def test_loads_twice_and_leaves_the_seed_catalogue_as_it_was(loaded):
    seed = json.loads((settings.BASE_DIR / "fixtures" / "indicators_gnk_2018_2023.json").read_text(encoding="utf-8"))
    before = list(Indicator.objects.order_by("pk").values_list())
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert list(Indicator.objects.order_by("pk").values_list()) == before
    assert Indicator.objects.filter(outline_version__code=V1).count() == len(seed)
    assert not Indicator.objects.filter(outline_version__code=V1, superior_only=True).exists()
    # The seed's percentage typed bare stays as it was in the seed's own version.
    assert Indicator.objects.get(outline_version__code=V1, code="TL_HOC_NQ").kind == Kind.PERCENTAGE


def test_same_outline_text_as_the_seed(loaded):
    v1, v2 = OutlineVersion.objects.get(code=V1), OutlineVersion.objects.get(code=V2)
    assert v1.source_text == v2.source_text
    fields = ("key", "kind", "number", "text", "raw", "line_no", "position", "is_writable", "is_required")
    assert list(OutlineNode.objects.filter(version=v1).values_list(*fields)) == list(
        OutlineNode.objects.filter(version=v2).values_list(*fields)
    )


def test_what_superior_unions_count(loaded):
    cat = loaded
    assert {"SO_CDCS", "DN_25", "DN_25_CO_CD", "CDCS_XS", "CT_CDCS_BD", "DV_TC_HNNLD"} <= set(cat)
    for sector in ("HCSN", "DNNN", "NNN"):
        assert cat[f"CDCS_XS_{sector}"].part_of == cat[f"CDCS_HTTNV_{sector}"]
        assert cat[f"CDCS_HTTNV_{sector}"].part_of == cat[f"CDCS_XL_{sector}"]
        assert cat[f"CDCS_XL_{sector}"].part_of == cat["CDCS_XL"]
    # "Each CĐCS introduces at least one member to the Party": over the number of CĐCS.
    assert cat["TL_CDCS_GT_DANG"].denominator == cat["SO_CDCS"]
    assert cat["TL_DN_25_CO_CD"].numerator == cat["DN_25_CO_CD"]
    # The share of members who studied the resolutions is a ratio of two counts: it rolls up.
    studied = cat["TL_HOC_NQ"]
    assert (studied.kind, studied.rollup) == (Kind.RATIO, Rollup.RATIO_OF_SUMS)
    assert (studied.numerator.code, studied.denominator.code) == ("DV_HOC_NQ", "DV")
    assert not any(i.kind == Kind.PERCENTAGE for i in cat.values())
    superior = {c for c, i in cat.items() if i.superior_only}
    assert {"SO_CDCS", "DN_25", "CDCS_XL", "CDCS_MOI", "CT_CDCS_BD", "TL_CDCS_GT_DANG"} <= superior
    assert not {"DV", "DV_MOI", "DV_HOC_NQ", "DV_TC_HNNLD", "DV_UU_TU"} & superior


def test_every_row_is_well_formed(loaded):
    for indicator in loaded.values():
        indicator.full_clean()
        assert indicator.node.version.code == V2 and indicator.node.is_writable
        if indicator.kind == Kind.RATIO:
            assert indicator.rollup == Rollup.RATIO_OF_SUMS
            assert indicator.numerator.over_years == indicator.denominator.over_years == indicator.over_years
        if indicator.part_of:
            assert indicator.part_of.unit_of_measure == indicator.unit_of_measure, indicator.code
    positions = [i.position for i in loaded.values()]
    assert sorted(positions) == list(range(1, len(positions) + 1))


def test_grassroots_catalogue_leaves_out_superior_rows(loaded):
    version = OutlineVersion.objects.get(code=V2)
    grassroots = {i.code for i in catalogue(version.pk, grassroots=True)}
    everything = {i.code for i in catalogue(version.pk)}
    assert grassroots == {c for c, i in loaded.items() if not i.superior_only}
    assert everything == set(loaded)
    # What a CĐCS types never needs a superior-only row.
    for code in grassroots:
        indicator = loaded[code]
        for other in (indicator.numerator, indicator.denominator, indicator.part_of):
            assert other is None or other.code in grassroots


def test_the_v2_outline_is_what_the_script_generates_from_the_seed(tmp_path):
    output = tmp_path / "outline.json"
    first = json.loads((settings.BASE_DIR / "fixtures" / "outline_gnk_2018_2023_v2.json").read_text(encoding="utf-8"))
    call_command(
        "build_outline_fixture",
        output=output,
        code=V2,
        name=first[0]["fields"]["name"],
        stdout=io.StringIO(),
    )
    committed = settings.BASE_DIR / "fixtures" / "outline_gnk_2018_2023_v2.json"
    assert output.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
