"""The navigation's figures (manager role from the shared cache, unread count) give what
the ORM's definitions give, for every kind of person, also after who reports to whom
changed."""

import pytest
from django.utils import timezone

from people.access import notifications_for
from people.models import User
from people.selectors import navigation_figures
from tests.factories import NotificationFactory, OrgUnitFactory, UserFactory


def fresh(user: User) -> User:
    """The user as a new request loads them (nothing cached on the instance)."""
    return User.objects.get(pk=user.pk)


def orm_figures(user: User) -> tuple[bool, int]:
    is_manager = User.objects.filter(pk=user.pk).filter(User.manager_condition(user.pk)).exists()
    unread = notifications_for(user).filter(read_at__isnull=True).count()
    return is_manager, unread


@pytest.fixture
def people(world):
    organisation = world.employee.organisation
    # Only an inactive report: not a manager (a departed report does not make one).
    lead_of_leaver = UserFactory(organisation=organisation, full_name="Lead van vertrokkene")
    UserFactory(organisation=organisation, line_manager=lead_of_leaver, is_active=False)
    # Manages a unit without anyone reporting to them directly.
    unit_lead = UserFactory(organisation=organisation, full_name="Afdelingshoofd")
    OrgUnitFactory(organisation=organisation, name="Afdeling Zonder Mensen", manager=unit_lead)
    # Another organisation's manager, with their own unread messages.
    outsider = world.other_hr
    now = timezone.now()
    NotificationFactory.create_batch(3, recipient=world.employee)
    NotificationFactory.create_batch(2, recipient=world.employee, read_at=now)
    NotificationFactory.create_batch(4, recipient=world.colleague)
    NotificationFactory(recipient=world.manager, read_at=now)
    NotificationFactory.create_batch(5, recipient=outsider)
    return [
        world.employee,
        world.colleague,
        world.manager,
        world.other_manager,
        world.hr,
        outsider,
        lead_of_leaver,
        unit_lead,
    ]


def test_navigation_figures_equal_the_orm_definitions(people):
    seen = set()
    for person in people:
        figures = navigation_figures(user=fresh(person))
        assert (figures.is_manager, figures.unread) == orm_figures(person), person.full_name
        seen.add((figures.is_manager, figures.unread))
    # The people above cover managers and non-managers, with and without unread messages.
    assert {is_manager for is_manager, _ in seen} == {True, False}
    assert {unread > 0 for _, unread in seen} == {True, False}


def test_navigation_figures_are_two_small_queries_kept_for_the_request(
    people, django_assert_num_queries
):
    """Warm: the unit version (the manager role comes from the cache under it) and the
    unread count; asked again in the same request, nothing."""
    navigation_figures(user=fresh(people[0]))  # the role cached
    employee = fresh(people[0])
    with django_assert_num_queries(2):
        first = navigation_figures(user=employee)
        again = navigation_figures(user=employee)
        assert employee.is_manager is False  # filled from the cache
    assert first is again
    assert first.unread == 3


def test_the_cached_manager_role_follows_the_reporting_lines(world):
    lead = world.colleague
    assert not navigation_figures(user=fresh(lead)).is_manager  # cached from here on
    world.employee.line_manager = lead
    world.employee.save()
    assert navigation_figures(user=fresh(lead)).is_manager
    world.employee.is_active = False
    world.employee.save(update_fields=["is_active"])
    assert not navigation_figures(user=fresh(lead)).is_manager
