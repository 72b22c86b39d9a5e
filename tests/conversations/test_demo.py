"""Demo conversations: Sanne's story with Jeroen, conversations for the others, idempotent."""

from django.core.management import call_command
from django.utils import timezone

from conversations.models import Conversation, ReminderDelivery
from people.demo import EMPLOYEE_EMAIL, MANAGER_EMAIL
from people.models import User


def test_seed_demo_tells_sannes_conversation_story(db, settings, as_user):
    settings.DEBUG = True
    call_command("seed_demo", people=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = Conversation.objects.count()
    call_command("seed_demo", people=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Conversation.objects.count() == count
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    story = list(Conversation.objects.filter(employee=sanne).order_by("starts_at"))
    assert [(c.kind, c.status) for c in story] == [
        ("start", "held"),
        ("progress", "held"),
        ("development", "scheduled"),
    ]
    start, progress, upcoming = story
    assert (
        start.agreements.filter(status="done").exists()
        and start.agreements.filter(status="open").exists()
    )
    assert progress.agreements.get().plan_action.title == "Meelopen met Team Digitale Zorg"
    assert upcoming.starts_at > timezone.now()
    sources = set(upcoming.agenda_items.values_list("source", flat=True))
    assert {"own", "agreement"} <= sources and sources & {"action", "goal"}  # from the plan
    assert upcoming.preparation_answers.filter(author=sanne).count() >= 4
    # Everyone else with a manager had a check-in, most also a yearly conversation, so
    # most of the organisation is within the policy; no reminder was sent while seeding.
    others = User.objects.filter(line_manager__isnull=False).exclude(pk=sanne.pk)
    held = Conversation.objects.filter(employee__in=others, status="held")
    assert held.filter(kind="check_in").count() == others.count()
    yearly = held.filter(kind__in=["development", "performance"]).count()
    assert 0.6 * others.count() <= yearly <= 0.9 * others.count()
    assert not ReminderDelivery.objects.exists()
    html = as_user(User.objects.get(email=MANAGER_EMAIL)).get("/team/").content.decode()
    assert "Sanne Jansen" in html and "Ontwikkelgesprek" in html
