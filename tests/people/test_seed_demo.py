from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from people.demo import DEMO_PASSWORD
from people.models import Organisation, User


def _seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_the_organisation_and_is_idempotent(settings):
    settings.DEBUG = True
    first = _seed()
    assert "80 people (80 new)" in first
    assert "80 people (0 new)" in _seed()
    organisation = Organisation.objects.get()
    assert User.objects.filter(organisation=organisation).count() == 80
    employee = User.objects.get(email="employee@example.com")
    manager = User.objects.get(email="manager@example.com")
    assert employee.line_manager == manager
    assert manager.is_manager
    assert User.objects.get(email="hr@example.com").is_hr
    assert organisation.units.filter(kind="team").count() >= 10
    # Every non-director has a line manager in the same organisation.
    orphans = User.objects.filter(organisation=organisation, line_manager__isnull=True)
    assert list(orphans.values_list("job_title", flat=True)) == ["Directeur-bestuurder"]


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        _seed()
    assert "new" in _seed(force=True)


@pytest.mark.django_db
def test_seed_demo_people_option_grows_the_organisation(settings):
    settings.DEBUG = True
    _seed()
    assert "300 people (220 new)" in _seed(people=300)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["hr@example.com", "manager@example.com", "employee@example.com"])
def test_demo_accounts_can_sign_in(client, settings, email):
    settings.DEBUG = True
    _seed()
    response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("dashboards:home")).status_code == 200
