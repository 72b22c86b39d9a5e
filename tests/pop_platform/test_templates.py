"""Templates stay readable: no line over 160 characters, and the navigation marks the
current page in one way (``navigation.nav_class``)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LIMIT = 160
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_line_is_over_160_characters():
    long_lines = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            name = path.relative_to(TEMPLATES)
            long_lines += [
                f"templates/{name}:{n}" for n, line in enumerate(lines, 1) if len(line) > LIMIT
            ]
    assert not long_lines


def _current(html: str) -> list[str]:
    """The labels of the links marked as the current page."""
    links = re.findall(r'<a [^>]*aria-current="page"[^>]*>\s*([^<]+)', html)
    return [label.strip() for label in links]


def test_the_navigation_marks_the_current_page(world, as_user):
    hr = as_user(world.hr)
    assert _current(hr.get(reverse("dashboards:home")).content.decode()) == ["Start"]
    page = hr.get(reverse("people:person-list")).content.decode()
    # The HR menu holds the current page; the organisation tabs name it.
    assert 'class="nav-link active">HR</summary>' in page
    assert _current(page) == ["Mensen en afdelingen", "Medewerkers"]
    goal_list = hr.get(reverse("goals:goal-list")).content.decode()
    assert _current(goal_list) == ["Doelen"] and 'class="nav-link">HR</summary>' in goal_list


def test_own_plan_is_current_on_the_plan_page_of_its_owner_only(world, as_user):
    from plans.services import plan_get_or_create

    plan = plan_get_or_create(employee=world.employee)
    assert _current(as_user(world.employee).get(plan.get_absolute_url()).content.decode()) == [
        "Mijn POP"
    ]
    assert _current(as_user(world.manager).get(plan.get_absolute_url()).content.decode()) == []
