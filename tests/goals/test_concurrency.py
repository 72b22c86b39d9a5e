"""Two people saving the same goal at the same moment: one wins, the other is told
(conditional UPDATE on the version / status), with real threads on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from goals import services
from goals.models import Goal
from tests.conftest import require
from tests.factories import GoalFactory


def run_together(*actions):
    """Start the actions at once in threads, each with its own database connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:  # the outcome (result or error) is what the test checks
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_of_the_same_version_one_conflicts(world):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    goal = GoalFactory(
        owner_person=world.employee,
        title="Oorspronkelijke titel",
        status="draft",
        not_linked_reason="Eigen ambitie",
    )

    def edit(by, title, manage):
        fresh = Goal.objects.select_related("owner_person", "parent").get(pk=goal.pk)
        return services.goal_update(
            goal=fresh, by=by, data={"title": title}, version=1, manage=manage
        )

    outcomes = run_together(
        lambda: edit(world.employee, "Titel van de medewerker", False),
        lambda: edit(world.manager, "Titel van de leidinggevende", True),
    )
    conflicts = [o for o in outcomes if isinstance(o, services.GoalConflict)]
    saved = [o for o in outcomes if isinstance(o, Goal)]
    assert (len(saved), len(conflicts)) == (1, 1), outcomes
    goal.refresh_from_db()
    assert goal.version == 2 and goal.title == saved[0].title
    assert conflicts[0].current.title == saved[0].title


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_once_only_one_happens(world):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    goal = GoalFactory(
        owner_person=world.employee, status="proposed", not_linked_reason="Eigen ambitie"
    )

    def fetch():
        return Goal.objects.select_related("owner_person").get(pk=goal.pk)

    outcomes = run_together(
        lambda: services.goal_approve(goal=fetch(), by=world.manager),
        lambda: services.goal_return(goal=fetch(), by=world.manager, comment="Graag meetbaar"),
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    goal.refresh_from_db()
    assert goal.status in ("active", "draft") and goal.version == 2
