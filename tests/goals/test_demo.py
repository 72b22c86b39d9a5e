"""seed_demo builds a believable goal cascade, idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from goals.models import Goal, GoalUpdate
from goals.selectors import organisation_progress
from people.models import Organisation


@pytest.mark.django_db
def test_seed_demo_builds_a_cascade_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    organisation = Organisation.objects.get()
    goals = Goal.objects.filter(organisation=organisation)
    strategic = goals.filter(level="organisation")
    assert 3 <= strategic.count() <= 5
    assert strategic.filter(title__icontains="duurzame inzetbaarheid").exists()
    assert strategic.filter(title__icontains="digitalisering").exists()
    team_goals = goals.filter(level="team")
    assert team_goals.filter(parent__level="organisation").count() >= 8
    # A team goal under a department goal (a goal of a unit above the team).
    assert team_goals.filter(parent__level="team").count() >= 2
    individual = goals.filter(level="individual")
    assert individual.filter(parent__level="team").count() >= 50
    assert (
        individual.filter(
            status="proposed", owner_person__line_manager__email="manager@example.com"
        ).count()
        == 2
    )
    unlinked = goals.filter(parent__isnull=True).exclude(level="organisation")
    assert unlinked.count() >= 3 and not unlinked.filter(not_linked_reason="").exists()
    updates = GoalUpdate.objects.filter(goal__organisation=organisation)
    assert updates.count() >= 100
    assert updates.filter(recorded_at__lt=timezone.now() - timezone.timedelta(days=60)).exists()

    progress = organisation_progress(organisation=organisation)
    signals = [progress.of(goal.pk).signal for goal in goals.filter(status="active")]
    assert signals.count("at_risk") + signals.count("behind") >= 3
    assert signals.count("on_track") >= 10
    assert all(progress.of(goal.pk).percent is not None for goal in strategic)

    before = (goals.count(), updates.count())
    call_command("seed_demo", stdout=StringIO())
    assert (goals.count(), updates.count()) == before
