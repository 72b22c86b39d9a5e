"""One language at a time, one date format (issue 16, item 10): the English pages said
"Give my akkoord" and "Waiting for the akkoord of ...", and "5 Feb 2027" stood next to
"6 januari 2027"."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import PlanVisit

from .conftest import action_form_data


def _text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_english_plan_page_is_english(world, pop, as_user):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    services.plan_agree(plan=pop.plan, by=world.manager, revision=pop.plan.revision)
    page = _text(as_user(world.employee).get(pop.plan.get_absolute_url()).content.decode())
    assert "Agree to the plan" in page
    assert "Jeroen de Vries agreed on" in page and "Waiting for Sanne Jansen to agree" in page
    assert "akkoord" not in page.lower()


def test_dates_have_one_format_in_each_language(world, pop, as_user):
    """A changed date in "what changed" read "5 Feb 2027" (the "j M Y" format) while the
    rest of the page wrote "6 januari 2027"."""
    employee = as_user(world.employee)
    employee.get(pop.plan.get_absolute_url())  # her last visit
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    as_user(world.manager).post(
        edit,
        action_form_data(
            pop,
            title="E-learning beeldzorg",
            start_date="2027-01-06",
            due_date="2027-02-05",
            version=pop.action.version,
        ),
    )
    for language, due, start in (
        ("nl", "5 februari 2027", "6 januari 2027"),
        ("en", "5 February 2027", "6 January 2027"),
    ):
        world.employee.language = language
        world.employee.save(update_fields=["language"])
        page = _text(employee.get(pop.plan.get_absolute_url()).content.decode())
        assert due in page and start in page, language
        assert re.search(r"\b5 feb\.? 2027", page, re.IGNORECASE) is None  # "5 Feb 2027"
        assert re.search(r"\b\d{1,2}-\d{1,2}-\d{4}\b", page) is None
        PlanVisit.objects.filter(plan=pop.plan, user=world.employee).update(
            last_seen_at=timezone.now() - datetime.timedelta(hours=1)
        )
