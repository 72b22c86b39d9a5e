from decimal import Decimal

from django.urls import reverse

from people.models import AuditEvent

URL = reverse("people:organisation-settings")


def _policy(**overrides):
    data = {
        "default_language": "nl",
        "timezone": "Europe/Amsterdam",
        "checkin_cadence_weeks": 6,
        "conversation_interval_months": 12,
        "start_conversation_within_weeks": 4,
        "reminder_lead_days": 3,
        "goal_behind_margin": "0.10",
        "goal_at_risk_margin": "0.25",
        "default_yearly_budget": "1500.00",
        "min_group_size": 5,
        "retention_months": 24,
    }
    data.update(overrides)
    return data


def test_hr_changes_the_policy_and_it_is_audited(world, as_user):
    client = as_user(world.hr)
    page = client.get(URL).content.decode()
    assert "Organisatie-instellingen" in page
    response = client.post(URL, _policy(checkin_cadence_weeks=4, default_yearly_budget="2000"))
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.checkin_cadence_weeks == 4
    assert world.organisation.default_yearly_budget == Decimal("2000.00")
    event = AuditEvent.objects.get(object_type="organisation")
    assert event.actor == world.hr
    assert "checkin_cadence_weeks: 6 → 4" in event.summary
    # Nothing about the other organisation changed.
    world.other_organisation.refresh_from_db()
    assert world.other_organisation.checkin_cadence_weeks == 6


def test_bad_values_show_dutch_messages_and_keep_the_input(world, as_user):
    response = as_user(world.hr).post(
        URL, _policy(checkin_cadence_weeks=0, goal_behind_margin="0.30", retention_months=24)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zorg ervoor dat deze waarde minstens 1 is." in html
    assert 'value="0.30"' in html
    world.organisation.refresh_from_db()
    assert world.organisation.checkin_cadence_weeks == 6


def test_at_risk_margin_below_behind_margin_is_refused(world, as_user):
    response = as_user(world.hr).post(
        URL, _policy(goal_behind_margin="0.30", goal_at_risk_margin="0.20")
    )
    assert "De marge voor &#x27;in gevaar&#x27; moet minstens zo groot zijn" in (
        response.content.decode()
    )


def test_only_hr_sees_the_settings(world, as_user):
    for person in (world.employee, world.manager, world.colleague):
        assert as_user(person).get(URL).status_code == 404
        assert as_user(person).post(URL, _policy(checkin_cadence_weeks=1)).status_code == 404
    world.organisation.refresh_from_db()
    assert world.organisation.checkin_cadence_weeks == 6


def test_hr_of_another_organisation_changes_only_their_own(world, as_user):
    as_user(world.other_hr).post(URL, _policy(checkin_cadence_weeks=8))
    world.organisation.refresh_from_db()
    world.other_organisation.refresh_from_db()
    assert world.organisation.checkin_cadence_weeks == 6
    assert world.other_organisation.checkin_cadence_weeks == 8


def test_navigation_shows_settings_to_hr_only(world, as_user):
    assert URL in as_user(world.hr).get(reverse("dashboards:home")).content.decode()
    assert URL not in as_user(world.employee).get(reverse("dashboards:home")).content.decode()
