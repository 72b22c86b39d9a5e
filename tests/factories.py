"""factory_boy factories with Dutch fake data."""

import factory
from factory.django import DjangoModelFactory

from people.models import Notification, Organisation, OrgUnit, User

PASSWORD = "correct-horse-battery-staple"

factory.Faker._DEFAULT_LOCALE = "nl_NL"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisatie {n}")


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = OrgUnit.Kind.TEAM


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    full_name = factory.Faker("name")
    organisation = factory.SubFactory(OrganisationFactory)
    unit = factory.LazyAttribute(lambda person: OrgUnitFactory(organisation=person.organisation))
    job_title = factory.Faker("job")
    language = "nl"
    password = factory.django.Password(PASSWORD)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "test"
    title = factory.Faker("sentence", nb_words=5)
    body = factory.Faker("paragraph")
