"""Every URL of the product, with what a GET answers and who opens it as a page.

``URLS`` is the one table the accessibility walk (``test_accessibility.py``) visits: each
``PAGE`` row is opened by each role in its ``roles``, in real Chromium, and checked with
axe-core. The other rows say what a GET answers instead of an HTML page (POST-only
actions, files, fragments, redirects); ``tests/pop_platform/test_page_table.py`` checks
that every named URL of the resolver has a row here and that each row answers GET as it
says, so a new page cannot escape the walk.

The URL arguments come from the demo organisation (``seed_demo``), built once per test.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conversations.models import Conversation, PreparationQuestion
from feedback.models import FeedbackQuestion, FeedbackRequest
from feedback.models import Invitation as FeedbackInvitation
from feedback.services import questions_of
from goals.models import Goal
from people.demo import EMPLOYEE_EMAIL, HR_EMAIL, MANAGER_EMAIL
from people.models import Invitation, OutgoingMessage, PeopleImport, User, WebhookSubscription
from plans.models import ActionStep, Competency, DevelopmentAction, DevelopmentPlan
from tests.factories import NotificationFactory

# What a GET answers.
PAGE = "page"  # an HTML page: walked by the accessibility test
POST = "post only"  # 405: a state change
PDF, CSV, ICS, JSON, TEXT = "pdf", "csv", "ics", "json", "text"  # a file or data
FRAGMENT = "fragment"  # a piece of a page that htmx loads into it (checked there)
BEARER = "bearer token"  # the REST API and SCIM: 401 without their own token (tests/integrations)
REDIRECT = "redirect"  # elsewhere (the page it leads to has its own row)

# Who opens it.
A, E, M, H = "anonymous", "employee", "manager", "hr"
ROLES = (A, E, M, H)


@dataclass
class Demo:
    """The demo organisation's people and the objects the URLs open."""

    employee: User
    manager: User
    hr: User
    plan: DevelopmentPlan
    upcoming: Conversation  # Sanne and Jeroen's next ontwikkelgesprek, prepared
    held: Conversation  # their last held conversation
    own_goal: Goal  # Sanne's active individual goal, linked to her team's goal
    draft_goal: Goal  # a draft goal of Sanne's (she may still edit it)
    proposed_goal: Goal  # a goal a report of Jeroen's proposed: he reviews it
    team_goal: Goal  # a goal of Jeroen's team
    org_goal: Goal  # a strategic goal
    competency: Competency
    people_import: PeopleImport  # an uploaded file: two new people, a change, a bad row
    invitation: Invitation  # a pending invitation of a colleague of Sanne's
    question: PreparationQuestion
    subscription: WebhookSubscription  # HR's webhook, with a delivered and a failed event
    feedback: FeedbackRequest  # Sanne asked 4 about "Digitale vaardigheden", 3 answered
    upward: FeedbackRequest  # HR's upward round about Jeroen: 3 of his reports answered
    asked_of_sanne: FeedbackInvitation  # Daan's named request, not yet answered by Sanne
    upward_of_sanne: FeedbackInvitation  # Sanne's (unanswered) part in the upward round
    feedback_question: FeedbackQuestion  # the organisation's first question about a gap

    @property
    def invitation_link(self) -> dict:
        from people.invitations import invitation_token

        return {"token": invitation_token(self.invitation)}

    @property
    def action(self):
        """An open action (done and cancelled ones are folded away on the plan page)."""
        return self.plan.actions.exclude(status__in=["done", "cancelled"]).order_by("pk").first()

    @property
    def reset_link(self) -> dict:
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(self.employee.pk)),
            "token": default_token_generator.make_token(self.employee),
        }


