"""Templates stay readable: no line over 160 characters, and the navigation marks the
current page in one way (``navigation.nav_class``)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LIMIT = 160
TEMPLATES = Path(settings.BASE_DIR) / "templates"
#: Templates not yet shortened, with how many long lines they still have: none may get
#: more, and a template that gets fewer must be listed with its new count (or dropped).
NOT_YET: dict[str, int] = {}


def _long_lines() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            numbers = [n for n, line in enumerate(lines, 1) if len(line) > LIMIT]
            if numbers:
                found[str(path.relative_to(TEMPLATES))] = numbers
    return found


def test_no_template_line_is_over_160_characters():
    found = _long_lines()
    over = {
        f"templates/{name}:{numbers}": len(numbers)
        for name, numbers in found.items()
        if len(numbers) != NOT_YET.get(name, 0)
    }
    shortened = {name: 0 for name in NOT_YET if name not in found}
    assert not over and not shortened, (over, shortened)


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
