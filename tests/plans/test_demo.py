"""Demo POPs: a coherent story for Sanne, smaller plans for others, idempotent."""

from django.core.management import call_command

from people.demo import EMPLOYEE_EMAIL
from plans.models import DevelopmentAction, DevelopmentPlan, PlanChange, PlanVersion


def _counts():
    return (
        DevelopmentPlan.objects.count(),
        DevelopmentAction.objects.count(),
        PlanVersion.objects.count(),
        PlanChange.objects.count(),
    )


def test_seed_demo_tells_sannes_story_and_is_idempotent(db, settings, as_user):
    settings.DEBUG = True
    call_command("seed_demo", people=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("seed_demo", people=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
    plan = DevelopmentPlan.objects.get(employee__email=EMPLOYEE_EMAIL)
    assert plan.status == DevelopmentPlan.Status.CHANGED
    assert plan.versions.get().number == 1
    kinds = set(plan.actions.values_list("kind", flat=True))
    statuses = set(plan.actions.values_list("status", flat=True))
    assert {"elearning", "shadowing", "training", "mentoring"} <= kinds
    assert {"done", "in_progress", "planned"} <= statuses
    assert plan.actions.filter(goal__isnull=False).exists()
    assert all(action.reflection for action in plan.actions.filter(status="done"))
    assert plan.comments.filter(author__email="manager@example.com").exists()
    # More plans than Sanne's, some of them agreed.
    assert DevelopmentPlan.objects.count() > 5
    assert DevelopmentPlan.objects.filter(status="agreed").exists()
    html = as_user(plan.employee).get(plan.get_absolute_url()).content.decode()
    assert "Meelopen met Team Digitale Zorg" in html
    assert "Hoe het plan nu verschilt van vastgestelde versie 1" in html and "795" in html
