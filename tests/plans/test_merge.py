"""Two people editing the same item: different fields merge, the same field clashes.

Nothing one person changed is undone by the other's save, also not through "keep mine".
"""

from django.urls import reverse

from plans.forms import item_form
from plans.items import KINDS

HX = {"HTTP_HX_REQUEST": "true"}


def _as_loaded(pop, user):
    """The edit form's data exactly as the browser received it."""
    form = item_form(KINDS["action"], plan=pop.plan, user=user, instance=pop.action)
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


def _url(pop):
    return reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])


def test_changes_to_different_fields_are_merged_without_a_conflict(world, pop, as_user):
    jeroen = _as_loaded(pop, world.manager)
    sanne = _as_loaded(pop, world.employee)
    jeroen["provider"] = "Zorgacademie Rivierenland"
    assert as_user(world.manager).post(_url(pop), jeroen).status_code == 302
    sanne["description"] = "Eerst module 1, dan oefenen met twee cliënten."
    response = as_user(world.employee).post(_url(pop), sanne, **HX)
    assert 'data-testid="conflict"' not in response.content.decode()
    pop.action.refresh_from_db()
    assert pop.action.provider == "Zorgacademie Rivierenland"
    assert pop.action.description == "Eerst module 1, dan oefenen met twee cliënten."
    assert pop.action.version == 3


def test_same_field_clashes_and_keep_mine_keeps_their_other_changes(world, pop, as_user):
    jeroen = _as_loaded(pop, world.manager)
    sanne = _as_loaded(pop, world.employee)
    jeroen.update(description="Jeroen: eerst de basismodule.", provider="Zorgacademie")
    as_user(world.manager).post(_url(pop), jeroen)

    sanne["description"] = "Sanne: alle modules in één keer."
    response = as_user(world.employee).post(_url(pop), sanne, **HX)
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    assert 'data-testid="their-description"' in html  # the clash is shown ...
    assert 'data-testid="their-provider"' not in html  # ... Jeroen's other change is not
    assert "Sanne: alle modules in één keer." in html  # her text is kept in the field
    assert 'value="Zorgacademie"' in html  # the form now carries his provider
    pop.action.refresh_from_db()
    assert pop.action.description == "Jeroen: eerst de basismodule."

    # "Keep mine" submits the form as the conflict view left it.
    sanne.update(description="Sanne: alle modules in één keer.", provider="Zorgacademie")
    sanne["version"] = 2
    as_user(world.employee).post(_url(pop), sanne, **HX)
    pop.action.refresh_from_db()
    assert pop.action.description == "Sanne: alle modules in één keer."
    assert pop.action.provider == "Zorgacademie"


def test_same_change_by_both_is_no_conflict(world, pop, as_user):
    jeroen = _as_loaded(pop, world.manager)
    sanne = _as_loaded(pop, world.employee)
    jeroen["hours"] = "12"
    sanne["hours"] = "12"
    as_user(world.manager).post(_url(pop), jeroen)
    response = as_user(world.employee).post(_url(pop), sanne, **HX)
    assert 'data-testid="conflict"' not in response.content.decode()
    pop.action.refresh_from_db()
    assert pop.action.hours == 12
