"""The rendered goal tree is cached per viewer under the organisation's versions: two
people with different rights never get each other's tree, a warm tree is served without
computing it again, and every change shows on the next page."""

from django.urls import reverse

from tests.factories import GoalFactory

LIST = reverse("goals:goal-list")


def tree_of(client) -> str:
    html = client.get(LIST).content.decode()
    return html[html.index('<div id="goal-tree">') : html.index("</main>")]


def test_viewers_with_different_rights_never_share_a_cached_tree(world, cascade, as_user):
    viewers = [world.employee, world.manager, world.colleague, world.hr]
    first = {person: tree_of(as_user(person)) for person in viewers}
    cached = {person: tree_of(as_user(person)) for person in viewers}
    assert cached == first
    draft = cascade.draft.title  # the employee's draft: for them and their manager only
    assert draft in cached[world.employee] and draft in cached[world.manager]
    assert draft not in cached[world.colleague] and draft not in cached[world.hr]
    # HR sees what is hidden from them as a count, nobody else gets that line.
    assert "goal-hidden-count" in cached[world.hr]
    assert all("goal-hidden-count" not in cached[p] for p in viewers if p != world.hr)


def test_a_warm_tree_is_not_computed_again(world, cascade, as_user, django_assert_max_num_queries):
    client = as_user(world.employee)
    tree_of(client)
    with django_assert_max_num_queries(6):  # session, versions, units, unread count, …
        assert cascade.employee_goal.title in tree_of(client)


def test_a_new_goal_and_a_new_name_show_in_the_cached_tree(world, cascade, as_user):
    client = as_user(world.manager)
    assert "Roosters digitaal" not in tree_of(client)
    GoalFactory(
        owner_person=world.colleague,
        parent=cascade.team_goal,
        title="Roosters digitaal afstemmen",
        visibility="team",
    )
    assert "Roosters digitaal afstemmen" in tree_of(client)
    world.colleague.full_name = "Daan van Rijn-de Boer"
    world.colleague.save(update_fields=["full_name"])
    assert "Daan van Rijn-de Boer" in tree_of(client)


def test_the_tree_follows_the_language(world, cascade, as_user):
    client = as_user(world.employee)
    dutch = tree_of(client)
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    english = tree_of(client)
    assert "De doelenboom" in dutch and "The cascade" in english
