"""Agreed versions (issue 16, item 3): after "versie 2 is vastgelegd" the plan page lists
every version, each opens read-only with the plan's sections and as a PDF marked
"Vastgesteld op … door … en …", any version compares with the plan now or another
version, access is the plan's, and private notes are never part of a version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import Goal
from people.models import AuditEvent
from plans import services
from plans.items import KINDS

from .conftest import EMPLOYEE_NOTE, MANAGER_NOTE, pdf_text

FIRST = "Groeien naar specialistisch wijkverpleegkundige e-health."
SECOND = "Groeien naar specialistisch wijkverpleegkundige e-health en wondzorg."
LATER = "Teamleider worden."


def _agree(pop, world) -> None:
    pop.plan.refresh_from_db()
    services.plan_agree(plan=pop.plan, by=world.employee, revision=pop.plan.revision)
    services.plan_agree(plan=pop.plan, by=world.manager, revision=pop.plan.revision)


def _ambition(pop, world, text: str) -> None:
    pop.plan.refresh_from_db()
    services.item_update(
        plan=pop.plan,
        kind=KINDS["ambition"],
        item=pop.plan,
        by=world.employee,
        expected_version=pop.plan.version,
        changes={"employee_ambition": text},
    )


@pytest.fixture
def two_versions(world, pop):
    """Version 1 with the first ambition, version 2 with the second; the plan changed since."""
    _agree(pop, world)
    _ambition(pop, world, SECOND)
    _agree(pop, world)
    _ambition(pop, world, LATER)
    return pop


def version_url(pop, number: int, pdf: bool = False) -> str:
    name = "plans:plan-version-pdf" if pdf else "plans:plan-version"
    return reverse(name, args=[pop.plan.uuid, number])


def test_the_plan_page_lists_its_agreed_versions(world, two_versions, as_user):
    html = as_user(world.employee).get(two_versions.plan.get_absolute_url()).content.decode()
    versions = html[html.index('data-testid="versions"') :]
    versions = versions[: versions.index("</details>")]
    assert "Vastgestelde versies (2)" in versions
    assert "door Sanne Jansen en Jeroen de Vries" in versions
    for number in (1, 2):
        assert f'href="{version_url(two_versions, number)}"' in versions


def test_a_version_opens_read_only_with_what_was_agreed(world, two_versions, as_user):
    for person in (world.employee, world.manager, world.hr):
        page = as_user(person).get(version_url(two_versions, 1)).content.decode()
        assert "Vastgesteld op" in page and "door Sanne Jansen en Jeroen de Vries" in page
        assert FIRST in page and SECOND not in page and LATER not in page
        for section in ("Competenties om te ontwikkelen", "Ontwikkelacties", "Budget", "Doelen"):
            assert section in page
        assert "E-learning beeldzorg" in page and "Module 1: basis" in page
        assert "Digitale vaardigheden" in page and "€ 1.500,00" in page
        main = page[page.index("<main") : page.index("</main>")]
        assert "Bewerken" not in main and 'method="post"' not in main
        assert EMPLOYEE_NOTE not in page and MANAGER_NOTE not in page
    second = as_user(world.employee).get(version_url(two_versions, 2)).content.decode()
    assert SECOND in second


def test_a_versions_pdf_is_marked_with_when_and_by_whom(world, two_versions, as_user):
    response = as_user(world.manager).get(version_url(two_versions, 1, pdf=True))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Vastgestelde versie 1" in text
    assert "Vastgesteld op" in text and "door Sanne Jansen en Jeroen de Vries." in text
    assert FIRST in text and LATER not in text
    assert "Module 1: basis" in text  # its steps too
    assert EMPLOYEE_NOTE not in text and MANAGER_NOTE not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, summary="version")
    assert event.actor == world.manager and event.subject == world.employee


def test_a_version_compares_with_the_plan_now_and_with_another_version(
    world, two_versions, as_user
):
    client = as_user(world.employee)
    now = client.get(version_url(two_versions, 2), {"compare": "current"}).content.decode()
    comparison = now[now.index('data-testid="comparison"') :]
    assert "Versie 2 en het plan nu vergeleken" in comparison
    assert LATER in comparison
    other = client.get(version_url(two_versions, 1), {"compare": "2"}).content.decode()
    comparison = other[other.index('data-testid="comparison"') :]
    assert "Versie 1 en versie 2 vergeleken" in comparison
    assert "wondzorg.</ins>" in comparison and "<del>" in comparison  # word by word
    none = client.get(version_url(two_versions, 1), {"compare": "9"}).content.decode()
    assert "Er is geen versie om mee te vergelijken." in none


@pytest.mark.parametrize(
    ("persona", "page", "pdf"),
    [
        ("employee", 200, 200),
        ("manager", 200, 200),
        ("hr", 200, 404),
        ("colleague", 404, 404),
        ("other_manager", 404, 404),
        ("other_hr", 404, 404),
    ],
)
def test_access_is_the_plans(world, two_versions, as_user, persona, page, pdf):
    client = as_user(getattr(world, persona))
    assert client.get(version_url(two_versions, 1)).status_code == page
    assert client.get(version_url(two_versions, 1, pdf=True)).status_code == pdf
    assert client.get(version_url(two_versions, 7)).status_code == 404


def test_hr_reads_a_version_without_the_titles_of_goals_it_may_not_see(world, pop, as_user):
    Goal.objects.filter(pk=pop.goal.pk).update(status=Goal.Status.PROPOSED)
    _agree(pop, world)
    hr = as_user(world.hr).get(version_url(pop, 1)).content.decode()
    assert pop.goal.title not in hr
    assert pop.goal.title in as_user(world.manager).get(version_url(pop, 1)).content.decode()
    read = AuditEvent.objects.filter(actor=world.hr, summary="version", action="read")
    assert read.exists()
