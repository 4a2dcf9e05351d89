"""The database sorts Vietnamese names as the Vietnamese dictionary does, on SQLite and PostgreSQL alike,
and as core.text.vietnamese_sort_key (what the pages sorted with in Python) does."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.db import Vietnamese
from core.text import vietnamese_sort_key
from tests.units.factories import UnitFactory
from units.models import Unit

NAMES = [
    "Công đoàn cơ sở Ánh Dương",
    "Công đoàn cơ sở Bình An",
    "Công đoàn cơ sở Anh Đào",
    "Công đoàn cơ sở Đông Á",
    "Công đoàn cơ sở Dương",
    "công đoàn cơ sở an",
    "Công Đoàn Cơ Sở Ân",
    "Công đoàn cơ sở Ăn Uống",
    "Công đoàn cơ sở Ô Tô",
    "Công đoàn cơ sở Ơn Sâu",
    "Công đoàn cơ sở Oanh",
    "Công đoàn cơ sở Ưu Việt",
    "Công đoàn cơ sở Uyên",
    "Công đoàn cơ sở Hòa Bình",
    "Công đoàn cơ sở Hoà Bình 2",
    "Công đoàn cơ sở Hỏa Tiễn",
    "Công đoàn cơ sở Hạ Long",
    "Công đoàn cơ sở Zeta",
]


@pytest.mark.django_db
def test_the_database_orders_names_in_vietnamese_dictionary_order():
    for name in NAMES:
        UnitFactory(name=name)
    in_database = list(
        Unit.objects.filter(name__in=NAMES).order_by(Vietnamese("name"), "pk").values_list("name", flat=True)
    )
    assert in_database == sorted(NAMES, key=vietnamese_sort_key)
    # "a" < "ă" < "â" < "b" and "d" < "đ": not the order of code points, nor of plain ICU root.
    assert in_database.index("Công đoàn cơ sở Ăn Uống") < in_database.index("Công Đoàn Cơ Sở Ân")
    assert in_database.index("Công đoàn cơ sở Dương") < in_database.index("Công đoàn cơ sở Đông Á")
    assert in_database.index("Công đoàn cơ sở Ô Tô") < in_database.index("Công đoàn cơ sở Ơn Sâu")


@pytest.mark.django_db
def test_postgresql_reads_a_page_of_units_in_vietnamese_order_from_an_index():
    """The dashboard's first page of a province's thousands of units: read in order from the index on the
    name in "vi-x-icu" (migration units 0002), not by sorting every unit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's; SQLite registers its collation per connection")
    UnitFactory.create_batch(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE units_unit")
        sql, params = Unit.objects.order_by(Vietnamese("name"), "pk")[:20].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "unit_name_vi" in plan, plan


_VI = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
_ALPHABET = _VI + _VI.upper() + "0123456789 -.,()/&fjwz"


@given(st.lists(st.text(alphabet=_ALPHABET, max_size=12), max_size=30))
def test_the_compact_sort_key_orders_as_the_letter_and_tone_ranks_do(names):
    """The key kept per worker is two byte strings; names sort by it exactly as by the lists of letter
    and tone ranks it is made from (ties included)."""
    from core.text import _letters_and_tones, vietnamese_sort_key

    for a in names:
        for b in names:
            by_bytes = (vietnamese_sort_key(a) > vietnamese_sort_key(b)) - (
                vietnamese_sort_key(a) < vietnamese_sort_key(b)
            )
            ranks_a, ranks_b = _letters_and_tones(a), _letters_and_tones(b)
            assert by_bytes == (ranks_a > ranks_b) - (ranks_a < ranks_b), (a, b)