def build_demo() -> Demo:
    """``seed_demo`` with 40 people (under a second), a few notifications and goals in
    review states, and the objects the URLs open."""
    call_command("seed_demo", people=40, force=True, stdout=_Quiet())
    employee = User.objects.get(email=EMPLOYEE_EMAIL)
    manager = User.objects.get(email=MANAGER_EMAIL)
    conversations = Conversation.objects.filter(employee=employee).order_by("starts_at")
    own_goals = Goal.objects.filter(owner_person=employee, status=Goal.Status.ACTIVE)
    team_goal = Goal.objects.filter(
        level=Goal.Level.TEAM, owner_unit=employee.unit, status=Goal.Status.ACTIVE
    ).first()
    draft = Goal.objects.create(
        organisation=employee.organisation,
        level=Goal.Level.INDIVIDUAL,
        owner_person=employee,
        title="Presenteren op de regionale e-healthdag",
        not_linked_reason="Eigen ambitie",
        status=Goal.Status.DRAFT,
        created_by=employee,
    )
    hr = User.objects.get(email=HR_EMAIL)
    # HR has no plan of her own yet: her pages show the "start your plan" states.
    DevelopmentAction.objects.filter(plan__employee=hr).delete()  # they protect the gaps
    DevelopmentPlan.objects.filter(employee=hr).delete()
    for person in (employee, manager, hr):
        NotificationFactory(recipient=person, title="Je POP is gewijzigd", link="/plans/mine/")
        NotificationFactory(recipient=person, title="Nieuwe e-learning over beeldzorg", link="")
    colleague = User.objects.filter(line_manager=manager).exclude(pk=employee.pk).first()
    proposed = Goal.objects.create(
        organisation=employee.organisation,
        level=Goal.Level.INDIVIDUAL,
        owner_person=colleague,
        parent=team_goal,
        title="Tien collega's wegwijs maken in het digitale dossier",
        metric=Goal.Metric.NUMBER,
        start_value=0,
        target_value=10,
        status=Goal.Status.PROPOSED,
        created_by=colleague,
        proposed_by=colleague,
    )
    people_import = PeopleImport.objects.create(
        organisation=employee.organisation,
        uploaded_by=hr,
        filename="medewerkers.csv",
        content=(
            "email;name;job_title;unit;manager_email;start_date\n"
            f"nieuw.een@zorg.example;Nieuw Een;Wijkverpleegkundige;{employee.unit.parent.name}/"
            f"{employee.unit.name};{manager.email};01-02-2027\n"
            "nieuw.twee@zorg.example;Nieuw Twee;;Zorg/Team Nieuw;;\n"
            f"{colleague.email};{colleague.full_name};Senior wijkverpleegkundige;;;\n"
            "geen-adres;Zonder Adres;;;;31-02-2027\n"
        ).encode(),
    )
    invitation = Invitation.objects.create(
        person=colleague,
        invited_by=hr,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    subscription = WebhookSubscription.objects.create(
        organisation=employee.organisation,
        url="https://hooks.zorg.example/pop",
        description="Koppeling met het leerplatform",
        events=["plan.agreed", "action.completed"],
        secret="whsec_" + "A" * 43 + "=",
        created_by=hr,
    )
    now = timezone.now()
    OutgoingMessage.objects.create(
        subscription=subscription,
        channel="webhook",
        kind="plan.agreed",
        context={},
        attempts=1,
        attempted_at=now,
        sent_at=now,
        status_code=200,
    )
    OutgoingMessage.objects.create(
        subscription=subscription,
        channel="webhook",
        kind="action.completed",
        context={},
        attempts=6,
        attempted_at=now,
        failed_at=now,
        status_code=503,
        last_error="NotDelivered: The server answered 503.",
    )
    feedback = FeedbackRequest.objects.get(about=employee, kind="plan")
    upward = FeedbackRequest.objects.get(about=manager, kind="upward")
    return Demo(
        feedback=feedback,
        upward=upward,
        asked_of_sanne=FeedbackInvitation.objects.get(person=employee, request__kind="plan"),
        upward_of_sanne=upward.invitations.get(person=employee),
        feedback_question=questions_of(employee.organisation, "gap", create=True)[0],
        subscription=subscription,
        people_import=people_import,
        invitation=invitation,
        question=PreparationQuestion.objects.filter(organisation=employee.organisation).first(),
        employee=employee,
        manager=manager,
        hr=hr,
        plan=DevelopmentPlan.objects.get(employee=employee),
        upcoming=conversations.filter(status=Conversation.Status.SCHEDULED).last(),
        held=conversations.filter(status=Conversation.Status.HELD).last(),
        own_goal=own_goals.filter(parent__isnull=False).first(),
        draft_goal=draft,
        proposed_goal=proposed,
        team_goal=team_goal,
        org_goal=Goal.objects.filter(
            organisation=employee.organisation, level=Goal.Level.ORGANISATION
        ).first(),
        competency=Competency.objects.filter(organisation=employee.organisation).first(),
    )


class _Quiet:
    def write(self, *_args) -> None:
        pass

    def flush(self) -> None:
        pass


Args = Callable[[Demo], dict] | None


def _report_without_plan(demo: Demo) -> dict:
    """A report of the manager who has no plan yet (the manager may start it)."""
    person = User.objects.filter(line_manager=demo.manager, development_plan__isnull=True).first()
    return {"person_uuid": person.uuid}


@dataclass(frozen=True)
class Url:
    name: str
    answers: str
    roles: tuple[str, ...] = ()
    args: Args = None
    query: str | Callable[[Demo], str] = ""
    label: str = ""  # tells two rows of one URL apart

    def path(self, demo: Demo) -> str:
        kwargs = self.args(demo) if self.args else {}
        query = self.query(demo) if callable(self.query) else self.query
        return reverse(self.name, kwargs=kwargs) + (f"?{query}" if query else "")

    @property
    def id(self) -> str:
        return f"{self.name}{f' ({self.label})' if self.label else ''}"


def _plan(d: Demo) -> dict:
    return {"plan_uuid": d.plan.uuid}


def _version(d: Demo) -> dict:
    return {"plan_uuid": d.plan.uuid, "number": 1}


def _action(d: Demo) -> dict:
    return {"plan_uuid": d.plan.uuid, "kind": "action", "item_uuid": d.action.uuid}


def _gap(d: Demo) -> dict:
    return {"plan_uuid": d.plan.uuid, "gap_uuid": d.plan.gaps.order_by("pk").first().uuid}


def _done_step(d: Demo) -> dict:
    step = ActionStep.objects.filter(action__plan=d.plan, done_on__isnull=False).first()
    return {"kind": "step", "item_uuid": step.uuid}


def _conversation(d: Demo) -> dict:
    return {"conversation_uuid": d.upcoming.uuid}


def _held(d: Demo) -> dict:
    return {"conversation_uuid": d.held.uuid}


# fmt: off
URLS: tuple[Url, ...] = (
    # URL name                                   GET answers  who opens it  URL arguments, query
    Url("login",                                 PAGE, (A,)),
    Url("password_reset",                        PAGE, (A,)),
    Url("password_reset_done",                   PAGE, (A,)),
    Url("password_reset_confirm",                PAGE, (A,), lambda d: d.reset_link, label="valid link"),
    Url("password_reset_confirm",                PAGE, (A,), lambda d: {"uidb64": "MQ", "token": "x-y"}, label="expired link"),
    Url("password_reset_complete",               PAGE, (A,)),
    Url("logout",                                POST),
    Url("people:set-language",                   POST),
    Url("healthz",                               JSON),
    Url("healthz-live",                          TEXT),
    Url("metrics",                               TEXT),

    Url("dashboards:home",                       PAGE, (E, M, H)),
    Url("people:inbox",                          PAGE, (E, M, H)),
    Url("people:notifications-read-all",         POST),
    Url("people:notification-read",              POST),
    Url("people:organisation-settings",          PAGE, (H,)),
    Url("people:audit-log",                      PAGE, (H,)),
    Url("people:profile",                        PAGE, (E, M, H)),
    Url("people:personal-data-json",             JSON, (E,)),
    Url("people:personal-data-pdf",              PDF, (E,)),

    Url("goals:goal-list",                       PAGE, (E, M, H)),
    Url("goals:goal-list",                       PAGE, (H,), query="q=zorg&status=all", label="filtered"),
    Url("goals:goal-create",                     PAGE, (E,)),
    Url("goals:goal-create",                     PAGE, (M,), query="level=team", label="team goal"),
    Url("goals:goal-create",                     PAGE, (H,), query="level=organisation", label="organisation goal"),
    Url("goals:goal-detail",                     PAGE, (E, M), lambda d: {"goal_uuid": d.own_goal.uuid}),
    Url("goals:goal-detail",                     PAGE, (M,), lambda d: {"goal_uuid": d.proposed_goal.uuid}, label="to review"),
    Url("goals:goal-detail",                     PAGE, (H,), lambda d: {"goal_uuid": d.org_goal.uuid}, label="strategic"),
    Url("goals:goal-edit",                       PAGE, (E,), lambda d: {"goal_uuid": d.draft_goal.uuid}),
    Url("goals:goal-edit",                       PAGE, (M,), lambda d: {"goal_uuid": d.team_goal.uuid}, label="team goal"),
    Url("goals:goal-edit",                       PAGE, (H,), lambda d: {"goal_uuid": d.org_goal.uuid}, label="strategic"),
    Url("goals:goal-assign",                     PAGE, (M,), lambda d: {"goal_uuid": d.team_goal.uuid}),
    Url("goals:goal-smart-check",                POST),
    Url("goals:goal-submit",                     POST),
    Url("goals:goal-approve",                    POST),
    Url("goals:goal-return",                     POST),
    Url("goals:goal-check-in",                   POST),

    Url("plans:plan-mine",                       REDIRECT, (E,)),
    Url("plans:plan-mine",                       PAGE, (H,), label="no plan yet"),
    Url("plans:plan-for-report",                 PAGE, (M,), _report_without_plan),
    Url("plans:plan-detail",                     PAGE, (E, M, H), _plan),
    Url("plans:plan-item-edit",                  PAGE, (E, M), _action),
    Url("plans:plan-item-add",                   PAGE, (E, M), lambda d: {"plan_uuid": d.plan.uuid, "kind": "action"}),
    Url("plans:plan-item",                       REDIRECT, (E,), _action),
    Url("plans:plan-gap-assess",                 PAGE, (E, M), _gap),
    Url("plans:plan-pdf",                        PAGE, (E, M), _plan),
    Url("plans:plan-version",                    PAGE, (E, M, H), _version),
    Url("plans:plan-version",                    PAGE, (E,), _version, query="compare=current", label="compared"),
    Url("plans:plan-version-pdf",                PDF, (E,), _version),
    Url("plans:plan-changes",                    REDIRECT, (E,), _plan, query="changes=history"),
    Url("plans:plan-template-pdf",               PDF, (E,)),
    Url("plans:competency-list",                 PAGE, (H,)),
    Url("plans:competency-edit",                 PAGE, (H,), lambda d: {"competency_uuid": d.competency.uuid}),
    Url("plans:plan-agree",                      POST),
    Url("plans:plan-comment-add",                POST),
    Url("plans:plan-item-delete",                POST),

    Url("conversations:conversation-list",       PAGE, (E, M, H)),
    Url("conversations:conversation-new",        PAGE, (E,), query="mode=request"),
    Url("conversations:conversation-new",        PAGE, (M,), query="mode=schedule", label="schedule"),
    Url("conversations:conversation-detail",     PAGE, (E, M), _conversation),
    Url("conversations:conversation-detail",     PAGE, (E,), _held, label="held"),
    Url("conversations:conversation-reschedule", PAGE, (M,), _conversation),
    Url("conversations:team",                    PAGE, (M,)),
    Url("conversations:plan-fragment",           FRAGMENT, (E,), _plan),
    Url("people:compliment-sharing",             POST),
    Url("feedback:plan-compliments",             PAGE, (E, M, H), _plan),
    Url("feedback:compliment",                   PAGE, (M, H), _done_step),
    Url("conversations:conversation-ics",        ICS, (E,), _conversation),
    Url("conversations:conversation-report-pdf", PDF, (E,), _held),
    Url("conversations:conversation-cancel",     POST),
    Url("conversations:conversation-held",       POST),
    Url("conversations:conversation-agenda-add", POST),
    Url("conversations:conversation-preparation", POST),
    Url("conversations:conversation-notes",      POST),
    Url("conversations:conversation-private-note", POST),
    Url("conversations:conversation-agreement-add", POST),
    Url("conversations:conversation-agreement-plan", POST),
    Url("conversations:conversation-agreement-done", POST),

    Url("dashboards:alignment",                  PAGE, (H,)),
    Url("dashboards:alignment",                  PAGE, (H,), query="period=all", label="all periods"),
    Url("dashboards:alignment-people",           PAGE, (H,), query=lambda d: f"goal={d.org_goal.uuid}"),
    Url("dashboards:alignment-people",           PAGE, (H,), query="show=not-linked", label="not linked"),
    Url("dashboards:alignment-csv",              CSV, (H,)),
    Url("dashboards:alignment-refresh",          POST),

    # Roll-out (issue 15): sign-in, invitations, HR runs the organisation.
    Url("two-factor-verify",                     REDIRECT),
    Url("two-factor-setup",                      REDIRECT),
    Url("invitation-accept",                     PAGE, (A,), lambda d: d.invitation_link),
    Url("invitation-renew",                      POST),
    Url("people:two-factor",                     PAGE, (E, M, H)),
    Url("people:sign-in-settings",               PAGE, (H,)),
    Url("people:person-list",                    PAGE, (H,)),
    Url("people:person-list",                    PAGE, (H,), query="status=all&q=jansen", label="filtered"),
    Url("people:person-add",                     PAGE, (H,)),
    Url("people:person-detail",                  PAGE, (H,), lambda d: {"person_uuid": d.employee.uuid}),
    Url("people:person-active",                  POST),
    Url("people:person-invite",                  POST),
    Url("people:people-invite",                  POST),
    Url("people:people-import",                  PAGE, (H,)),
    Url("people:people-import-preview",          PAGE, (H,), lambda d: {"import_uuid": d.people_import.uuid}),
    Url("people:unit-list",                      PAGE, (H,)),
    Url("people:unit-edit",                      PAGE, (H,), lambda d: {"unit_uuid": d.employee.unit.uuid}),
    Url("people:unit-delete",                    POST),
    Url("feedback:feedback-list",                PAGE, (E, M, H)),
    Url("feedback:feedback-ask",                 PAGE, (E, M), _plan),
    Url("feedback:upward-new",                   PAGE, (M, H)),
    Url("feedback:request-detail",               PAGE, (E, M), lambda d: {"request_uuid": d.feedback.uuid}),
    Url("feedback:request-detail",               PAGE, (M, H), lambda d: {"request_uuid": d.upward.uuid}, label="upward"),
    Url("feedback:request-extend",               POST),
    Url("feedback:request-share",                POST),
    Url("feedback:answer",                       PAGE, (E,), lambda d: {"invitation_uuid": d.asked_of_sanne.uuid}),
    Url("feedback:answer",                       PAGE, (E,), lambda d: {"invitation_uuid": d.upward_of_sanne.uuid}, label="upward"),
    Url("feedback:answer-save",                  POST),
    Url("feedback:answer-decline",               POST),
    Url("feedback:settings",                     PAGE, (H,)),
    Url("feedback:question-edit",                PAGE, (H,), lambda d: {"question_uuid": d.feedback_question.uuid}),
    Url("feedback:question-active",              POST),
    Url("conversations:question-list",           PAGE, (H,)),
    Url("conversations:question-edit",           PAGE, (H,), lambda d: {"question_uuid": d.question.uuid}),
    Url("conversations:question-move",           POST),
    Url("conversations:question-active",         POST),
    Url("conversations:cadence-list",            PAGE, (H,)),
    Url("conversations:cadence-edit",            PAGE, (H,), lambda d: {"unit_uuid": d.employee.unit.uuid}),

    # Integration (issue 18): HR's integrations, each person's notifications, the API's docs.
    Url("integrations:overview",                 PAGE, (H,)),
    Url("integrations:webhook-detail",           PAGE, (H,), lambda d: {"subscription_uuid": d.subscription.uuid}),
    Url("integrations:my-notifications",         PAGE, (E, M, H)),
    Url("integrations:api-docs",                 PAGE, (A, H)),
    Url("integrations:api-schema",               JSON),
    Url("integrations:client-add",               POST),
    Url("integrations:client-revoke",            POST),
    Url("integrations:scim-token",               POST),
    Url("integrations:webhook-add",              POST),
    Url("integrations:webhook-test",             POST),
    Url("integrations:webhook-delete",           POST),
    Url("integrations:chat-set",                 POST),
    Url("integrations:chat-remove",              POST),
    Url("integrations:policy-save",              POST),
    Url("integrations:my-chat-set",              POST),
    Url("integrations:my-chat-remove",           POST),
    *(Url(f"api-v1:{name}", BEARER) for name in (
        "person_list", "person_add", "person_read", "person_change", "unit_list", "unit_add", "unit_read",
        "unit_change", "unit_remove", "goal_list", "goal_add", "goal_read", "goal_change", "plan_list",
        "plan_read", "conversation_list", "conversation_read", "alignment",
    )),
    Url("api-v1:person_deactivate",              POST),
    Url("api-v1:goal_check_in_add",              POST),
    *(Url(name, BEARER) for name in (
        "scim-config", "scim-resource-types", "scim-resource-type", "scim-schemas", "scim-schema",
        "scim-users", "scim-user", "scim-groups", "scim-group",
    )),
)
# fmt: on

# Not ours to check: Django's own admin for staff, a benchmark-only view, and
# django-allauth's single sign-on endpoints (our sign-in page starts the sign-in with a POST
# that goes straight to the provider; the callback is the provider's redirect back; both are
# walked end to end in tests/people/test_sso.py and tests/browser/test_rollout_journeys.py).
OUTSIDE_THE_PRODUCT = ("admin:", "bench-baseline", "openid_connect_")


def pages_for(role: str) -> list[Url]:
    return [url for url in URLS if url.answers == PAGE and role in url.roles]
