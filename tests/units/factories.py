import factory
from django.contrib.auth import get_user_model

from units import services
from units.models import Membership, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Lan"
    last_name = "Nguyễn Thị"
    email = factory.LazyAttribute(lambda o: f"{o.username}@congdoan.example")
    password = factory.django.Password("mat-khau-thu")


class UnitFactory(factory.Factory):
    """Units are created through the service so their tree path is right."""

    class Meta:
        model = dict

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Công đoàn cơ sở Công ty số {n}")
    kind = "CĐCS"
    parent = None
    is_grassroots = True
    congress_number = "V"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.unit_create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.DRAFTER
