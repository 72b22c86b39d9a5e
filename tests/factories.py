"""factory_boy factories with Dutch fake data."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from people.models import Notification, Organisation, OrgUnit, OutgoingMessage, User

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


class OutgoingMessageFactory(DjangoModelFactory):
    """A message of kind ``text`` (its title and body as given), waiting to be e-mailed."""

    class Meta:
        model = OutgoingMessage

    class Params:
        title = factory.Faker("sentence", nb_words=5)
        body = factory.Faker("paragraph")

    recipient = factory.SubFactory(UserFactory)
    channel = OutgoingMessage.Channel.EMAIL
    kind = "text"
    context = factory.LazyAttribute(lambda message: {"title": message.title, "body": message.body})


class NotificationFactory(OutgoingMessageFactory):
    """A message in the recipient's inbox."""

    class Meta:
        model = Notification

    channel = OutgoingMessage.Channel.IN_APP
    sent_at = factory.LazyFunction(timezone.now)


class GoalFactory(DjangoModelFactory):
    """An active individual goal by default; pass ``level`` and owner for other kinds."""

    class Meta:
        model = "goals.Goal"

    organisation = factory.LazyAttribute(
        lambda goal: (
            (goal.owner_person or goal.owner_unit).organisation
            if (goal.owner_person or goal.owner_unit)
            else OrganisationFactory()
        )
    )
    level = "individual"
    owner_person = None
    owner_unit = None
    parent = None
    not_linked_reason = factory.LazyAttribute(
        lambda goal: "" if goal.parent or goal.level == "organisation" else "Eigen ambitie"
    )
    title = factory.Sequence(lambda n: f"Doel nummer {n} voor het team")
    description = "Concreet resultaat voor cliënten in de wijk."
    metric = "number"
    start_value = 0
    target_value = 10
    current_value = 0
    feasibility_note = "Past in het rooster; besproken met de leidinggevende."
    start_date = factory.LazyFunction(lambda: datetime.date(datetime.date.today().year, 1, 1))
    due_date = factory.LazyFunction(lambda: datetime.date(datetime.date.today().year, 12, 31))
    status = "active"
    visibility = factory.LazyAttribute(
        lambda goal: {"organisation": "organisation", "team": "team"}.get(goal.level, "private")
    )
