"""``make load``'s set-up inside the seeded benchmark database (``bench/loadtest.py`` runs
it with the benchmark's environment); prints JSON: who signs in and which URLs are theirs.

- Employees: people without reports who have a plan, a goal and a conversation (the demo
  employee among them). Managers: team leaders whose reports have plans (the demo manager
  among them). HR: the demo HR adviser and a few colleagues of Team HR-advies, who are
  made HR here (a 10,000-person organisation has more than one HR adviser).
- Everyone signs in with the demo password (the seed gives it to all demo people).
- Each of them gets a few notifications (some unread), as people have in real use.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pop_platform.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Exists, OuterRef  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.models import Conversation  # noqa: E402
from goals.access import goals_visible_to  # noqa: E402
from goals.models import Goal  # noqa: E402
from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, HR_EMAIL, MANAGER_EMAIL  # noqa: E402
from people.models import Notification, User  # noqa: E402
from plans.models import DevelopmentPlan  # noqa: E402

EMPLOYEES = int(os.environ.get("LOAD_EMPLOYEES", "40"))
MANAGERS = int(os.environ.get("LOAD_MANAGERS", "15"))
HR_PEOPLE = int(os.environ.get("LOAD_HR", "5"))
rng = random.Random(2026)


def pick(queryset, count: int, first: str) -> list[User]:
    ids = list(queryset.exclude(email=first).values_list("pk", flat=True).order_by("pk"))
    chosen = rng.sample(ids, min(count - 1, len(ids)))
    return [User.objects.get(email=first), *User.objects.filter(pk__in=chosen).order_by("pk")]


def goal_urls(user: User, own: list[Goal]) -> list[str]:
    """Goal pages this person opens: their own, and the goals above them they can see."""
    visible = goals_visible_to(user)
    wanted = {goal.pk for goal in own} | {goal.parent_id for goal in own if goal.parent_id}
    wanted |= set(visible.filter(level=Goal.Level.ORGANISATION).values_list("pk", flat=True))
    if user.unit_id:
        wanted |= set(visible.filter(owner_unit_id=user.unit_id).values_list("pk", flat=True))
    return [
        f"/goals/{uuid}/" for uuid in visible.filter(pk__in=wanted).values_list("uuid", flat=True)
    ]


def conversation_urls(**filters) -> list[str]:
    uuids = (
        Conversation.objects.filter(**filters).order_by("-starts_at").values_list("uuid", flat=True)
    )
    return [f"/conversations/{uuid}/" for uuid in uuids[:6]]


def notify(people: list[User]) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            channel=Notification.Channel.IN_APP,
            kind="text",
            context={
                "title": f"Bericht {n + 1} voor {person.full_name}",
                "body": "Een melding zoals het platform ze stuurt.",
                "load_test": True,
            },
            link="/",
            read_at=None if n < 3 else now,
            sent_at=now,
        )
        for person in people
        for n in range(12)
    )


def main() -> None:
    has_plan = Exists(DevelopmentPlan.objects.filter(employee=OuterRef("pk")))
    has_goal = Exists(Goal.objects.filter(owner_person=OuterRef("pk")))
    has_talk = Exists(Conversation.objects.filter(employee=OuterRef("pk")))
    leads = User.objects.filter(reports__isnull=False).values("pk")
    employees = pick(
        User.objects.filter(has_plan, has_goal, has_talk, is_hr=False, is_active=True)
        .exclude(pk__in=leads)
        .exclude(managed_units__isnull=False),
        EMPLOYEES,
        EMPLOYEE_EMAIL,
    )
    report_plans = DevelopmentPlan.objects.filter(employee__line_manager=OuterRef("pk"))
    managers = pick(
        User.objects.filter(Exists(report_plans), job_title="Teamleider", is_active=True)
        .annotate(reports_count=Count("reports"))
        .filter(reports_count__gte=3),
        MANAGERS,
        MANAGER_EMAIL,
    )
    hr_adviser = User.objects.get(email=HR_EMAIL)
    colleagues = User.objects.filter(unit_id=hr_adviser.unit_id, is_active=True, reports=None)
    User.objects.filter(
        pk__in=list(
            colleagues.exclude(pk=hr_adviser.pk).values_list("pk", flat=True)[: HR_PEOPLE - 1]
        )
    ).update(is_hr=True)
    hr = [
        hr_adviser,
        *User.objects.filter(unit_id=hr_adviser.unit_id, is_hr=True).exclude(pk=hr_adviser.pk),
    ]
    Notification.objects.filter(context__load_test=True).delete()
    notify([*employees, *managers, *hr])

    people = []
    for person in employees:
        plan = DevelopmentPlan.objects.get(employee=person)
        own = list(Goal.objects.filter(owner_person=person))
        people.append(
            {
                "email": person.email,
                "role": "employee",
                "urls": {
                    "plan": f"/plans/{plan.uuid}/",
                    "plan_conversations": f"/conversations/plan/{plan.uuid}/",
                    "edit_ambition": f"/plans/{plan.uuid}/ambition/{plan.uuid}/edit/",
                    "goals": goal_urls(person, own),
                    "team_goals": f"/goals/?unit={person.unit_id}",
                    "conversations": conversation_urls(employee=person),
                },
            }
        )
    for person in managers:
        plans = DevelopmentPlan.objects.filter(employee__line_manager=person).values_list(
            "uuid", flat=True
        )
        people.append(
            {
                "email": person.email,
                "role": "manager",
                "urls": {
                    "report_plan": [f"/plans/{uuid}/" for uuid in plans],
                    "report_plan_conversations": [f"/conversations/plan/{uuid}/" for uuid in plans],
                    "goals": goal_urls(person, list(Goal.objects.filter(owner_person=person))),
                    "conversations": conversation_urls(manager=person),
                },
            }
        )
    for person in hr:
        people.append(
            {
                "email": person.email,
                "role": "hr",
                "urls": {
                    "goals": goal_urls(person, list(Goal.objects.filter(owner_person=person)))
                },
            }
        )
    for entry in people:
        entry["password"] = DEMO_PASSWORD
        entry["urls"] = {name: urls for name, urls in entry["urls"].items() if urls}
    print(json.dumps({"people": people}))


if __name__ == "__main__":
    main()
