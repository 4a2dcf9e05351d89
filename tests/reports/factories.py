import datetime

import factory

from reports.models import Report, Round
from tests.outline.factories import make_outline
from tests.units.factories import UnitFactory


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    code = factory.Sequence(lambda n: f"R{n}")
    name = "Báo cáo giữa nhiệm kỳ 2018–2023"
    outline_version = factory.LazyFunction(make_outline)
    organising_unit = factory.LazyFunction(lambda: UnitFactory(is_grassroots=False, kind="LĐLĐ"))
    term_start_year = 2018
    term_end_year = 2023
    data_years = [2018, 2019, 2020]
    cutoff_date = datetime.date(2020, 11, 30)
    deadline = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    round = factory.SubFactory(RoundFactory)
    unit = factory.SubFactory(UnitFactory)
    congress_number = "V"
