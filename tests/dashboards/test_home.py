from django.urls import reverse


def test_home_shows_who_you_are(world, as_user):
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert "Welkom, Sanne" in html
    assert 'data-testid="person-name">Sanne Jansen<' in html
    assert 'data-testid="person-unit">Wijkteam Noord<' in html
    assert 'data-testid="person-manager">Jeroen de Vries<' in html
    assert 'data-testid="person-roles">Medewerker<' in html


def test_home_shows_the_manager_and_hr_roles(world, as_user):
    manager_html = as_user(world.manager).get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="person-roles">Medewerker, Leidinggevende<' in manager_html
    hr_html = as_user(world.hr).get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="person-roles">Medewerker, HR<' in hr_html


def test_home_page_layout_is_accessible_by_structure(world, as_user):
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert '<html lang="nl">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert html.count("<h1") == 1
    assert "<nav" in html and "<header>" in html and "<footer" in html


def test_home_query_count_is_small(world, as_user, django_assert_max_num_queries):
    client = as_user(world.manager)
    with django_assert_max_num_queries(9):  # +1: the "My team" navigation item
        client.get(reverse("dashboards:home"))
