"""The navigation bar comes from the shared cache (issue 17), under everything it shows:
never another person's menu, name or count, never a stale mark, never a CSRF token."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.urls import reverse

from pop_platform.cache import CSRF_MARK
from tests.factories import NotificationFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CURRENT = re.compile(r'<a [^>]*aria-current="page"[^>]*>\s*([^<]+)')


def _navigation(client, name: str = "dashboards:home") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def test_a_second_page_view_takes_the_bar_from_the_cache(world, as_user):
    cache.clear()
    client = as_user(world.employee)
    first = client.get(reverse("dashboards:home"))
    second = client.get(reverse("dashboards:home"))
    rendered = [[t.name for t in response.templates] for response in (first, second)]
    assert "_navigation.html" in rendered[0] and "_navigation.html" not in rendered[1]
    bars = [r.content.decode().split("<nav", 1)[1].split("</nav>", 1)[0] for r in (first, second)]
    assert TOKEN.sub("", bars[0]) == TOKEN.sub("", bars[1])


def test_people_with_other_roles_never_share_a_bar(world, as_user):
    """Whoever comes first, HR has the HR menu and the manager "My team"; the employee
    neither, and each sees their own name."""
    cache.clear()
    for _round in range(2):
        for person in (world.hr, world.employee, world.manager):
            bar = _navigation(as_user(person))
            assert person.full_name in bar
            others = {world.hr, world.employee, world.manager} - {person}
            assert not any(other.full_name in bar for other in others)
            assert ('id="hr-menu"' in bar) is (person == world.hr)
            assert ("Mijn team" in bar) is (person == world.manager)


def test_a_new_notification_a_new_name_and_the_current_page_show_at_once(world, as_user):
    cache.clear()
    client = as_user(world.employee)
    assert "ongelezen" not in _navigation(client)
    NotificationFactory(recipient=world.employee, title="Je POP is bijgewerkt")
    assert re.search(r">1<span class=\"visually-hidden\"> ongelezen", _navigation(client))
    world.employee.full_name = "Sanne de Vries-Bakker"
    world.employee.save()
    assert "Sanne de Vries-Bakker" in _navigation(client)
    assert CURRENT.findall(_navigation(client, "goals:goal-list")) == ["Doelen"]
    assert CURRENT.findall(_navigation(client, "dashboards:home")) == ["Start"]
    assert CURRENT.findall(_navigation(client, "people:inbox"))[0].strip() == "Meldingen"


def test_the_bar_follows_the_language(world, as_user):
    cache.clear()
    client = as_user(world.employee)
    assert "Uitloggen" in _navigation(client)
    client.post(reverse("people:set-language"), {"language": "en", "next": "/"})
    bar = _navigation(client)
    assert "Sign out" in bar and "Uitloggen" not in bar


def test_the_sign_out_form_carries_the_request_s_own_token(world, as_user):
    cache.clear()
    _navigation(as_user(world.employee))  # cached by this session
    client = as_user(world.employee)
    client.handler.enforce_csrf_checks = True
    html = client.get(reverse("dashboards:home")).content.decode()
    assert CSRF_MARK not in html
    bar = html[html.index("<nav") : html.index("</nav>")]
    (token,) = TOKEN.findall(bar)
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse("dashboards:home")).status_code == 302  # signed out
