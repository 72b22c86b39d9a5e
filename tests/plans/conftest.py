"""A plan with every kind of item, on top of the ``world`` personas."""

from __future__ import annotations

import datetime
import http.server
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest

from goals.models import Goal
from plans.models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    PlanComment,
    PrivateNote,
)
from tests.factories import GoalFactory

EMPLOYEE_NOTE = "Eigenlijk twijfel ik of ik wel in de wijk wil blijven."
MANAGER_NOTE = "Sanne lijkt overbelast; voorzichtig bespreken."


@dataclass
class Pop:
    plan: DevelopmentPlan
    competency: Competency
    gap: CompetencyGap
    action: DevelopmentAction
    step: ActionStep
    goal: Goal
    org_goal: Goal
    team_goal: Goal
    employee_note: PrivateNote
    manager_note: PrivateNote


def make_competency(organisation, name="Digitale vaardigheden") -> Competency:
    return Competency.objects.create(
        organisation=organisation,
        name=name,
        description="Werken met e-health en digitale zorgtoepassingen.",
        level_1="Kent de basis van het cliëntdossier.",
        level_2="Gebruikt beeldbellen met hulp.",
        level_3="Zet e-health zelfstandig in bij cliënten.",
        level_4="Leert collega's e-health toepassen.",
        level_5="Ontwikkelt nieuwe digitale zorgvormen.",
    )


def make_action(plan, gap, **fields) -> DevelopmentAction:
    values = {
        "kind": DevelopmentAction.Kind.ELEARNING,
        "title": "E-learning beeldzorg",
        "gap": gap,
        "cost": Decimal("150"),
        "start_date": datetime.date(2026, 2, 1),
        "due_date": datetime.date(2026, 4, 1),
    }
    values.update(fields)
    return DevelopmentAction.objects.create(plan=plan, **values)


@pytest.fixture
def pop(world) -> Pop:
    return make_pop(world)


def make_pop(world) -> Pop:
    org_goal = GoalFactory(
        organisation=world.organisation,
        level="organisation",
        title="Digitale zorg voor iedere cliënt",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    team_goal = GoalFactory(
        level="team",
        owner_unit=world.team,
        parent=org_goal,
        title="Beeldzorg in Wijkteam Noord",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    goal = GoalFactory(
        owner_person=world.employee,
        parent=team_goal,
        title="Twintig cliënten begeleiden met beeldzorg",
        target_value=20,
        current_value=5,
    )
    plan = DevelopmentPlan.objects.create(
        employee=world.employee,
        organisation=world.organisation,
        yearly_budget=Decimal("1500"),
        employee_ambition="Groeien naar specialistisch wijkverpleegkundige e-health.",
        organisation_ambition="Meer cliënten zelfstandig thuis met digitale zorg.",
    )
    competency = make_competency(world.organisation)
    gap = CompetencyGap.objects.create(
        plan=plan,
        competency=competency,
        current_level=2,
        desired_level=4,
        why_it_matters="Beeldzorg is de toekomst van de wijk.",
        goal=goal,
    )
    action = make_action(plan, gap, goal=goal, description="Module 1 tot en met 4.")
    step = ActionStep.objects.create(action=action, title="Module 1: basis")
    PlanComment.objects.create(plan=plan, action=action, author=world.manager, body="Goed plan!")
    employee_note = PrivateNote.objects.create(plan=plan, author=world.employee, body=EMPLOYEE_NOTE)
    manager_note = PrivateNote.objects.create(plan=plan, author=world.manager, body=MANAGER_NOTE)
    return Pop(
        plan=plan,
        competency=competency,
        gap=gap,
        action=action,
        step=step,
        goal=goal,
        org_goal=org_goal,
        team_goal=team_goal,
        employee_note=employee_note,
        manager_note=manager_note,
    )


def action_form_data(pop, **overrides) -> dict:
    """What the form of a new development action on ``pop``'s plan posts."""
    data = {
        "title": "Training coachend werken",
        "kind": "training",
        "gap": pop.gap.pk,
        "goal": "",
        "priority": 1,
        "status": "planned",
        "start_date": "2026-03-01",
        "due_date": "2026-05-01",
        "cost": "495",
        "hours": "16",
        "provider": "Zorgacademie",
        "description": "Twee dagen training met terugkomdag.",
        "knowledge_transfer": "Ik geef een teamoverleg-sessie over wat ik leerde.",
        "version": 1,
    }
    data.update(overrides)
    return data


# --- PDFs --------------------------------------------------------------------------------

from tests.pdfs import pdf_info, pdf_text  # noqa: E402, F401 - used by the PDF tests


@pytest.fixture
def listener():
    """A local HTTP server that counts every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
